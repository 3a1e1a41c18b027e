/**
 * Realistic property rule trees (test/verify/fixtures/cloud/akamai-{bad,good}): the semantics core
 * says personalized routes are shared in the bad property (MAX_AGE 1h on /*, honorPrivate false in
 * the default rule) and not in the good one (a "Personalized" rule bypasses the cache).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explain } from '../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';
import { loadAkamai, type AkamaiRule } from '../../../src/verify/akamai/index.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/cloud');
const signedIn = (url: string): HttpRequestInfo => ({ method: 'GET', url, host: 'shop.example', headers: { cookie: 'session=abc123' } });
const personal: HttpResponseInfo = { status: 200, headers: { 'cache-control': 'private', 'content-type': 'text/html' } };
const names = (r: AkamaiRule): string[] => [r.name, ...r.children.flatMap(names)];

describe('akamai fixtures: bad property', () => {
  const bad = loadAkamai({ 'rules.json': join(FIXTURES, 'akamai-bad/rules.json') });
  it('loads the nested rule tree', () => {
    assert.equal(bad.name, 'akamai property prp_765432 v12');
    assert.deepEqual(names(bad.rules), ['default', 'Performance', 'Compressible Objects', 'Dynamic pages', 'Offload', 'Static Content', 'Images', 'Public API', 'Admin', 'Uncacheable Responses']);
  });
  for (const url of ['/account/orders', '/api/me']) {
    it(`${url} gets MAX_AGE 1h from "Dynamic pages" and is shared`, () => {
      const [e, ...rest] = bad.evaluate(signedIn(url), personal);
      assert.equal(rest.length, 0);
      assert.deepEqual([e!.handler.label, e!.profile.options], ['rule "Dynamic pages"', { behavior: 'MAX_AGE', ttl: 3600 }]);
      assert.deepEqual(e!.provenance.map((p) => `${p.at.line}:${p.at.column} ${p.text}`), ['70:15 caching.behavior: MAX_AGE', '72:15 caching.ttl: 1h (3600 s)']);
      assert.equal(explain(e!.request, e!.response, e!.profile).sharedAcrossIdentities.value, 'yes');
    });
  }
  it('the default rule alone would also share: honorPrivate false with a 1h default TTL', () => {
    const dflt = bad.rules.behaviors.find((b) => b.name === 'caching')!;
    assert.deepEqual(dflt.options, { behavior: 'CACHE_CONTROL_AND_EXPIRES', mustRevalidate: false, defaultTtl: '1h', honorPrivate: false, honorMustRevalidate: false, enhancedRfcSupport: false });
  });
});

describe('akamai fixtures: good property', () => {
  const good = loadAkamai({ 'rules.json': join(FIXTURES, 'akamai-good/rules.json') });
  for (const url of ['/account/orders', '/api/me']) {
    it(`${url} bypasses the cache and is not shared`, () => {
      const [e, ...rest] = good.evaluate(signedIn(url), personal);
      assert.equal(rest.length, 0);
      assert.deepEqual([e!.handler.label, e!.profile.options, e!.caching], ['rule "Personalized"', { behavior: 'BYPASS_CACHE' }, false]);
      assert.equal(explain(e!.request, e!.response, e!.profile).sharedAcrossIdentities.value, 'no');
    });
  }
  it('an anonymous /account request also bypasses; an anonymous page honours private', () => {
    const anon = (url: string) => good.evaluate({ method: 'GET', url, host: 'shop.example', headers: {} }, personal)[0]!;
    assert.equal(anon('/account').handler.label, 'rule "Personalized"');
    const page = anon('/products/1');
    assert.deepEqual([page.handler.label, page.profile.options], ['rule "Dynamic pages"', { behavior: 'CACHE_CONTROL_AND_EXPIRES', defaultTtl: 0, honorPrivate: true, honorMustRevalidate: true }]);
    assert.equal(explain(page.request, page.response, page.profile).sharedAcrossIdentities.value, 'no');
  });
});
