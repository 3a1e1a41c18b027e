/** nginx request routing: server by port and server_name, location by every matching rule; structural checks on the realistic fixture. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNginx, memoryFs, normalizeUri, type NginxModel } from '../../../src/verify/nginx/index.ts';

const REALISTIC = fileURLToPath(new URL('../fixtures/nginx/realistic/nginx.conf', import.meta.url));

function model(http: string): NginxModel {
  return loadNginx('nginx.conf', memoryFs({ 'nginx.conf': `events {}\nhttp {\n${http}\n}\n` }));
}

/** `server label` for a host on a port. */
const serverFor = (m: NginxModel, host: string, port?: number): string => {
  const r = m.resolve(host, '/', port === undefined ? {} : { port });
  return `${r.server?.label ?? 'none'} [${r.serverMatch}]`;
};

/** The innermost location's label and the match kind. */
const locationFor = (m: NginxModel, uri: string): string => {
  const r = m.resolve('a.test', uri);
  return `${r.locations.map((l) => l.label).join(' > ') || 'none'} [${r.match}]`;
};

describe('server selection', () => {
  const m = model(`
    server { listen 80; server_name first.test; }
    server { listen 80; server_name exact.test *.wild.test .dot.test; }
    server { listen 80; server_name *.deep.wild.test; }
    server { listen 80; server_name mail.* ; }
    server { listen 80; server_name ~^(?<user>[a-z]+)\\.users\\.test$ ~^www\\d+\\.; }
    server { listen 80 default_server; server_name fallback.test; }
    server { listen 8080; server_name exact.test; }
    server { listen 443 ssl; server_name secure.test; }
  `);

  it('an exact name wins', () => {
    assert.equal(serverFor(m, 'exact.test', 80), 'server exact.test [exact]');
    assert.equal(serverFor(m, 'EXACT.test', 80), 'server exact.test [exact]');
  });
  it('then the longest leading wildcard (".dot.test" also matches "dot.test")', () => {
    assert.equal(serverFor(m, 'a.wild.test', 80), 'server exact.test [leading-wildcard]');
    assert.equal(serverFor(m, 'a.deep.wild.test', 80), 'server *.deep.wild.test [leading-wildcard]');
    assert.equal(serverFor(m, 'dot.test', 80), 'server exact.test [leading-wildcard]');
    assert.equal(serverFor(m, 'x.dot.test', 80), 'server exact.test [leading-wildcard]');
  });
  it('then the longest trailing wildcard', () => {
    assert.equal(serverFor(m, 'mail.example.org', 80), 'server mail.* [trailing-wildcard]');
  });
  it('then the first matching regex, in order of appearance', () => {
    assert.equal(serverFor(m, 'alice.users.test', 80), 'server ~^(?<user>[a-z]+)\\.users\\.test$ [regex]');
    assert.equal(serverFor(m, 'www12.anything', 80), 'server ~^(?<user>[a-z]+)\\.users\\.test$ [regex]');
  });
  it('else the default_server of the port, else the first server on it', () => {
    assert.equal(serverFor(m, 'unknown.test', 80), 'server fallback.test [default_server]');
    assert.equal(serverFor(m, 'unknown.test', 443), 'server secure.test [first]');
  });
  it('only servers listening on the port take part', () => {
    assert.equal(serverFor(m, 'exact.test', 8080), 'server exact.test [exact]');
    assert.equal(m.resolve('exact.test', '/', { port: 8080 }).server?.listen[0]?.port, 8080);
    assert.equal(serverFor(m, 'first.test', 8080), 'server exact.test [first]');
    assert.equal(serverFor(m, 'first.test', 9999), 'none [undefined]');
  });
  it('a listen without a readable port (a template placeholder) counts for every port; no listen means port 80', () => {
    const t = model('server { listen {{LISTEN}}; server_name t.test; }\nserver { server_name plain.test; }');
    assert.equal(serverFor(t, 't.test', 12345), 'server t.test [exact]');
    assert.equal(serverFor(t, 'plain.test', 80), 'server plain.test [exact]');
    assert.equal(serverFor(t, 'plain.test', 81), 'server t.test [first]');
  });
  it('reads listen forms: port, address:port, [v6]:port, address alone, flags', () => {
    const t = model('server { listen 127.0.0.1:8080 default_server; listen [::]:443 ssl; listen localhost; listen 8443 ssl default; }');
    assert.deepEqual(
      t.servers[0]!.listen.map((l) => [l.address, l.port, l.defaultServer, l.ssl]),
      [
        ['127.0.0.1', 8080, true, false],
        ['[::]', 443, false, true],
        ['localhost', 80, false, false],
        [undefined, 8443, true, true],
      ],
    );
  });
});

describe('location matching', () => {
  const m = model(`
    server {
      listen 80;
      server_name a.test;
      location = / { }
      location / { }
      location /docs/ { }
      location /docs/api/ { }
      location ^~ /images/ { }
      location ~* \\.(png|jpg)$ { }
      location ~ ^/docs/.*\\.pdf$ { }
      location ~ \\.pdf$ { }
      location /app/ {
        location /app/admin/ { }
        location ~ \\.json$ { }
      }
      location =/exact-glued { }
      location ~*^/CaSe { }
      location /api/ { proxy_pass http://backend; }
      location @fallback { }
      location ~ (?>atomic) { }
    }
  `);

  it('"=" matches only the exact URI and ends the search', () => {
    assert.equal(locationFor(m, '/'), 'location = / [exact]');
    assert.equal(locationFor(m, '/exact-glued'), 'location =/exact-glued [exact]');
  });
  it('the longest prefix wins when no regex matches', () => {
    assert.equal(locationFor(m, '/index.html'), 'location / [prefix]');
    assert.equal(locationFor(m, '/docs/intro'), 'location /docs/ [prefix]');
    assert.equal(locationFor(m, '/docs/api/v1'), 'location /docs/api/ [prefix]');
  });
  it('regexes are tried in order of appearance after the prefix search, and the first match wins', () => {
    assert.equal(locationFor(m, '/docs/guide.pdf'), 'location ~ ^/docs/.*\\.pdf$ [regex]');
    assert.equal(locationFor(m, '/files/a.pdf'), 'location ~ \\.pdf$ [regex]');
    assert.equal(locationFor(m, '/docs/logo.PNG'), 'location ~* \\.(png|jpg)$ [regex]');
  });
  it('"^~" on the longest prefix skips the regexes', () => {
    assert.equal(locationFor(m, '/images/logo.png'), 'location ^~ /images/ [prefix]');
  });
  it('nested locations are searched inside the matched prefix, their regexes before the outer ones', () => {
    assert.equal(locationFor(m, '/app/admin/users'), 'location /app/ > location /app/admin/ [prefix]');
    assert.equal(locationFor(m, '/app/admin/users.json'), 'location /app/ > location ~ \\.json$ [regex]');
    assert.equal(locationFor(m, '/app/logo.png'), 'location ~* \\.(png|jpg)$ [regex]');
  });
  it('"~*" is case-insensitive, "~" is not', () => {
    assert.equal(locationFor(m, '/case/x'), 'location ~*^/CaSe [regex]');
    assert.equal(locationFor(m, '/x.PDF'), 'location / [prefix]');
  });
  it('named locations are never matched by URI', () => {
    assert.equal(locationFor(m, '@fallback'), 'location / [prefix]');
  });
  it('a request for "/api" is redirected to "/api/" when that location proxies', () => {
    assert.equal(locationFor(m, '/api'), 'location /api/ [redirect]');
    assert.equal(locationFor(m, '/docs'), 'location / [prefix]');
  });
  it('matches the normalized URI: decoded, merged slashes, dot segments resolved', () => {
    assert.equal(locationFor(m, '/%64ocs//api/./v1'), 'location /docs/api/ [prefix]');
    assert.equal(locationFor(m, '/images/../docs/x.pdf?y=1'), 'location ~ ^/docs/.*\\.pdf$ [regex]');
    assert.deepEqual(['/a//b/../c/./d', '/a/b/..', '/..', 'https://h.test/x%2Fy?q'].map(normalizeUri), ['/a/c/d', '/a/', '/', '/x/y']);
  });
  it('a regex JavaScript cannot express is reported and treated as not matching', () => {
    const loc = m.servers[0]!.locations.find((l) => l.pattern === '(?>atomic)')!;
    assert.equal(loc.regex, undefined);
    assert.equal(loc.regexError, 'possessive quantifiers and atomic groups are not supported');
  });
});

describe('routing in the realistic fixture', () => {
  const m = loadNginx(REALISTIC);
  const route = (host: string, uri: string, port = 443): string => {
    const r = m.resolve(host, uri, { port });
    return r.label;
  };

  it('has the servers, upstreams and maps it declares', () => {
    assert.deepEqual(
      m.servers.map((s) => [s.label, s.names, s.listen.map((l) => `${l.port}${l.ssl ? ' ssl' : ''}${l.defaultServer ? ' default' : ''}`)]),
      [
        ['server _', ['_'], ['80 default']],
        ['server shop.example.test', ['shop.example.test', 'www.shop.example.test', 'api.example.test', 'blog.example.test'], ['80']],
        ['server api.example.test', ['api.example.test', '~^api-(?<region>[a-z]+)\\.example\\.test$'], ['443 ssl']],
        ['server blog.example.test', ['blog.example.test', '*.blog.example.test'], ['443 ssl']],
        ['server media.*', ['media.*', '.media.example.test'], ['443 ssl']],
        ['server shop.example.test', ['shop.example.test', 'www.shop.example.test'], ['443 ssl default']],
      ],
    );
    assert.deepEqual([...m.upstreams.keys()], ['shop_app', 'api_backend', 'media_store', 'php_fpm']);
    assert.deepEqual([...m.maps.keys()], ['logged_in', 'bearer', 'identity', 'static_expires', 'tenant']);
  });

  it('sends plain HTTP to the redirect servers', () => {
    assert.equal(route('shop.example.test', '/mypage', 80), 'location / (server shop.example.test)');
    assert.equal(route('shop.example.test', '/.well-known/acme-challenge/x', 80), 'location /.well-known/acme-challenge/ (server shop.example.test)');
    assert.equal(route('evil.test', '/', 80), 'server _');
  });

  it('routes the shop', () => {
    const shop = (uri: string) => route('www.shop.example.test', uri);
    assert.equal(shop('/'), 'location = / (server shop.example.test)');
    assert.equal(shop('/items/42'), 'location /items/ (server shop.example.test)');
    assert.equal(shop('/static/app.css'), 'location ~* \\.(?:css|js|png|jpe?g|gif|svg|ico|woff2?)$ (server shop.example.test)');
    assert.equal(shop('/static/app.js.map'), 'location ~ \\.map$ (server shop.example.test)');
    assert.equal(shop('/static/fonts/'), 'location /static/ (server shop.example.test)');
    assert.equal(shop('/account/avatar.png'), 'location ^~ /account/ (server shop.example.test)');
    assert.equal(shop('/account/login'), 'location /account/login (server shop.example.test)');
    assert.equal(shop('/mypage/x.css'), 'location ~* \\.(?:css|js|png|jpe?g|gif|svg|ico|woff2?)$ (server shop.example.test)');
    assert.equal(shop('/search'), 'location = /search (server shop.example.test)');
    assert.equal(shop('/search/more'), 'location / (server shop.example.test)');
    assert.equal(shop('/apix'), 'location /api (server shop.example.test)');
  });

  it('routes the API, the blog and the media hosts', () => {
    assert.equal(route('api.example.test', '/v1/me'), 'location /v1/me (server api.example.test)');
    assert.equal(route('api-eu.example.test', '/v1/users/7/avatar'), 'location ~ ^/v1/users/(?<user_id>\\d+)/avatar$ (server api.example.test)');
    assert.equal(route('api.example.test', '/v1/public/x'), 'location /v1/public/ (server api.example.test)');
    assert.equal(route('api.example.test', '/v2/x'), 'location / (server api.example.test)');
    assert.equal(route('en.blog.example.test', '/wp-login.php'), 'location ~ \\.php$ (server blog.example.test)');
    assert.equal(route('blog.example.test', '/.htaccess'), 'location ~ /\\.ht (server blog.example.test)');
    assert.equal(route('media.acme.test', '/a.png'), 'location / (server media.*)');
    assert.equal(route('cdn.media.example.test', '/a.png'), 'location / (server media.*)');
    assert.equal(route('unknown.test', '/a'), 'location / (server shop.example.test)');
  });
});
