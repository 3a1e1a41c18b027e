/** The VCL evaluator on small programs: forking, merging, mapping onto the Varnish and Fastly profiles. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain } from '../../../src/semantics/index.ts';
import type { FastlyOptions, HttpRequestInfo, HttpResponseInfo, VarnishOptions } from '../../../src/semantics/types.ts';
import type { RouteEvaluation } from '../../../src/verify/types.ts';
import { loadVclSource, MAX_PATHS } from '../../../src/verify/vcl/index.ts';

const DATE = 'Mon, 02 Jun 2025 10:00:00 GMT';
const req = (url: string, headers: Record<string, string> = {}, method = 'GET'): HttpRequestInfo => ({ method, url, headers: { host: 'shop.test', ...headers } });
const res = (headers: Record<string, string> = {}, status = 200): HttpResponseInfo => ({ status, headers: { date: DATE, ...headers } });

const varnish = (body: string, opts: { varnishVersion?: 7 | 8 } = {}) => loadVclSource(`vcl 4.1;\nbackend b { .host = "127.0.0.1"; }\n${body}`, 'v.vcl', opts);
const fastly = (body: string) => loadVclSource(body, 'f.vcl', { dialect: 'fastly' });
const one = (evs: RouteEvaluation[]): RouteEvaluation => {
  assert.equal(evs.length, 1, JSON.stringify(evs.map((e) => e.assumptions)));
  return evs[0]!;
};
/** The mapped options, typed for reading either profile's fields. */
const opts = (e: RouteEvaluation): VarnishOptions & FastlyOptions => (e.profile.options ?? {}) as VarnishOptions & FastlyOptions;
const prov = (e: RouteEvaluation) => e.provenance.map((p) => `${p.option}@${p.at.line}: ${p.text}`);

describe('vcl evaluator: undecidable conditions', () => {
  it('forks on client.ip, records the assumption on each branch', () => {
    const m = varnish('acl office { "10.0.0.0"/8; }\nsub vcl_recv {\n    if (client.ip ~ office) {\n        return (pass);\n    }\n    return (hash);\n}\n');
    const evs = m.evaluate(req('/'), res());
    assert.deepEqual(evs.map((e) => [e.handler.label, e.profile.options, e.assumptions]), [
      ['vcl_recv: return (pass)', { recv: 'pass' }, [{ at: { file: 'v.vcl', line: 5, column: 9, endLine: 5 }, text: 'client.ip ~ office taken' }]],
      ['vcl_recv: return (hash)', { recv: 'hash' }, [{ at: { file: 'v.vcl', line: 5, column: 9, endLine: 5 }, text: 'client.ip ~ office not taken' }]],
    ]);
  });

  it('merges branches with the same outcome and drops their assumption', () => {
    const m = varnish('sub vcl_recv {\n    if (std.random(0, 100) < 50) {\n        std.log("sampled");\n    }\n    return (hash);\n}\n');
    const e = one(m.evaluate(req('/'), res()));
    assert.deepEqual(e.assumptions, []);
  });

  it('decides what the exchange decides: headers, regexes with (?i), absent headers, durations', () => {
    const m = varnish(`sub vcl_recv {
    if (req.http.Authorization ~ "(?i)^bearer " && !req.http.X-Missing && req.url !~ "^/public/") {
        return (pass);
    }
    return (hash);
}
sub vcl_backend_response {
    if (beresp.ttl > 1m && beresp.http.Cache-Control ~ "public") {
        set beresp.ttl = beresp.ttl * 2;
    }
}
`);
    assert.equal(opts(one(m.evaluate(req('/a', { authorization: 'BEARER t' }), res()))).recv, 'pass');
    assert.equal(opts(one(m.evaluate(req('/public/a', { authorization: 'Bearer t' }), res()))).recv, 'hash');
    const e = one(m.evaluate(req('/a'), res({ 'cache-control': 'public, max-age=300' })));
    assert.deepEqual(e.profile.options, { recv: 'hash', backendResponse: { ttl: 600 } });
  });

  it(`stops after ${MAX_PATHS} paths and says so`, () => {
    const ifs = [1, 2, 3, 4, 5].map((i) => `    if (std.random(0, 10) < 5) { set req.http.X-${i} = "y"; }`).join('\n');
    const m = varnish(`sub vcl_recv {\n${ifs}\n    return (hash);\n}\n`);
    const evs = m.evaluate(req('/'), res());
    assert.equal(evs.length, MAX_PATHS);
    for (const e of evs) {
      assert.deepEqual(e.assumptions.at(-1), {
        at: { file: 'v.vcl', line: 1, column: 1 },
        text: `more than ${MAX_PATHS} paths through undecidable conditions: the remaining branches were not evaluated`,
      });
    }
  });
});

describe('vcl evaluator: Varnish mapping', () => {
  it('maps hash_data inputs to hashExtra, following values derived from cookies', () => {
    const m = varnish(`import cookie;
sub vcl_recv {
    set req.http.X-Session = regsub(req.http.Cookie, "^.*?sid=([^;]+).*$", "\\1");
    return (hash);
}
sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.host);
    hash_data(req.http.Authorization);
    hash_data(req.http.X-Session);
    cookie.parse(req.http.Cookie);
    hash_data(cookie.get("lang"));
    hash_data(req.http.Cookie);
}
`);
    const e = one(m.evaluate(req('/', { cookie: 'sid=abc; lang=fr' }), res({ 'cache-control': 'max-age=60' })));
    assert.deepEqual(opts(e).hashExtra, ['authorization', 'cookie:sid', 'x-session', 'cookie:lang', 'cookie']);
    assert.deepEqual(prov(e).filter((p) => p.startsWith('hashExtra')), [
      'hashExtra@11: hash_data(req.http.Authorization);', 'hashExtra@12: hash_data(req.http.X-Session);',
      'hashExtra@14: hash_data(cookie.get("lang"));', 'hashExtra@15: hash_data(req.http.Cookie);',
    ]);
    assert.equal(explain(e.request, e.response, e.profile).sharedAcrossIdentities.value, 'no');
  });

  it('a removed Cookie is stripRequestCookie; an emptied one still reaches builtin', () => {
    const m = varnish('sub vcl_recv {\n    if (req.url ~ "^/a") {\n        unset req.http.Cookie;\n    } else {\n        set req.http.Cookie = "";\n    }\n}\n');
    const a = one(m.evaluate(req('/a', { cookie: 'sid=1' }), res()));
    assert.deepEqual([a.profile.options, prov(a), a.request.headers], [{ recv: 'builtin', stripRequestCookie: true }, ['stripRequestCookie@5: unset req.http.Cookie;'], { host: 'shop.test' }]);
    const b = one(m.evaluate(req('/b', { cookie: 'sid=1' }), res()));
    assert.deepEqual([b.profile.options, prov(b), b.request.headers], [{ recv: 'builtin' }, ['request.cookie@7: set req.http.Cookie = "";'], { host: 'shop.test', cookie: '' }]);
    assert.equal(explain(b.request, b.response, b.profile).request.action.value, 'pass');
  });

  it('vcl_backend_response: pass(ttl), uncacheable, abandon, header changes and core TTL', () => {
    const m = varnish(`sub vcl_recv { return (hash); }
sub vcl_backend_response {
    if (bereq.url == "/hfp") {
        return (pass(30s));
    }
    if (bereq.url == "/hfm") {
        set beresp.uncacheable = true;
        set beresp.ttl = 15s;
        return (deliver);
    }
    if (bereq.url == "/gone") {
        return (abandon);
    }
    set beresp.http.Cache-Control = "public, max-age=3600";
    unset beresp.http.Set-Cookie;
}
`);
    const hfp = one(m.evaluate(req('/hfp'), res()));
    assert.deepEqual([hfp.profile.options, prov(hfp)], [{ recv: 'hash', backendResponse: { uncacheable: true, ttl: 30 } }, ['recv@3: return (hash);', 'backendResponse.uncacheable@6: return (pass(30s));']]);
    const hfm = one(m.evaluate(req('/hfm'), res()));
    assert.deepEqual(hfm.profile.options, { recv: 'hash', backendResponse: { ttl: 15, uncacheable: true, skipBuiltin: true } });
    assert.equal(explain(hfm.request, hfm.response, hfm.profile).response.store.value, 'hit-for-miss');
    const gone = one(m.evaluate(req('/gone'), res()));
    assert.deepEqual(gone.profile.options, { recv: 'hash', backendResponse: { uncacheable: true, skipBuiltin: true } });
    // Core computed 60 s from the origin's max-age before the VCL rewrote Cache-Control.
    const page = one(m.evaluate(req('/page'), res({ 'cache-control': 'max-age=60', 'set-cookie': 'a=b' })));
    assert.deepEqual(page.profile.options, { recv: 'hash', backendResponse: { unsetSetCookie: true, ttl: 60, grace: 10 } });
    assert.deepEqual(page.response.headers, { date: DATE, 'cache-control': 'public, max-age=3600' });
    assert.deepEqual(prov(page), [
      'recv@3: return (hash);', 'response.cache-control@16: set beresp.http.Cache-Control = "public, max-age=3600";',
      'backendResponse.unsetSetCookie@17: unset beresp.http.Set-Cookie;',
    ]);
  });

  it('an undecidable beresp.ttl keeps core TTL and says so', () => {
    const m = varnish('sub vcl_recv { return (hash); }\nsub vcl_backend_response {\n    set beresp.ttl = std.duration(beresp.http.X-TTL, 60s);\n    set beresp.grace = std.random(1, 10) * 1s;\n}\n');
    const e = one(m.evaluate(req('/'), res({ 'x-ttl': '5m' })));
    assert.deepEqual(e.profile.options, { recv: 'hash', backendResponse: { ttl: 300 } });
    assert.deepEqual(e.assumptions, [{
      at: { file: 'v.vcl', line: 6, column: 5, endLine: 6 },
      text: 'beresp.grace is set to a value that cannot be computed (std.random(1, 10) * 1s); core\'s value assumed',
    }]);
  });

  it('bereq.uncacheable follows the profile\'s decision on the request', () => {
    const m = varnish('sub vcl_backend_response {\n    if (bereq.uncacheable) {\n        set beresp.http.X-Pass = "1";\n    }\n}\n');
    assert.deepEqual(one(m.evaluate(req('/', { cookie: 'a=1' }), res())).response.headers, { date: DATE, 'X-Pass': '1' });
    assert.deepEqual(one(m.evaluate(req('/'), res())).response.headers, { date: DATE });
  });

  it('restarts re-run vcl_recv with req.restarts incremented', () => {
    const m = varnish('sub vcl_recv {\n    if (req.restarts == 0) {\n        set req.url = "/b";\n        return (restart);\n    }\n    return (hash);\n}\n');
    const e = one(m.evaluate(req('/a'), res()));
    assert.deepEqual([e.request.url, e.profile.options, e.handler.label], ['/b', { recv: 'hash' }, 'vcl_recv: return (hash)']);
  });

  it('user overrides of builtin hook subs: disabledBuiltinChecks (7.0+ only)', () => {
    const src = `sub vcl_req_cookie {
    if (req.http.Cookie ~ "^consent=") {
        return;
    }
}
sub vcl_beresp_cookie {
    return;
}
sub vcl_beresp_hitmiss {
    set beresp.ttl = 5s;
    return (deliver);
}
`;
    const consent = req('/', { cookie: 'consent=yes' });
    const v7 = varnish(src);
    const a = one(v7.evaluate(consent, res({ 'set-cookie': 'a=b' })));
    assert.deepEqual([a.profile.options, prov(a)], [{ recv: 'builtin', disabledBuiltinChecks: ['req-cookie', 'beresp-cookie'] }, [
      'disabledBuiltinChecks@5: return;', 'disabledBuiltinChecks@9: return;',
    ]]);
    // vcl_beresp_hitmiss runs only because builtin's Cache-Control check fires.
    const b = one(v7.evaluate(consent, res({ 'cache-control': 'private' })));
    assert.deepEqual(b.profile.options, {
      recv: 'builtin',
      disabledBuiltinChecks: ['req-cookie', 'beresp-cookie', 'beresp-stale', 'beresp-control', 'beresp-vary'],
      backendResponse: { ttl: 5 },
    });
    assert.equal(explain(b.request, b.response, b.profile).response.store.value, 'store');
    assert.deepEqual(one(v7.evaluate(req('/', { cookie: 'sid=1' }), res())).profile.options, { recv: 'builtin' });
    const v6 = loadVclSource(`vcl 4.0;\n${src}`, 'v.vcl', { varnishVersion: 6 });
    assert.deepEqual(one(v6.evaluate(consent, res({ 'set-cookie': 'a=b' }))).profile, { id: 'varnish7', options: { recv: 'builtin' } });
  });

  it('vcl_builtin_recv returning early means hash; an explicit call into builtin runs builtin\'s code', () => {
    const skip = varnish('sub vcl_builtin_recv {\n    return;\n}\n');
    const s = one(skip.evaluate(req('/', { cookie: 'sid=1' }), res()));
    assert.deepEqual([s.profile.options, s.handler.label, prov(s)], [{ recv: 'hash' }, 'vcl_builtin_recv: return', ['recv@4: return;']]);
    const explicit = varnish('sub vcl_recv {\n    call vcl_builtin_recv;\n    return (hash);\n}\n');
    const e = one(explicit.evaluate(req('/', { cookie: 'sid=1' }), res()));
    assert.deepEqual([e.profile.options, e.handler.label, e.handler.at.file], [{ recv: 'pass' }, 'vcl_recv: return (pass)', '<builtin varnish 7>']);
  });

  it('a hook sub returning an action decides for builtin: pass, or hash (its check and later ones off)', () => {
    const m = varnish('sub vcl_req_authorization {\n    if (req.http.Authorization ~ "^Basic ") {\n        return (pass);\n    }\n    return (hash);\n}\n');
    const basic = one(m.evaluate(req('/', { authorization: 'Basic eA==' }), res()));
    assert.deepEqual([basic.profile.options, basic.handler.label, basic.handler.at.line], [{ recv: 'pass' }, 'vcl_req_authorization: return (pass)', 5]);
    const bearer = one(m.evaluate(req('/', { authorization: 'Bearer t', cookie: 'sid=1' }), res()));
    assert.deepEqual([bearer.profile.options, prov(bearer)], [
      { recv: 'builtin', disabledBuiltinChecks: ['req-authorization', 'req-cookie'] }, ['disabledBuiltinChecks@7: return (hash);'],
    ]);
    assert.equal(explain(bearer.request, bearer.response, bearer.profile).request.action.value, 'lookup');
    assert.equal(explain(req('/', {}, 'POST'), res(), one(m.evaluate(req('/', {}, 'POST'), res())).profile).request.action.value, 'pass');
  });

  it('synth in vcl_recv: the request never reaches the cache', () => {
    const m = varnish('sub vcl_recv {\n    if (req.method == "PURGE") {\n        return (purge);\n    }\n    return (synth(403));\n}\n');
    const e = one(m.evaluate(req('/', {}, 'PURGE'), res()));
    assert.deepEqual([e.caching, e.handler.label, e.profile.options], [false, 'vcl_recv: return (purge)', {}]);
  });
});

describe('vcl evaluator: Fastly mapping', () => {
  const base = `sub vcl_recv {
#FASTLY recv
    if (req.url ~ "^/stream/") {
        set req.hash_ignore_busy = true;
    }
    if (req.url ~ "^/old") {
        error 301 "moved";
    }
    if (req.http.Cookie:sid) {
        return(pass);
    }
    if (req.url ~ "^/fallthrough") {
        set req.http.X-Fall = "1";
    } else {
        return(lookup);
    }
}
sub vcl_hash {
    set req.hash += req.url;
    set req.hash += req.http.host;
    set req.hash += req.http.Cookie:currency;
#FASTLY hash
    return(hash);
}
sub vcl_fetch {
#FASTLY fetch
    if (req.restarts == 0 && beresp.status == 503) {
        restart;
    }
    if (beresp.ttl <= 0s) {
        return(pass);
    }
    if (beresp.http.X-No-Store) {
        set beresp.cacheable = false;
    }
    if (!beresp.http.Expires && !beresp.http.Surrogate-Control ~ "max-age" && !beresp.http.Cache-Control ~ "(s-maxage|max-age)") {
        set beresp.ttl = 600s;
    }
    return(deliver);
}
`;
  const m = fastly(base);

  it('reads the fallback TTL the VCL sets as defaultTtl', () => {
    assert.equal(m.fastlyFallback?.seconds, 600);
    const e = one(m.evaluate(req('/page'), res({})));
    assert.deepEqual(e.profile, { id: 'fastly', options: { defaultTtl: 600, recv: 'lookup', hashExtra: ['cookie:currency'], fetch: { action: 'deliver', ttl: 600 } } });
    assert.deepEqual(prov(e), [
      'recv@15: return(lookup);', 'hashExtra@21: set req.hash += req.http.Cookie:currency;', 'fetch.ttl@37: set beresp.ttl = 600s;', 'fetch.action@39: return(deliver);',
    ]);
  });

  it('starts beresp.ttl from the platform: max-age=0 and a past Expires pass', () => {
    for (const h of [{ 'cache-control': 'max-age=0' }, { expires: 'Thu, 01 Jan 1970 00:00:01 GMT' }] as Record<string, string>[]) {
      const e = one(m.evaluate(req('/page'), res(h)));
      assert.deepEqual(opts(e).fetch, { action: 'pass' }, JSON.stringify(h));
    }
    const fresh = one(m.evaluate(req('/page'), res({ 'cache-control': 'max-age=60' })));
    assert.deepEqual(opts(fresh).fetch, { action: 'deliver' });
    assert.equal(explain(fresh.request, fresh.response, fresh.profile).response.ttl.value, 60);
  });

  it('beresp.cacheable, hash_ignore_busy, error and fall-through', () => {
    const noStore = one(m.evaluate(req('/page'), res({ 'cache-control': 'max-age=60', 'x-no-store': '1' })));
    assert.deepEqual(opts(noStore).fetch, { action: 'deliver', cacheable: false });
    const stream = one(m.evaluate(req('/stream/1'), res({ 'cache-control': 'max-age=60' })));
    assert.deepEqual([opts(stream).hashIgnoreBusy, prov(stream)[0]], [true, 'hashIgnoreBusy@4: set req.hash_ignore_busy = true;']);
    const old = one(m.evaluate(req('/old'), res()));
    assert.deepEqual([old.caching, old.handler.label], [false, 'vcl_recv: error 301 "moved"']);
    const fall = one(m.evaluate(req('/fallthrough'), res({ 'cache-control': 'max-age=60' })));
    assert.deepEqual([fall.handler.label, opts(fall).recv], ['vcl_recv: no return, the boilerplate looks up GET/HEAD', undefined]);
    const sid = one(m.evaluate(req('/page', { cookie: 'sid=1' }), res({ 'cache-control': 'private' })));
    assert.deepEqual(sid.profile.options, { defaultTtl: 600, recv: 'pass', fetch: { action: 'deliver', ttl: 600 } });
  });

  it('a restart in vcl_fetch runs vcl_recv again', () => {
    const r = fastly(`sub vcl_recv {\n    if (req.restarts > 0) {\n        set req.http.X-Retry = "1";\n        return(pass);\n    }\n    return(lookup);\n}\nsub vcl_fetch {\n    if (req.restarts == 0) {\n        restart;\n    }\n}\n`);
    const e = one(r.evaluate(req('/'), res()));
    assert.deepEqual([e.profile.options, e.request.headers], [{ recv: 'pass', fetch: { action: 'deliver' } }, { host: 'shop.test', 'X-Retry': '1' }]);
  });

  it('tables with contents are looked up exactly; an empty (API-managed) table forks', () => {
    const t = fastly(`table flags { "/a": "pass" }\ntable remote {}\nsub vcl_recv {\n    if (table.lookup(flags, req.url) == "pass") {\n        return(pass);\n    }\n    if (table.contains(remote, req.url)) {\n        return(pass);\n    }\n    return(lookup);\n}\n`);
    assert.equal(opts(one(t.evaluate(req('/a'), res()))).recv, 'pass');
    const evs = t.evaluate(req('/b'), res());
    assert.deepEqual(evs.map((e) => [opts(e).recv, e.assumptions.map((a) => a.text)]), [
      ['pass', ['table.contains(remote, req.url) taken']],
      ['lookup', ['table.contains(remote, req.url) not taken']],
    ]);
  });

  it('without a custom vcl_fetch the profile\'s boilerplate applies', () => {
    const e = one(fastly('sub vcl_recv {\n    return(lookup);\n}\n').evaluate(req('/'), res({ 'cache-control': 'private' })));
    assert.deepEqual(e.profile.options, { recv: 'lookup' });
    assert.equal(explain(e.request, e.response, e.profile).response.store.value, 'hit-for-pass');
  });
});
