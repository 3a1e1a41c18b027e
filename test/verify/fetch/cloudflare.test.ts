import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { fetchCloudflare } from '../../../src/verify/fetch/cloudflare.ts';
import { diffSnapshots } from '../../../src/verify/fetch/diff.ts';
import { jsonFile } from '../../../src/verify/fetch/snapshot.ts';
import { closedPortUrl, FIXED_NOW, localApi, rejectsWithFetchError, type LocalApi } from './helpers.ts';

const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
const EMPTY_ZONE = '9f1a7c4e2b5d4e8f9a0b1c2d3e4f5a6b';
const TOKEN = 'cf-Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFT';

const envelope = (result: unknown, extra: Record<string, unknown> = {}) => ({ success: true, errors: [], messages: [], result, ...extra });
const failure = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

const ruleset = (staticTtl: number) => ({
  id: '2c0fc9fa937b11eaa1b71c4d701ab86e',
  name: 'default',
  description: '',
  kind: 'zone',
  phase: 'http_request_cache_settings',
  version: '3',
  last_updated: '2025-02-20T10:00:00.000000Z',
  rules: [
    {
      id: '3a03d665bac047339bb530ecb439a90d',
      version: '1',
      ref: '3a03d665bac047339bb530ecb439a90d',
      enabled: true,
      description: 'static assets',
      expression: '(http.request.uri.path wildcard "/static/*")',
      action: 'set_cache_settings',
      action_parameters: { cache: true, edge_ttl: { mode: 'override_origin', default: staticTtl }, browser_ttl: { mode: 'respect_origin' } },
      last_updated: '2025-02-20T10:00:00.000000Z',
    },
    {
      id: '5e1b1c1c4b6c4d2f9a8e7d6c5b4a3f2e',
      version: '1',
      ref: '5e1b1c1c4b6c4d2f9a8e7d6c5b4a3f2e',
      enabled: true,
      description: 'never cache the account area',
      expression: '(starts_with(http.request.uri.path, "/account"))',
      action: 'set_cache_settings',
      action_parameters: { cache: false },
      last_updated: '2025-02-20T10:00:00.000000Z',
    },
  ],
});

const PAGE_RULES = [
  {
    id: '9a7806061c88ada191ed06f989cc3dac',
    targets: [{ target: 'url', constraint: { operator: 'matches', value: 'shop.example.com/legacy/*' } }],
    actions: [
      { id: 'cache_level', value: 'cache_everything' },
      { id: 'edge_cache_ttl', value: 7200 },
    ],
    priority: 2,
    status: 'active',
    created_on: '2024-01-01T05:20:00.12345Z',
    modified_on: '2024-01-01T05:20:00.12345Z',
  },
  {
    id: '1b2c3d4e5f60718293a4b5c6d7e8f901',
    targets: [{ target: 'url', constraint: { operator: 'matches', value: 'shop.example.com/old-account*' } }],
    actions: [{ id: 'cache_level', value: 'bypass' }],
    priority: 1,
    status: 'disabled',
    created_on: '2024-01-02T05:20:00.12345Z',
    modified_on: '2024-01-02T05:20:00.12345Z',
  },
];

const ZONE_SETTINGS = [
  { id: 'cache_level', value: 'aggressive', editable: true, modified_on: '2024-06-01T00:00:00.000000Z' },
  { id: 'browser_cache_ttl', value: 14400, editable: true, modified_on: null },
  { id: 'always_online', value: 'off', editable: true, modified_on: null },
  { id: 'development_mode', value: 'off', editable: true, modified_on: null, time_remaining: 0 },
];

let api: LocalApi;
let staticTtl = 86400;
const overrides = new Map<string, [number, unknown]>();
const hanging = new Set<string>();

before(async () => {
  api = await localApi((app) => {
    app.addHook('preHandler', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (hanging.has(path)) return new Promise(() => {});
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply.code(403).send(failure(10000, 'Authentication error'));
      const zone = path.split('/')[4];
      if (zone !== ZONE && zone !== EMPTY_ZONE) return reply.code(404).send(failure(7003, `Could not route to ${path.replace('/client/v4', '')}, perhaps your object identifier is invalid?`));
      const o = overrides.get(path);
      if (o) return reply.code(o[0]).send(o[1]);
      return undefined;
    });
    app.get<{ Params: { zone: string } }>('/client/v4/zones/:zone/rulesets/phases/http_request_cache_settings/entrypoint', async (req, reply) => {
      if (req.params.zone === EMPTY_ZONE) return reply.code(404).send(failure(10003, 'could not find entrypoint ruleset in the http_request_cache_settings phase'));
      return envelope(ruleset(staticTtl));
    });
    app.get<{ Params: { zone: string } }>('/client/v4/zones/:zone/pagerules', async (req) => envelope(req.params.zone === EMPTY_ZONE ? [] : PAGE_RULES));
    app.get('/client/v4/zones/:zone/settings', async () => envelope(ZONE_SETTINGS));
  });
});
after(() => api.close());
afterEach(() => {
  overrides.clear();
  hanging.clear();
  staticTtl = 86400;
});

const env = { CLOUDFLARE_API_TOKEN: TOKEN };
const opts = (extra: Partial<Parameters<typeof fetchCloudflare>[0]> = {}) => ({ zoneId: ZONE, endpoint: `${api.url}/client/v4`, now: FIXED_NOW, ...extra });
const P = `/zones/${ZONE}`;

describe('fetchCloudflare', () => {
  it('downloads cache rules, page rules and settings into exactly the contract files', async () => {
    api.requests.length = 0;
    const s = await fetchCloudflare(opts(), env);
    assert.deepEqual(s, {
      provider: 'cloudflare',
      target: ZONE,
      version: '3',
      fetchedAt: '2025-03-04T05:06:07.089Z',
      files: {
        'cache_rules.json': jsonFile(ruleset(86400)),
        'pagerules.json': jsonFile(PAGE_RULES),
        'settings.json': jsonFile([
          { id: 'always_online', value: 'off' },
          { id: 'browser_cache_ttl', value: 14400 },
          { id: 'cache_level', value: 'aggressive' },
          { id: 'development_mode', value: 'off' },
        ]),
      },
    });
    assert.deepEqual([...api.requests].sort(), [
      `GET /client/v4${P}/pagerules`,
      `GET /client/v4${P}/rulesets/phases/http_request_cache_settings/entrypoint`,
      `GET /client/v4${P}/settings`,
    ]);
  });

  it('stores {"rules": []} for a zone without a cache-rules entry point (404, code 10003)', async () => {
    const s = await fetchCloudflare(opts({ zoneId: EMPTY_ZONE }), env);
    assert.equal(s.version, undefined);
    assert.equal(s.files['cache_rules.json'], '{\n  "rules": []\n}\n');
    assert.equal(s.files['pagerules.json'], '[]\n');
  });

  it('shows a changed edge TTL as a one-line change in cache_rules.json', async () => {
    const before = await fetchCloudflare(opts(), env);
    staticTtl = 3600;
    const after = await fetchCloudflare(opts({ now: () => new Date('2025-03-05T00:00:00.000Z') }), env);
    const d = diffSnapshots(before, after);
    assert.deepEqual(
      d.files.map((f) => [f.file, f.change]),
      [['cache_rules.json', 'changed']],
    );
    assert.equal(
      d.files[0]!.unified,
      [
        '--- a/cache_rules.json\t2025-03-04T05:06:07.089Z (version 3)',
        '+++ b/cache_rules.json\t2025-03-05T00:00:00.000Z (version 3)',
        '@@ -14,7 +14,7 @@',
        '         },',
        '         "cache": true,',
        '         "edge_ttl": {',
        '-          "default": 86400,',
        '+          "default": 3600,',
        '           "mode": "override_origin"',
        '         }',
        '       },',
        '',
      ].join('\n'),
    );
  });

  it('names the missing variable when CLOUDFLARE_API_TOKEN is not set', async () => {
    await rejectsWithFetchError(
      fetchCloudflare(opts(), { CLOUDFLARE_API_TOKEN: '' }),
      `cloudflare: cannot fetch zone ${ZONE}: CLOUDFLARE_API_TOKEN is not set (an API token with Zone Read, Cache Rules Read and Page Rules Read)`,
    );
  });

  it('reports 403 with the envelope\'s error and never the token', async () => {
    const wrong = 'cf-WRONGWRONGWRONGWRONGWRONG';
    await rejectsWithFetchError(
      fetchCloudflare(opts(), { CLOUDFLARE_API_TOKEN: wrong }),
      `cloudflare: cannot fetch cache rules of zone ${ZONE} (GET ${P}/rulesets/phases/http_request_cache_settings/entrypoint): HTTP 403 Authentication error (code 10000)`,
      [wrong, TOKEN],
    );
  });

  it('reports an unknown zone id (404, code 7003), not an empty ruleset', async () => {
    const bad = 'ffffffffffffffffffffffffffffffff';
    await rejectsWithFetchError(
      fetchCloudflare(opts({ zoneId: bad }), env),
      `cloudflare: cannot fetch cache rules of zone ${bad} (GET /zones/${bad}/rulesets/phases/http_request_cache_settings/entrypoint): HTTP 404 Could not route to /zones/${bad}/rulesets/phases/http_request_cache_settings/entrypoint, perhaps your object identifier is invalid? (code 7003)`,
      [TOKEN],
    );
  });

  it('reports a 500 on page rules', async () => {
    overrides.set(`/client/v4${P}/pagerules`, [500, failure(10001, 'Internal error')]);
    await rejectsWithFetchError(
      fetchCloudflare(opts(), env),
      `cloudflare: cannot fetch page rules of zone ${ZONE} (GET ${P}/pagerules): HTTP 500 Internal error (code 10001)`,
      [TOKEN],
    );
  });

  it('refuses an answer that says it has more pages rather than store part of a list', async () => {
    overrides.set(`/client/v4${P}/settings`, [200, envelope(ZONE_SETTINGS.slice(0, 2), { result_info: { page: 1, per_page: 2, count: 2, total_count: 4, total_pages: 2 } })]);
    await rejectsWithFetchError(
      fetchCloudflare(opts(), env),
      `cloudflare: cannot fetch settings of zone ${ZONE} (GET ${P}/settings): the answer is page 1 of 2; cachewarden expects this list unpaginated`,
    );
  });

  it('treats success=false as a failure even with HTTP 200', async () => {
    overrides.set(`/client/v4${P}/settings`, [200, failure(1003, 'Invalid or missing zone id.')]);
    await rejectsWithFetchError(
      fetchCloudflare(opts(), env),
      `cloudflare: cannot fetch settings of zone ${ZONE} (GET ${P}/settings): HTTP 200 success=false Invalid or missing zone id. (code 1003)`,
    );
  });

  it('gives up after timeoutMs when the API does not answer', async () => {
    hanging.add(`/client/v4${P}/settings`);
    await rejectsWithFetchError(
      fetchCloudflare(opts({ timeoutMs: 200 }), env),
      `cloudflare: cannot fetch settings of zone ${ZONE} (GET ${P}/settings): no answer from ${new URL(api.url).host} within 200 ms`,
      [TOKEN],
    );
  });

  it('reports a refused connection', async () => {
    const url = await closedPortUrl();
    await rejectsWithFetchError(
      fetchCloudflare(opts({ endpoint: `${url}/client/v4` }), env),
      `cloudflare: cannot fetch cache rules of zone ${ZONE} (GET ${P}/rulesets/phases/http_request_cache_settings/entrypoint): connection refused by ${new URL(url).host}`,
      [TOKEN],
    );
  });
});
