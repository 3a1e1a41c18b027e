/**
 * The helpers the VCL rules share (src/verify/rules/varnish/lib/): statements reached through
 * `call`, the same-block TTL-0 scan, credential checks on an evaluation, and the per-run memo of
 * exchanges (shared by the rules of one run, asked again in the next).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExchangeOptions, RequestVariant, RouteView } from '../../../../src/verify/rules/define.ts';
import { ask, carriesCredential, droppedBeforeBackend, probeList, urlList } from '../../../../src/verify/rules/varnish/lib/probes.ts';
import { reachable, sets, zeroTtlDeliveries } from '../../../../src/verify/rules/varnish/lib/vcl.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import type { ConfigModelBase, RouteEvaluation } from '../../../../src/verify/types.ts';
import { loadVclSource } from '../../../../src/verify/vcl/index.ts';

const varnish = (body: string) => loadVclSource(`vcl 4.1;\nbackend b { .host = "127.0.0.1"; }\n${body}`, 'v.vcl');
const settings = makeSettings({ personalized: ['/account*'], identity: { cookies: ['sid'] } });

describe('reachable: statements of a method and the subs it calls', () => {
  it('follows calls with the call site\'s guards, once per call, not into recursion', () => {
    const m = varnish(`sub helper {
    unset beresp.http.Set-Cookie;
    call helper;
}
sub vcl_backend_response {
    if (bereq.url ~ "^/static/") {
        call helper;
    }
}
`);
    const r = reachable(m, 'vcl_backend_response').map((x) => `${x.sub.name}@${x.stmt.at.line} ${x.stmt.type} guards=${x.guards.length}`);
    assert.deepEqual(r, ['vcl_backend_response@8 if guards=0', 'vcl_backend_response@9 call guards=1', 'helper@4 unset guards=1', 'helper@5 call guards=1']);
  });
});

describe('zeroTtlDeliveries: TTL 0 then deliver in the same block', () => {
  const m = varnish(`sub vcl_backend_response {
    if (beresp.http.X-A) {
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        return (deliver);
    }
    if (beresp.http.X-B) {
        set beresp.ttl = -1s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.X-C) {
        set beresp.ttl = 0s;
        return (pass(1m));
    }
    if (beresp.http.X-D) {
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (beresp.status >= 500) {
        set beresp.ttl = 0s;
        return (deliver);
    }
}
`);
  it('finds the blocks that deliver, with the grace set before; skips those kept out of the cache and error-status blocks', () => {
    const found = zeroTtlDeliveries(m, 'vcl_backend_response', (s) => sets(s, 'beresp.uncacheable'));
    assert.deepEqual(found.map((d) => [d.ttl.at.line, d.deliver.at.line, d.grace]), [[5, 7, 0], [19, 20, undefined]]);
  });
});

describe('credentials on an evaluation', () => {
  const evaluation = (headers: Record<string, string>): RouteEvaluation => ({ request: { method: 'GET', url: '/', headers } }) as unknown as RouteEvaluation;
  it('a session cookie among others, an unknown value, none left', () => {
    assert.equal(carriesCredential(evaluation({ cookie: 'lang=en; sid=1' }), 'cookie', settings), true);
    assert.equal(carriesCredential(evaluation({ cookie: '<cookie.get_string()>' }), 'cookie', settings), true);
    assert.equal(carriesCredential(evaluation({ cookie: 'lang=en' }), 'cookie', settings), false);
    assert.equal(carriesCredential(evaluation({ Authorization: 'Bearer x' }), 'authorization', settings), true);
    assert.equal(carriesCredential(evaluation({}), 'authorization', settings), false);
  });
  it('an unconditional unset on the backend request drops it; a guarded one does not count', () => {
    const m = varnish('sub vcl_backend_fetch {\n    unset bereq.http.Cookie;\n    if (bereq.url ~ "^/static/") {\n        unset bereq.http.Authorization;\n    }\n}\n');
    assert.equal(droppedBeforeBackend(m, 'vcl_backend_fetch', 'cookie'), true);
    assert.equal(droppedBeforeBackend(m, 'vcl_backend_fetch', 'authorization'), false);
  });
});

describe('ask: exchanges shared by the rules of one run', () => {
  const model = { kind: 'varnish' } as ConfigModelBase;
  /** A rule context whose exchange records calls and stamps views with the run's clock. */
  const context = (now: number, calls: string[]) => ({
    settings,
    exchange: (_m: ConfigModelBase, url: string, variant: RequestVariant, opts?: ExchangeOptions): RouteView => {
      calls.push(`${url} ${variant}${opts?.responseHeaders ? ' probe' : ''}`);
      return { path: url, response: { status: 200, headers: {}, receivedAt: now } } as unknown as RouteView;
    },
  });
  it('two rules of one run share a view; the next run asks again', () => {
    const calls: string[] = [];
    const first = ask(context(1000, calls), model, '/account', 'cookie', 'private');
    assert.equal(ask(context(1000, calls), model, '/account', 'cookie', 'private'), first);
    assert.notEqual(ask(context(2000, calls), model, '/account', 'cookie', 'private'), first);
    // Each context reads its run's clock once (`/ anonymous`), and a view is asked once per run.
    assert.deepEqual(calls, ['/ anonymous', '/account cookie probe', '/ anonymous', '/ anonymous', '/account cookie probe']);
  });
});

describe('message lists', () => {
  it('names probes and URLs in order, shortened after two URLs', () => {
    assert.equal(probeList(['setCookie']), 'Set-Cookie');
    assert.equal(probeList(['setCookie', 'private', 'incident2017']), 'Set-Cookie, Cache-Control: private or no-cache and a past Expires');
    assert.equal(urlList(['/a', '/b']), '/a, /b');
    assert.equal(urlList(['/a', '/b', '/c', '/d']), '/a, /b and 2 more');
  });
});
