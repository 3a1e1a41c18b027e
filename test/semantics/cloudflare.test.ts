/** Cloudflare options: cache level, Edge TTL modes, Origin Cache Control, keys, Vary, deception armor. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUDFLARE_EXTENSIONS, decideRequest, explain, type CloudflareOptions } from '../../src/semantics/index.ts';
import { assertReasoned, cited, get, NOW, res } from './helpers.ts';

const ask = (options: CloudflareOptions, resHeaders: Record<string, string>, url = '/mypage', reqHeaders: Record<string, string> = {}, status = 200) => {
  const v = explain(get(url, reqHeaders), res(resHeaders, status), { id: 'cloudflare', options }, NOW);
  assertReasoned(v);
  return v;
};
const everything: CloudflareOptions = { cacheLevel: 'cache-everything' };

describe('cloudflare: what is looked up', () => {
  it('default level: static extensions only (not HTML or JSON); robots.txt too', () => {
    assert.ok(CLOUDFLARE_EXTENSIONS.has('css') && !CLOUDFLARE_EXTENSIONS.has('html') && !CLOUDFLARE_EXTENSIONS.has('json'));
    assert.equal(decideRequest(get('/mypage'), { id: 'cloudflare' }).action.value, 'pass');
    assert.equal(decideRequest(get('/api/me.json'), { id: 'cloudflare' }).action.value, 'pass');
    assert.equal(decideRequest(get('/index.html'), { id: 'cloudflare' }).action.value, 'pass');
    assert.equal(decideRequest(get('/static/app.JS?v=3'), { id: 'cloudflare' }).action.value, 'lookup');
    assert.equal(decideRequest(get('/robots.txt'), { id: 'cloudflare' }).action.value, 'lookup');
  });
  it('cache everything looks up HTML; a bypass rule passes all; only GET/HEAD', () => {
    assert.equal(decideRequest(get('/mypage'), { id: 'cloudflare', options: everything }).action.value, 'lookup');
    assert.equal(decideRequest(get('/a.css'), { id: 'cloudflare', options: { cacheLevel: 'bypass' } }).action.value, 'pass');
    assert.equal(decideRequest(get('/a.css', {}, 'POST'), { id: 'cloudflare' }).action.value, 'pass');
  });
  it('the default key has no cookies; a custom key with the session cookie keeps identities apart', () => {
    const d = decideRequest(get('/a.css?v=1', { cookie: 'sid=a' }), { id: 'cloudflare' });
    assert.equal(d.key.value.value, 'https://shop.test/a.css?v=1');
    assert.equal(d.key.value.includesIdentity, false);
    const v = ask({ ...everything, keyCookies: ['sid'] }, { 'cache-control': 'max-age=60' }, '/mypage', { cookie: 'sid=a' });
    assert.equal(v.request.key.value.includesIdentity, true);
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });
});

describe('cloudflare: Edge TTL override_origin (CW-CF-01)', () => {
  it('ignores private/no-store, strips Set-Cookie and caches', () => {
    const v = ask({ ...everything, edgeTtl: { mode: 'override_origin', default: 3600 } }, { 'cache-control': 'private, no-store', 'set-cookie': 'sid=1' }, '/mypage', { cookie: 'sid=a' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.ttl.value, 3600);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('cloudflare/edge-ttl-strips-set-cookie'));
    assert.ok(v.response.store.reasons.some((r) => r.rule === 'rfc9111/no-store'), 'RFC contrast');
  });
  it('bypass_by_default caches only with Cache-Control freshness', () => {
    const opts: CloudflareOptions = { ...everything, edgeTtl: { mode: 'bypass_by_default' } };
    assert.equal(ask(opts, {}).response.store.value, 'no-store');
    assert.equal(ask(opts, { 'cache-control': 'max-age=60' }).response.ttl.value, 60);
  });
});

describe('cloudflare: Origin Cache Control', () => {
  it('on: no-cache / max-age=0 mean cache-and-revalidate, collapsing unverified', () => {
    const v = ask({}, { 'cache-control': 'max-age=0' }, '/a.css');
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.reuse.value, 'after-validation');
    assert.equal(v.response.collapse.value, 'share');
    assert.equal(v.response.collapse.reasons[0]!.certainty, 'unverified');
  });
  it('on: Set-Cookie is BYPASS at default level, MISS under cache everything', () => {
    assert.equal(ask({}, { 'set-cookie': 'a=1', 'cache-control': 'max-age=60' }, '/a.css').response.store.reasons[0]!.rule, 'cloudflare/set-cookie-bypass');
    assert.equal(ask(everything, { 'set-cookie': 'a=1', 'cache-control': 'max-age=60' }).response.store.reasons[0]!.rule, 'cloudflare/set-cookie-miss');
  });
  it('on: Authorization needs public, s-maxage or must-revalidate', () => {
    assert.equal(ask(everything, { 'cache-control': 'max-age=60' }, '/mypage', { authorization: 'Bearer t' }).response.store.value, 'no-store');
    assert.equal(ask(everything, { 'cache-control': 'public, max-age=60' }, '/mypage', { authorization: 'Bearer t' }).response.store.value, 'store');
  });
  it('off: Set-Cookie on a static asset is stripped and cached; no-cache is not cached; Authorization may be cached (CW-CF-03)', () => {
    const off: CloudflareOptions = { originCacheControl: false };
    const sc = ask(off, { 'set-cookie': 'a=1', 'cache-control': 'max-age=60' }, '/a.css');
    assert.equal(sc.response.store.value, 'store');
    assert.ok(cited(sc).includes('cloudflare/occ-off-strips-set-cookie'));
    assert.equal(ask(off, { 'cache-control': 'no-cache' }, '/a.css').response.store.value, 'no-store');
    assert.equal(ask(off, { 'cache-control': 'max-age=60' }, '/a.css', { authorization: 'Bearer t' }).response.store.value, 'store');
  });
  it('no freshness headers: default edge TTL by status', () => {
    assert.equal(ask(everything, {}, '/mypage', {}, 200).response.ttl.value, 7200);
    assert.equal(ask(everything, {}, '/mypage', {}, 404).response.ttl.value, 180);
    assert.equal(ask(everything, {}, '/mypage', {}, 500).response.store.value, 'no-store');
  });
  it('CDN-Cache-Control is read instead of Cache-Control (unverified)', () => {
    const v = ask(everything, { 'cdn-cache-control': 'max-age=60', 'cache-control': 'private' });
    assert.equal(v.response.store.value, 'store');
    assert.ok(v.response.store.reasons.some((r) => r.rule === 'cloudflare/targeted-field'));
  });
});

describe('cloudflare: Vary and Cache Deception Armor', () => {
  it('Vary: Cookie is ignored, so it does not protect (CW-G-03); Vary: * bypasses', () => {
    const v = ask(everything, { 'cache-control': 'public, max-age=300', vary: 'Cookie, Accept-Encoding' }, '/account', { cookie: 'sid=a' });
    assert.deepEqual(v.response.varyOn.value, ['accept-encoding']);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.equal(ask(everything, { 'cache-control': 'max-age=60', vary: '*' }).response.store.value, 'no-store');
  });
  it('armor refuses a .css path answered with HTML', () => {
    const headers = { 'cache-control': 'max-age=60', 'content-type': 'text/html' };
    assert.equal(ask({}, headers, '/mypage/x.css').response.store.value, 'store');
    assert.equal(ask({ cacheDeceptionArmor: true }, headers, '/mypage/x.css').response.store.value, 'no-store');
  });
});
