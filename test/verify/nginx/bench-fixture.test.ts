/** The benchmark's generated nginx configuration: deterministic, about the requested size, and it loads and evaluates. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bigNginxConfig } from '../../../bench/fixtures/nginx.ts';
import { loadNginx, memoryFs } from '../../../src/verify/nginx/index.ts';

const lines = (files: Record<string, string>): number => Object.values(files).reduce((n, t) => n + t.split('\n').length - 1, 0);

describe('bigNginxConfig', () => {
  it('is deterministic and about the requested size', () => {
    const a = bigNginxConfig(10_000);
    assert.deepEqual(bigNginxConfig(10_000), a);
    assert.equal(a.main, 'nginx.conf');
    const n = lines(a.files);
    assert.ok(n >= 10_000 && n < 10_070, `${n} lines`);
    assert.equal(Object.keys(a.files).length, 146);
  });

  it('loads as one multi-file configuration with many servers, locations and maps', () => {
    const { main, files } = bigNginxConfig(10_000);
    const m = loadNginx(main, memoryFs(files));
    assert.equal(m.files.length, 146);
    assert.equal(m.servers.length, 286);
    assert.equal(m.maps.size, 4);
    assert.equal(
      m.servers.reduce((n, s) => n + s.locations.length, 0),
      143 * 7,
    );
    const e = m.evaluate({ method: 'GET', url: '/api/me', scheme: 'https', headers: { host: 'site0007.example.test', authorization: 'Bearer t' } }, { status: 200, headers: {} });
    assert.deepEqual(
      e.map((x) => [x.handler.label, x.profile]),
      [
        [
          'location /api/ (server site0007.example.test)',
          {
            id: 'nginx',
            options: {
              cache: true,
              proxyHost: 'app_1',
              key: '$scheme$host$request_uri$bearer',
              bypass: ['$http_authorization', '$cookie_session'],
              noCache: ['$http_authorization', '$cookie_session'],
              variables: { bearer: { value: 't', identity: true } },
            },
          },
        ],
      ],
    );
  });
});
