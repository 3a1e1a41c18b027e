/**
 * Real-world-shaped VCL (test/verify/fixtures/vcl/): a Varnish shop configuration split over six
 * files, and a Fastly custom VCL in the boilerplate style. Structure first, then what the evaluator
 * makes of typical exchanges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { explain } from '../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';
import type { RouteEvaluation } from '../../../src/verify/types.ts';
import { basename } from 'node:path';
import { bigVcl } from '../../../bench/fixtures/vcl.ts';
import { backendSpans, loadVcl, loadVclSource } from '../../../src/verify/vcl/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/vcl/', import.meta.url));
const DATE = 'Mon, 02 Jun 2025 10:00:00 GMT';
const get = (url: string, headers: Record<string, string>, method = 'GET'): HttpRequestInfo => ({ method, url, headers: { host: 'www.example.test', ...headers } });
const res = (headers: Record<string, string>, status = 200): HttpResponseInfo => ({ status, headers: { date: DATE, ...headers } });
const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const prov = (e: RouteEvaluation): string[] => e.provenance.map((p) => `${p.option}@${base(p.at.file)}:${p.at.line}`);
const shared = (e: RouteEvaluation): string => explain(e.request, e.response, { ...e.profile, identity: { cookies: ['sid'] } }).sharedAcrossIdentities.value;
const one = (evs: RouteEvaluation[]): RouteEvaluation => {
  assert.equal(evs.length, 1);
  return evs[0]!;
};
const XFF = '<req.http.X-Forwarded-For + ", " + client.ip>';

describe('realistic Varnish VCL (main.vcl + 5 includes)', () => {
  const m = loadVcl(`${FIXTURES}varnish/main.vcl`);

  it('reads every file, declaration and sub', () => {
    assert.deepEqual(m.files.map(base), ['main.vcl', 'backends.vcl', 'acl.vcl', 'purge.vcl', 'static.vcl', 'devices.vcl']);
    const lines = m.files.reduce((n, f) => n + m.source(f)!.split('\n').length, 0);
    assert.ok(lines > 350, `${lines} lines`);
    assert.deepEqual([m.dialect, m.vclVersion, m.varnishVersion, m.imports], ['varnish', '4.1', 7, ['std', 'directors', 'cookie']]);
    assert.deepEqual(m.backends.map((b) => b.name), ['app1', 'app2', 'media']);
    assert.deepEqual(m.acls.map((a) => [a.name, a.entries.length]), [['purgers', 4], ['monitoring', 2]]);
    assert.deepEqual(m.subNames(), [
      'vcl_init', 'shop_purge', 'shop_static_recv', 'shop_static_backend_response', 'shop_detect_device', 'shop_normalize', 'shop_filter_cookies',
      'vcl_recv', 'vcl_hash', 'vcl_hit', 'vcl_miss', 'vcl_pass', 'vcl_pipe', 'vcl_purge', 'vcl_backend_fetch', 'vcl_backend_response',
      'vcl_deliver', 'vcl_synth', 'vcl_backend_error',
    ]);
    assert.deepEqual(m.subs('vcl_backend_response', { builtin: true }).map((s) => base(s.at.file)), ['main.vcl', '<builtin varnish 7>']);
    const calls = m.statements('vcl_recv').filter((v) => v.stmt.type === 'call').map((v) => m.text(v.stmt));
    assert.deepEqual(calls, ['call shop_purge;', 'call shop_normalize;', 'call shop_static_recv;', 'call shop_filter_cookies;', 'call shop_detect_device;']);
    const returns = m.statements('vcl_recv').filter((v) => v.stmt.type === 'return').map((v) => `${v.stmt.at.line}:${m.text(v.stmt)}`);
    assert.deepEqual(returns, ['86:return (synth(200, "OK"));', '92:return (pipe);', '96:return (pass);', '104:return (pass);', '111:return (pass);', '115:return (hash);']);
    assert.deepEqual(backendSpans(m).map((b) => [b.name, base(b.file), b.host?.value, b.port?.value]), [
      ['app1', 'backends.vcl', '127.0.0.1', '8081'], ['app2', 'backends.vcl', '127.0.0.1', '8082'], ['media', 'backends.vcl', '127.0.0.1', '8090'],
    ]);
  });

  it('static assets: cookies dropped, Set-Cookie dropped, a day of TTL, returned before builtin', () => {
    const e = one(m.evaluate(get('/static/app.css?v=3', { cookie: 'sid=alice; _ga=GA1.2' }), res({ 'set-cookie': 'sid=alice', 'cache-control': 'private' })));
    assert.deepEqual(e.handler, { label: 'vcl_recv: return (hash)', at: { file: `${FIXTURES}varnish/static.vcl`, line: 13, column: 9, endLine: 13 } });
    assert.deepEqual(e.profile, {
      id: 'varnish7',
      options: { recv: 'hash', stripRequestCookie: true, hashExtra: ['x-device'], backendResponse: { skipBuiltin: true, ttl: 86400, grace: 604800, unsetSetCookie: true } },
    });
    assert.deepEqual(e.request.headers, { host: 'www.example.test', 'X-Forwarded-For': XFF, 'X-Static': '1' });
    assert.deepEqual(e.response.headers, { date: DATE, 'cache-control': 'public, max-age=86400', 'X-Url': '/static/app.css?v=3', 'X-Host': 'www.example.test' });
    assert.deepEqual(prov(e), [
      'request.x-forwarded-for@main.vcl:78', 'hashExtra@main.vcl:126', 'response.x-url@main.vcl:182', 'response.x-host@main.vcl:183',
      'stripRequestCookie@static.vcl:7', 'request.x-static@static.vcl:9', 'recv@static.vcl:13', 'backendResponse.unsetSetCookie@static.vcl:19',
      'backendResponse.ttl@static.vcl:20', 'backendResponse.grace@static.vcl:21', 'response.cache-control@static.vcl:22', 'backendResponse.skipBuiltin@static.vcl:23',
    ]);
    assert.deepEqual(e.assumptions, []);
    assert.equal(shared(e), 'yes');
  });

  it('catalogue for an anonymous phone: URL and cookies normalised, device and language in the key', () => {
    const e = one(m.evaluate(
      get('/items/42?utm_source=x&b=2&a=1', { host: 'Example.test:443', cookie: '_ga=GA1; lang=fr', 'user-agent': 'Mozilla/5.0 (iPhone; Mobile)' }),
      res({ 'cache-control': 'public, max-age=300' }),
    ));
    assert.deepEqual(e.profile.options, { recv: 'hash', hashExtra: ['x-device', 'cookie:lang'], backendResponse: { grace: 21600 } });
    assert.deepEqual(e.request, {
      method: 'GET',
      url: '/items/42?a=1&b=2',
      headers: { host: 'www.example.test', cookie: 'lang=fr', 'user-agent': 'Mozilla/5.0 (iPhone; Mobile)', 'X-Forwarded-For': XFF, 'X-Device': 'mobile' },
    });
    assert.deepEqual(prov(e), [
      'request.host@main.vcl:27', 'request.host@main.vcl:29', 'request.url@main.vcl:34', 'request.url@main.vcl:37', 'request.cookie@main.vcl:63',
      'request.x-forwarded-for@main.vcl:78', 'recv@main.vcl:115', 'hashExtra@main.vcl:126', 'hashExtra@main.vcl:128', 'response.x-url@main.vcl:182',
      'response.x-host@main.vcl:183', 'backendResponse.grace@main.vcl:204', 'request.x-device@devices.vcl:11',
    ]);
    const v = explain(e.request, e.response, { ...e.profile, identity: { cookies: ['sid'] } });
    assert.deepEqual(v.request.key.value.parts.map((p) => p.name), ['url', 'host', 'header:x-device', 'cookie:lang']);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
  });

  it('tracking cookies only: the Cookie header is removed; builtin still refuses the Set-Cookie', () => {
    const e = one(m.evaluate(get('/items/42', { cookie: '_ga=GA1; _gid=2', 'user-agent': 'Mozilla/5.0 (X11; Linux)' }), res({ 'cache-control': 'public, max-age=300', 'set-cookie': 'x=1' })));
    assert.deepEqual(e.profile.options, { recv: 'hash', stripRequestCookie: true, hashExtra: ['x-device'], backendResponse: { grace: 21600 } });
    assert.equal(prov(e)[0], 'stripRequestCookie@main.vcl:63');
    assert.equal(explain(e.request, e.response, e.profile).response.store.value, 'hit-for-miss');
  });

  it('logged-in visitors and the account area are passed', () => {
    for (const [url, cookie, line] of [['/mypage', 'sid=alice', 104], ['/', 'lang=de; sid=alice', 111]] as const) {
      const e = one(m.evaluate(get(url, { cookie }), res({ 'cache-control': 'private' })));
      assert.deepEqual([e.handler.label, e.handler.at.line, e.profile.options], ['vcl_recv: return (pass)', line, { recv: 'pass', backendResponse: { grace: 21600 } }]);
      assert.equal(shared(e), 'no');
    }
  });

  it('PURGE depends on the client address: both outcomes, neither reaches the cache', () => {
    const evs = m.evaluate(get('/items/42', {}, 'PURGE'), res({}));
    assert.deepEqual(evs.map((e) => [e.handler.label, e.caching, prov(e), e.assumptions.map((a) => `${base(a.at.file)}:${a.at.line} ${a.text}`)]), [
      ['vcl_recv: return (synth(405, "Purging not allowed from this address"))', false, ['request.x-forwarded-for@main.vcl:78', 'recv@purge.vcl:7'], ['purge.vcl:6 client.ip !~ purgers taken']],
      ['vcl_recv: return (purge)', false, ['request.x-forwarded-for@main.vcl:78', 'recv@purge.vcl:9'], ['purge.vcl:6 client.ip !~ purgers not taken']],
    ]);
  });

  it('health checks, websockets, POST and cached 404s', () => {
    const health = one(m.evaluate(get('/varnish-health', {}), res({})));
    assert.deepEqual([health.caching, health.handler.label], [false, 'vcl_recv: return (synth(200, "OK"))']);
    const ws = one(m.evaluate(get('/live', { upgrade: 'websocket' }), res({}, 101)));
    assert.deepEqual([ws.caching, ws.handler.label, ws.profile.options, ws.response], [true, 'vcl_recv: return (pipe)', { recv: 'pass' }, res({}, 101)]);
    const post = one(m.evaluate(get('/cart', { cookie: 'sid=a' }, 'POST'), res({})));
    assert.equal(post.handler.at.line, 96);
    const missing = one(m.evaluate(get('/nope', {}), res({}, 404)));
    assert.deepEqual(missing.profile.options, { recv: 'hash', hashExtra: ['x-device'], backendResponse: { ttl: 60, grace: 21600 } });
    assert.equal(explain(missing.request, missing.response, missing.profile).response.ttl.value, 60);
  });
});

describe('realistic Fastly custom VCL (boilerplate style)', () => {
  const m = loadVcl(`${FIXTURES}fastly/main.vcl`);

  it('is read as Fastly, with its macros, backends, director, ACL and tables', () => {
    assert.deepEqual([m.dialect, m.varnishVersion, m.program.builtin.length], ['fastly', undefined, 0]);
    assert.deepEqual(m.macros.map((x) => `${x.name}@${x.sub}:${x.at.line}`), [
      'recv@vcl_recv:57', 'hash@vcl_hash:114', 'hit@vcl_hit:119', 'miss@vcl_miss:124', 'pass@vcl_pass:130', 'fetch@vcl_fetch:135',
      'error@vcl_error:178', 'deliver@vcl_deliver:190', 'log@vcl_log:200',
    ]);
    assert.deepEqual(m.backends.map((b) => b.name), ['F_origin', 'F_images']);
    assert.deepEqual(m.tables.map((t) => [t.name, t.entries.length]), [['redirects', 3], ['feature_flags', 0]]);
    assert.deepEqual(m.acls.map((a) => a.name), ['internal']);
    const director = m.program.decls.find((d) => d.type === 'director');
    assert.deepEqual(director?.type === 'director' ? [director.name, director.policy, director.members.length] : [], ['shop_origin', 'random', 2]);
    assert.deepEqual([m.fastlyFallback?.seconds, m.fastlyFallback?.stmt.at.line], [3600, 168]);
    const fetchPasses = m.statements('vcl_fetch').filter((v) => v.stmt.type === 'return' && v.stmt.action === 'pass').map((v) => v.stmt.at.line);
    assert.deepEqual(fetchPasses, [151, 157, 163]);
  });

  it('static assets: goto the static lookup, a week of TTL', () => {
    const e = one(m.evaluate(get('/static/app.css', { cookie: 'sid=alice' }), res({ 'set-cookie': 'sid=alice' })));
    assert.deepEqual(e.profile, {
      id: 'fastly',
      options: { defaultTtl: 3600, recv: 'lookup', hashExtra: ['cookie:currency'], fetch: { action: 'deliver', ttl: 604800 } },
    });
    assert.deepEqual([e.handler.label, e.handler.at.line], ['vcl_recv: return(lookup)', 106]);
    assert.deepEqual(e.request.headers, { host: 'www.example.test', 'X-Static': '1' });
    assert.deepEqual(e.response.headers, { date: DATE });
    assert.deepEqual(prov(e), [
      'request.cookie@main.vcl:88', 'request.x-static@main.vcl:105', 'recv@main.vcl:106', 'hashExtra@main.vcl:113', 'response.set-cookie@main.vcl:138',
      'fetch.ttl@main.vcl:139', 'fetch.action@main.vcl:141', 'defaultTtl@main.vcl:168',
    ]);
  });

  it('catalogue: marketing parameters filtered, currency in the key, fallback TTL when the origin says nothing', () => {
    const e = one(m.evaluate(get('/shop?utm_source=x&b=1&a=2', { cookie: 'currency=EUR' }), res({})));
    assert.deepEqual(e.profile.options, { defaultTtl: 3600, recv: 'lookup', hashExtra: ['cookie:currency'], fetch: { action: 'deliver', ttl: 3600 } });
    assert.equal(e.request.url, '/shop?a=2&b=1');
    assert.deepEqual(prov(e), ['request.url@main.vcl:78', 'request.url@main.vcl:79', 'recv@main.vcl:102', 'hashExtra@main.vcl:113', 'fetch.ttl@main.vcl:168', 'fetch.action@main.vcl:174']);
    assert.equal(shared(e), 'yes');
  });

  it('no-cache with a past Expires and private responses are passed by vcl_fetch', () => {
    const zero = one(m.evaluate(get('/shop', {}), res({ 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT' })));
    assert.deepEqual(zero.profile.options, { defaultTtl: 3600, recv: 'lookup', hashExtra: ['cookie:currency'], fetch: { action: 'pass', ttl: 120 } });
    assert.deepEqual(prov(zero).slice(2), ['fetch.ttl@main.vcl:162', 'fetch.action@main.vcl:163', 'defaultTtl@main.vcl:168']);
    const priv = one(m.evaluate(get('/shop', {}), res({ 'cache-control': 'private, max-age=600' })));
    assert.deepEqual(priv.profile.options!, { defaultTtl: 3600, recv: 'lookup', hashExtra: ['cookie:currency'], fetch: { action: 'pass' } });
    for (const e of [zero, priv]) assert.equal(shared(e), 'no');
  });

  it('sessions, tokens and streams are passed; redirects are answered at the edge', () => {
    const mypage = one(m.evaluate(get('/mypage', { cookie: 'sid=alice' }), res({ 'cache-control': 'private' })));
    assert.deepEqual([mypage.handler.at.line, mypage.profile.options], [95, { defaultTtl: 3600, recv: 'pass', fetch: { action: 'pass' } }]);
    const api = one(m.evaluate(get('/api/me', { authorization: 'Bearer x' }), res({})));
    assert.deepEqual([api.handler.at.line, shared(api)], [98, 'no']);
    const stream = one(m.evaluate(get('/api/stream/x', {}), res({})));
    assert.deepEqual([stream.profile.options, prov(stream)], [
      { defaultTtl: 3600, recv: 'pass', hashIgnoreBusy: true, fetch: { action: 'deliver', ttl: 3600 } },
      ['hashIgnoreBusy@main.vcl:83', 'recv@main.vcl:84', 'fetch.ttl@main.vcl:168', 'fetch.action@main.vcl:174'],
    ]);
    const sale = one(m.evaluate(get('/sale', {}), res({})));
    assert.deepEqual([sale.caching, sale.handler.label, sale.request.headers], [false, 'vcl_recv: error 801 "redirect"', { host: 'www.example.test', 'X-Redirect': '/shop/sale' }]);
    const apex = one(m.evaluate(get('/x', { host: 'example.test' }), res({})));
    assert.deepEqual([apex.caching, apex.handler.at.line, apex.request.headers['X-Redirect']], [false, 69, 'https://www.example.test/x']);
  });
});

describe('generated benchmark VCL (bench/fixtures/vcl.ts)', () => {
  it('is deterministic, about the size asked for, and reads and evaluates', () => {
    const a = bigVcl(5000);
    assert.deepEqual(bigVcl(5000), a);
    const lines = [a.main, ...Object.values(a.files)].reduce((n, t) => n + t.split('\n').length, 0);
    assert.ok(lines >= 5000 && lines < 5500, `${lines} lines`);
    const m = loadVclSource(a.main, 'main.vcl', {
      readFile: (p) => {
        const f = a.files[basename(p)];
        if (f === undefined) throw new Error(`ENOENT ${p}`);
        return f;
      },
    });
    assert.equal(m.files.length, Object.keys(a.files).length + 1);
    assert.equal(m.subs('vcl_recv').length, 1);
    const e = one(m.evaluate(get('/static/app.css', { cookie: 'sid=a; _ga=1' }), res({ 'cache-control': 'max-age=60' })));
    assert.deepEqual(e.profile.options, { recv: 'hash', stripRequestCookie: true, backendResponse: { skipBuiltin: true, ttl: 86400 } });
    const purge = m.evaluate(get('/x', {}, 'PURGE'), res({}));
    assert.deepEqual(purge.map((p) => [p.caching, p.assumptions.map((x) => x.text)]), [
      [false, ['client.ip !~ purgers taken']],
      [false, ['client.ip !~ purgers not taken']],
    ]);
  });
});
