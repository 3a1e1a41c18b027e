/**
 * Realistic distribution snapshots (test/verify/fixtures/cloud/cloudfront-{bad,good}): the
 * semantics core says personalized routes are shared in the bad distribution (they fall to the
 * default behaviour: CachingOptimized with AllViewer forwarding cookies) and not in the good one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explain } from '../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';
import { loadCloudFront } from '../../../src/verify/cloudfront/index.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/cloud');
const files = (variant: string) => ({
  'distribution.json': join(FIXTURES, `cloudfront-${variant}`, 'distribution.json'),
  'cache-policies.json': join(FIXTURES, `cloudfront-${variant}`, 'cache-policies.json'),
  'origin-request-policies.json': join(FIXTURES, `cloudfront-${variant}`, 'origin-request-policies.json'),
});
const signedIn = (url: string): HttpRequestInfo => ({ method: 'GET', url, host: 'shop.example', headers: { cookie: 'session=abc123', accept: 'text/html' } });
const personal: HttpResponseInfo = { status: 200, headers: { 'cache-control': 'private', 'content-type': 'text/html' } };

describe('cloudfront fixtures: bad distribution', () => {
  const bad = loadCloudFront(files('bad'));
  it('loads 8 ordered behaviours plus the default, with managed, custom and legacy policies', () => {
    assert.deepEqual(bad.behaviours.map((b) => `${b.pathPattern ?? 'default'}=${b.legacy ? 'legacy' : b.cachePolicy.name}`), [
      '/static/*=CachingOptimized',
      '/images/*=CachingOptimized',
      '/api/public/*=api-short',
      '/search*=UseOriginCacheControlHeaders-QueryStrings',
      '/admin/*=CachingDisabled',
      '/legacy/*=legacy',
      '/media/*=CachingOptimizedForUncompressedObjects',
      '/health=CachingDisabled',
      'default=CachingOptimized',
    ]);
  });
  for (const url of ['/account/orders', '/account', '/api/me']) {
    it(`${url} falls to the default behaviour and is shared despite private`, () => {
      const [e, ...rest] = bad.evaluate(signedIn(url), personal);
      assert.equal(rest.length, 0);
      assert.equal(e!.handler.label, 'default cache behaviour');
      assert.equal(explain(e!.request, e!.response, e!.profile).sharedAcrossIdentities.value, 'yes');
      assert.deepEqual(e!.provenance.map((p) => `${p.at.line}:${p.at.column} ${p.option}`), ['136:7 policy', '137:7 forwardCookies', '137:7 forwardHeaders']);
    });
  }
});

describe('cloudfront fixtures: good distribution', () => {
  const good = loadCloudFront(files('good'));
  for (const [url, label] of [['/account/orders', 'cache behaviour /account*'], ['/account', 'cache behaviour /account*'], ['/api/me', 'cache behaviour /api/me']]) {
    it(`${url} has CachingDisabled and is not shared`, () => {
      const [e] = good.evaluate(signedIn(url!), personal);
      assert.deepEqual([e!.handler.label, e!.caching, e!.profile.options.policy], [label, false, 'CachingDisabled']);
      assert.equal(explain(e!.request, e!.response, e!.profile).sharedAcrossIdentities.value, 'no');
    });
  }
  it('other pages key on every cookie (UseOriginCacheControlHeaders) and are not shared', () => {
    const [e] = good.evaluate(signedIn('/products/42'), { status: 200, headers: { 'cache-control': 'max-age=60' } });
    assert.deepEqual([e!.handler.label, e!.profile.options.keyCookies], ['default cache behaviour', ['session']]);
    assert.equal(explain(e!.request, e!.response, e!.profile).sharedAcrossIdentities.value, 'no');
  });
});
