/** CloudFront: policies by name and id, MinTTL semantics, collapsing exceptions, keys and forwarding. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUDFRONT_MANAGED_POLICIES, cloudfrontPolicy, decideRequest, explain, type CloudFrontOptions } from '../../src/semantics/index.ts';
import { assertReasoned, cited, get, NOW, res } from './helpers.ts';

const MIN0: CloudFrontOptions = { policy: { minTtl: 0, defaultTtl: 86400, maxTtl: 31536000 } };
const ask = (options: CloudFrontOptions, resHeaders: Record<string, string>, reqHeaders: Record<string, string> = {}, method = 'GET') => {
  const v = explain(get('/mypage', reqHeaders, method), res(resHeaders), { id: 'cloudfront', options }, NOW);
  assertReasoned(v);
  return v;
};

describe('cloudfront: policies', () => {
  it('managed policies resolve by name and by id', () => {
    assert.deepEqual(cloudfrontPolicy('CachingOptimized'), { name: 'CachingOptimized', minTtl: 1, defaultTtl: 86400, maxTtl: 31536000 });
    assert.deepEqual(cloudfrontPolicy(CLOUDFRONT_MANAGED_POLICIES.CachingOptimized), cloudfrontPolicy('CachingOptimized'));
    assert.deepEqual(cloudfrontPolicy(CLOUDFRONT_MANAGED_POLICIES.CachingDisabled), { name: 'CachingDisabled', minTtl: 0, defaultTtl: 0, maxTtl: 0 });
    assert.deepEqual(cloudfrontPolicy(undefined), cloudfrontPolicy('CachingOptimized'));
    assert.throws(() => cloudfrontPolicy('CachingEverything'), RangeError);
  });
  it('by id gives the same answers as by name', () => {
    const byName = ask({ policy: 'CachingOptimized' }, { 'cache-control': 'private' });
    const byId = ask({ policy: '658327ea-f89d-4fab-a63d-7e88639e58f6' }, { 'cache-control': 'private' });
    assert.deepEqual(byId.response, byName.response);
  });
  it('CachingDisabled passes everything and prevents collapsing', () => {
    const v = ask({ policy: CLOUDFRONT_MANAGED_POLICIES.CachingDisabled }, { 'cache-control': 'no-cache' });
    assert.equal(v.request.action.value, 'pass');
    assert.equal(v.response.collapse.value, 'none');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });
});

describe('cloudfront: MinTTL > 0 (CW-AW-01)', () => {
  it('caches for at least MinTTL despite private, no-store and no-cache', () => {
    for (const cc of ['private', 'no-store', 'no-cache', 'private, no-store, no-cache']) {
      const v = ask({}, { 'cache-control': cc }, { cookie: 'sid=a' });
      assert.equal(v.response.store.value, 'store', cc);
      assert.equal(v.response.ttl.value, 1);
      assert.equal(v.sharedAcrossIdentities.value, 'yes');
      assert.equal(v.response.store.reasons[1]!.rule, 'cloudfront/min-ttl-overrides-directives');
    }
  });
  it('header TTLs are clamped to [MinTTL, MaxTTL]; no header → max(MinTTL, DefaultTTL)', () => {
    assert.equal(ask({}, { 'cache-control': 'max-age=0' }).response.ttl.value, 1);
    assert.equal(ask({}, { 'cache-control': 'max-age=600' }).response.ttl.value, 600);
    assert.equal(ask({ policy: { minTtl: 0, defaultTtl: 60, maxTtl: 300 } }, { 'cache-control': 'max-age=600' }).response.ttl.value, 300);
    assert.equal(ask({}, {}).response.ttl.value, 86400);
    assert.equal(ask({ policy: { minTtl: 600, defaultTtl: 60, maxTtl: 3600 } }, {}).response.ttl.value, 600);
  });
});

describe('cloudfront: MinTTL 0 and request collapsing', () => {
  it('no-cache is not cached, but waiters receive it (documented exception)', () => {
    const v = ask(MIN0, { 'cache-control': 'no-cache' });
    assert.equal(v.response.store.value, 'no-store');
    assert.equal(v.response.collapse.value, 'share');
    assert.equal(v.response.collapse.reasons[0]!.certainty, 'documented');
    assert.equal(v.sharedAcrossIdentities.value, 'collapsing-only');
  });
  it('private / no-store: respected, waiters forwarded (unverified: re:Post reports otherwise)', () => {
    for (const cc of ['private', 'no-store']) {
      const v = ask(MIN0, { 'cache-control': cc });
      assert.equal(v.response.collapse.value, 'forward');
      assert.equal(v.response.collapse.reasons[0]!.certainty, 'unverified');
      assert.equal(v.sharedAcrossIdentities.value, 'no');
    }
  });
  it('max-age=0: kept with TTL 0, revalidated; collapsing assumed (unverified)', () => {
    const v = ask(MIN0, { 'cache-control': 'max-age=0' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.ttl.value, 0);
    assert.equal(v.response.reuse.value, 'after-validation');
    assert.equal(v.sharedAcrossIdentities.value, 'collapsing-only');
    assert.equal(v.sharedAcrossIdentities.reasons[0]!.certainty, 'unverified');
  });
  it('Vary: * with MinTTL 0 is stored but never reused', () => {
    assert.equal(ask(MIN0, { 'cache-control': 'max-age=60', vary: '*' }).response.reuse.value, 'no');
  });
});

describe('cloudfront: key, forwarding, Set-Cookie', () => {
  it('the key is host + path plus what the policy lists', () => {
    const d = decideRequest(get('/mypage?user=1', { cookie: 'sid=a' }), { id: 'cloudfront' });
    assert.deepEqual(d.key.value.parts.map((p) => p.name), ['host', 'path']);
    assert.equal(d.key.value.includesIdentity, false);
    const keyed = decideRequest(get('/mypage', { cookie: 'sid=a' }), { id: 'cloudfront', options: { keyCookies: ['sid'] } });
    assert.equal(keyed.key.value.includesIdentity, true);
    const auth = decideRequest(get('/mypage', { authorization: 'Bearer t' }), { id: 'cloudfront', options: { keyHeaders: ['Authorization'] } });
    assert.equal(auth.key.value.includesIdentity, true);
  });
  it('Authorization not in the policy is removed before forwarding', () => {
    const d = decideRequest(get('/mypage', { authorization: 'Bearer t' }), { id: 'cloudfront' });
    assert.ok(d.key.reasons.some((r) => r.rule === 'cloudfront/authorization-removed'));
  });
  it('forwarded but not keyed identity is called out (CW-AW-02)', () => {
    const v = ask({ forwardCookies: ['sid'] }, {}, { cookie: 'sid=a' });
    assert.ok(cited(v).includes('cloudfront/forwarded-not-keyed'));
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(ask({ forwardCookies: 'all' }, {})).includes('cloudfront/forwarded-not-keyed'));
  });
  it('Vary is honoured only for headers in the key', () => {
    assert.deepEqual(ask({}, { 'cache-control': 'max-age=60', vary: 'Cookie' }).response.varyOn.value, []);
    assert.deepEqual(ask({ keyHeaders: ['X-Device'] }, { 'cache-control': 'max-age=60', vary: 'X-Device, Cookie' }).response.varyOn.value, ['x-device']);
  });
  it('Set-Cookie: stripped and cached when cookies are not forwarded, cached with it when they are (both unverified)', () => {
    const stripped = ask(MIN0, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' });
    assert.equal(stripped.response.store.value, 'store');
    assert.ok(stripped.response.store.reasons.some((r) => r.rule === 'cloudfront/set-cookie-stripped' && r.certainty === 'unverified'));
    const kept = ask({ ...MIN0, forwardCookies: 'all' }, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' });
    assert.ok(kept.response.store.reasons.some((r) => r.rule === 'cloudfront/set-cookie-cached'));
  });
  it('non-GET methods are forwarded', () => {
    assert.equal(ask({}, {}, {}, 'POST').request.action.value, 'pass');
  });
});
