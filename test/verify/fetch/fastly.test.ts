import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fetchFastly, vclFileName } from '../../../src/verify/fetch/fastly.ts';
import { jsonFile } from '../../../src/verify/fetch/snapshot.ts';
import { closedPortUrl, FIXED_NOW, localApi, rejectsWithFetchError, type LocalApi } from './helpers.ts';

const SID = 'SU1Z0isxPaozGVKXdv0eY';
const TOKEN = 'fst-Tq8yXb2Lr9ZkP0aW4cVn6mH1sJ3dE5gR';
const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

const version = (number: number, active: boolean) => ({
  number,
  active,
  locked: number <= 12,
  deployed: false,
  staging: false,
  testing: false,
  comment: '',
  service_id: SID,
  created_at: `2025-02-${10 + number}T09:00:00Z`,
  updated_at: `2025-02-${10 + number}T09:30:00Z`,
  deleted_at: null,
});

const BACKEND = {
  name: 'shop origin',
  address: 'origin.shop.example',
  port: 443,
  use_ssl: true,
  ssl_cert_hostname: 'origin.shop.example',
  ssl_client_cert: '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n',
  ssl_client_key: PRIVATE_KEY,
  first_byte_timeout: 15000,
  max_conn: 200,
};

const DETAILS = {
  id: SID,
  name: 'shop',
  customer_id: 'x4xCwxxJxGCx123Rx5xTx',
  type: 'vcl',
  comment: '',
  paused: false,
  publish_key: '',
  created_at: '2025-02-11T09:00:00Z',
  updated_at: '2025-02-22T09:30:00Z',
  deleted_at: null,
  active_version: { ...version(12, true), backends: [BACKEND], domains: [{ name: 'shop.example', comment: '' }] },
  version: { ...version(13, false), backends: [BACKEND] },
  versions: [version(11, false), version(12, true), version(13, false)],
};

const GENERATED_BACKEND = (key: string) => `backend F_shop_origin {\n  .address = "origin.shop.example";\n  .port = "443";\n  .ssl = true;\n  .ssl_client_key = {"${key}"};\n}\n`;
const GENERATED_REST = 'sub vcl_recv {\n#--FASTLY RECV BEGIN\n  if (req.url.path ~ "^/account") { return(pass); }\n#--FASTLY RECV END\n  return(lookup);\n}\n';
const GENERATED = `pragma optional_param geoip_opt_in true;\n${GENERATED_BACKEND(PRIVATE_KEY)}${GENERATED_REST}`;
const MAIN_VCL = 'include "lib/helpers v2";\nsub vcl_recv {\n#FASTLY recv\n  call strip_tracking;\n  return(lookup);\n}\n';
const HELPERS_VCL = 'sub strip_tracking {\n  set req.url = querystring.filter(req.url, "utm_source");\n}\n';

const vclEntry = (name: string, main: boolean, content?: string) => ({
  name,
  main,
  ...(content !== undefined ? { content } : {}),
  service_id: SID,
  version: 12,
  created_at: '2025-02-22T09:00:00Z',
  updated_at: '2025-02-22T09:00:00Z',
  deleted_at: null,
});

const SNIPPETS = [
  { id: '62Yd1WfiCBPENLloXfXmlO', service_id: SID, version: '12', name: 'strip cookies', type: 'recv', dynamic: '0', priority: '100', content: 'unset req.http.Cookie;', created_at: '2025-02-22T09:00:00Z', updated_at: '2025-02-22T09:00:00Z', deleted_at: null },
  { id: '4X9w2Ztx2aH1l9ZqG3oB8n', service_id: SID, version: '12', name: 'account pass', type: 'recv', dynamic: '1', priority: '50', content: null, created_at: '2025-02-22T09:00:00Z', updated_at: '2025-02-22T09:00:00Z', deleted_at: null },
];
const LIVE_SNIPPET = { service_id: SID, snippet_id: '4X9w2Ztx2aH1l9ZqG3oB8n', content: 'if (req.url.path ~ "^/account") { return(pass); }', created_at: '2025-02-22T09:00:00Z', updated_at: '2025-03-01T12:00:00Z', deleted_at: null };

const CACHE_SETTINGS = [
  { name: 'static long', action: 'cache', cache_condition: 'is static', stale_ttl: '300', ttl: '86400', service_id: SID, version: '12', created_at: '2025-02-22T09:00:00Z', updated_at: '2025-02-22T09:00:00Z', deleted_at: null },
  { name: 'account no-store', action: 'pass', cache_condition: 'is account', stale_ttl: '0', ttl: '0', service_id: SID, version: '12', created_at: '2025-02-22T09:00:00Z', updated_at: '2025-02-22T09:00:00Z', deleted_at: null },
];
const CONDITIONS = [
  { name: 'is static', statement: 'req.url.ext ~ "^(css|js|png)$"', type: 'CACHE', priority: '10', comment: '', service_id: SID, version: '12', created_at: '2025-02-22T09:00:00Z', updated_at: '2025-02-22T09:00:00Z', deleted_at: null },
  { name: 'is account', statement: 'req.url.path ~ "^/account"', type: 'CACHE', priority: '5', comment: '', service_id: SID, version: '12', created_at: '2025-02-22T09:00:00Z', updated_at: '2025-02-22T09:00:00Z', deleted_at: null },
];
const SETTINGS = { 'general.default_host': '', 'general.default_ttl': 3600, 'general.stale_if_error': false, 'general.stale_if_error_ttl': 43200, service_id: SID, version: 12 };

let api: LocalApi;
/** Per-test overrides: path → [status, body]. */
const overrides = new Map<string, [number, unknown]>();
/** Paths whose handler never answers. */
const hanging = new Set<string>();

before(async () => {
  api = await localApi((app) => {
    app.addHook('preHandler', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (hanging.has(path)) return new Promise(() => {});
      if (req.headers['fastly-key'] !== TOKEN) return reply.code(401).send({ msg: 'Provided credentials are missing or invalid' });
      const o = overrides.get(path);
      if (o) return reply.code(o[0]).send(o[1]);
      return undefined;
    });
    app.get<{ Params: { sid: string } }>('/service/:sid/details', async (req, reply) => {
      if (req.params.sid !== SID) return reply.code(404).send({ msg: 'Record not found', detail: `Cannot find service '${req.params.sid}'` });
      return DETAILS;
    });
    app.get('/service/:sid/version/:v/generated_vcl', async (req) => ({ content: GENERATED, main: true, name: 'generated', service_id: SID, version: Number((req.params as { v: string }).v) }));
    app.get('/service/:sid/version/:v/vcl', async () => [vclEntry('main', true, MAIN_VCL), vclEntry('lib/helpers v2', false)]);
    app.get<{ Params: { name: string } }>('/service/:sid/version/:v/vcl/:name', async (req, reply) => {
      if (req.params.name !== 'lib/helpers v2') return reply.code(404).send({ msg: 'Record not found' });
      return vclEntry('lib/helpers v2', false, HELPERS_VCL);
    });
    app.get('/service/:sid/version/:v/snippet', async () => SNIPPETS);
    app.get('/service/:sid/snippet/:id', async () => LIVE_SNIPPET);
    app.get('/service/:sid/version/:v/cache_settings', async () => CACHE_SETTINGS);
    app.get('/service/:sid/version/:v/condition', async () => CONDITIONS);
    app.get('/service/:sid/version/:v/settings', async () => SETTINGS);
  });
});
after(() => api.close());

const env = { FASTLY_API_TOKEN: TOKEN };
const opts = (extra: Partial<Parameters<typeof fetchFastly>[0]> = {}) => ({ serviceId: SID, endpoint: api.url, now: FIXED_NOW, ...extra });
const strip = <T extends Record<string, unknown>>(o: T, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('fetchFastly', () => {
  it('downloads the active version into exactly the contract files', async () => {
    api.requests.length = 0;
    const s = await fetchFastly(opts(), env);
    assert.equal(s.provider, 'fastly');
    assert.equal(s.target, SID);
    assert.equal(s.version, '12');
    assert.equal(s.fetchedAt, '2025-03-04T05:06:07.089Z');
    assert.deepEqual(Object.keys(s.files).sort(), [
      'cache_settings.json',
      'conditions.json',
      'generated.vcl',
      'service.json',
      'settings.json',
      'snippets.json',
      'vcl.json',
      'vcl/lib%2Fhelpers%20v2.vcl',
      'vcl/main.vcl',
    ]);
    // A private key in a generated backend declaration is cut out too (defence in depth).
    assert.equal(s.files['generated.vcl'], `pragma optional_param geoip_opt_in true;\n${GENERATED_BACKEND('[redacted]\n')}${GENERATED_REST}`);
    assert.equal(s.files['vcl/main.vcl'], MAIN_VCL);
    assert.equal(s.files['vcl/lib%2Fhelpers%20v2.vcl'], HELPERS_VCL);
    assert.equal(s.files['vcl.json'], jsonFile([vclEntry('lib/helpers v2', false), strip(vclEntry('main', true, MAIN_VCL), 'content')]));
    assert.equal(s.files['snippets.json'], jsonFile([{ ...SNIPPETS[1], content: LIVE_SNIPPET.content }, SNIPPETS[0]]));
    assert.equal(s.files['cache_settings.json'], jsonFile([CACHE_SETTINGS[1], CACHE_SETTINGS[0]]));
    assert.equal(s.files['conditions.json'], jsonFile([CONDITIONS[1], CONDITIONS[0]]));
    assert.equal(s.files['settings.json'], jsonFile(SETTINGS));
    const redactedBackend = { ...BACKEND, ssl_client_key: '[redacted]' };
    assert.equal(
      s.files['service.json'],
      jsonFile({ ...DETAILS, active_version: { ...DETAILS.active_version, backends: [redactedBackend] }, version: { ...DETAILS.version, backends: [redactedBackend] } }),
    );
    for (const content of Object.values(s.files)) {
      assert.ok(!content.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), 'the backend private key must not be stored');
      assert.ok(!content.includes(TOKEN));
    }
    assert.deepEqual([...api.requests].sort(), [
      `GET /service/${SID}/details`,
      `GET /service/${SID}/snippet/4X9w2Ztx2aH1l9ZqG3oB8n`,
      `GET /service/${SID}/version/12/cache_settings`,
      `GET /service/${SID}/version/12/condition`,
      `GET /service/${SID}/version/12/generated_vcl`,
      `GET /service/${SID}/version/12/settings`,
      `GET /service/${SID}/version/12/snippet`,
      `GET /service/${SID}/version/12/vcl`,
      `GET /service/${SID}/version/12/vcl/lib%2Fhelpers%20v2`,
    ]);
  });

  it('fetches a named version instead of the active one', async () => {
    api.requests.length = 0;
    const s = await fetchFastly(opts({ version: 13 }), env);
    assert.equal(s.version, '13');
    assert.ok(api.requests.includes(`GET /service/${SID}/version/13/generated_vcl`));
    assert.ok(!api.requests.some((r) => r.includes('/version/12/')));
  });

  it('says so when the service was never activated', async () => {
    overrides.set(`/service/${SID}/details`, [200, { ...DETAILS, active_version: null, versions: [version(1, false)] }]);
    try {
      await rejectsWithFetchError(
        fetchFastly(opts(), env),
        `fastly: cannot fetch service ${SID}: the service has no active version (it was never activated); name a version to fetch`,
      );
    } finally {
      overrides.clear();
    }
  });

  it('names the missing variable when FASTLY_API_TOKEN is not set', async () => {
    api.requests.length = 0;
    await rejectsWithFetchError(fetchFastly(opts(), {}), `fastly: cannot fetch service ${SID}: FASTLY_API_TOKEN is not set (a Fastly API token with read access)`);
    assert.deepEqual(api.requests, []);
  });

  it('reports 401 with Fastly\'s message and never the token', async () => {
    const wrong = 'fst-WRONGWRONGWRONGWRONG';
    await rejectsWithFetchError(
      fetchFastly(opts(), { FASTLY_API_TOKEN: wrong }),
      `fastly: cannot fetch service details of ${SID} (GET /service/${SID}/details): HTTP 401 Provided credentials are missing or invalid`,
      [wrong, TOKEN],
    );
  });

  it('reports an unknown service id as 404 with the API detail', async () => {
    await rejectsWithFetchError(
      fetchFastly(opts({ serviceId: 'NoSuchService0000000000' }), env),
      "fastly: cannot fetch service details of NoSuchService0000000000 (GET /service/NoSuchService0000000000/details): HTTP 404 Record not found: Cannot find service 'NoSuchService0000000000'",
      [TOKEN],
    );
  });

  it('reports a 500 on one object with the object named', async () => {
    overrides.set(`/service/${SID}/version/12/generated_vcl`, [500, { msg: 'Internal Server Error' }]);
    try {
      await rejectsWithFetchError(
        fetchFastly(opts(), env),
        `fastly: cannot fetch generated VCL of service ${SID} version 12 (GET /service/${SID}/version/12/generated_vcl): HTTP 500 Internal Server Error`,
        [TOKEN],
      );
    } finally {
      overrides.clear();
    }
  });

  it('gives up after timeoutMs when the API does not answer', async () => {
    hanging.add(`/service/${SID}/details`);
    try {
      const host = new URL(api.url).host;
      await rejectsWithFetchError(
        fetchFastly(opts({ timeoutMs: 200 }), env),
        `fastly: cannot fetch service details of ${SID} (GET /service/${SID}/details): no answer from ${host} within 200 ms`,
        [TOKEN],
      );
    } finally {
      hanging.clear();
    }
  });

  it('reports a refused connection', async () => {
    const url = await closedPortUrl();
    await rejectsWithFetchError(
      fetchFastly(opts({ endpoint: url }), env),
      `fastly: cannot fetch service details of ${SID} (GET /service/${SID}/details): connection refused by ${new URL(url).host}`,
      [TOKEN],
    );
  });

  it('refuses to send the token over plain http to anything but loopback', async () => {
    await rejectsWithFetchError(
      fetchFastly(opts({ endpoint: 'http://api.fastly.example' }), env),
      `fastly: cannot fetch service details of ${SID}: the endpoint http://api.fastly.example must use https (plain http only to 127.0.0.1, [::1] or localhost)`,
      [TOKEN],
    );
  });

  it('refuses an id that is not a plain id before sending anything', async () => {
    await rejectsWithFetchError(fetchFastly(opts({ serviceId: '../x' }), env), 'fastly: cannot fetch service: the service id "../x" is not an id (letters, digits, "_", "." and "-")');
  });
});

describe('vclFileName', () => {
  it('keeps plain names and percent-encodes the rest', () => {
    assert.equal(vclFileName('main'), 'vcl/main.vcl');
    assert.equal(vclFileName('shop_v2.1-x'), 'vcl/shop_v2.1-x.vcl');
    assert.equal(vclFileName('lib/helpers v2'), 'vcl/lib%2Fhelpers%20v2.vcl');
    assert.equal(vclFileName("a*b'c"), 'vcl/a%2Ab%27c.vcl');
    assert.equal(vclFileName('100%'), 'vcl/100%25.vcl');
  });
});
