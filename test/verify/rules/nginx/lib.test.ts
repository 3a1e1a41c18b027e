/**
 * The helpers the nginx rules share (src/verify/rules/nginx/lib/): caching blocks, variable
 * dependencies, identity and host inputs, what a written Cache-Control amounts to, which request
 * variants carry identity, whether a credential reaches the upstream; and that every rule's
 * messages name the directive as written in the file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadNginx, memoryFs, type NginxModel } from '../../../../src/verify/nginx/index.ts';
import { NGINX_RULES } from '../../../../src/verify/rules/nginx/index.ts';
import { cachedForOthers, credentialForwarded, exchangesOf, frontProfiles, identifiedVariants } from '../../../../src/verify/rules/nginx/lib/exchanges.ts';
import { classify } from '../../../../src/verify/rules/nginx/lib/front.ts';
import { baseVariables, blockLabel, cachingBlocks, hostInputs, identityInputs, keyOf, validFor, withProxyHost } from '../../../../src/verify/rules/nginx/lib/structure.ts';
import { requestFor } from '../../../../src/verify/routes.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import { runExample } from '../harness.ts';

const CONF = `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  fastcgi_cache_path /tmp/f keys_zone=php:1m;
  map $cookie_sid $logged_in {
    ""       0;
    default  1;
  }
  map $http_authorization $bearer {
    "~*^Bearer\\s+(?<token>\\S+)$"  $token;
    default                          "";
  }
  map $host $tenant {
    default  public;
  }
  server {
    listen 80;
    server_name a.test;
    proxy_cache edge;
    set $skip 0;
    if ($http_x_debug) {
      set $skip 1;
    }
    location / {
      proxy_pass http://app;
      location /nested/ {
        proxy_pass http://app;
        proxy_set_header Cookie "";
      }
    }
    location /off/ {
      proxy_pass http://app;
      proxy_cache off;
    }
    location /static/ {
      root /srv;
    }
    location ~ \\.php$ {
      fastcgi_pass unix:/run/php.sock;
      fastcgi_cache php;
      fastcgi_cache_key $scheme$host$request_uri;
    }
    location @app {
      proxy_pass http://app;
      proxy_pass_request_headers off;
    }
  }
}
`;

const model: NginxModel = loadNginx('nginx.conf', memoryFs({ 'nginx.conf': CONF }));

describe('cachingBlocks', () => {
  it('lists every location whose own *_pass goes through a cache zone, nested and named ones included, in order', () => {
    assert.deepEqual(
      cachingBlocks(model).map((b) => `${blockLabel(b)} ${b.module} ${b.zone} :${b.cache.at.line}`),
      [
        'location / (server a.test) proxy edge :18',
        'location /nested/ (server a.test) proxy edge :18',
        'location ~ \\.php$ (server a.test) fastcgi php :39',
        'location @app (server a.test) proxy edge :18',
      ],
    );
  });

  it('keyOf: the key in effect, or the proxy default; withProxyHost puts the upstream in', () => {
    const [root, , php] = cachingBlocks(model);
    assert.deepEqual(keyOf(root!), { template: '$scheme$proxy_host$request_uri', directive: undefined });
    assert.equal(keyOf(php!)!.template, '$scheme$host$request_uri');
    assert.equal(withProxyHost('$scheme$proxy_host$request_uri', root!.pass), '$schemeapp$request_uri');
  });
});

describe('validFor: the *_cache_valid lines that give a status its lifetime', () => {
  const line = (text: string) => loadNginx('v.conf', memoryFs({ 'v.conf': `http { ${text} }` })).http!.block!.find((n) => n.type === 'directive')! as Parameters<typeof validFor>[0];
  it('a bare time covers 200, 301 and 302; any covers all; listed codes only themselves; zero or unreadable times nothing', () => {
    assert.deepEqual([200, 302, 404].map((s) => validFor(line('proxy_cache_valid 10m;'), s)), [true, true, false]);
    assert.deepEqual([200, 404, 500].map((s) => validFor(line('proxy_cache_valid any 1m;'), s)), [true, true, true]);
    assert.deepEqual([200, 404].map((s) => validFor(line('proxy_cache_valid 404 1m;'), s)), [false, true]);
    assert.equal(validFor(line('proxy_cache_valid 200 0;'), 200), false);
    assert.equal(validFor(line('proxy_cache_valid 200 soon;'), 200), false);
  });
});

describe('variable dependencies', () => {
  it('follows maps (source, values, named captures of regex keys) and set (value and the if around it)', () => {
    assert.deepEqual([...baseVariables(model, '$logged_in')], ['cookie_sid']);
    assert.deepEqual([...baseVariables(model, '$bearer$uri')].sort(), ['http_authorization', 'uri']);
    assert.deepEqual([...baseVariables(model, '$skip')], ['http_x_debug']);
    assert.deepEqual([...baseVariables(model, '${tenant}x')], ['host']);
  });

  it('identityInputs: any cookie, the Cookie header, the identity headers, $remote_user; hostInputs: $host, $http_host, $server_name', () => {
    assert.deepEqual(identityInputs(['cookie_any', 'http_cookie', 'http_authorization', 'http_x_api_key', 'remote_user', 'uri']), ['cookie_any', 'http_cookie', 'http_authorization', 'remote_user']);
    assert.deepEqual(identityInputs(['http_x_api_key', 'http_authorization'], ['x-api-key']), ['http_x_api_key']);
    assert.deepEqual(hostInputs(['host', 'http_host', 'server_name', 'proxy_host', 'uri']), ['host', 'http_host', 'server_name']);
  });
});

describe('classify: what a Cache-Control value nginx writes amounts to', () => {
  for (const [value, expected] of [
    ['private, no-store', 'protective'],
    ['no-cache', 'zero'],
    ['public, no-cache', 'zero'],
    ['max-age=0', 'zero'],
    ['public, max-age=0', 'zero'],
    ['public, s-maxage=0, max-age=60', 'zero'],
    ['max-age=60', 'positive'],
    ['public', 'positive'],
    ['s-maxage=300', 'positive'],
    ['must-revalidate', 'other'],
  ] as const) {
    it(`"${value}" is ${expected}`, () => assert.equal(classify(value), expected));
  }
});

describe('identified variants and credentials', () => {
  it('the cookie variant needs identity cookies, the bearer variant Authorization among the identity headers', () => {
    assert.deepEqual(identifiedVariants(makeSettings({ personalized: [] })), ['cookie', 'authorization']);
    assert.deepEqual(identifiedVariants(makeSettings({ personalized: [], identity: { cookies: [] } })), ['authorization']);
    assert.deepEqual(identifiedVariants(makeSettings({ personalized: [], identity: { cookies: ['sid'], headers: ['x-api-key'] } })), ['cookie']);
  });

  it('frontProfiles: the profile named, or every vendor profile for rfc9111', () => {
    assert.deepEqual(frontProfiles(makeSettings({ personalized: [], profile: { id: 'fastly' } })), [{ id: 'fastly' }]);
    assert.deepEqual(
      frontProfiles(makeSettings({ personalized: [] })).map((p) => p.id),
      ['fastly', 'varnish7', 'varnish8', 'nginx', 'cloudflare', 'cloudfront', 'akamai'],
    );
  });

  it('a credential cleared by proxy_set_header, or all headers held back, does not reach the upstream; such a request is not cached for others', () => {
    const settings = makeSettings({ personalized: ['/x'], identity: { cookies: ['sid'] }, host: 'a.test' });
    const at = (url: string, variant: 'cookie' | 'authorization') => exchangesOf(model, variant, requestFor(url, variant, settings), { status: 200, headers: {} }, settings)[0]!;
    assert.equal(credentialForwarded(at('/page', 'cookie')), true);
    assert.equal(cachedForOthers(at('/page', 'cookie')), true);
    assert.equal(credentialForwarded(at('/nested/page', 'cookie')), false);
    assert.equal(cachedForOthers(at('/nested/page', 'cookie')), false);
    assert.equal(credentialForwarded(at('/nested/page', 'authorization')), true);
    assert.equal(cachedForOthers(at('/off/page', 'cookie')), false);
  });
});

describe('every nginx rule names the directive as written', () => {
  for (const rule of NGINX_RULES) {
    it(`${rule.id}: each finding of each bad example quotes the line it points at`, () => {
      for (const ex of rule.examples.bad) {
        const lines = Object.values(ex.files)[0]!.split('\n');
        for (const f of runExample(rule, ex)) {
          const written = lines[f.line - 1]!.trim().replace(/ \{$/, '');
          assert.ok(f.message.includes(written), `${rule.id} "${ex.name}": "${f.message}" should quote "${written}"`);
        }
      }
    });
  }
});
