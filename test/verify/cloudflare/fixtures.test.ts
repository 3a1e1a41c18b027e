/**
 * Realistic zone snapshots (test/verify/fixtures/cloud/cloudflare-{bad,good}): the semantics core
 * says personalized routes are shared in the bad zone and not in the good one. Also the kind
 * detection and `loadCloud` entry point shared by the three readers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explain } from '../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';
import { detectCloudKind, loadCloud } from '../../../src/verify/cloud.ts';
import { loadCloudflare } from '../../../src/verify/cloudflare/index.ts';
import type { RouteEvaluation } from '../../../src/verify/types.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/cloud');
const files = (variant: string) => ({
  'cache_rules.json': join(FIXTURES, `cloudflare-${variant}`, 'cache_rules.json'),
  'pagerules.json': join(FIXTURES, `cloudflare-${variant}`, 'pagerules.json'),
  'settings.json': join(FIXTURES, `cloudflare-${variant}`, 'settings.json'),
});
const signedIn = (url: string): HttpRequestInfo => ({ method: 'GET', url, host: 'shop.example', headers: { cookie: 'session=abc123; theme=dark' } });
const personal: HttpResponseInfo = { status: 200, headers: { 'cache-control': 'private', 'content-type': 'text/html' } };
const shared = (evals: RouteEvaluation[]) => evals.map((e) => explain(e.request, e.response, e.profile).sharedAcrossIdentities.value);

describe('cloudflare fixtures: bad zone (Cache Everything with an Edge TTL override, no session bypass)', () => {
  const bad = loadCloudflare(files('bad'));
  it('loads 10 cache rules (one disabled), 2 page rules, 5 zone settings', () => {
    assert.deepEqual([bad.cacheRules.length, bad.cacheRules.filter((r) => !r.enabled).length, bad.pageRules.length, bad.settings.length], [10, 1, 2, 5]);
  });
  for (const url of ['/account/orders', '/api/me']) {
    it(`${url} is shared when the office-network rule does not match`, () => {
      const evals = bad.evaluate(signedIn(url), personal);
      assert.deepEqual(shared(evals), ['no', 'yes']);
      assert.deepEqual(evals.map((e) => e.assumptions.map((a) => `${a.at.line}:${a.at.column} ${a.text}`)), [
        ['84:25 cache rule "Office network bypass": ip.src in {203.0.113.0/24 198.51.100.7} taken (ip.src is not known from the request alone)'],
        ['84:25 cache rule "Office network bypass": ip.src in {203.0.113.0/24 198.51.100.7} not taken (ip.src is not known from the request alone)'],
      ]);
    });
  }
  it('the sharing evaluation points at the Edge TTL override of "Cache HTML"', () => {
    const e = bad.evaluate(signedIn('/account/orders'), personal)[1]!;
    assert.equal(e.handler.label, 'cache rule "Cache HTML" (cache_rules.json)');
    assert.deepEqual(e.provenance.map((p) => `${p.at.file.split('/').pop()}:${p.at.line}:${p.at.column} ${p.option} ${p.text}`), [
      'cache_rules.json:47:11 cacheLevel cache: true',
      'cache_rules.json:48:11 edgeTtl edge_ttl: {mode: override_origin, default: 3600}',
    ]);
  });
});

describe('cloudflare fixtures: good zone (personalised routes and sessions bypass last)', () => {
  const good = loadCloudflare(files('good'));
  for (const url of ['/account/orders', '/api/me']) {
    it(`${url} is never shared`, () => {
      const evals = good.evaluate(signedIn(url), personal);
      assert.deepEqual(shared(evals), ['no']);
      assert.deepEqual([evals[0]!.handler.label, evals[0]!.caching], ['cache rule "Bypass personalised" (cache_rules.json)', false]);
    });
  }
  it('public catalogue pages still cache for anonymous visitors', () => {
    const evals = good.evaluate({ method: 'GET', url: '/products/42', host: 'shop.example', headers: {} }, { status: 200, headers: { 'cache-control': 'public, max-age=300' } });
    assert.deepEqual(shared(evals), ['no', 'yes']);
  });
});

describe('cloud readers: kind detection and loadCloud', () => {
  const read = (p: string): unknown => JSON.parse(readFileSync(join(FIXTURES, p), 'utf8'));
  it('detects each provider document', () => {
    assert.deepEqual(
      ['cloudflare-bad/cache_rules.json', 'cloudflare-good/cache_rules.json', 'cloudflare-bad/pagerules.json', 'cloudflare-bad/settings.json', 'cloudfront-bad/distribution.json', 'cloudfront-good/distribution.json', 'cloudfront-bad/cache-policies.json', 'cloudfront-bad/origin-request-policies.json', 'akamai-bad/rules.json'].map((p) => detectCloudKind(read(p))),
      ['cloudflare', 'cloudflare', 'cloudflare', 'cloudflare', 'cloudfront', 'cloudfront', 'cloudfront', 'cloudfront', 'akamai'],
    );
    assert.equal(detectCloudKind({ hello: 'world' }), undefined);
    assert.equal(detectCloudKind([1, 2]), undefined);
    assert.equal(detectCloudKind({ rules: { name: 'default', behaviors: [] } }), 'akamai');
  });
  it('loadCloud loads each kind by its contract file names', () => {
    const cf = loadCloud('cloudflare', files('good'));
    const aws = loadCloud('cloudfront', { 'distribution.json': join(FIXTURES, 'cloudfront-good/distribution.json'), 'cache-policies.json': join(FIXTURES, 'cloudfront-good/cache-policies.json'), 'origin-request-policies.json': join(FIXTURES, 'cloudfront-good/origin-request-policies.json') });
    const ak = loadCloud('akamai', { 'rules.json': join(FIXTURES, 'akamai-good/rules.json') });
    assert.deepEqual([cf.kind, cf.name, aws.kind, aws.name, ak.kind, ak.name], [
      'cloudflare', 'cloudflare zone (cache_rules.json, pagerules.json, settings.json)',
      'cloudfront', 'cloudfront distribution E1SHOPEXAMPLE1',
      'akamai', 'akamai property prp_765432 v13',
    ]);
    assert.equal(aws.files.length, 3);
  });
  it('malformed snapshot files are one line with the path as given and line:column', () => {
    const dir = join(FIXTURES, 'malformed');
    const failure = (kind: 'cloudflare' | 'cloudfront' | 'akamai', file: string): string => {
      try {
        loadCloud(kind, { [file]: `${dir}/${file}` });
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    assert.equal(failure('cloudfront', 'distribution.json'), `${dir}/distribution.json:6:3: invalid JSON: unexpected "}" (expected a member name in double quotes)`);
    assert.equal(failure('akamai', 'rules.json'), `${dir}/rules.json:5:72: invalid JSON: unexpected "h" (expected "," or "}")`);
    assert.equal(failure('cloudflare', 'cache_rules.json'), `${dir}/cache_rules.json:5:5: invalid JSON: unexpected "{" (expected "," or "]")`);
  });
});
