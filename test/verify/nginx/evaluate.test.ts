/** evaluate(): the effective cache directives mapped onto NginxOptions with provenance, on every lab scenario and the realistic fixture. */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { explain } from '../../../src/semantics/index.ts';
import type { HttpRequestInfo, HttpResponseInfo, NginxOptions } from '../../../src/semantics/types.ts';
import { loadNginx, memoryFs, parseCacheValid, parseNginx, parseNginxTime, proxyHostOf, type NginxDirective, type NginxModel } from '../../../src/verify/nginx/index.ts';
import type { RouteEvaluation } from '../../../src/verify/types.ts';

const LAB = (s: string) => fileURLToPath(new URL(`../../../lab/scenarios/nginx/${s}.conf`, import.meta.url));
const REALISTIC = fileURLToPath(new URL('../fixtures/nginx/realistic/nginx.conf', import.meta.url));
const NOW = Date.parse('2026-11-21T12:00:00Z');
const RES: HttpResponseInfo = { status: 200, headers: { date: new Date(NOW).toUTCString() } };

const get = (url: string, host: string, headers: Record<string, string> = {}): HttpRequestInfo => ({ method: 'GET', url, scheme: 'https', headers: { host, ...headers } });
const model = (http: string): NginxModel => loadNginx('n.conf', memoryFs({ 'n.conf': `events {}\nhttp {\n${http}\n}\n` }));
const prov = (e: RouteEvaluation): string[] => e.provenance.map((p) => `${p.option} ${basename(p.at.file)}:${p.at.line} ${p.text}`);
const options = (e: RouteEvaluation): NginxOptions => (e.profile.id === 'nginx' ? (e.profile.options ?? {}) : assert.fail('not nginx'));

interface Expected {
  urls: string[];
  location: string;
  options: NginxOptions;
  provenance: string[];
}

const PASS = 'proxyHost';
const LAB_EXPECTED: Record<string, Expected[]> = {
  S1: [
    {
      urls: ['/mypage', '/orders', '/api/me', '/mypage/x.css'],
      location: 'location /',
      options: { cache: true, proxyHost: 'shop_app', ignoreHeaders: ['Cache-Control', 'Expires'], valid: [{ codes: [200], seconds: 1 }], lock: true },
      provenance: [`${PASS} S1.conf:50 proxy_pass http://shop_app;`, 'cache S1.conf:51 proxy_cache edge;', 'ignoreHeaders S1.conf:52 proxy_ignore_headers Cache-Control Expires;', 'valid S1.conf:53 proxy_cache_valid 200 1s;', 'lock S1.conf:54 proxy_cache_lock on;'],
    },
    { urls: ['/static/app.css'], location: 'location /static/', options: { cache: true, proxyHost: 'shop_app' }, provenance: [`${PASS} S1.conf:44 proxy_pass http://shop_app;`, 'cache S1.conf:45 proxy_cache edge;'] },
  ],
  S2a: [
    {
      urls: ['/mypage', '/orders', '/mypage/x.css'],
      location: 'location ~ ^/(mypage|orders|transactions/)',
      options: { cache: true, proxyHost: 'shop_app', ignoreHeaders: ['Cache-Control', 'Expires'], valid: [{ codes: [200], seconds: 600 }] },
      provenance: [`${PASS} S2a.conf:39 proxy_pass http://shop_app;`, 'cache S2a.conf:40 proxy_cache edge;', 'ignoreHeaders S2a.conf:41 proxy_ignore_headers Cache-Control Expires;', 'valid S2a.conf:42 proxy_cache_valid 200 10m;'],
    },
    { urls: ['/api/me'], location: 'location /api/', options: { cache: false }, provenance: [] },
    { urls: ['/static/app.css'], location: 'location /', options: { cache: true, proxyHost: 'shop_app' }, provenance: [`${PASS} S2a.conf:52 proxy_pass http://shop_app;`, 'cache S2a.conf:53 proxy_cache edge;'] },
  ],
  S2b: [
    { urls: ['/mypage', '/orders', '/api/me', '/mypage/x.css'], location: 'location /', options: { cache: false }, provenance: [] },
    { urls: ['/static/app.css'], location: 'location /static/', options: { cache: true, proxyHost: 'shop_app' }, provenance: [`${PASS} S2b.conf:49 proxy_pass http://shop_app;`, 'cache S2b.conf:50 proxy_cache edge;'] },
  ],
  S3: [
    { urls: ['/mypage', '/orders', '/static/app.css', '/mypage/x.css'], location: 'location /', options: { cache: true, proxyHost: 'shop_app' }, provenance: [`${PASS} S3.conf:44 proxy_pass http://shop_app;`, 'cache S3.conf:45 proxy_cache edge;'] },
    {
      urls: ['/api/me'],
      location: 'location /api/',
      options: { cache: true, proxyHost: 'shop_app', valid: [{ codes: [200], seconds: 60 }] },
      provenance: [`${PASS} S3.conf:38 proxy_pass http://shop_app;`, 'cache S3.conf:39 proxy_cache edge;', 'valid S3.conf:40 proxy_cache_valid 200 1m;'],
    },
  ],
  S4: [
    {
      urls: ['/mypage', '/orders', '/api/me', '/static/app.css', '/mypage/x.css'],
      location: 'location /',
      options: { cache: true, proxyHost: 'shop_app', ignoreHeaders: ['Vary'] },
      provenance: [`${PASS} S4.conf:39 proxy_pass http://shop_app;`, 'cache S4.conf:40 proxy_cache edge;', 'ignoreHeaders S4.conf:41 proxy_ignore_headers Vary;'],
    },
  ],
  S5: [
    { urls: ['/mypage', '/orders', '/api/me'], location: 'location /', options: { cache: false }, provenance: [] },
    {
      urls: ['/static/app.css', '/mypage/x.css'],
      location: 'location ~* \\.(css|js|png|jpe?g|gif|svg|ico|woff2?)$',
      options: { cache: true, proxyHost: 'shop_app', ignoreHeaders: ['Cache-Control', 'Expires', 'Set-Cookie'], valid: [{ codes: [200], seconds: 86400 }], hideHeaders: ['Set-Cookie'] },
      provenance: [
        `${PASS} S5.conf:39 proxy_pass http://shop_app;`,
        'cache S5.conf:40 proxy_cache edge;',
        'ignoreHeaders S5.conf:41 proxy_ignore_headers Cache-Control Expires Set-Cookie;',
        'hideHeaders S5.conf:42 proxy_hide_header Set-Cookie;',
        'valid S5.conf:43 proxy_cache_valid 200 1d;',
      ],
    },
  ],
  S6: [
    {
      urls: ['/mypage', '/orders', '/mypage/x.css'],
      location: 'location ~ ^/(mypage|orders)',
      options: {
        cache: true,
        proxyHost: 'shop_app',
        ignoreHeaders: ['Cache-Control', 'Expires'],
        valid: [{ codes: [200], seconds: 1 }],
        useStale: ['updating', 'error', 'timeout', 'http_500', 'http_502', 'http_503', 'http_504'],
        backgroundUpdate: true,
      },
      provenance: [
        'useStale S6.conf:40 proxy_cache_use_stale updating error timeout http_500 http_502 http_503 http_504;',
        'backgroundUpdate S6.conf:41 proxy_cache_background_update on;',
        `${PASS} S6.conf:45 proxy_pass http://shop_app;`,
        'cache S6.conf:46 proxy_cache edge;',
        'ignoreHeaders S6.conf:47 proxy_ignore_headers Cache-Control Expires;',
        'valid S6.conf:48 proxy_cache_valid 200 1s;',
      ],
    },
    { urls: ['/api/me'], location: 'location /api/', options: { cache: false }, provenance: [] },
    {
      urls: ['/static/app.css'],
      location: 'location /',
      options: { cache: true, proxyHost: 'shop_app', useStale: ['updating', 'error', 'timeout', 'http_500', 'http_502', 'http_503', 'http_504'], backgroundUpdate: true },
      provenance: [
        'useStale S6.conf:40 proxy_cache_use_stale updating error timeout http_500 http_502 http_503 http_504;',
        'backgroundUpdate S6.conf:41 proxy_cache_background_update on;',
        `${PASS} S6.conf:56 proxy_pass http://shop_app;`,
        'cache S6.conf:57 proxy_cache edge;',
      ],
    },
  ],
  SAFE: [
    {
      urls: ['/mypage', '/orders', '/api/me', '/mypage/x.css'],
      location: 'location /',
      options: { cache: true, proxyHost: 'shop_app', bypass: ['$cookie_sid', '$http_authorization'], noCache: ['$cookie_sid', '$http_authorization'] },
      provenance: [
        `${PASS} SAFE.conf:61 proxy_pass http://shop_app;`,
        'cache SAFE.conf:62 proxy_cache edge;',
        'bypass SAFE.conf:63 proxy_cache_bypass $cookie_sid $http_authorization;',
        'noCache SAFE.conf:64 proxy_no_cache $cookie_sid $http_authorization;',
      ],
    },
    {
      urls: ['/static/app.css'],
      location: 'location /static/',
      options: { cache: true, proxyHost: 'shop_app', lock: true, hideHeaders: ['Set-Cookie'] },
      provenance: [`${PASS} SAFE.conf:39 proxy_pass http://shop_app;`, 'cache SAFE.conf:40 proxy_cache edge;', 'hideHeaders SAFE.conf:43 proxy_hide_header Set-Cookie;', 'lock SAFE.conf:44 proxy_cache_lock on;'],
    },
  ],
};

describe('evaluate() on the lab scenarios (Host shop.example.test, sid cookie)', () => {
  for (const [scenario, groups] of Object.entries(LAB_EXPECTED)) {
    it(`${scenario}: options and provenance for /mypage, /orders, /api/me, /static/app.css, /mypage/x.css`, () => {
      const m = loadNginx(LAB(scenario));
      assert.deepEqual(m.files.map((f) => basename(f)), [`${scenario}.conf`, 'lab-common.conf', 'lab-headers.conf']);
      const urls = groups.flatMap((g) => g.urls).sort();
      assert.deepEqual(urls, ['/api/me', '/mypage', '/mypage/x.css', '/orders', '/static/app.css']);
      for (const g of groups) {
        for (const url of g.urls) {
          const evs = m.evaluate(get(url, 'shop.example.test', { cookie: 'sid=cw-session' }), RES);
          assert.equal(evs.length, 1, url);
          const e = evs[0]!;
          assert.equal(e.kind, 'nginx');
          assert.equal(e.handler.label, `${g.location} (server shop.example.test)`, url);
          assert.deepEqual(e.profile, { id: 'nginx', options: g.options }, url);
          assert.deepEqual(prov(e), g.provenance, url);
          assert.equal(e.caching, g.options.cache !== false, url);
          assert.deepEqual(e.assumptions, [], url);
        }
      }
    });
  }

  it('the semantics core reads the mapped profile: S2a shares /mypage, SAFE does not, S1 shares only through collapsing', () => {
    const personal: HttpResponseInfo = { status: 200, headers: { date: new Date(NOW).toUTCString(), 'cache-control': 'private, no-store' } };
    const noCache: HttpResponseInfo = { status: 200, headers: { date: new Date(NOW).toUTCString(), 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } };
    const shared = (s: string, res: HttpResponseInfo): string => {
      const e = loadNginx(LAB(s)).evaluate(get('/mypage', 'shop.example.test', { cookie: 'sid=cw-session' }), res)[0]!;
      return explain(e.request, e.response, e.profile, NOW).sharedAcrossIdentities.value;
    };
    assert.equal(shared('S2a', personal), 'yes');
    assert.equal(shared('SAFE', personal), 'no');
    assert.equal(shared('S1', noCache), 'yes');
    assert.equal(shared('S2b', personal), 'no');
  });
});

describe('evaluate() on the realistic fixture', () => {
  const m = loadNginx(REALISTIC);
  const shop = (url: string, headers: Record<string, string> = {}) => m.evaluate(get(url, 'shop.example.test', headers), RES);
  const one = (evs: RouteEvaluation[]): RouteEvaluation => {
    assert.equal(evs.length, 1);
    return evs[0]!;
  };

  it('inherits server-level key, stale and lock into a location, with provenance in configuration order across files', () => {
    const e = one(shop('/items/42'));
    assert.equal(e.handler.label, 'location /items/ (server shop.example.test)');
    assert.deepEqual(options(e), {
      cache: true,
      proxyHost: 'shop_app',
      valid: [
        { codes: [200, 301], seconds: 60 },
        { codes: [404], seconds: 10 },
      ],
      key: '$scheme$host$request_uri',
      lock: true,
      useStale: ['error', 'timeout', 'updating', 'http_502', 'http_503'],
      bypass: ['$cookie_session', '$http_authorization'],
      noCache: ['$cookie_session', '$http_authorization'],
    });
    assert.deepEqual(prov(e), [
      'key shop.conf:12 proxy_cache_key $scheme$host$request_uri;',
      'useStale shop.conf:13 proxy_cache_use_stale error timeout updating http_502 http_503;',
      'lock shop.conf:14 proxy_cache_lock on;',
      'proxyHost shop.conf:31 proxy_pass http://shop_app;',
      'cache shop.conf:32 proxy_cache pages;',
      'valid shop.conf:33 proxy_cache_valid 200 301 1m;',
      'valid shop.conf:34 proxy_cache_valid 404 10s;',
      'bypass shop.conf:35 proxy_cache_bypass $cookie_session $http_authorization;',
      'noCache shop.conf:36 proxy_no_cache $cookie_session $http_authorization;',
    ]);
  });

  it('passes map values with their taint, and the map lines as provenance', () => {
    const home = one(shop('/', { cookie: 'session=s1' }));
    assert.deepEqual(options(home).variables, { logged_in: { value: '1', identity: false } });
    assert.deepEqual(prov(home).filter((p) => p.startsWith('variables')), ['variables nginx.conf:42 map $cookie_session $logged_in { … }']);
    const api = one(m.evaluate(get('/v1/me', 'api.example.test', { authorization: 'Bearer tok-1' }), RES));
    assert.equal(options(api).key, '$scheme$host$request_uri$bearer');
    assert.deepEqual(options(api).variables, { bearer: { value: 'tok-1', identity: true } });
    assert.deepEqual(prov(api), [
      'variables nginx.conf:46 map $http_authorization $bearer { … }',
      'variables nginx.conf:47 "~*^Bearer\\s+(?<bearer_token>\\S+)$" $bearer_token;',
      'cache api.conf:8 proxy_cache pages;',
      'valid api.conf:9 proxy_cache_valid 200 30s;',
      'proxyHost api.conf:16 proxy_pass http://api_backend;',
      'key api.conf:17 proxy_cache_key $scheme$host$request_uri$bearer;',
    ]);
    const key = explain(api.request, api.response, api.profile, NOW).request.key.value;
    assert.equal(key.value, 'httpsapi.example.test/v1/metok-1');
    assert.equal(key.includesIdentity, true);
  });

  it('a set variable used in the key is passed with its value', () => {
    const e = one(shop('/search?q=shoes&page=2'));
    assert.equal(options(e).key, 'search:$search_key');
    assert.deepEqual(options(e).variables, { search_key: { value: 'shoes|2', identity: false } });
    assert.deepEqual(prov(e).filter((p) => p.startsWith('variables') || p.startsWith('key')), ['variables shop.conf:107 set $search_key "$arg_q|$arg_page";', 'key shop.conf:110 proxy_cache_key "search:$search_key";']);
  });

  it('decides if conditions on the request: $cookie_session = "" returns, $http_x_debug sets a skip flag', () => {
    const anon = one(shop('/mypage'));
    assert.deepEqual([anon.caching, anon.profile, prov(anon)], [false, { id: 'nginx', options: { cache: false } }, ['cache shop.conf:77 return 302 /account/login;']]);
    assert.equal(one(shop('/mypage', { cookie: 'session=s1' })).caching, true);
    assert.deepEqual(options(one(shop('/promo/a', { 'x-debug': '1' }))).variables, { skip_cache: { value: '1', identity: false } });
    assert.deepEqual(options(one(shop('/promo/a'))).variables, { skip_cache: { value: '', identity: false } });
  });

  it('splits on undecidable conditions and records the assumption of each branch', () => {
    const about = shop('/about', { cookie: 'session=s1' });
    assert.deepEqual(
      about.map((e) => [e.handler.label, e.caching, e.assumptions.map((a) => `${basename(a.at.file)}:${a.at.line} ${a.text}`)]),
      [
        ['location @app (server shop.example.test)', true, ['shop.conf:138 try_files $uri @app: no file exists; falls back to @app']],
        ['location / (server shop.example.test)', false, ['shop.conf:138 try_files $uri @app: a file exists (served from disk)']],
      ],
    );
    assert.deepEqual(options(about[0]!).variables, { identity: { value: 's1', identity: true } });
    const checkout = shop('/checkout/pay');
    assert.deepEqual(
      checkout.map((e) => [e.caching, prov(e), e.assumptions.map((a) => a.text)]),
      [[false, ['cache shop.conf:99 proxy_cache off;'], ['if (-f $document_root/maintenance.html) not taken']]],
    );
    assert.deepEqual(
      m.routes(get('/checkout/pay', 'shop.example.test')).map((o) => [o.handler.kind, o.env.assumptions.map((a) => a.text)]),
      [
        ['pass', ['if (-f $document_root/maintenance.html) not taken']],
        ['return', ['if (-f $document_root/maintenance.html) taken']],
      ],
    );
  });

  it('follows server-level rewrites: permanent redirects answer, last rewrites change the URI', () => {
    const old = one(shop('/product/42'));
    assert.deepEqual([old.handler.label, old.caching, prov(old)], ['server shop.example.test', false, ['cache shop.conf:17 rewrite ^/product/(\\d+)$ /items/$1 permanent;']]);
    assert.equal(one(shop('/catalog/42')).handler.label, 'location /items/ (server shop.example.test)');
  });

  it('refuses external requests to internal locations, answers return locations itself', () => {
    assert.deepEqual(prov(one(shop('/internal/x'))), ['cache shop.conf:128 internal;']);
    assert.equal(one(shop('/api/orders')).handler.label, 'location /api (server shop.example.test)');
    assert.equal(one(shop('/static/app.js.map')).caching, false);
  });

  it('maps fastcgi_* cache directives when the location uses fastcgi_pass', () => {
    const e = one(m.evaluate(get('/index.php', 'blog.example.test', { cookie: 'wordpress_logged_in=u1' }), RES));
    assert.deepEqual(options(e), {
      cache: true,
      ignoreHeaders: ['Cache-Control', 'Expires'],
      valid: [{ codes: [200, 301, 302], seconds: 300 }],
      key: '$scheme$request_method$host$request_uri',
      bypass: ['$skip_blog_cache'],
      noCache: ['$skip_blog_cache'],
      variables: { skip_blog_cache: { value: '1', identity: false } },
    });
    assert.deepEqual(prov(e).slice(0, 2), ['variables blog.conf:14 set $skip_blog_cache 1;', 'cache blog.conf:24 fastcgi_cache blog;']);
  });

  it('media host: hostnames map in the key, "any" validity, methods', () => {
    const e = one(m.evaluate(get('/img/1.png', 'media.acme.example.test'), RES));
    assert.deepEqual(options(e), {
      cache: true,
      proxyHost: 'media_store',
      ignoreHeaders: ['Set-Cookie', 'Vary'],
      valid: [{ codes: 'any', seconds: 3600 }],
      key: '$tenant$request_uri',
      methods: ['GET', 'HEAD'],
      variables: { tenant: { value: 'acme', identity: false } },
    });
  });

  it('a request on a port no server listens on is routed by name, with an assumption when the port was explicit', () => {
    const e = one(m.evaluate({ method: 'GET', url: 'http://shop.example.test:8080/x', headers: {} }, RES));
    assert.deepEqual([e.handler.label, e.caching, e.assumptions.map((a) => a.text)], ['location / (server shop.example.test)', false, ['no server listens on port 8080; the server was chosen by name among all servers']]);
    const tlsOff = model('server { listen 80; server_name a.test; location / { proxy_pass http://b; proxy_cache z; } }').evaluate(get('/', 'a.test'), RES)[0]!;
    assert.deepEqual([tlsOff.caching, tlsOff.assumptions], [true, []]);
  });
});

describe('evaluate() edge cases', () => {

  it('is never empty: no server at all gives one non-caching evaluation', () => {
    const evs = loadNginx('n.conf', memoryFs({ 'n.conf': 'events {}\n' })).evaluate(get('/', 'a.test'), RES);
    assert.deepEqual(
      evs.map((e) => [e.handler.label, e.handler.at, e.caching, e.profile]),
      [['no server', { file: 'n.conf', line: 1, column: 1 }, false, { id: 'nginx', options: { cache: false } }]],
    );
  });

  it('a location without any *_pass serves files: no cache even with proxy_cache set', () => {
    const e = model('proxy_cache z; server { listen 80; location / { root /srv; } }').evaluate(get('/', 'a.test'), RES)[0]!;
    assert.deepEqual([e.caching, e.profile], [false, { id: 'nginx', options: { cache: false } }]);
  });

  it('proxy_cache off at the innermost level turns the cache off, with that line as provenance', () => {
    const e = model('proxy_cache z; server { listen 80; location / { proxy_pass http://b; proxy_cache off; } }').evaluate(get('/', 'a.test'), RES)[0]!;
    assert.deepEqual(prov(e), ['cache n.conf:3 proxy_cache off;']);
  });

  it('uwsgi without a cache key: assumption recorded', () => {
    const e = model('server { listen 80; location / { uwsgi_pass 127.0.0.1:3031; uwsgi_cache u; uwsgi_cache_valid 1m; } }').evaluate(get('/', 'a.test'), RES)[0]!;
    assert.deepEqual(options(e), { cache: true, valid: [{ codes: [], seconds: 60 }] });
    assert.deepEqual(e.assumptions.map((a) => a.text), ['uwsgi_cache_key is not set (nginx requires it with uwsgi_cache); the proxy default key was assumed']);
  });

  it('more undecidable conditions than MAX_BRANCHES: the rest is noted', () => {
    const ifs = Array.from({ length: 4 }, (_, i) => `if (-f /x${i}) { set $a${i} 1; }`).join(' ');
    const evs = model(`server { listen 80; location / { ${ifs} proxy_pass http://b; } }`);
    const routes = evs.routes(get('/', 'a.test'));
    assert.equal(routes.length, 8);
    assert.deepEqual(routes[7]!.env.assumptions.map((a) => a.text).slice(-1), ['more than 8 undecidable branches; the others were not evaluated']);
    assert.equal(evs.evaluate(get('/', 'a.test'), RES).length, 1);
  });
});

describe('value parsing', () => {
  it('nginx times', () => {
    assert.deepEqual(['1s', '10m', '1h', '1d', '1w', '1M', '1y', '500ms', '1h30m', '90', '-1', '-1h', '0', 'x', '1x', '', '30m1h'].map(parseNginxTime), [1, 600, 3600, 86400, 604800, 2592000, 31536000, 0.5, 5400, 90, -1, -3600, 0, undefined, undefined, undefined, undefined]);
  });

  it('proxy_cache_valid lines', () => {
    const valid = (src: string) => parseCacheValid(parseNginx(src, 't')[0] as NginxDirective);
    assert.deepEqual(valid('proxy_cache_valid 10m;'), { codes: [], seconds: 600 });
    assert.deepEqual(valid('proxy_cache_valid 200 302 1h;'), { codes: [200, 302], seconds: 3600 });
    assert.deepEqual(valid('proxy_cache_valid any 1m;'), { codes: 'any', seconds: 60 });
    assert.equal(valid('proxy_cache_valid 200 soon;'), undefined);
  });

  it('$proxy_host from proxy_pass', () => {
    assert.deepEqual(['http://shop_app', 'http://127.0.0.1:8080/path', 'https://user@api.test:8443', 'http://unix:/tmp/app.sock:/x'].map(proxyHostOf), ['shop_app', '127.0.0.1:8080', 'api.test:8443', 'localhost']);
  });
});
