/**
 * The VCL reader changes these rules rely on: `set req.hash_ignore_busy = true` in vcl_recv maps
 * onto VarnishOptions.hashIgnoreBusy with its line, and builtin hook subs overridden on the
 * backend side (vcl_beresp_cookie …) reach the profile's disabledBuiltinChecks (they used to be
 * logged in provenance only, unless a request-side hook had returned early too).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain } from '../../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo, VarnishOptions } from '../../../../src/semantics/types.ts';
import type { RouteEvaluation } from '../../../../src/verify/types.ts';
import { loadVclSource } from '../../../../src/verify/vcl/index.ts';

const DATE = 'Sat, 21 Nov 2026 12:00:00 GMT';
const req = (url: string, headers: Record<string, string> = {}): HttpRequestInfo => ({ method: 'GET', url, headers: { host: 'shop.test', ...headers } });
const res = (headers: Record<string, string> = {}): HttpResponseInfo => ({ status: 200, headers: { date: DATE, ...headers } });
const varnish = (body: string, varnishVersion: 7 | 8 = 7) => loadVclSource(`vcl 4.1;\nbackend b { .host = "127.0.0.1"; }\n${body}`, 'v.vcl', { varnishVersion });
const opts = (e: RouteEvaluation): VarnishOptions => (e.profile.options ?? {}) as VarnishOptions;
const prov = (e: RouteEvaluation) => e.provenance.map((p) => `${p.option}@${p.at.line}: ${p.text}`);

describe('vcl reader: req.hash_ignore_busy (Varnish)', () => {
  const m = varnish(`sub vcl_recv {
    if (req.url ~ "^/live/") {
        set req.hash_ignore_busy = true;
    }
    return (hash);
}
sub vcl_backend_response {
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    return (deliver);
}
`, 8);

  it('maps the statement onto hashIgnoreBusy, with its line, and nothing is handed to waiters', () => {
    const [e, ...rest] = m.evaluate(req('/live/scores'), res());
    assert.equal(rest.length, 0);
    assert.equal(opts(e!).hashIgnoreBusy, true);
    assert.deepEqual(prov(e!), [
      'hashIgnoreBusy@5: set req.hash_ignore_busy = true;',
      'recv@7: return (hash);',
      'backendResponse.ttl@10: set beresp.ttl = 0s;',
      'backendResponse.grace@11: set beresp.grace = 0s;',
      'backendResponse.skipBuiltin@12: return (deliver);',
    ]);
    const v = explain(e!.request, e!.response, e!.profile);
    assert.equal(v.response.collapse.value, 'none');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('leaves it out where the statement does not run, and Varnish 8 hands the TTL-0 object to waiters', () => {
    const [e] = m.evaluate(req('/mypage'), res());
    assert.equal(opts(e!).hashIgnoreBusy, undefined);
    assert.equal(explain(e!.request, e!.response, e!.profile).response.collapse.value, 'share');
  });

  it('ignores a request that never reaches the cache, and `= false`', () => {
    const synth = varnish('sub vcl_recv {\n    set req.hash_ignore_busy = true;\n    return (synth(404));\n}\n');
    assert.deepEqual(synth.evaluate(req('/'), res())[0]!.profile.options, {});
    const off = varnish('sub vcl_recv {\n    set req.hash_ignore_busy = false;\n    return (hash);\n}\n');
    assert.deepEqual(off.evaluate(req('/'), res())[0]!.profile.options, { recv: 'hash' });
  });
});

describe('vcl reader: backend-side hook overrides reach disabledBuiltinChecks', () => {
  it('vcl_beresp_cookie returning early: the Set-Cookie check is off and the response is stored', () => {
    const m = varnish('sub vcl_beresp_cookie {\n    return;\n}\n');
    const [e] = m.evaluate(req('/'), res({ 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' }));
    assert.deepEqual(opts(e!).disabledBuiltinChecks, ['beresp-cookie']);
    assert.deepEqual(prov(e!), ['disabledBuiltinChecks@4: return;']);
    assert.equal(explain(e!.request, e!.response, e!.profile).response.store.value, 'store');
  });

  it('keeps request-side and backend-side hooks together', () => {
    const m = varnish('sub vcl_req_cookie {\n    return;\n}\nsub vcl_beresp_control {\n    return;\n}\n');
    const [e] = m.evaluate(req('/', { cookie: 'sid=1' }), res({ 'cache-control': 'private' }));
    assert.deepEqual(opts(e!).disabledBuiltinChecks, ['req-cookie', 'beresp-control']);
    assert.equal(explain(e!.request, e!.response, e!.profile).response.store.value, 'store');
  });

  it('vcl_beresp_hitmiss is not run for a check its hook sub switched off', () => {
    const m = varnish('sub vcl_beresp_cookie {\n    return;\n}\nsub vcl_beresp_hitmiss {\n    set beresp.http.X-Hitmiss = "1";\n}\n');
    const [e] = m.evaluate(req('/'), res({ 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' }));
    assert.equal(e!.response.headers['X-Hitmiss'], undefined);
    const [p] = m.evaluate(req('/'), res({ 'cache-control': 'private' }));
    assert.equal(p!.response.headers['X-Hitmiss'], '1');
  });
});
