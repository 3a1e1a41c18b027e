/** downstreamResponse(): what nginx sends to its own client after hide_header, expires and add_header. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HttpResponseInfo } from '../../../src/semantics/types.ts';
import { downstreamResponse, downstreamResponses, expiresHeaders, loadNginx, memoryFs } from '../../../src/verify/nginx/index.ts';

const REALISTIC = fileURLToPath(new URL('../fixtures/nginx/realistic/nginx.conf', import.meta.url));
const NOW = Date.parse('2026-11-21T12:00:00Z');
const DATE = new Date(NOW).toUTCString();

const CONF = `events {}
http {
    map $sent_http_content_type $by_type {
        default   off;
        text/css  7d;
    }
    add_header X-Http 1;
    server {
        listen 80;
        server_name a.test;
        proxy_hide_header X-Internal;
        location /epoch/    { proxy_pass http://b; expires epoch; }
        location /minus/    { proxy_pass http://b; expires -1; }
        location /zero/     { proxy_pass http://b; expires 0; }
        location /hour/     { proxy_pass http://b; expires 1h; }
        location /max/      { proxy_pass http://b; expires max; }
        location /daily/    { proxy_pass http://b; expires @15h30m; }
        location /modified/ { proxy_pass http://b; expires modified 1d; }
        location /typed/    { proxy_pass http://b; expires $by_type; }
        location /headers/ {
            proxy_pass http://b;
            add_header Cache-Control "public, max-age=60";
            add_header X-Always yes always;
            add_header X-Empty "";
            add_header ETag '"v2"';
        }
        location /hide/ {
            proxy_pass http://b;
            proxy_hide_header Set-Cookie;
            proxy_pass_header X-Accel-Expires;
        }
        location /if/ {
            proxy_pass http://b;
            if (-f /maintenance) {
                add_header X-Maintenance 1;
            }
        }
    }
}
`;

const m = loadNginx('nginx.conf', memoryFs({ 'nginx.conf': CONF }));
const res = (headers: Record<string, string | string[]> = {}, status = 200): HttpResponseInfo => ({ status, headers: { date: DATE, ...headers } });
const down = (uri: string, r: HttpResponseInfo = res()) => downstreamResponse(m, { method: 'GET', url: uri, headers: { host: 'a.test' } }, r);

describe('expires', () => {
  it('epoch and negative times: Cache-Control no-cache and an Expires in the past, replacing the upstream Cache-Control', () => {
    const r = down('/epoch/x', res({ 'cache-control': ['private', 'max-age=60'] }));
    assert.deepEqual(r.response.headers, { date: DATE, 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT', 'x-http': '1' });
    assert.deepEqual(
      r.provenance.map((p) => [p.option, p.at.line, p.text]),
      [
        ['response.expires', 12, 'expires epoch;'],
        ['response.cache-control', 12, 'expires epoch;'],
        ['response.x-http', 7, 'add_header X-Http 1;'],
      ],
    );
    assert.deepEqual(down('/minus/x').response.headers, { date: DATE, 'cache-control': 'no-cache', expires: 'Sat, 21 Nov 2026 11:59:59 GMT', 'x-http': '1' });
  });

  it('0 gives max-age=0, a positive time gives max-age, max gives ten years', () => {
    assert.deepEqual(down('/zero/x').response.headers['cache-control'], 'max-age=0');
    assert.deepEqual(down('/zero/x').response.headers.expires, DATE);
    assert.deepEqual([down('/hour/x').response.headers['cache-control'], down('/hour/x').response.headers.expires], ['max-age=3600', 'Sat, 21 Nov 2026 13:00:00 GMT']);
    assert.deepEqual([down('/max/x').response.headers['cache-control'], down('/max/x').response.headers.expires], ['max-age=315360000', 'Thu, 31 Dec 2037 23:55:55 GMT']);
  });

  it('@time of day and modified time', () => {
    assert.deepEqual([down('/daily/x').response.headers['cache-control'], down('/daily/x').response.headers.expires], ['max-age=12600', 'Sat, 21 Nov 2026 15:30:00 GMT']);
    const lm = res({ 'last-modified': 'Fri, 20 Nov 2026 18:00:00 GMT' });
    assert.deepEqual(down('/modified/x', lm).response.headers['cache-control'], 'max-age=21600');
    assert.equal(down('/modified/x').response.headers['cache-control'], undefined);
  });

  it('a variable value (map on the response content type)', () => {
    assert.equal(down('/typed/a.css', res({ 'content-type': 'text/css' })).response.headers['cache-control'], 'max-age=604800');
    assert.deepEqual(down('/typed/a.html', res({ 'content-type': 'text/html', 'cache-control': 'private' })).response.headers['cache-control'], 'private');
  });

  it('applies only to 200, 201, 204, 206, 301, 302, 303, 304, 307, 308', () => {
    assert.equal(down('/minus/x', res({ 'cache-control': 'max-age=5' }, 404)).response.headers['cache-control'], 'max-age=5');
    assert.equal(down('/minus/x', res({}, 304)).response.headers['cache-control'], 'no-cache');
  });

  it('expiresHeaders directly', () => {
    assert.equal(expiresHeaders(['off'], NOW, undefined), undefined);
    assert.deepEqual(expiresHeaders(['-30m'], NOW, undefined), { expires: 'Sat, 21 Nov 2026 11:30:00 GMT', cacheControl: 'no-cache' });
  });
});

describe('add_header and hide_header', () => {
  it('appends Cache-Control, skips empty values, replaces ETag, and drops the inherited lines', () => {
    const r = down('/headers/x', res({ 'cache-control': 'private', etag: '"v1"' }));
    assert.deepEqual(r.response.headers, { date: DATE, 'cache-control': ['private', 'public, max-age=60'], etag: '"v2"', 'x-always': 'yes' });
    assert.deepEqual(
      r.provenance.map((p) => p.option),
      ['response.cache-control', 'response.x-always', 'response.etag'],
    );
  });

  it('without "always", add_header skips other statuses', () => {
    assert.deepEqual(down('/headers/x', res({}, 500)).response.headers, { date: DATE, 'x-always': 'yes' });
  });

  it('hides upstream headers (and X-Accel-* unless passed), inheriting hide lines as a group with pass_header', () => {
    const upstream = res({ 'set-cookie': 'sid=1', 'x-internal': 'db-7', 'x-accel-expires': '60', 'x-accel-redirect': '/x', 'x-pad': 'p' });
    assert.deepEqual(down('/hour/x', upstream).response.headers, {
      date: DATE,
      'set-cookie': 'sid=1',
      'cache-control': 'max-age=3600',
      expires: 'Sat, 21 Nov 2026 13:00:00 GMT',
      'x-http': '1',
    });
    const hidden = down('/hide/x', upstream);
    assert.deepEqual(hidden.response.headers, { date: DATE, 'x-internal': 'db-7', 'x-accel-expires': '60', 'x-http': '1' });
    assert.deepEqual(hidden.provenance.map((p) => [p.option, p.text]), [['response.set-cookie', 'proxy_hide_header Set-Cookie;'], ['response.x-http', 'add_header X-Http 1;']]);
  });

  it('gives one answer per undecidable branch; downstreamResponse is the first', () => {
    const all = downstreamResponses(m, { method: 'GET', url: '/if/x', headers: { host: 'a.test' } }, res());
    assert.deepEqual(
      all.map((d) => [d.response.headers, d.assumptions.map((a) => a.text)]),
      [
        [{ date: DATE, 'x-http': '1' }, ['if (-f /maintenance) not taken']],
        [{ date: DATE, 'x-maintenance': '1' }, ['if (-f /maintenance) taken']],
      ],
    );
    assert.deepEqual(down('/if/x').response.headers, { date: DATE, 'x-http': '1' });
  });

  it('the realistic fixture: /mypage turns the app\'s private, no-store into the no-cache + past Expires pair', () => {
    const r = loadNginx(REALISTIC);
    const d = downstreamResponse(r, { method: 'GET', url: '/mypage', scheme: 'https', headers: { host: 'shop.example.test', cookie: 'session=s1' } }, res({ 'cache-control': 'private, no-store' }));
    assert.deepEqual(d.response.headers, { date: DATE, 'cache-control': 'no-cache', expires: 'Sat, 21 Nov 2026 11:59:59 GMT', 'x-edge': 'shop-1' });
    assert.deepEqual(d.provenance.map((p) => `${p.option} ${p.at.line} ${p.text}`), ['response.expires 82 expires -1;', 'response.cache-control 82 expires -1;', 'response.x-edge 10 add_header X-Edge shop-1 always;']);
  });
});
