/** Akamai (brief): caching behaviours, honorPrivate, Edge-Control. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, type AkamaiOptions } from '../../src/semantics/index.ts';
import { assertReasoned, get, NOW, res } from './helpers.ts';

const ask = (options: AkamaiOptions, resHeaders: Record<string, string>) => {
  const v = explain(get('/mypage', { cookie: 'sid=a' }), res(resHeaders), { id: 'akamai', options }, NOW);
  assertReasoned(v);
  return v;
};

describe('akamai', () => {
  it('honorPrivate decides whether private is stored (default off, unverified)', () => {
    const off = ask({}, { 'cache-control': 'private, max-age=600' });
    assert.equal(off.response.store.value, 'store');
    assert.equal(off.response.ttl.value, 600);
    assert.equal(off.sharedAcrossIdentities.value, 'yes');
    assert.ok(off.response.store.reasons.some((r) => r.rule === 'akamai/private-ignored' && r.certainty === 'unverified'));
    assert.equal(ask({ honorPrivate: true }, { 'cache-control': 'private, max-age=600' }).response.store.value, 'no-store');
  });
  it('MAX_AGE ignores the origin; NO_STORE and BYPASS_CACHE store nothing', () => {
    assert.equal(ask({ behavior: 'MAX_AGE', ttl: 600 }, { 'cache-control': 'no-store' }).response.ttl.value, 600);
    assert.equal(ask({ behavior: 'NO_STORE' }, { 'cache-control': 'max-age=600' }).response.store.value, 'no-store');
    const bypass = ask({ behavior: 'BYPASS_CACHE' }, { 'cache-control': 'max-age=600' });
    assert.equal(bypass.request.action.value, 'pass');
  });
  it('Edge-Control no-store or bypass-cache from the origin always wins', () => {
    assert.equal(ask({ behavior: 'MAX_AGE', ttl: 600 }, { 'edge-control': 'no-store' }).response.store.value, 'no-store');
    assert.equal(ask({}, { 'edge-control': 'bypass-cache', 'cache-control': 'max-age=60' }).response.store.value, 'no-store');
  });
  it('honour modes read only their sources; defaultTtl fills the gap', () => {
    assert.equal(ask({ behavior: 'EXPIRES', defaultTtl: 30 }, { 'cache-control': 'max-age=600' }).response.ttl.value, 30);
    assert.equal(ask({ defaultTtl: 300 }, {}).response.ttl.value, 300);
  });
  it('a Vary other than Accept-Encoding is taken as not cached (unverified)', () => {
    const v = ask({}, { 'cache-control': 'max-age=60', vary: 'User-Agent' });
    assert.equal(v.response.store.value, 'no-store');
    assert.equal(v.response.store.reasons[0]!.certainty, 'unverified');
  });
  it('collapsing is not researched: marked unverified', () => {
    const v = ask({}, { 'cache-control': 'no-cache' });
    assert.equal(v.sharedAcrossIdentities.value, 'collapsing-only');
    assert.equal(v.sharedAcrossIdentities.reasons[0]!.certainty, 'unverified');
  });
});
