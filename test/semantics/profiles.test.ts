/**
 * Profile tables and a sweep: every profile, under several configurations, answers a grid of
 * requests × responses with reasons on every answer (no unfilled placeholder, no empty citation).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, getProfile, isProfileId, PROFILE_IDS, resolveOptions, type ProfileSpec } from '../../src/semantics/index.ts';
import { assertReasoned, DATE, HOUR_LATER, NOW, PAST } from './helpers.ts';

describe('profile tables', () => {
  for (const id of PROFILE_IDS) {
    it(`${id}: title, summary, defaults, options and a well-formed rule table`, () => {
      const p = getProfile(id);
      assert.equal(p.id, id);
      assert.ok(p.title && p.summary.length > 40);
      assert.ok(p.options.length >= 1);
      const ids = p.rules.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
      for (const r of p.rules) {
        assert.ok(r.id.startsWith(`${id}/`), r.id);
        assert.ok(r.source.trim() && r.text.trim(), r.id);
        assert.ok(r.certainty === 'documented' || r.certainty === 'unverified');
      }
      for (const o of p.options) assert.ok(o.name in (p.defaults as object) || o.default.startsWith('('), `${id}.${o.name} documented but not a default`);
    });
  }

  it('unknown profiles are refused', () => {
    assert.equal(isProfileId('squid'), false);
    assert.throws(() => getProfile('squid' as never), RangeError);
    assert.throws(() => explain({ method: 'GET', url: '/', headers: {} }, { status: 200, headers: {} }, { id: 'squid' } as never), RangeError);
  });

  it('resolveOptions overlays the defaults', () => {
    assert.deepEqual(resolveOptions({ id: 'fastly', options: { defaultTtl: 60 } }), { ...getProfile('fastly').defaults, defaultTtl: 60 });
    assert.equal(resolveOptions({ id: 'varnish8' }).defaultGrace, 10);
  });

  it('research-marked facts are unverified in the tables', () => {
    const rule = (id: string) => PROFILE_IDS.flatMap((p) => getProfile(p).rules).find((r) => r.id === id)!;
    for (const id of ['cloudflare/collapse-revalidate-object', 'cloudfront/collapsing-private', 'cloudfront/set-cookie-stripped', 'fastly/authorization-not-special', 'fastly/boilerplate-2015-no-store-cached', 'akamai/private-ignored', 'akamai/collapsing-not-researched']) {
      assert.equal(rule(id).certainty, 'unverified', id);
    }
    for (const id of ['fastly/collapse-share', 'varnish8/waiting-list-ttl0-share', 'cloudfront/min-ttl-overrides-directives', 'cloudfront/collapsing-no-cache-exception']) {
      assert.equal(rule(id).certainty, 'documented', id);
    }
  });
});

const SPECS: ProfileSpec[] = [
  ...PROFILE_IDS.map((id) => ({ id }) as ProfileSpec),
  { id: 'fastly', options: { boilerplate: '2015', passZeroTtl: true, hashExtra: ['cookie:sid', 'authorization'] } },
  { id: 'fastly', options: { boilerplate: 'none', hashIgnoreBusy: true, passOn: ['authorization'] } },
  { id: 'varnish7', options: { recv: 'hash', stripRequestCookie: true, backendResponse: { ttl: 0, grace: 0, skipBuiltin: true, unsetVary: true } } },
  { id: 'varnish8', options: { recv: 'hash', hashExtra: ['cookie:sid'], backendResponse: { ttl: 600, unsetSetCookie: true, uncacheable: false } } },
  { id: 'varnish8', options: { backendResponse: { uncacheable: true } } },
  { id: 'nginx', options: { ignoreHeaders: ['Cache-Control', 'Expires', 'Set-Cookie', 'X-Accel-Expires', 'Vary'], valid: [{ codes: 'any', seconds: 60 }], lock: true, useStale: ['updating', 'error'] } },
  { id: 'nginx', options: { key: '$scheme$host$uri$is_args$args$cookie_sid$http_x_unknown$foo', bypass: ['$cookie_sid'], noCache: ['$http_authorization'], methods: ['POST'] } },
  { id: 'cloudflare', options: { cacheLevel: 'cache-everything', edgeTtl: { mode: 'override_origin', default: 600 } } },
  { id: 'cloudflare', options: { cacheLevel: 'cache-everything', originCacheControl: false, cacheDeceptionArmor: true, keyCookies: ['sid'], keyHeaders: ['authorization'] } },
  { id: 'cloudflare', options: { cacheLevel: 'cache-everything', edgeTtl: { mode: 'bypass_by_default' } } },
  { id: 'cloudfront', options: { policy: 'CachingDisabled' } },
  { id: 'cloudfront', options: { policy: { minTtl: 0, defaultTtl: 0, maxTtl: 600 }, forwardCookies: 'all', forwardHeaders: 'all', keyHeaders: ['x-device'] } },
  { id: 'akamai', options: { behavior: 'MAX_AGE', ttl: 300 } },
  { id: 'akamai', options: { behavior: 'CACHE_CONTROL', honorPrivate: true, honorNoStore: false, defaultTtl: 60 } },
  { id: 'rfc9111', options: { heuristicFraction: 0.2, heuristicDefault: 60 } },
];

const REQUESTS = [
  { method: 'GET', url: '/mypage', headers: {} },
  { method: 'GET', url: '/mypage?x=1', headers: { cookie: 'sid=a; theme=dark' } },
  { method: 'GET', url: 'https://shop.test/static/app.css', headers: { authorization: 'Bearer t' } },
  { method: 'HEAD', url: '/robots.txt', headers: { host: 'shop.test:8443', origin: 'https://x.test' } },
  { method: 'POST', url: '/api', headers: { cookie: 'sid=a' } },
  { method: 'PURGE', url: '/mypage', headers: {} },
];

const RESPONSES: Array<[number, Record<string, string>]> = [
  [200, {}],
  [200, { 'cache-control': 'no-cache' }],
  [200, { 'cache-control': 'no-cache', expires: PAST }],
  [200, { 'cache-control': 'max-age=0, must-revalidate' }],
  [200, { 'cache-control': 'private="Set-Cookie", max-age=60', 'set-cookie': 'a=1' }],
  [200, { 'cache-control': 'public, s-maxage=60, max-age=0, stale-while-revalidate=30, stale-if-error=60' }],
  [200, { 'cache-control': 'no-store, must-understand, max-age=60' }],
  [200, { 'cache-control': 'max-age=abc', expires: 'garbage', age: '5' }],
  [200, { expires: HOUR_LATER, 'last-modified': 'Mon, 12 Jun 2017 05:00:00 GMT', etag: '"x"' }],
  [200, { 'surrogate-control': 'max-age=600, no-store', 'cache-control': 'private' }],
  [200, { 'cdn-cache-control': 'max-age=30', 'cache-control': 'no-store', vary: 'Cookie' }],
  [200, { 'x-accel-expires': '@1498111200', vary: '*', pragma: 'no-cache' }],
  [200, { 'edge-control': 'bypass-cache', 'cache-control': 'max-age=60, max-age=0', 'content-type': 'text/html' }],
  [206, { 'cache-control': 'max-age=60' }],
  [302, {}],
  [304, { 'cache-control': 'max-age=60' }],
  [404, {}],
  [500, { 'cache-control': 'max-age=60' }],
];

describe('sweep: every answer is reasoned', () => {
  for (const spec of SPECS) {
    it(`${spec.id} ${JSON.stringify(spec.options ?? {})}`, () => {
      for (const req of REQUESTS) {
        for (const [status, headers] of RESPONSES) {
          const v = explain(req, { status, headers: { date: DATE, ...headers } }, spec, NOW);
          assertReasoned(v);
          assert.ok(v.response.ttl.value >= 0 && Number.isFinite(v.response.ttl.value));
          if (v.request.action.value === 'pass') assert.equal(v.sharedAcrossIdentities.value, 'no');
          if (v.sharedAcrossIdentities.value === 'yes') assert.equal(v.response.store.value, 'store');
        }
      }
    });
  }
});
