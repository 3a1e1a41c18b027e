/**
 * RFC 9111 storability, freshness and reuse for a shared cache, as a table: one or more cases per
 * rule of probing.md (d.1)–(d.4). Each case states the d.4 class and the rule that must be cited.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideResponse, explain, HEURISTIC_STATUSES, type HttpRequestInfo, type RfcClass, type Rfc9111Options } from '../../src/semantics/index.ts';

const DATE = 'Thu, 22 Jun 2017 05:00:00 GMT';
const NOW = Date.parse('2017-06-22T05:00:00Z');
const HOUR_LATER = 'Thu, 22 Jun 2017 06:00:00 GMT';
const PAST = 'Thu, 01 Jan 1970 00:00:01 GMT';
const TEN_DAYS_BEFORE = 'Mon, 12 Jun 2017 05:00:00 GMT';

interface Case {
  name: string;
  method?: string;
  req?: Record<string, string>;
  status?: number;
  headers: Record<string, string>;
  options?: Rfc9111Options;
  cls: RfcClass;
  /** Rule ids that must appear among the rfcClass reasons. */
  cites: string[];
  ttl?: number;
}

const CASES: Case[] = [
  // d.1 item 1: method understood
  { name: 'GET with max-age is fresh', headers: { 'cache-control': 'max-age=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/fresh', 'rfc9111/storable-max-age'], ttl: 60 },
  { name: 'HEAD with max-age is fresh', method: 'HEAD', headers: { 'cache-control': 'max-age=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/fresh'] },
  { name: 'POST is not storable here', method: 'POST', headers: { 'cache-control': 'max-age=60' }, cls: 'NOT_STORABLE', cites: ['rfc9111/method-not-understood'] },
  // d.1 item 2: final status
  { name: '1xx is not final', status: 103, headers: { 'cache-control': 'max-age=60' }, cls: 'NOT_STORABLE', cites: ['rfc9111/status-not-final'] },
  // d.1 item 3: 206/304 and must-understand
  { name: '206 needs range support', status: 206, headers: { 'cache-control': 'max-age=60' }, cls: 'NOT_STORABLE', cites: ['rfc9111/status-not-understood'] },
  { name: '304 only updates a stored response', status: 304, headers: { 'cache-control': 'max-age=60' }, cls: 'NOT_STORABLE', cites: ['rfc9111/status-not-understood'] },
  {
    name: 'must-understand with an understood status overrides no-store',
    headers: { 'cache-control': 'must-understand, no-store, max-age=60' },
    cls: 'STORABLE_FRESH',
    cites: ['rfc9111/must-understand'],
  },
  // d.1 item 4: no-store
  { name: 'no-store', headers: { 'cache-control': 'no-store' }, cls: 'NOT_STORABLE', cites: ['rfc9111/no-store'] },
  { name: 'no-store beats max-age', headers: { 'cache-control': 'max-age=600, no-store' }, cls: 'NOT_STORABLE', cites: ['rfc9111/no-store'] },
  // d.1 item 5: private
  { name: 'unqualified private', headers: { 'cache-control': 'private, max-age=600' }, cls: 'NOT_STORABLE', cites: ['rfc9111/private'] },
  {
    name: 'qualified private only drops the named field',
    headers: { 'cache-control': 'private="Set-Cookie", max-age=600' },
    cls: 'STORABLE_FRESH',
    cites: ['rfc9111/private-qualified'],
  },
  // d.1 item 6: Authorization
  { name: 'Authorization without an allowing directive', req: { authorization: 'Bearer t' }, headers: { 'cache-control': 'max-age=60' }, cls: 'NOT_STORABLE', cites: ['rfc9111/authorization'] },
  { name: 'Authorization + public', req: { authorization: 'Bearer t' }, headers: { 'cache-control': 'public, max-age=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/authorization-allowed'] },
  { name: 'Authorization + s-maxage', req: { authorization: 'Bearer t' }, headers: { 'cache-control': 's-maxage=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/authorization-allowed'] },
  {
    name: 'Authorization + must-revalidate',
    req: { authorization: 'Bearer t' },
    headers: { 'cache-control': 'must-revalidate, max-age=60' },
    cls: 'STORABLE_FRESH',
    cites: ['rfc9111/authorization-allowed'],
  },
  // d.1 item 7: something must allow storing
  { name: '302 without caching headers has no basis', status: 302, headers: {}, cls: 'NOT_STORABLE', cites: ['rfc9111/no-basis-to-store'] },
  { name: '302 + Expires', status: 302, headers: { expires: HOUR_LATER }, cls: 'STORABLE_FRESH', cites: ['rfc9111/storable-expires'], ttl: 3600 },
  { name: '302 + max-age', status: 302, headers: { 'cache-control': 'max-age=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/storable-max-age'] },
  { name: '302 + s-maxage', status: 302, headers: { 'cache-control': 's-maxage=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/storable-s-maxage'] },
  { name: '302 + public', status: 302, headers: { 'cache-control': 'public' }, cls: 'STORABLE_HEURISTIC', cites: ['rfc9111/storable-public', 'rfc9111/heuristic'] },
  { name: '200 without caching headers is heuristically cacheable', headers: {}, cls: 'STORABLE_HEURISTIC', cites: ['rfc9111/storable-heuristic-status'] },
  // no-cache, Set-Cookie
  { name: 'no-cache is storable but revalidated', headers: { 'cache-control': 'no-cache' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/no-cache'] },
  { name: 'no-cache is the most restrictive over max-age', headers: { 'cache-control': 'no-cache, max-age=600' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/no-cache'] },
  { name: 'no-cache is no basis by itself', status: 302, headers: { 'cache-control': 'no-cache' }, cls: 'NOT_STORABLE', cites: ['rfc9111/no-basis-to-store'] },
  {
    name: 'qualified no-cache only concerns the field',
    headers: { 'cache-control': 'no-cache="Set-Cookie", max-age=60' },
    cls: 'STORABLE_FRESH',
    cites: ['rfc9111/no-cache-qualified'],
  },
  { name: 'Set-Cookie does not inhibit caching', headers: { 'cache-control': 'max-age=60', 'set-cookie': 'sid=1' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/set-cookie'] },
  // d.3 freshness details
  { name: 'Mercari: no-cache + past Expires', headers: { 'cache-control': 'no-cache', expires: PAST }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/no-cache', 'rfc9111/storable-expires'] },
  { name: 'past Expires alone', headers: { expires: PAST }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/expires-past', 'rfc9111/storable-expires'], ttl: 0 },
  { name: 'Expires: 0 means already expired', headers: { expires: '0' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/expires-invalid', 'rfc9111/storable-expires'] },
  { name: 'invalid Expires means already expired', headers: { expires: 'tomorrow' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/expires-invalid'] },
  { name: 'max-age=0', headers: { 'cache-control': 'max-age=0' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/zero-lifetime'] },
  { name: 'malformed max-age counts as stale', headers: { 'cache-control': 'max-age=abc' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/freshness-invalid'] },
  { name: 'max-age wins over a past Expires', headers: { 'cache-control': 'max-age=60', expires: PAST }, cls: 'STORABLE_FRESH', cites: ['rfc9111/max-age-precedence'], ttl: 60 },
  { name: 'max-age=0 wins over a future Expires', headers: { 'cache-control': 'max-age=0', expires: HOUR_LATER }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/zero-lifetime', 'rfc9111/max-age-precedence'] },
  { name: 's-maxage wins over max-age (fresh)', headers: { 'cache-control': 's-maxage=120, max-age=0' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/s-maxage-precedence'], ttl: 120 },
  { name: 's-maxage wins over max-age (stale)', headers: { 'cache-control': 's-maxage=0, max-age=600' }, cls: 'STORABLE_REVALIDATE', cites: ['rfc9111/s-maxage-precedence', 'rfc9111/zero-lifetime'] },
  { name: 'Age is subtracted', headers: { 'cache-control': 'max-age=60', age: '20' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/fresh'], ttl: 40 },
  {
    name: 'stale on arrival with must-revalidate',
    headers: { 'cache-control': 'max-age=60, must-revalidate', age: '100' },
    cls: 'STORABLE_REVALIDATE',
    cites: ['rfc9111/stale-on-arrival', 'rfc9111/must-revalidate'],
  },
  { name: 'duplicate directive: the first is used', headers: { 'cache-control': 'max-age=60, max-age=0' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/duplicate-directive'], ttl: 60 },
  { name: 'Pragma: no-cache is ignored', headers: { pragma: 'no-cache', 'cache-control': 'max-age=60' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/pragma-ignored'] },
  { name: 'Vary: * keeps the class but is noted', headers: { 'cache-control': 'max-age=60', vary: '*' }, cls: 'STORABLE_FRESH', cites: ['rfc9111/vary-star'] },
  // RFC 9213 targeted field
  {
    name: 'CDN-Cache-Control overrides a private Cache-Control',
    headers: { 'cdn-cache-control': 'max-age=60', 'cache-control': 'private' },
    cls: 'STORABLE_FRESH',
    cites: ['rfc9111/targeted-field'],
    ttl: 60,
  },
  {
    name: 'CDN-Cache-Control no-store overrides a long max-age',
    headers: { 'cdn-cache-control': 'no-store', 'cache-control': 'max-age=600' },
    cls: 'NOT_STORABLE',
    cites: ['rfc9111/no-store', 'rfc9111/targeted-field'],
  },
  {
    name: 'with CDN-Cache-Control, Expires is ignored',
    headers: { 'cdn-cache-control': 'public', expires: PAST },
    cls: 'STORABLE_HEURISTIC',
    cites: ['rfc9111/targeted-field', 'rfc9111/storable-public'],
  },
  // heuristic lifetime
  {
    name: 'heuristic: 10% of the time since Last-Modified',
    headers: { 'last-modified': TEN_DAYS_BEFORE },
    cls: 'STORABLE_HEURISTIC',
    cites: ['rfc9111/heuristic'],
    ttl: 86400,
  },
  {
    name: 'heuristic fraction is an option',
    headers: { 'last-modified': TEN_DAYS_BEFORE },
    options: { heuristicFraction: 0.2 },
    cls: 'STORABLE_HEURISTIC',
    cites: ['rfc9111/heuristic'],
    ttl: 172800,
  },
  { name: 'heuristic default without Last-Modified', headers: {}, options: { heuristicDefault: 300 }, cls: 'STORABLE_HEURISTIC', cites: ['rfc9111/heuristic'], ttl: 300 },
];

function request(c: Pick<Case, 'method' | 'req'>): HttpRequestInfo {
  return { method: c.method ?? 'GET', url: '/mypage', host: 'shop.test', headers: { ...(c.req ?? {}) } };
}

describe('RFC 9111 class (probing.md d.1–d.4)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const d = decideResponse(request(c), { status: c.status ?? 200, headers: { date: DATE, ...c.headers } }, { id: 'rfc9111', options: c.options ?? {} }, NOW);
      assert.equal(d.rfcClass.value, c.cls);
      const cited = d.rfcClass.reasons.map((r) => r.rule);
      for (const rule of c.cites) assert.ok(cited.includes(rule), `expected ${rule} among ${cited.join(', ')}`);
      assert.equal(d.store.value, c.cls === 'NOT_STORABLE' ? 'no-store' : 'store');
      if (c.ttl !== undefined) assert.equal(d.ttl.value, c.ttl);
    });
  }

  it('lists the heuristically cacheable statuses of RFC 9110 §15.1', () => {
    assert.deepEqual([...HEURISTIC_STATUSES].sort((a, b) => a - b), [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);
  });

  for (const status of [...HEURISTIC_STATUSES].filter((s) => s !== 206)) {
    it(`status ${status} without headers is STORABLE_HEURISTIC`, () => {
      const d = decideResponse(request({}), { status, headers: { date: DATE } }, { id: 'rfc9111' }, NOW);
      assert.equal(d.rfcClass.value, 'STORABLE_HEURISTIC');
    });
  }
  for (const status of [201, 202, 302, 303, 307, 400, 403, 500, 502, 503]) {
    it(`status ${status} without headers is NOT_STORABLE`, () => {
      const d = decideResponse(request({}), { status, headers: { date: DATE } }, { id: 'rfc9111' }, NOW);
      assert.equal(d.rfcClass.value, 'NOT_STORABLE');
    });
  }
});

describe('RFC 9111 reuse and collapsing (d.2)', () => {
  const ask = (headers: Record<string, string>, req: Record<string, string> = {}) =>
    explain(request({ req }), { status: 200, headers: { date: DATE, ...headers } }, { id: 'rfc9111' }, NOW);

  it('a fresh response is reused and handed to waiters', () => {
    const v = ask({ 'cache-control': 'max-age=60' });
    assert.equal(v.response.reuse.value, 'yes');
    assert.equal(v.response.collapse.value, 'share');
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
  });

  it('a response that must be revalidated is not handed to waiters (§4)', () => {
    const v = ask({ 'cache-control': 'no-cache' });
    assert.equal(v.response.reuse.value, 'after-validation');
    assert.equal(v.response.collapse.value, 'forward');
    assert.ok(v.response.collapse.reasons.some((r) => r.rule === 'rfc9111/collapse-needs-reuse'));
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('Vary: Cookie keeps identities apart', () => {
    const v = ask({ 'cache-control': 'max-age=60', vary: 'Cookie' }, { cookie: 'sid=a' });
    assert.deepEqual(v.response.varyOn.value, ['cookie']);
    assert.equal(v.response.reuse.value, 'no');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('Vary: Accept-Encoding does not', () => {
    const v = ask({ 'cache-control': 'max-age=60', vary: 'Accept-Encoding' });
    assert.equal(v.response.reuse.value, 'yes');
  });

  it('Vary: * is never reused', () => {
    const v = ask({ 'cache-control': 'max-age=60', vary: '*' });
    assert.equal(v.response.reuse.value, 'no');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('stale-while-revalidate allows stale serving; must-revalidate forbids it', () => {
    assert.deepEqual(ask({ 'cache-control': 'max-age=60, stale-while-revalidate=30, stale-if-error=600' }).response.stale.value, {
      whileRevalidate: 30,
      ifError: 600,
      whileUpdating: false,
    });
    const forbidden = ask({ 'cache-control': 'max-age=60, stale-while-revalidate=30, must-revalidate' }).response.stale;
    assert.equal(forbidden.value.whileRevalidate, 0);
    assert.equal(forbidden.reasons[0]!.rule, 'rfc9111/stale-forbidden');
  });

  it('only GET and HEAD are looked up', () => {
    const v = explain(request({ method: 'POST' }), { status: 200, headers: { date: DATE, 'cache-control': 'max-age=60' } }, { id: 'rfc9111' }, NOW);
    assert.equal(v.request.action.value, 'pass');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });
});
