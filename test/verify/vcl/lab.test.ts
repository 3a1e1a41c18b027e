/**
 * The evaluator on every lab Varnish scenario (lab/scenarios/varnish/*.vcl): mapped profile options
 * and provenance for the personalized routes, then the semantics core's verdict on what the
 * evaluation returns. S1–S6 share some personalized page across identities; SAFE never does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { explain } from '../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo, VarnishOptions } from '../../../src/semantics/types.ts';
import type { RouteEvaluation } from '../../../src/verify/types.ts';
import { loadVcl, type VclModel } from '../../../src/verify/vcl/index.ts';

const LAB = fileURLToPath(new URL('../../../lab/scenarios/varnish/', import.meta.url));
const DATE = 'Mon, 02 Jun 2025 10:00:00 GMT';

const get = (url: string, headers: Record<string, string>): HttpRequestInfo => ({ method: 'GET', url, headers: { host: 'shop.test', ...headers } });
const SID = { cookie: 'sid=alice' };
const REQUESTS: Record<string, HttpRequestInfo> = {
  '/mypage': get('/mypage', SID),
  '/orders': get('/orders', SID),
  '/api/me': get('/api/me', { authorization: 'Bearer x' }),
  '/static/app.css': get('/static/app.css', SID),
  '/mypage/x.css': get('/mypage/x.css', SID),
  // S2b's personalized catalogue page (the greeting needs the cookie).
  '/items/1': get('/items/1', SID),
};
const res = (headers: Record<string, string>): HttpResponseInfo => ({ status: 200, headers: { date: DATE, ...headers } });
const RESPONSES: Record<string, HttpResponseInfo> = {
  plain: res({}),
  'no-cache': res({ 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT' }),
  private: res({ 'cache-control': 'private, no-store' }),
  vary: res({ 'cache-control': 'public, max-age=60', vary: 'Cookie' }),
  'set-cookie': res({ 'set-cookie': 'sid=alice; Path=/; HttpOnly' }),
};
const ALL = Object.keys(RESPONSES).join('|');

const models = new Map<string, VclModel>();
const model = (s: string): VclModel => {
  let m = models.get(s);
  if (!m) models.set(s, (m = loadVcl(`${LAB}${s}.vcl`)));
  return m;
};

function only(s: string, url: string, response: string): RouteEvaluation {
  const evs = model(s).evaluate(REQUESTS[url]!, RESPONSES[response]!);
  assert.equal(evs.length, 1, `${s} ${url} ${response}: ${evs.length} evaluations`);
  return evs[0]!;
}

/** `option@file:line` for each provenance entry. */
const prov = (e: RouteEvaluation): string[] => e.provenance.map((p) => `${p.option}@${p.at.file.slice(LAB.length)}:${p.at.line}`);

type Row = [responses: string, options: VarnishOptions, provenance: string[]];
type Table = Record<string, Row[]>;

const BUILTIN: Row = [ALL, { recv: 'builtin' }, []];
const strip = (s: string, line: number): Row => [ALL, { recv: 'builtin', stripRequestCookie: true }, [`stripRequestCookie@${s}.vcl:${line}`]];

const S1_HASH: Row[] = [
  ['plain|private|vary|set-cookie', { recv: 'hash' }, ['recv@S1.vcl:26']],
  ['no-cache', { recv: 'hash', backendResponse: { skipBuiltin: true, ttl: 1, grace: 0 } }, [
    'recv@S1.vcl:26', 'backendResponse.ttl@S1.vcl:32', 'backendResponse.grace@S1.vcl:33', 'backendResponse.skipBuiltin@S1.vcl:34',
  ]],
];
const S2A_ACCOUNT: Row[] = [[ALL, { recv: 'hash', backendResponse: { skipBuiltin: true, ttl: 600 } }, [
  'recv@S2a.vcl:24', 'backendResponse.ttl@S2a.vcl:34', 'backendResponse.skipBuiltin@S2a.vcl:35',
]]];
const S4_HASH: Row[] = [
  ['plain|no-cache|private|set-cookie', { recv: 'hash' }, ['recv@S4.vcl:23']],
  ['vary', { recv: 'hash', backendResponse: { unsetVary: true } }, ['recv@S4.vcl:23', 'backendResponse.unsetVary@S4.vcl:29']],
];
const S5_STATIC: Row[] = [
  ['plain|no-cache|private|vary', { recv: 'hash', backendResponse: { skipBuiltin: true, ttl: 86400 } }, [
    'recv@S5.vcl:23', 'backendResponse.ttl@S5.vcl:30', 'backendResponse.skipBuiltin@S5.vcl:31',
  ]],
  ['set-cookie', { recv: 'hash', backendResponse: { skipBuiltin: true, ttl: 86400, unsetSetCookie: true } }, [
    'recv@S5.vcl:23', 'backendResponse.unsetSetCookie@S5.vcl:29', 'backendResponse.ttl@S5.vcl:30', 'backendResponse.skipBuiltin@S5.vcl:31',
  ]],
];
const S6_ACCOUNT: Row[] = [[ALL, { recv: 'hash', backendResponse: { skipBuiltin: true, ttl: 1, grace: 60 } }, [
  'recv@S6.vcl:23', 'backendResponse.ttl@S6.vcl:32', 'backendResponse.grace@S6.vcl:33', 'backendResponse.skipBuiltin@S6.vcl:34',
]]];

const OPTIONS: Record<string, Table> = {
  S1: Object.fromEntries(Object.keys(REQUESTS).map((u) => [u, S1_HASH])),
  S2a: {
    '/mypage': S2A_ACCOUNT, '/orders': S2A_ACCOUNT, '/api/me': [BUILTIN], '/static/app.css': [strip('S2a', 28)], '/mypage/x.css': S2A_ACCOUNT,
    '/items/1': [strip('S2a', 28)],
  },
  S2b: {
    '/mypage': [BUILTIN], '/orders': [BUILTIN], '/api/me': [BUILTIN], '/static/app.css': [strip('S2b', 24)], '/mypage/x.css': [BUILTIN],
    '/items/1': [[ALL, { recv: 'hash', backendResponse: { skipBuiltin: true } }, ['recv@S2b.vcl:28', 'backendResponse.skipBuiltin@S2b.vcl:36']]],
  },
  S3: {
    '/mypage': [BUILTIN], '/orders': [BUILTIN], '/api/me': [[ALL, { recv: 'hash' }, ['recv@S3.vcl:23']]], '/static/app.css': [strip('S3', 26)],
    '/mypage/x.css': [BUILTIN], '/items/1': [strip('S3', 26)],
  },
  S4: Object.fromEntries(Object.keys(REQUESTS).map((u) => [u, S4_HASH])),
  S5: {
    '/mypage': [BUILTIN], '/orders': [BUILTIN], '/api/me': [BUILTIN], '/static/app.css': S5_STATIC, '/mypage/x.css': S5_STATIC, '/items/1': [BUILTIN],
  },
  S6: {
    '/mypage': S6_ACCOUNT, '/orders': S6_ACCOUNT, '/api/me': [BUILTIN], '/static/app.css': [strip('S6', 26)], '/mypage/x.css': S6_ACCOUNT,
    '/items/1': [strip('S6', 26)],
  },
  SAFE: {
    '/mypage': [BUILTIN], '/orders': [BUILTIN], '/api/me': [BUILTIN], '/static/app.css': [strip('SAFE', 20)], '/mypage/x.css': [BUILTIN],
    '/items/1': [strip('SAFE', 20)],
  },
};

/** `url response` pairs whose response a different requester can receive (identity: the `sid` cookie, Authorization). */
const SHARED: Record<string, string[]> = {
  S1: ['/mypage plain', '/mypage no-cache', '/orders plain', '/orders no-cache', '/api/me plain', '/api/me no-cache', '/static/app.css plain',
    '/static/app.css no-cache', '/mypage/x.css plain', '/mypage/x.css no-cache', '/items/1 plain', '/items/1 no-cache'],
  S2a: ['/mypage plain', '/mypage no-cache', '/mypage private', '/mypage set-cookie', '/orders plain', '/orders no-cache', '/orders private',
    '/orders set-cookie', '/static/app.css plain', '/mypage/x.css plain', '/mypage/x.css no-cache', '/mypage/x.css private',
    '/mypage/x.css set-cookie', '/items/1 plain'],
  S2b: ['/static/app.css plain', '/items/1 plain', '/items/1 no-cache', '/items/1 private', '/items/1 set-cookie'],
  S3: ['/api/me plain', '/static/app.css plain', '/items/1 plain'],
  S4: ['/mypage plain', '/mypage vary', '/orders plain', '/orders vary', '/api/me plain', '/api/me vary', '/static/app.css plain',
    '/static/app.css vary', '/mypage/x.css plain', '/mypage/x.css vary', '/items/1 plain', '/items/1 vary'],
  S5: ['/static/app.css plain', '/static/app.css no-cache', '/static/app.css private', '/static/app.css set-cookie', '/mypage/x.css plain',
    '/mypage/x.css no-cache', '/mypage/x.css private', '/mypage/x.css set-cookie'],
  S6: ['/mypage plain', '/mypage no-cache', '/mypage private', '/mypage set-cookie', '/orders plain', '/orders no-cache', '/orders private',
    '/orders set-cookie', '/static/app.css plain', '/mypage/x.css plain', '/mypage/x.css no-cache', '/mypage/x.css private',
    '/mypage/x.css set-cookie', '/items/1 plain'],
  SAFE: ['/static/app.css plain', '/items/1 plain'],
};

/** The request still carries the requester's identity when it reaches the origin: its response may be personalized. */
const personalized = (e: RouteEvaluation): boolean =>
  Object.entries(e.request.headers).some(([k, v]) => (k.toLowerCase() === 'cookie' && /(^|;\s*)sid=/.test(String(v))) || k.toLowerCase() === 'authorization');

describe('vcl evaluator on the lab scenarios', () => {
  for (const [scenario, table] of Object.entries(OPTIONS)) {
    it(`${scenario}: options and provenance for every route and origin response`, () => {
      for (const [url, rows] of Object.entries(table)) {
        for (const [responses, options, provenance] of rows) {
          for (const r of responses.split('|')) {
            const e = only(scenario, url, r);
            assert.deepEqual(e.profile, { id: 'varnish7', options }, `${scenario} ${url} ${r}`);
            assert.deepEqual(prov(e), provenance, `${scenario} ${url} ${r}`);
            assert.deepEqual(e.assumptions, [], `${scenario} ${url} ${r}`);
            assert.equal(e.caching, true);
          }
        }
      }
    });

    it(`${scenario}: explain() on the evaluation says which responses are shared across identities`, () => {
      const shared: string[] = [];
      let personalLeak = false;
      for (const url of Object.keys(REQUESTS)) {
        for (const r of Object.keys(RESPONSES)) {
          const e = only(scenario, url, r);
          const v = explain(e.request, e.response, { ...e.profile, identity: { cookies: ['sid'] } });
          if (v.sharedAcrossIdentities.value === 'no') continue;
          shared.push(`${url} ${r}`);
          if (personalized(e)) personalLeak = true;
        }
      }
      assert.deepEqual(shared, SHARED[scenario]);
      assert.equal(personalLeak, scenario !== 'SAFE');
    });
  }

  it('labels the handler and quotes the statements', () => {
    const e = only('S2a', '/mypage', 'private');
    assert.deepEqual(e.handler, { label: 'vcl_recv: return (hash)', at: { file: `${LAB}S2a.vcl`, line: 24, column: 9, endLine: 24 } });
    assert.deepEqual(e.provenance.map((p) => [p.option, p.text]), [
      ['recv', 'return (hash);'], ['backendResponse.ttl', 'set beresp.ttl = 10m;'], ['backendResponse.skipBuiltin', 'return (deliver);'],
    ]);
    const safe = only('SAFE', '/mypage', 'plain');
    assert.deepEqual(safe.handler, { label: 'vcl_recv: no return, builtin decides', at: { file: `${LAB}SAFE.vcl`, line: 18, column: 1, endLine: 23 } });
  });

  it('applies the VCL header changes to the returned exchange', () => {
    const css = only('SAFE', '/static/app.css', 'plain');
    assert.deepEqual(css.request, { method: 'GET', url: '/static/app.css', headers: { host: 'shop.test' } });
    const s5 = only('S5', '/mypage/x.css', 'set-cookie');
    assert.deepEqual(s5.response, { status: 200, headers: { date: DATE } });
    const s4 = only('S4', '/mypage', 'vary');
    assert.deepEqual(s4.response.headers, { date: DATE, 'cache-control': 'public, max-age=60' });
  });

  it('the lab probe URL is answered by vcl_recv itself (no caching)', () => {
    const [e] = model('S1').evaluate(get('/__lab/ready', {}), RESPONSES.plain!);
    assert.equal(e!.caching, false);
    assert.equal(e!.handler.label, 'vcl_recv: return (synth(204, "lab probe"))');
    assert.deepEqual(e!.profile, { id: 'varnish7', options: {} });
    assert.deepEqual(prov(e!), ['recv@lab-common.vcl:14']);
  });

  it('varnishVersion 8 picks the varnish8 profile', () => {
    const m = loadVcl(`${LAB}S1.vcl`, { varnishVersion: 8 });
    const [e] = m.evaluate(REQUESTS['/mypage']!, RESPONSES['no-cache']!);
    assert.equal(e!.profile.id, 'varnish8');
  });
});
