/** Fastly options: boilerplate generations, custom pass, hash_ignore_busy, key inputs, TTL order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRequest, explain, type FastlyOptions } from '../../src/semantics/index.ts';
import { assertReasoned, cited, get, NOW, PAST, res } from './helpers.ts';

const MERCARI = { 'cache-control': 'no-cache', expires: PAST };
const ask = (options: FastlyOptions, resHeaders: Record<string, string>, reqHeaders: Record<string, string> = {}, status = 200, method = 'GET') => {
  const v = explain(get('/mypage', reqHeaders, method), res(resHeaders, status), { id: 'fastly', options }, NOW);
  assertReasoned(v);
  return v;
};

describe('fastly: TTL', () => {
  it('Surrogate-Control → s-maxage → max-age → Expires → fallback', () => {
    assert.equal(ask({}, { 'surrogate-control': 'max-age=600', 'cache-control': 'max-age=0' }).response.ttl.value, 600);
    assert.equal(ask({}, { 'cache-control': 's-maxage=300, max-age=10' }).response.ttl.value, 300);
    assert.equal(ask({}, { 'cache-control': 'max-age=10', expires: PAST }).response.ttl.value, 10);
    assert.equal(ask({}, { expires: PAST }).response.ttl.value, 0);
    assert.equal(ask({}, {}).response.ttl.value, 3600);
    assert.equal(ask({ defaultTtl: 0 }, {}).response.ttl.value, 0);
  });
  it('bare no-cache gets the fallback TTL and is shared for an hour', () => {
    const v = ask({}, { 'cache-control': 'no-cache' }, { cookie: 'sid=a' });
    assert.equal(v.response.ttl.value, 3600);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('fastly/no-cache-not-handled'));
  });
  it('Age is subtracted', () => {
    assert.equal(ask({}, { 'cache-control': 'max-age=600', age: '100' }).response.ttl.value, 500);
  });
});

describe('fastly: boilerplate generations', () => {
  it('2022 passes on private and no-store; 2015 only on private', () => {
    assert.equal(ask({ boilerplate: '2022' }, { 'cache-control': 'no-store' }).response.store.value, 'hit-for-pass');
    const old = ask({ boilerplate: '2015' }, { 'cache-control': 'no-store' });
    assert.equal(old.response.store.value, 'store');
    assert.equal(old.response.ttl.value, 3600);
    assert.equal(old.sharedAcrossIdentities.value, 'yes');
    assert.ok(old.response.store.reasons.some((r) => r.rule === 'fastly/boilerplate-2015-no-store-cached' && r.certainty === 'unverified'));
    assert.equal(ask({ boilerplate: '2015' }, { 'cache-control': 'private' }).response.store.value, 'hit-for-pass');
  });
  it('without the boilerplate checks, Set-Cookie and private are stored', () => {
    const v = ask({ boilerplate: 'none' }, { 'cache-control': 'private, max-age=60', 'set-cookie': 'sid=1' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('fastly/no-boilerplate-checks'));
  });
  it('Set-Cookie passes, leaving a hit-for-pass marker that lives for the header TTL', () => {
    const v = ask({}, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' });
    assert.equal(v.response.store.value, 'hit-for-pass');
    assert.equal(v.response.ttl.value, 60);
    assert.equal(v.response.collapse.value, 'forward');
  });
  it('a long Surrogate-Control max-age does not stop the private pass', () => {
    assert.equal(ask({}, { 'surrogate-control': 'max-age=86400', 'cache-control': 'private' }).response.store.value, 'hit-for-pass');
  });
  it('the boilerplate regex is case-sensitive (unverified)', () => {
    const v = ask({}, { 'cache-control': 'Private' });
    assert.equal(v.response.store.value, 'store');
    assert.ok(v.response.store.reasons.some((r) => r.rule === 'fastly/boilerplate-regex-case' && r.certainty === 'unverified'));
  });
});

describe('fastly: custom VCL and settings', () => {
  it('passZeroTtl turns the Mercari pair and bare no-cache into hit-for-pass (CW-FY-02)', () => {
    for (const headers of [MERCARI, { 'cache-control': 'no-cache' }, { 'cache-control': 'max-age=0' }]) {
      const v = ask({ passZeroTtl: true }, headers);
      assert.equal(v.response.store.value, 'hit-for-pass');
      assert.equal(v.sharedAcrossIdentities.value, 'no');
    }
    assert.equal(ask({ passZeroTtl: true }, { 'cache-control': 'max-age=60' }).response.store.value, 'store');
  });
  it('hash_ignore_busy: no collapsing, so a TTL-0 object is no longer shared', () => {
    const v = ask({ hashIgnoreBusy: true }, MERCARI);
    assert.equal(v.response.collapse.value, 'none');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });
  it('status decides cacheability; an uncacheable response serialises the queue', () => {
    const v = ask({}, { 'cache-control': 'max-age=600' }, {}, 500);
    assert.equal(v.response.store.value, 'no-store');
    assert.equal(v.response.collapse.value, 'serialize');
    assert.equal(ask({}, { 'cache-control': 'max-age=600' }, {}, 404).response.store.value, 'store');
  });
  it('hashExtra puts identity in the key', () => {
    const d = decideRequest(get('/', { cookie: 'sid=a' }), { id: 'fastly', options: { hashExtra: ['cookie:sid'] } });
    assert.equal(d.key.value.includesIdentity, true);
    assert.equal(ask({ hashExtra: ['cookie:sid'] }, {}, { cookie: 'sid=a' }).sharedAcrossIdentities.value, 'no');
  });
  it('passOn and non-GET methods pass in vcl_recv', () => {
    assert.equal(ask({ passOn: ['cookie:sid'] }, {}, { cookie: 'sid=a' }).request.action.value, 'pass');
    assert.equal(ask({ passOn: ['cookie:sid'] }, {}, { cookie: 'theme=dark' }).request.action.value, 'lookup');
    assert.equal(ask({}, {}, {}, 200, 'POST').request.action.value, 'pass');
  });
  it('Authorization is not a reason to pass (unverified)', () => {
    const v = ask({}, { 'cache-control': 'max-age=60' }, { authorization: 'Bearer t' });
    assert.equal(v.request.action.value, 'lookup');
    assert.ok(v.request.action.reasons.some((r) => r.rule === 'fastly/authorization-not-special' && r.certainty === 'unverified'));
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
  });
  it('Vary: Cookie separates identities', () => {
    assert.equal(ask({}, { 'cache-control': 'max-age=60', vary: 'Cookie' }, { cookie: 'sid=a' }).sharedAcrossIdentities.value, 'no');
  });
  it('stale directives are read from Surrogate-Control and Cache-Control', () => {
    assert.deepEqual(ask({}, { 'cache-control': 'max-age=60, stale-while-revalidate=30, stale-if-error=86400' }).response.stale.value, {
      whileRevalidate: 30,
      ifError: 86400,
      whileUpdating: false,
    });
  });
});
