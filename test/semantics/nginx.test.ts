/** nginx proxy_cache options: key template, validity, ignore headers, lock, stale, bypass vs no_cache. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRequest, explain, STALE_NO_LIMIT, type NginxOptions } from '../../src/semantics/index.ts';
import { assertReasoned, cited, get, HOUR_LATER, NOW, PAST, res } from './helpers.ts';

const ask = (options: NginxOptions, resHeaders: Record<string, string>, reqHeaders: Record<string, string> = {}, status = 200, url = '/mypage') => {
  const v = explain(get(url, reqHeaders), res(resHeaders, status), { id: 'nginx', options }, NOW);
  assertReasoned(v);
  return v;
};

describe('nginx: proxy_cache_key', () => {
  it('defaults to $scheme$proxy_host$request_uri, without the client host', () => {
    const d = decideRequest(get('/mypage?x=1'), { id: 'nginx' });
    assert.equal(d.key.value.value, 'httpsbackend/mypage?x=1');
    assert.deepEqual(d.key.value.parts.map((p) => p.name), ['$scheme', '$proxy_host', '$request_uri']);
    assert.equal(d.key.value.includesIdentity, false);
  });

  it('evaluates $host, $http_host, $uri, $args, $is_args, $arg_, $http_ and ${braced} variables', () => {
    const req = { ...get('/a%20b?x=1&lang=ja', { 'x-device': 'mobile' }), headers: { host: 'Shop.test:8443', 'x-device': 'mobile' } };
    const d = decideRequest(req, { id: 'nginx', options: { key: '$host|$http_host|$uri|$args|$is_args|$arg_lang|$http_x_device|${scheme}' } });
    assert.equal(d.key.value.value, 'shop.test|Shop.test:8443|/a b|x=1&lang=ja|?|ja|mobile|https');
  });

  it('a $cookie_ variable puts identity in the key, so nothing is shared', () => {
    const v = ask({ key: '$scheme$host$request_uri$cookie_sid' }, { 'cache-control': 'max-age=60' }, { cookie: 'sid=user-a' });
    assert.equal(v.request.key.value.value, 'httpsshop.test/mypageuser-a');
    assert.equal(v.request.key.value.includesIdentity, true);
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.reuse.value, 'no');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('identity hints decide which cookies count', () => {
    const spec = { id: 'nginx' as const, options: { key: '$request_uri$cookie_theme' }, identity: { cookies: ['sid'] } };
    assert.equal(decideRequest(get('/', { cookie: 'theme=dark; sid=1' }), spec).key.value.includesIdentity, false);
    const withAuth = decideRequest(get('/'), { id: 'nginx', options: { key: '$request_uri$http_authorization' } });
    assert.equal(withAuth.key.value.includesIdentity, true);
  });

  it('unknown variables are reported, not silently trusted', () => {
    const d = decideRequest(get('/'), { id: 'nginx', options: { key: '$request_uri$geoip_country' } });
    assert.ok(d.key.reasons.some((r) => r.rule === 'nginx/key-unknown-variable' && r.certainty === 'unverified'));
  });
});

describe('nginx: validity', () => {
  it('nothing is cached without a validity', () => {
    const v = ask({}, {});
    assert.equal(v.response.store.value, 'no-store');
    assert.equal(v.response.store.reasons[0]!.rule, 'nginx/no-validity');
  });

  it('proxy_cache_valid supplies one; codes [] means 200 301 302, any means all', () => {
    assert.equal(ask({ valid: [{ codes: [200], seconds: 600 }] }, {}).response.ttl.value, 600);
    assert.equal(ask({ valid: [{ codes: [200], seconds: 600 }] }, {}, {}, 404).response.store.value, 'no-store');
    assert.equal(ask({ valid: [{ codes: [], seconds: 300 }] }, {}, {}, 302).response.ttl.value, 300);
    assert.equal(ask({ valid: [{ codes: 'any', seconds: 60 }] }, {}, {}, 404).response.ttl.value, 60);
    const shared = ask({ valid: [{ codes: 'any', seconds: 60 }] }, {}, { cookie: 'sid=a' });
    assert.equal(shared.sharedAcrossIdentities.value, 'yes');
  });

  it('header validity beats proxy_cache_valid', () => {
    const v = ask({ valid: [{ codes: 'any', seconds: 600 }] }, { 'cache-control': 'max-age=60' });
    assert.equal(v.response.ttl.value, 60);
    assert.ok(cited(v).includes('nginx/cache-control-validity'));
  });

  it('no-cache, no-store, private, max-age=0 and s-maxage=0 prevent caching', () => {
    for (const cc of ['no-cache', 'no-store', 'private, max-age=600', 'max-age=0', 's-maxage=0, max-age=600']) {
      assert.equal(ask({ valid: [{ codes: 'any', seconds: 600 }] }, { 'cache-control': cc }).response.store.value, 'no-store', cc);
    }
  });

  it('s-maxage is preferred over max-age; Age is not subtracted', () => {
    assert.equal(ask({}, { 'cache-control': 's-maxage=30, max-age=600', age: '10' }).response.ttl.value, 30);
  });

  it('a past Expires prevents caching unless max-age is positive', () => {
    assert.equal(ask({}, { expires: PAST }).response.store.value, 'no-store');
    assert.equal(ask({}, { expires: PAST, 'cache-control': 'max-age=60' }).response.ttl.value, 60);
    assert.equal(ask({}, { expires: HOUR_LATER }).response.ttl.value, 3600);
  });

  it('X-Accel-Expires wins: positive overrides private, 0 forbids, @epoch is absolute', () => {
    const over = ask({}, { 'x-accel-expires': '600', 'cache-control': 'private' });
    assert.equal(over.response.store.value, 'store');
    assert.equal(over.response.ttl.value, 600);
    assert.equal(ask({}, { 'x-accel-expires': '0', 'cache-control': 'max-age=600' }).response.store.value, 'no-store');
    assert.equal(ask({}, { 'x-accel-expires': `@${NOW / 1000 + 120}` }).response.ttl.value, 120);
    assert.equal(ask({ ignoreHeaders: ['X-Accel-Expires'] }, { 'x-accel-expires': '600', 'cache-control': 'private' }).response.store.value, 'no-store');
  });

  it('proxy_ignore_headers Cache-Control with proxy_cache_valid stores private responses (CW-NX-01)', () => {
    const v = ask({ ignoreHeaders: ['Cache-Control', 'Expires'], valid: [{ codes: [200], seconds: 600 }] }, { 'cache-control': 'private, no-store' }, { cookie: 'sid=a' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('nginx/ignore-headers'));
  });

  it('Set-Cookie prevents caching unless ignored; ignored, the stored copy replays it unless hidden', () => {
    assert.equal(ask({}, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' }).response.store.value, 'no-store');
    const ignored = ask({ ignoreHeaders: ['Set-Cookie'] }, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' });
    assert.equal(ignored.response.store.value, 'store');
    assert.match(ignored.response.store.reasons.find((r) => r.rule === 'nginx/set-cookie-ignored')!.text, /replays/);
    const hidden = ask({ ignoreHeaders: ['Set-Cookie'], hideHeaders: ['Set-Cookie'] }, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' });
    assert.match(hidden.response.store.reasons.find((r) => r.rule === 'nginx/set-cookie-ignored')!.text, /proxy_hide_header/);
  });

  it('Vary: * prevents caching; other Vary values are honoured unless ignored', () => {
    assert.equal(ask({}, { vary: '*', 'cache-control': 'max-age=60' }).response.store.value, 'no-store');
    const vary = ask({}, { vary: 'Cookie', 'cache-control': 'max-age=60' }, { cookie: 'sid=a' });
    assert.deepEqual(vary.response.varyOn.value, ['cookie']);
    assert.equal(vary.sharedAcrossIdentities.value, 'no');
    const ignored = ask({ ignoreHeaders: ['Vary'] }, { vary: 'Cookie', 'cache-control': 'max-age=60' }, { cookie: 'sid=a' });
    assert.deepEqual(ignored.response.varyOn.value, []);
    assert.equal(ignored.sharedAcrossIdentities.value, 'yes');
  });

  it('request Cookie and Authorization are ignored (CW-G-04)', () => {
    const v = ask({}, { 'cache-control': 'max-age=60' }, { authorization: 'Bearer t', cookie: 'sid=a' });
    assert.equal(v.request.action.value, 'lookup');
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.equal(v.response.rfcClass.value, 'NOT_STORABLE');
    assert.ok(v.response.store.reasons.some((r) => r.rule === 'rfc9111/authorization'), 'RFC contrast is appended');
  });
});

describe('nginx: proxy_cache_lock and use_stale', () => {
  it('without the lock nothing is collapsed', () => {
    assert.equal(ask({}, { 'cache-control': 'max-age=60' }).response.collapse.value, 'none');
  });
  it('with the lock, waiters get a stored object but never an uncacheable response', () => {
    assert.equal(ask({ lock: true }, { 'cache-control': 'max-age=60' }).response.collapse.value, 'share');
    const uncacheable = ask({ lock: true }, { 'cache-control': 'no-cache' });
    assert.equal(uncacheable.response.collapse.value, 'forward');
    assert.equal(uncacheable.sharedAcrossIdentities.value, 'no');
  });
  it('use_stale updating and error', () => {
    const v = ask({ useStale: ['updating', 'error', 'http_503'] }, { 'cache-control': 'max-age=60' });
    assert.deepEqual(v.response.stale.value, { whileRevalidate: 0, ifError: STALE_NO_LIMIT, whileUpdating: true });
    const headers = ask({}, { 'cache-control': 'max-age=60, stale-while-revalidate=30, stale-if-error=300' });
    assert.deepEqual(headers.response.stale.value, { whileRevalidate: 30, ifError: 300, whileUpdating: false });
  });
});

describe('nginx: proxy_cache_bypass vs proxy_no_cache (CW-NX-03)', () => {
  const session = { cookie: 'sid=user-a' };
  it('bypass without no_cache: lookup skipped, response still stored for the next request', () => {
    const v = ask({ bypass: ['$cookie_sid'] }, { 'cache-control': 'max-age=60' }, session);
    assert.equal(v.request.action.value, 'bypass');
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.collapse.value, 'none');
    assert.equal(v.response.reuse.value, 'yes');
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
  });
  it('bypass with no_cache: passed and not stored', () => {
    const v = ask({ bypass: ['$cookie_sid', '$http_authorization'], noCache: ['$cookie_sid $http_authorization'] }, { 'cache-control': 'max-age=60' }, session);
    assert.equal(v.request.action.value, 'pass');
    assert.equal(v.response.store.value, 'no-store');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });
  it('conditions that evaluate empty or "0" do not fire', () => {
    assert.equal(ask({ bypass: ['$cookie_sid'] }, { 'cache-control': 'max-age=60' }).request.action.value, 'lookup');
    assert.equal(ask({ bypass: ['$arg_nocache'] }, {}, {}, 200, '/mypage?nocache=0').request.action.value, 'lookup');
  });
  it('no_cache alone: looked up, response not stored; $upstream_http_ variables read the response', () => {
    const v = ask({ noCache: ['$cookie_sid'] }, { 'cache-control': 'max-age=60' }, session);
    assert.equal(v.request.action.value, 'lookup');
    assert.equal(v.response.store.value, 'no-store');
    assert.equal(ask({ noCache: ['$upstream_http_x_private'] }, { 'cache-control': 'max-age=60', 'x-private': '1' }).response.store.value, 'no-store');
  });
});

describe('nginx: methods and the switch', () => {
  it('only GET/HEAD unless proxy_cache_methods adds more', () => {
    const post = explain(get('/api', {}, 'POST'), res({ 'cache-control': 'max-age=60' }), { id: 'nginx' }, NOW);
    assert.equal(post.request.action.value, 'pass');
    const allowed = explain(get('/api', {}, 'POST'), res({ 'cache-control': 'max-age=60' }), { id: 'nginx', options: { methods: ['POST'] } }, NOW);
    assert.equal(allowed.request.action.value, 'lookup');
  });
  it('cache off passes everything', () => {
    assert.equal(ask({ cache: false }, { 'cache-control': 'max-age=60' }).request.action.value, 'pass');
  });
});
