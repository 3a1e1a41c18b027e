/**
 * Downloads an Akamai property's rule tree into a snapshot, through the Property Manager API
 * (PAPI v1) with EdgeGrid authentication (see edgegrid.ts).
 *
 * - `GET /papi/v1/properties/{propertyId}?contractId=…&groupId=…` → `property.json`; its
 *   `properties.items[0]` says which version is live (`productionVersion`, `stagingVersion`);
 * - `GET /papi/v1/properties/{propertyId}/versions/{v}/rules?contractId=…&groupId=…` →
 *   `rules.json`, asked with `Accept: application/json` so the tree keeps the rule format the
 *   version is frozen to (asking for `latest` would rewrite it, and the diff, whenever Akamai
 *   publishes a new format). Both with `PAPI-Use-Prefixes: true` (ids like `prp_`, `ctr_`).
 *
 * Credentials: `AKAMAI_HOST`, `AKAMAI_CLIENT_TOKEN`, `AKAMAI_CLIENT_SECRET`, `AKAMAI_ACCESS_TOKEN`,
 * or else the `.edgerc` file named by `AKAMAI_EDGERC`, section `AKAMAI_EDGERC_SECTION`
 * (default `default`) with `host`, `client_token`, `client_secret`, `access_token`.
 */
import { readFile } from 'node:fs/promises';
import { jsonFile, type Snapshot } from './snapshot.ts';
import { normalizeHost, parseEdgerc, signGet, type EdgeGridCredentials } from './edgegrid.ts';
import { createApiClient, fetchError, isRecord, missingEnvError, requireId } from './http.ts';
import { redactCredentials, redactFiles } from './redact.ts';
import { DEFAULT_TIMEOUT_MS, type AkamaiFetchOptions, type Env } from './types.ts';

const ENV_NAMES = ['AKAMAI_HOST', 'AKAMAI_CLIENT_TOKEN', 'AKAMAI_CLIENT_SECRET', 'AKAMAI_ACCESS_TOKEN'] as const;
const EDGERC_KEYS = ['host', 'client_token', 'client_secret', 'access_token'] as const;

/** EdgeGrid credentials from the environment, or from the `.edgerc` file it names. */
export async function akamaiCredentials(env: Env, what: string): Promise<EdgeGridCredentials> {
  if (ENV_NAMES.every((n) => env[n])) {
    return { host: normalizeHost(env.AKAMAI_HOST!), clientToken: env.AKAMAI_CLIENT_TOKEN!, clientSecret: env.AKAMAI_CLIENT_SECRET!, accessToken: env.AKAMAI_ACCESS_TOKEN! };
  }
  const file = env.AKAMAI_EDGERC;
  if (!file) throw missingEnvError('akamai', what, ENV_NAMES.filter((n) => !env[n]), 'or name an .edgerc file in AKAMAI_EDGERC');
  const section = env.AKAMAI_EDGERC_SECTION || 'default';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw fetchError('akamai', what, `cannot read the AKAMAI_EDGERC file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, []);
  }
  const values = parseEdgerc(text).get(section);
  if (!values) throw fetchError('akamai', what, `the AKAMAI_EDGERC file ${file} has no [${section}] section`, []);
  const missing = EDGERC_KEYS.filter((k) => !values[k]);
  if (missing.length > 0) throw fetchError('akamai', what, `section [${section}] of ${file} lacks ${missing.join(', ')}`, []);
  return { host: normalizeHost(values.host!), clientToken: values.client_token!, clientSecret: values.client_secret!, accessToken: values.access_token! };
}

/** Akamai's own error text: problem JSON `{ title, detail }`. */
function akamaiErrorText(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const title = typeof json.title === 'string' ? json.title : undefined;
  const detail = typeof json.detail === 'string' && json.detail !== title ? json.detail : undefined;
  return title && detail ? `${title}: ${detail}` : (title ?? detail);
}

export async function fetchAkamai(options: AkamaiFetchOptions, env: Env = process.env): Promise<Snapshot> {
  const pid = requireId('akamai', 'property', 'property id', options.propertyId);
  const what = `property ${pid}`;
  const contract = requireId('akamai', what, 'contract id', options.contractId);
  const group = requireId('akamai', what, 'group id', options.groupId);
  const wanted = options.version ?? 'production';
  if (typeof wanted === 'number' ? !(Number.isInteger(wanted) && wanted > 0) : wanted !== 'production' && wanted !== 'staging') {
    throw fetchError('akamai', what, `version must be "production", "staging" or a positive integer, not ${JSON.stringify(wanted)}`, []);
  }
  const creds = await akamaiCredentials(env, what);
  const api = createApiClient({
    provider: 'akamai',
    base: options.endpoint ?? `https://${creds.host}`,
    headers: (url) => ({ authorization: signGet(url, creds), accept: 'application/json', 'papi-use-prefixes': 'true', 'user-agent': 'cachewarden' }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    secrets: [creds.clientSecret, creds.clientToken, creds.accessToken],
    errorText: akamaiErrorText,
  });
  try {
    const fetchedAt = (options.now?.() ?? new Date()).toISOString();
    const query = `contractId=${encodeURIComponent(contract)}&groupId=${encodeURIComponent(group)}`;
    const propertyPath = `/papi/v1/properties/${pid}?${query}`;
    const property = await api.getJson(propertyPath, what);
    const item = isRecord(property) && isRecord(property.properties) && Array.isArray(property.properties.items) ? property.properties.items[0] : undefined;
    if (!isRecord(item)) throw api.fail(what, 'the answer has no properties.items[0]', propertyPath);

    let version: number;
    if (typeof wanted === 'number') version = wanted;
    else {
      const field = wanted === 'production' ? 'productionVersion' : 'stagingVersion';
      const v = item[field];
      if (typeof v !== 'number' || v < 1) throw api.fail(what, `no version is active on ${wanted} (${field} is ${JSON.stringify(v ?? null)}); fetch a numbered version instead`);
      version = v;
    }

    const rulesPath = `/papi/v1/properties/${pid}/versions/${version}/rules?${query}`;
    const rules = await api.getJson(rulesPath, `rule tree of ${what} version ${version}`);
    if (!isRecord(rules) || !isRecord(rules.rules)) throw api.fail(`rule tree of ${what} version ${version}`, 'the answer has no "rules" object', rulesPath);

    return {
      provider: 'akamai',
      target: pid,
      version: String(version),
      fetchedAt,
      files: redactFiles({
        'property.json': jsonFile(redactCredentials('akamai', property)),
        'rules.json': jsonFile(redactCredentials('akamai', rules)),
      }),
    };
  } finally {
    await api.close();
  }
}
