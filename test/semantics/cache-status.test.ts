/** Cache-Status (RFC 9211) and vendor cache headers → Outcome, hops and POPs; single-word normalisation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OUTCOMES, type Outcome } from '../../src/core/event.ts';
import { normalizeOutcome, parseCacheStatus, type OutcomeVendor } from '../../src/semantics/index.ts';

interface Sample {
  name: string;
  headers: Record<string, string>;
  outcome: Outcome;
  source: string;
  pops?: string[];
  age?: number;
}

const SAMPLES: Sample[] = [
  // Fastly
  { name: 'Fastly hit', headers: { 'x-cache': 'HIT', 'x-cache-hits': '1', 'x-served-by': 'cache-tyo11977-TYO', age: '12', via: '1.1 varnish' }, outcome: 'HIT', source: 'x-cache', pops: ['cache-tyo11977-TYO'], age: 12 },
  {
    name: 'Fastly shielding: shield HIT, edge MISS (the last value is nearest the client)',
    headers: { 'x-cache': 'HIT, MISS', 'x-cache-hits': '3, 0', 'x-served-by': 'cache-iad-kiad7000025-IAD, cache-tyo11977-TYO', age: '40' },
    outcome: 'MISS',
    source: 'x-cache',
    pops: ['cache-iad-kiad7000025-IAD', 'cache-tyo11977-TYO'],
  },
  { name: 'Fastly shielding: both hit', headers: { 'x-cache': 'MISS, HIT', 'x-served-by': 'cache-iad-kiad7000025-IAD, cache-tyo11977-TYO' }, outcome: 'HIT', source: 'x-cache' },
  // CloudFront
  { name: 'CloudFront hit', headers: { 'x-cache': 'Hit from cloudfront', 'x-amz-cf-pop': 'NRT57-P1', via: '1.1 3b2f.cloudfront.net (CloudFront)', age: '3' }, outcome: 'HIT', source: 'x-cache', pops: ['NRT57-P1'] },
  { name: 'CloudFront refresh hit', headers: { 'x-cache': 'RefreshHit from cloudfront', 'x-amz-cf-pop': 'NRT57-P1' }, outcome: 'REVALIDATED', source: 'x-cache' },
  { name: 'CloudFront miss', headers: { 'x-cache': 'Miss from cloudfront', 'x-amz-cf-pop': 'SFO5-C1' }, outcome: 'MISS', source: 'x-cache', pops: ['SFO5-C1'] },
  { name: 'CloudFront error', headers: { 'x-cache': 'Error from cloudfront' }, outcome: 'ERROR', source: 'x-cache' },
  // Cloudflare
  { name: 'Cloudflare hit', headers: { 'cf-cache-status': 'HIT', 'cf-ray': '8f3a1c2b9d7e4a10-NRT', age: '50' }, outcome: 'HIT', source: 'cf-cache-status', pops: ['NRT'] },
  { name: 'Cloudflare dynamic', headers: { 'cf-cache-status': 'DYNAMIC', 'cf-ray': '8f3a1c2b9d7e4a10-SJC' }, outcome: 'PASS', source: 'cf-cache-status', pops: ['SJC'] },
  { name: 'Cloudflare bypass is not a fill', headers: { 'cf-cache-status': 'BYPASS' }, outcome: 'PASS', source: 'cf-cache-status' },
  { name: 'Cloudflare expired', headers: { 'cf-cache-status': 'EXPIRED' }, outcome: 'EXPIRED', source: 'cf-cache-status' },
  { name: 'Cloudflare stale', headers: { 'cf-cache-status': 'STALE' }, outcome: 'STALE', source: 'cf-cache-status' },
  { name: 'Cloudflare updating', headers: { 'cf-cache-status': 'UPDATING' }, outcome: 'UPDATING', source: 'cf-cache-status' },
  { name: 'Cloudflare revalidated', headers: { 'cf-cache-status': 'REVALIDATED' }, outcome: 'REVALIDATED', source: 'cf-cache-status' },
  { name: 'Cloudflare miss', headers: { 'cf-cache-status': 'MISS' }, outcome: 'MISS', source: 'cf-cache-status' },
  // nginx
  { name: 'nginx X-Cache-Status HIT', headers: { 'x-cache-status': 'HIT' }, outcome: 'HIT', source: 'x-cache-status' },
  { name: 'nginx X-Cache-Status BYPASS (may be stored)', headers: { 'x-cache-status': 'BYPASS' }, outcome: 'BYPASS', source: 'x-cache-status' },
  { name: 'nginx X-Cache-Status EXPIRED', headers: { 'x-cache-status': 'EXPIRED' }, outcome: 'EXPIRED', source: 'x-cache-status' },
  { name: 'nginx X-Cache-Status UPDATING', headers: { 'x-cache-status': 'UPDATING' }, outcome: 'UPDATING', source: 'x-cache-status' },
  { name: 'nginx X-Cache-Status STALE', headers: { 'x-cache-status': 'STALE' }, outcome: 'STALE', source: 'x-cache-status' },
  { name: 'nginx X-Cache-Status REVALIDATED', headers: { 'x-cache-status': 'REVALIDATED' }, outcome: 'REVALIDATED', source: 'x-cache-status' },
  { name: 'nginx X-Proxy-Cache MISS', headers: { 'x-proxy-cache': 'MISS' }, outcome: 'MISS', source: 'x-proxy-cache' },
  // Varnish
  { name: 'Varnish hit: two transaction ids', headers: { 'x-varnish': '32770 3', via: '1.1 varnish (Varnish/7.6)', age: '8' }, outcome: 'HIT', source: 'x-varnish' },
  { name: 'Varnish miss or pass: one id', headers: { 'x-varnish': '32770', via: '1.1 varnish (Varnish/8.0)', age: '0' }, outcome: 'MISS', source: 'x-varnish' },
  // Akamai, Squid, Azure
  { name: 'Akamai miss', headers: { 'x-cache': 'TCP_MISS from a23-45-67-89.deploy.akamaitechnologies.com (AkamaiGHost/22.1.1-1) (-)' }, outcome: 'MISS', source: 'x-cache' },
  { name: 'Akamai memory hit', headers: { 'x-cache': 'TCP_MEM_HIT from a23-45-67-89.deploy.akamaitechnologies.com (AkamaiGHost/22.1.1-1) (-)' }, outcome: 'HIT', source: 'x-cache' },
  { name: 'Akamai refresh hit', headers: { 'x-cache': 'TCP_REFRESH_HIT from a23-45-67-89.deploy.akamaitechnologies.com' }, outcome: 'REVALIDATED', source: 'x-cache' },
  { name: 'Akamai-Cache-Status: the edge (child) comes first', headers: { 'akamai-cache-status': 'Hit from child, Miss from parent' }, outcome: 'HIT', source: 'akamai-cache-status' },
  { name: 'Akamai Server-Timing', headers: { 'server-timing': 'cdn-cache; desc=MISS, edge; dur=12, origin; dur=80' }, outcome: 'MISS', source: 'server-timing' },
  { name: 'Squid', headers: { 'x-cache': 'MISS from proxy.example.net' }, outcome: 'MISS', source: 'x-cache' },
  { name: 'Azure remote hit', headers: { 'x-cache': 'TCP_REMOTE_HIT' }, outcome: 'HIT', source: 'x-cache' },
  // RFC 9211
  {
    name: 'Cache-Status: collapsed at the CDN, nearest the client',
    headers: { 'cache-status': 'OriginCache; hit; ttl=1100, "CDN Company Here"; fwd=uri-miss; collapsed; stored; key="/mypage"', 'x-cache': 'HIT' },
    outcome: 'COLLAPSED',
    source: 'cache-status',
  },
  { name: 'Cache-Status: stale hit', headers: { 'cache-status': 'ExampleCache; hit; ttl=-30' }, outcome: 'STALE', source: 'cache-status' },
  { name: 'Cache-Status: stale hit while another request refreshes', headers: { 'cache-status': 'edge-1; hit; ttl=-2; detail=updating' }, outcome: 'UPDATING', source: 'cache-status' },
  { name: 'Cache-Status: revalidated', headers: { 'cache-status': 'ExampleCache; fwd=stale; fwd-status=304' }, outcome: 'REVALIDATED', source: 'cache-status' },
  { name: 'Cache-Status: stale refetched', headers: { 'cache-status': 'ExampleCache; fwd=stale; fwd-status=200; stored' }, outcome: 'EXPIRED', source: 'cache-status' },
  { name: 'Cache-Status: bypass but stored', headers: { 'cache-status': 'nginx; fwd=bypass; stored' }, outcome: 'BYPASS', source: 'cache-status' },
  { name: 'Cache-Status: bypass', headers: { 'cache-status': 'nginx; fwd=bypass' }, outcome: 'PASS', source: 'cache-status' },
  { name: 'Cache-Status: method', headers: { 'cache-status': 'ExampleCache; fwd=method' }, outcome: 'PASS', source: 'cache-status' },
  { name: 'Cache-Status: vary miss', headers: { 'cache-status': 'ExampleCache; fwd=vary-miss; fwd-status=200' }, outcome: 'MISS', source: 'cache-status' },
  { name: 'Cache-Status: collapsed=?0 is not collapsed', headers: { 'cache-status': 'ExampleCache; fwd=miss; collapsed=?0' }, outcome: 'MISS', source: 'cache-status' },
  // Age
  { name: 'Age alone > 0', headers: { age: '30' }, outcome: 'HIT', source: 'age', age: 30 },
  { name: 'Age: 0 is not a hit', headers: { age: '0' }, outcome: 'UNKNOWN', source: 'none', age: 0 },
  { name: 'nothing at all', headers: {}, outcome: 'UNKNOWN', source: 'none', pops: [] },
];

describe('parseCacheStatus: vendor samples', () => {
  for (const s of SAMPLES) {
    it(s.name, () => {
      const n = parseCacheStatus(s.headers);
      assert.equal(n.outcome, s.outcome);
      assert.equal(n.source, s.source);
      if (s.pops) assert.deepEqual(n.pops, s.pops);
      if (s.age !== undefined) assert.equal(n.age, s.age);
      assert.ok(OUTCOMES.includes(n.outcome));
    });
  }

  it('parses every RFC 9211 parameter, origin-side first', () => {
    const n = parseCacheStatus({
      'Cache-Status': 'OriginCache; hit; ttl=1100, "CDN Company Here"; fwd=uri-miss; fwd-status=200; collapsed; stored; ttl=30; key="https://shop.test/mypage"; detail=lock-wait',
    });
    assert.deepEqual(n.hops, [
      { cache: 'OriginCache', hit: true, ttl: 1100 },
      { cache: 'CDN Company Here', hit: false, fwd: 'uri-miss', fwdStatus: 200, ttl: 30, stored: true, collapsed: true, key: 'https://shop.test/mypage', detail: 'lock-wait' },
    ]);
  });

  it('keeps the raw values it read (header names are case-insensitive)', () => {
    const n = parseCacheStatus({ 'X-Cache': 'HIT', 'X-Served-By': 'cache-tyo11977-TYO', 'Set-Cookie': 'sid=secret' });
    assert.deepEqual(n.raw, { 'x-cache': 'HIT', 'x-served-by': 'cache-tyo11977-TYO' });
  });

  it('accepts header arrays as Node gives them', () => {
    assert.equal(parseCacheStatus({ 'cache-status': ['Origin; hit', 'CDN; fwd=miss; stored'] }).outcome, 'MISS');
  });
});

describe('normalizeOutcome: log words', () => {
  const table: Array<[string, Outcome, OutcomeVendor?]> = [
    // nginx $upstream_cache_status
    ['HIT', 'HIT', 'nginx'], ['MISS', 'MISS', 'nginx'], ['EXPIRED', 'EXPIRED', 'nginx'], ['STALE', 'STALE', 'nginx'],
    ['UPDATING', 'UPDATING', 'nginx'], ['REVALIDATED', 'REVALIDATED', 'nginx'], ['BYPASS', 'BYPASS', 'nginx'], ['-', 'PASS', 'nginx'], ['', 'PASS', 'nginx'], ['-', 'UNKNOWN'],
    // Varnish handling
    ['hit', 'HIT', 'varnish'], ['miss', 'MISS', 'varnish'], ['hitmiss', 'MISS', 'varnish'], ['hitpass', 'PASS', 'varnish'],
    ['pass', 'PASS', 'varnish'], ['pipe', 'PASS', 'varnish'], ['synth', 'UNKNOWN', 'varnish'],
    // CloudFront x-edge-result-type
    ['Hit', 'HIT', 'cloudfront'], ['RefreshHit', 'REVALIDATED', 'cloudfront'], ['OriginShieldHit', 'HIT', 'cloudfront'], ['Miss', 'MISS', 'cloudfront'],
    ['LimitExceeded', 'ERROR', 'cloudfront'], ['CapacityExceeded', 'ERROR', 'cloudfront'], ['Error', 'ERROR', 'cloudfront'],
    ['OriginConnectError', 'ERROR', 'cloudfront'], ['Redirect', 'UNKNOWN', 'cloudfront'], ['LambdaGeneratedResponse', 'UNKNOWN', 'cloudfront'],
    // Cloudflare CacheCacheStatus
    ['hit', 'HIT', 'cloudflare'], ['stream_hit', 'HIT', 'cloudflare'], ['miss', 'MISS', 'cloudflare'], ['expired', 'EXPIRED', 'cloudflare'],
    ['updating', 'UPDATING', 'cloudflare'], ['stale', 'STALE', 'cloudflare'], ['revalidated', 'REVALIDATED', 'cloudflare'],
    ['bypass', 'PASS', 'cloudflare'], ['dynamic', 'PASS', 'cloudflare'], ['ignored', 'PASS', 'cloudflare'], ['unknown', 'UNKNOWN', 'cloudflare'], ['deferred', 'UNKNOWN', 'cloudflare'],
    // Fastly fastly_info.state
    ['HIT', 'HIT', 'fastly'], ['MISS', 'MISS', 'fastly'], ['PASS', 'PASS', 'fastly'], ['HITPASS', 'PASS', 'fastly'],
    ['HIT-STALE', 'STALE', 'fastly'], ['HIT-SYNTH', 'UNKNOWN', 'fastly'], ['HIT-CLUSTER', 'HIT', 'fastly'], ['MISS-CLUSTER', 'MISS', 'fastly'],
    ['HIT-WAIT', 'COLLAPSED', 'fastly'], ['HIT-CLUSTER-WAIT', 'COLLAPSED', 'fastly'], ['MISS-WAIT', 'MISS', 'fastly'], ['PASS-WAIT', 'PASS', 'fastly'],
    ['HIT-REFRESH', 'REVALIDATED', 'fastly'], ['MISS-REFRESH', 'REVALIDATED', 'fastly'], ['ERROR', 'ERROR', 'fastly'], ['ERROR-LOSTHDR', 'ERROR', 'fastly'],
    ['BG-ERROR-MISS', 'ERROR', 'fastly'], ['NONE', 'UNKNOWN', 'fastly'], ['UPGRADE', 'PASS', 'fastly'],
    // TCP_* (Akamai, Squid, ATS, Azure)
    ['TCP_HIT', 'HIT'], ['TCP_MEM_HIT', 'HIT'], ['TCP_IMS_HIT', 'HIT'], ['TCP_MISS', 'MISS'], ['TCP_REFRESH_MISS', 'MISS'],
    ['TCP_REFRESH_HIT', 'REVALIDATED'], ['TCP_REFRESH_UNMODIFIED', 'REVALIDATED'], ['TCP_REFRESH_MODIFIED', 'MISS'],
    ['TCP_REF_FAIL_HIT', 'STALE'], ['TCP_REFRESH_FAIL_OLD', 'STALE'], ['TCP_CF_HIT', 'COLLAPSED'], ['TCP_CLIENT_REFRESH_MISS', 'PASS'],
    ['TCP_DENIED', 'ERROR'], ['ERR_CONNECT_FAIL', 'ERROR'], ['TCP_HIT/200', 'HIT'], ['NONE', 'ERROR', 'squid'],
    // CloudFront detailed type naming a collapse
    ['NonS3CollapsedHit', 'COLLAPSED', 'cloudfront'],
    // Akamai
    ['NotCacheable', 'PASS', 'akamai'],
    // phrases
    ['Hit from cloudfront', 'HIT'], ['MISS from squid.example', 'MISS'], ['  hit  ', 'HIT'], ['', 'UNKNOWN'], ['whatever', 'UNKNOWN'],
  ];
  for (const [word, outcome, vendor] of table) {
    it(`${vendor ?? 'generic'}: ${JSON.stringify(word)} → ${outcome}`, () => assert.equal(normalizeOutcome(word, vendor), outcome));
  }
});
