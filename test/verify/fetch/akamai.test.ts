import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { fetchAkamai } from '../../../src/verify/fetch/akamai.ts';
import { jsonFile } from '../../../src/verify/fetch/snapshot.ts';
import { closedPortUrl, FIXED_NOW, localApi, rejectsWithFetchError, type LocalApi } from './helpers.ts';

const CLIENT_TOKEN = 'akab-c3x7vgb4oplm2wq5-k5dgujwqnfeak5he';
const ACCESS_TOKEN = 'akab-q2wybqzecy3tmi7n-vx6y5fk3oqwgxqkh';
const CLIENT_SECRET = 'SOYT2l8qZ/NLr0vbm9cRbHZDgEtqtNmUc0Ae8hUWN4E=';
const PID = 'prp_175780';
const CONTRACT = 'ctr_C-0N7RAC7';
const GROUP = 'grp_15225';
const TOKEN_KEY = 'a8f2e9d1c3b5a7f9e1d3c5b7a9f1e3d5';

const propertyItem = (production: number | null) => ({
  accountId: 'act_A-CCT3456',
  contractId: CONTRACT,
  groupId: GROUP,
  propertyId: PID,
  propertyName: 'shop.example.com',
  latestVersion: 4,
  stagingVersion: 4,
  productionVersion: production,
  assetId: 'aid_101',
  note: 'account pages are no-store',
  productId: 'prd_Fresca',
  ruleFormat: 'v2024-05-31',
  propertyType: 'TRADITIONAL',
});
const PROPERTY = { properties: { items: [propertyItem(3)] } };

const rules = (version: number, tokenKey: string) => ({
  accountId: 'act_A-CCT3456',
  contractId: CONTRACT,
  groupId: GROUP,
  propertyId: PID,
  propertyName: 'shop.example.com',
  propertyVersion: version,
  etag: `a872d92fe5ebe1f3a1a74c3ed2fa1ad3a1ecbc3${version}`,
  ruleFormat: 'v2024-05-31',
  rules: {
    name: 'default',
    comments: 'The behaviors in the default rule apply to all requests.',
    options: { is_secure: true },
    criteria: [],
    variables: [],
    behaviors: [
      { name: 'origin', options: { originType: 'CUSTOMER', hostname: 'origin.shop.example', forwardHostHeader: 'REQUEST_HOST_HEADER', cacheKeyHostname: 'ORIGIN_HOSTNAME', httpPort: 80, httpsPort: 443 } },
      { name: 'caching', options: { behavior: 'MAX_AGE', mustRevalidate: false, ttl: version === 4 ? '2d' : '1d' } },
      { name: 'verifyTokenAuthorization', options: { useAdvanced: false, location: 'COOKIE', locationId: '__token__', algorithm: 'SHA256', escapeHmacInputs: true, ignoreQueryString: false, key: tokenKey, transitionKey: '', failureResponse: true } },
    ],
    children: [
      {
        name: 'Account pages',
        criteriaMustSatisfy: 'all',
        criteria: [{ name: 'path', options: { matchOperator: 'MATCHES_ONE_OF', values: ['/account/*'], matchCaseSensitive: false } }],
        behaviors: [
          { name: 'caching', options: { behavior: 'NO_STORE' } },
          { name: 'downstreamCache', options: { behavior: 'BUST' } },
        ],
        children: [],
      },
    ],
  },
});

const problem = (status: number, type: string, title: string, detail: string, req: FastifyRequest) => ({
  type: `https://problems.luna.akamaiapis.net/${type}`,
  title,
  status,
  detail,
  instance: `https://akab-test.luna.akamaiapis.net${req.url}`,
  method: 'GET',
  requestId: '1f0a2b3c',
  requestTime: '2025-03-04T05:06:07Z',
});

/**
 * Checks the EdgeGrid header the way Akamai's edge does, recomputing the signature from the
 * published algorithm (independently of the code under test). Returns why it is refused.
 */
function edgeGridRefusal(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization ?? '';
  const m = /^EG1-HMAC-SHA256 client_token=([^;]*);access_token=([^;]*);timestamp=([^;]*);nonce=([^;]*);signature=(.*)$/.exec(h);
  if (!m) return 'The request does not contain a valid EdgeGrid authorization header';
  const [, clientToken, accessToken, timestamp, nonce, signature] = m;
  if (clientToken !== CLIENT_TOKEN || accessToken !== ACCESS_TOKEN) return 'Invalid client token or access token';
  if (!/^\d{8}T\d\d:\d\d:\d\d\+0000$/.test(timestamp!) || nonce === '') return 'Invalid timestamp or nonce';
  const prefix = h.slice(0, h.indexOf('signature='));
  const key = createHmac('sha256', CLIENT_SECRET).update(timestamp!).digest('base64');
  const toSign = ['GET', 'http', req.headers.host, req.url, '', '', prefix].join('\t');
  const expected = createHmac('sha256', key).update(toSign).digest('base64');
  return signature === expected ? undefined : 'The signature does not match';
}

let api: LocalApi;
const overrides = new Map<string, [number, unknown]>();
const hanging = new Set<string>();
/** Headers of the last request, by name. */
let lastHeaders: Record<string, unknown> = {};

before(async () => {
  api = await localApi((app) => {
    app.addHook('preHandler', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      lastHeaders = req.headers;
      if (hanging.has(path)) return new Promise(() => {});
      const refusal = edgeGridRefusal(req);
      if (refusal) return reply.code(401).send(problem(401, '-/pep-authn/deny', 'Not authorized', refusal, req));
      const o = overrides.get(path);
      if (o) return reply.code(o[0]).send(o[1]);
      const q = req.query as Record<string, string>;
      if (q.contractId !== CONTRACT || q.groupId !== GROUP) return reply.code(403).send(problem(403, 'papi/v0/forbidden', 'Forbidden', 'Your API client is not authorized to access this contract or group', req));
      return undefined;
    });
    app.get<{ Params: { pid: string } }>('/papi/v1/properties/:pid', async (req, reply) => {
      if (req.params.pid !== PID) return reply.code(404).send(problem(404, 'papi/v0/http/not-found', 'Not Found', 'The system was unable to locate the requested resource', req));
      return PROPERTY;
    });
    app.get<{ Params: { pid: string; v: string } }>('/papi/v1/properties/:pid/versions/:v/rules', async (req, reply) => {
      const v = Number(req.params.v);
      if (req.params.pid !== PID || !(v >= 1 && v <= 4)) return reply.code(404).send(problem(404, 'papi/v0/http/not-found', 'Not Found', 'The system was unable to locate the requested resource', req));
      return rules(v, TOKEN_KEY);
    });
  });
});
after(() => api.close());
afterEach(() => {
  overrides.clear();
  hanging.clear();
});

const env = { AKAMAI_HOST: 'akab-test.luna.akamaiapis.net', AKAMAI_CLIENT_TOKEN: CLIENT_TOKEN, AKAMAI_CLIENT_SECRET: CLIENT_SECRET, AKAMAI_ACCESS_TOKEN: ACCESS_TOKEN };
const SECRETS = [CLIENT_SECRET, CLIENT_TOKEN, ACCESS_TOKEN];
const opts = (extra: Partial<Parameters<typeof fetchAkamai>[0]> = {}) => ({ propertyId: PID, contractId: CONTRACT, groupId: GROUP, endpoint: api.url, now: FIXED_NOW, ...extra });
const Q = `contractId=${CONTRACT}&groupId=${GROUP}`;

describe('fetchAkamai', () => {
  it('downloads the production version with signed requests into exactly the contract files', async () => {
    api.requests.length = 0;
    const s = await fetchAkamai(opts(), env);
    assert.deepEqual(s, {
      provider: 'akamai',
      target: PID,
      version: '3',
      fetchedAt: '2025-03-04T05:06:07.089Z',
      files: { 'property.json': jsonFile(PROPERTY), 'rules.json': jsonFile(rules(3, '[redacted]')) },
    });
    assert.deepEqual(api.requests, [`GET /papi/v1/properties/${PID}?${Q}`, `GET /papi/v1/properties/${PID}/versions/3/rules?${Q}`]);
    assert.equal(lastHeaders.accept, 'application/json');
    assert.equal(lastHeaders['papi-use-prefixes'], 'true');
    assert.ok(!s.files['rules.json']!.includes(TOKEN_KEY), 'the token-authorization key must not be stored');
  });

  it('fetches the staging version or a numbered one when asked', async () => {
    assert.equal((await fetchAkamai(opts({ version: 'staging' }), env)).version, '4');
    api.requests.length = 0;
    const s = await fetchAkamai(opts({ version: 2 }), env);
    assert.equal(s.version, '2');
    assert.equal(api.requests.at(-1), `GET /papi/v1/properties/${PID}/versions/2/rules?${Q}`);
  });

  it('reads credentials from the .edgerc file and section the environment names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cw-edgerc-'));
    try {
      const file = join(dir, '.edgerc');
      await writeFile(file, `[default]\nhost = wrong.example\nclient_token = x\nclient_secret = y\naccess_token = z\n\n[papi]\nhost = https://akab-test.luna.akamaiapis.net/\nclient_token = ${CLIENT_TOKEN}\nclient_secret = ${CLIENT_SECRET}\naccess_token = ${ACCESS_TOKEN}\n`);
      const s = await fetchAkamai(opts(), { AKAMAI_EDGERC: file, AKAMAI_EDGERC_SECTION: 'papi' });
      assert.equal(s.version, '3');
      await rejectsWithFetchError(fetchAkamai(opts(), { AKAMAI_EDGERC: file, AKAMAI_EDGERC_SECTION: 'ccu' }), `akamai: cannot fetch property ${PID}: the AKAMAI_EDGERC file ${file} has no [ccu] section`);
      await writeFile(file, `[default]\nhost = akab-test.luna.akamaiapis.net\nclient_token = ${CLIENT_TOKEN}\n`);
      await rejectsWithFetchError(fetchAkamai(opts(), { AKAMAI_EDGERC: file }), `akamai: cannot fetch property ${PID}: section [default] of ${file} lacks client_secret, access_token`, SECRETS);
      await rejectsWithFetchError(fetchAkamai(opts(), { AKAMAI_EDGERC: join(dir, 'nope') }), `akamai: cannot fetch property ${PID}: cannot read the AKAMAI_EDGERC file ${join(dir, 'nope')} (ENOENT)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names every missing variable when there are no credentials', async () => {
    await rejectsWithFetchError(
      fetchAkamai(opts(), {}),
      `akamai: cannot fetch property ${PID}: AKAMAI_HOST, AKAMAI_CLIENT_TOKEN, AKAMAI_CLIENT_SECRET and AKAMAI_ACCESS_TOKEN are not set (or name an .edgerc file in AKAMAI_EDGERC)`,
    );
    await rejectsWithFetchError(
      fetchAkamai(opts(), { AKAMAI_HOST: env.AKAMAI_HOST, AKAMAI_CLIENT_TOKEN: CLIENT_TOKEN }),
      `akamai: cannot fetch property ${PID}: AKAMAI_CLIENT_SECRET and AKAMAI_ACCESS_TOKEN are not set (or name an .edgerc file in AKAMAI_EDGERC)`,
      SECRETS,
    );
  });

  it('reports a wrong client secret as the API\'s 401 and leaks no credential', async () => {
    const wrong = 'WRONGl8qZ/NLr0vbm9cRbHZDgEtqtNmUc0Ae8hUWN4E=';
    await rejectsWithFetchError(
      fetchAkamai(opts(), { ...env, AKAMAI_CLIENT_SECRET: wrong }),
      `akamai: cannot fetch property ${PID} (GET /papi/v1/properties/${PID}?${Q}): HTTP 401 Not authorized: The signature does not match`,
      [...SECRETS, wrong],
    );
  });

  it('reports 403 with PAPI\'s problem detail', async () => {
    await rejectsWithFetchError(
      fetchAkamai(opts({ groupId: 'grp_99999' }), env),
      `akamai: cannot fetch property ${PID} (GET /papi/v1/properties/${PID}?contractId=${CONTRACT}&groupId=grp_99999): HTTP 403 Forbidden: Your API client is not authorized to access this contract or group`,
      SECRETS,
    );
  });

  it('reports an unknown property as 404', async () => {
    await rejectsWithFetchError(
      fetchAkamai(opts({ propertyId: 'prp_1' }), env),
      `akamai: cannot fetch property prp_1 (GET /papi/v1/properties/prp_1?${Q}): HTTP 404 Not Found: The system was unable to locate the requested resource`,
      SECRETS,
    );
  });

  it('says so when nothing is active on production', async () => {
    overrides.set(`/papi/v1/properties/${PID}`, [200, { properties: { items: [propertyItem(null)] } }]);
    await rejectsWithFetchError(fetchAkamai(opts(), env), `akamai: cannot fetch property ${PID}: no version is active on production (productionVersion is null); fetch a numbered version instead`);
  });

  it('reports a 500 on the rule tree', async () => {
    overrides.set(`/papi/v1/properties/${PID}/versions/3/rules`, [500, { type: 'https://problems.luna.akamaiapis.net/papi/v0/internal-error', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred' }]);
    await rejectsWithFetchError(
      fetchAkamai(opts(), env),
      `akamai: cannot fetch rule tree of property ${PID} version 3 (GET /papi/v1/properties/${PID}/versions/3/rules?${Q}): HTTP 500 Internal Server Error: An unexpected error occurred`,
      SECRETS,
    );
  });

  it('gives up after timeoutMs when the API does not answer', async () => {
    hanging.add(`/papi/v1/properties/${PID}`);
    await rejectsWithFetchError(
      fetchAkamai(opts({ timeoutMs: 200 }), env),
      `akamai: cannot fetch property ${PID} (GET /papi/v1/properties/${PID}?${Q}): no answer from ${new URL(api.url).host} within 200 ms`,
      SECRETS,
    );
  });

  it('reports a refused connection', async () => {
    const url = await closedPortUrl();
    await rejectsWithFetchError(
      fetchAkamai(opts({ endpoint: url }), env),
      `akamai: cannot fetch property ${PID} (GET /papi/v1/properties/${PID}?${Q}): connection refused by ${new URL(url).host}`,
      SECRETS,
    );
  });
});
