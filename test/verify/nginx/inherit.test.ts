/** nginx inheritance: innermost level wins with all its lines, groups, handler directives not inherited, `if` blocks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { directiveText, loadNginx, memoryFs, type NginxModel } from '../../../src/verify/nginx/index.ts';

const REALISTIC = fileURLToPath(new URL('../fixtures/nginx/realistic/nginx.conf', import.meta.url));

const CONF = `events {}
http {
    proxy_cache_valid 200 10m;
    proxy_cache_valid 404 1m;
    proxy_ignore_headers Set-Cookie;
    add_header X-Http 1;
    proxy_hide_header X-Powered-By;
    proxy_set_header Host $host;
    proxy_cache_key $host$uri;
    server {
        listen 80;
        server_name a.test;
        add_header X-Server 1;
        add_header X-Server-2 1;
        proxy_cache edge;
        location / {
            proxy_pass http://app;
            location /nested/ {
                proxy_cache_valid 200 5s;
            }
            location /nested-pass/ {
                proxy_pass_header X-Powered-By;
            }
        }
        location /headers/ {
            proxy_pass http://app;
            add_header X-Location 1;
            proxy_ignore_headers Cache-Control;
            proxy_ignore_headers Expires;
        }
        location /if/ {
            proxy_pass http://app;
            if ($http_x_a) {
                add_header X-If 1;
                proxy_cache off;
            }
        }
    }
}
`;

const lines = (m: NginxModel, name: string, uri: string): string[] => m.effective(name, m.resolve('a.test', uri).chain).map((d) => `${d.at.line}: ${directiveText(d)}`);

describe('effective directives', () => {
  const m = loadNginx('nginx.conf', memoryFs({ 'nginx.conf': CONF }));

  it('inherits every line of the nearest level that has the directive', () => {
    assert.deepEqual(lines(m, 'proxy_cache_valid', '/x'), ['3: proxy_cache_valid 200 10m;', '4: proxy_cache_valid 404 1m;']);
    assert.deepEqual(lines(m, 'proxy_cache', '/x'), ['15: proxy_cache edge;']);
    assert.deepEqual(lines(m, 'proxy_cache_key', '/headers/a'), ['9: proxy_cache_key $host$uri;']);
  });

  it('a level that has any line of a list directive drops the outer lines (proxy_cache_valid, add_header)', () => {
    assert.deepEqual(lines(m, 'proxy_cache_valid', '/nested/a'), ['19: proxy_cache_valid 200 5s;']);
    assert.deepEqual(lines(m, 'add_header', '/x'), ['13: add_header X-Server 1;', '14: add_header X-Server-2 1;']);
    assert.deepEqual(lines(m, 'add_header', '/headers/a'), ['27: add_header X-Location 1;']);
  });

  it('several lines of a bitmask directive at one level all apply (proxy_ignore_headers)', () => {
    assert.deepEqual(lines(m, 'proxy_ignore_headers', '/headers/a'), ['28: proxy_ignore_headers Cache-Control;', '29: proxy_ignore_headers Expires;']);
    assert.deepEqual(lines(m, 'proxy_ignore_headers', '/x'), ['5: proxy_ignore_headers Set-Cookie;']);
  });

  it('proxy_hide_header and proxy_pass_header inherit as one group', () => {
    assert.deepEqual(lines(m, 'proxy_hide_header', '/x'), ['7: proxy_hide_header X-Powered-By;']);
    assert.deepEqual(lines(m, 'proxy_hide_header', '/nested-pass/a'), []);
    assert.deepEqual(lines(m, 'proxy_pass_header', '/nested-pass/a'), ['22: proxy_pass_header X-Powered-By;']);
  });

  it('proxy_pass is not inherited by a nested location', () => {
    assert.deepEqual(lines(m, 'proxy_pass', '/x'), ['17: proxy_pass http://app;']);
    assert.deepEqual(lines(m, 'proxy_pass', '/nested/a'), []);
  });

  it('a taken if block is one more level: its add_header drops the location ones, proxy_pass is inherited into it', () => {
    const [taken] = m.routes({ method: 'GET', url: '/if/a', headers: { host: 'a.test', 'x-a': '1' } });
    assert.deepEqual(
      taken!.chain.map((d) => d.name),
      ['http', 'server', 'location', 'if'],
    );
    assert.deepEqual(m.effective('add_header', taken!.chain).map((d) => d.at.line), [34]);
    assert.deepEqual(m.effective('proxy_cache', taken!.chain).map(directiveText), ['proxy_cache off;']);
    assert.deepEqual(m.effective('proxy_pass', taken!.chain).map((d) => d.at.line), [32]);
    const [notTaken] = m.routes({ method: 'GET', url: '/if/a', headers: { host: 'a.test' } });
    assert.deepEqual(notTaken!.chain.map((d) => d.name), ['http', 'server', 'location']);
    assert.deepEqual(m.effective('add_header', notTaken!.chain).map((d) => d.at.line), [13, 14]);
  });

  it('the realistic fixture: the account area drops the server add_header, the static area replaces it with the security headers', () => {
    const r = loadNginx(REALISTIC);
    const headers = (uri: string): string[] => r.effective('add_header', r.resolve('shop.example.test', uri, { port: 443 }).chain).map((d) => d.args[0]!);
    assert.deepEqual(headers('/items/1'), ['X-Edge']);
    assert.deepEqual(headers('/account/orders'), ['Cache-Control']);
    assert.deepEqual(headers('/static/fonts/'), ['Strict-Transport-Security', 'X-Frame-Options', 'Referrer-Policy']);
    assert.deepEqual(headers('/account/login'), ['Cache-Control']);
    const api = r.effective('add_header', r.resolve('api.example.test', '/v1/me', { port: 443 }).chain).map((d) => d.args[0]!);
    assert.deepEqual(api, ['X-Content-Type-Options']);
    const keys = r.effective('proxy_cache_key', r.resolve('shop.example.test', '/items/1', { port: 443 }).chain).map(directiveText);
    assert.deepEqual(keys, ['proxy_cache_key $scheme$host$request_uri;']);
  });
});
