/**
 * Downloads a Fastly VCL service's cache-relevant configuration into a snapshot.
 *
 * API (base `https://api.fastly.com`, header `Fastly-Key: <token>`; a read-only token is enough):
 * - `GET /service/{id}/details` → `service.json`; its `active_version` picks the version
 *   (a number, or an object with `number`, or the entry of `versions` marked `active`);
 * - `GET /service/{id}/version/{v}/generated_vcl` → `generated.vcl` (its `content`: the
 *   whole VCL Fastly compiles, boilerplate, custom VCL, snippets and objects included);
 * - `GET /service/{id}/version/{v}/vcl` → `vcl.json` (the list without contents) and
 *   `vcl/<name>.vcl` each (content from the list, else `GET …/vcl/{name}`); names are kept
 *   as written except characters outside `A-Z a-z 0-9 . _ -`, which are percent-encoded;
 * - `GET …/snippet` → `snippets.json`; a dynamic snippet's live content comes from
 *   `GET /service/{id}/snippet/{snippet_id}` (the versioned list does not hold it);
 * - `GET …/cache_settings`, `…/condition`, `…/settings` → `cache_settings.json`,
 *   `conditions.json`, `settings.json`.
 * None of these lists is paginated. Lists are sorted by `name` so a reordering by the API does
 * not show up as a change. Credential fields are redacted (see redact.ts).
 */
import { SAFE_ID, jsonFile, type Snapshot } from './snapshot.ts';
import { allInOrder, createApiClient, fetchError, isRecord, requireEnv, requireId, type ApiClient } from './http.ts';
import { redactCredentials, redactFiles } from './redact.ts';
import { DEFAULT_TIMEOUT_MS, type Env, type FastlyFetchOptions } from './types.ts';

const BASE = 'https://api.fastly.com';

/** Fastly's own error text: `{ msg, detail }`, or problem JSON `{ title, detail }`. */
function fastlyErrorText(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const head = typeof json.msg === 'string' ? json.msg : typeof json.title === 'string' ? json.title : typeof json.message === 'string' ? json.message : undefined;
  const detail = typeof json.detail === 'string' && json.detail !== head ? json.detail : undefined;
  return head && detail ? `${head}: ${detail}` : (head ?? detail);
}

/** The active version number in a service-details answer. */
export function fastlyActiveVersion(details: Record<string, unknown>): number | undefined {
  const av = details.active_version;
  if (typeof av === 'number' && av > 0) return av;
  if (isRecord(av) && typeof av.number === 'number') return av.number;
  if (Array.isArray(details.versions)) {
    const active = details.versions.find((v) => isRecord(v) && v.active === true && typeof v.number === 'number') as { number: number } | undefined;
    return active?.number;
  }
  return undefined;
}

/** A VCL name as a file name: characters outside `A-Za-z0-9._-` percent-encoded. */
export function vclFileName(name: string): string {
  const safe = Array.from(name, (ch) => (/^[A-Za-z0-9._-]$/.test(ch) ? ch : encodeURIComponent(ch).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))).join('');
  return `vcl/${safe}.vcl`;
}

const byName = (a: unknown, b: unknown) => {
  const an = isRecord(a) && typeof a.name === 'string' ? a.name : '';
  const bn = isRecord(b) && typeof b.name === 'string' ? b.name : '';
  return an < bn ? -1 : an > bn ? 1 : 0;
};

const isDynamic = (s: Record<string, unknown>) => s.dynamic === '1' || s.dynamic === 1 || s.dynamic === true;

export async function fetchFastly(options: FastlyFetchOptions, env: Env = process.env): Promise<Snapshot> {
  const sid = requireId('fastly', 'service', 'service id', options.serviceId);
  const [token] = requireEnv('fastly', `service ${sid}`, env, ['FASTLY_API_TOKEN'], 'a Fastly API token with read access');
  if (options.version !== undefined && !(Number.isInteger(options.version) && options.version > 0)) {
    throw fetchError('fastly', `service ${sid}`, `version must be a positive integer, not ${JSON.stringify(options.version)}`, []);
  }
  const api = createApiClient({
    provider: 'fastly',
    base: options.endpoint ?? BASE,
    headers: () => ({ 'fastly-key': token!, accept: 'application/json', 'user-agent': 'cachewarden' }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    secrets: [token!],
    errorText: fastlyErrorText,
  });
  try {
    const fetchedAt = (options.now?.() ?? new Date()).toISOString();
    const details = await api.getJson(`/service/${sid}/details`, `service details of ${sid}`);
    if (!isRecord(details)) throw api.fail(`service details of ${sid}`, 'the answer is not a JSON object', `/service/${sid}/details`);
    const version = options.version ?? fastlyActiveVersion(details);
    if (version === undefined) {
      throw api.fail(`service ${sid}`, 'the service has no active version (it was never activated); name a version to fetch');
    }
    const vp = `/service/${sid}/version/${version}`;
    const of = `of service ${sid} version ${version}`;
    const list = async (path: string, what: string): Promise<Record<string, unknown>[]> => {
      const v = await api.getJson(path, what);
      if (!Array.isArray(v) || !v.every(isRecord)) throw api.fail(what, 'expected a JSON array of objects', path);
      return [...v].sort(byName);
    };
    const [generated, vcls, snippets, cacheSettings, conditions, settings] = await allInOrder([
      api.getJson(`${vp}/generated_vcl`, `generated VCL ${of}`),
      list(`${vp}/vcl`, `custom VCL list ${of}`),
      list(`${vp}/snippet`, `VCL snippets ${of}`),
      list(`${vp}/cache_settings`, `cache settings ${of}`),
      list(`${vp}/condition`, `conditions ${of}`),
      api.getJson(`${vp}/settings`, `settings ${of}`),
    ] as const);
    if (!isRecord(generated) || typeof generated.content !== 'string') {
      throw api.fail(`generated VCL ${of}`, 'the answer has no "content" string', `${vp}/generated_vcl`);
    }
    const [vclFiles, liveSnippets] = await allInOrder([customVcl(api, vp, of, vcls), dynamicSnippets(api, sid, snippets)] as const);
    const files: Record<string, string> = {
      'service.json': jsonFile(redactCredentials('fastly', details)),
      'generated.vcl': generated.content,
      'vcl.json': jsonFile(vcls.map(({ content: _content, ...rest }) => rest)),
      ...vclFiles,
      'snippets.json': jsonFile(liveSnippets),
      'cache_settings.json': jsonFile(cacheSettings),
      'conditions.json': jsonFile(conditions),
      'settings.json': jsonFile(redactCredentials('fastly', settings)),
    };
    return { provider: 'fastly', target: sid, version: String(version), fetchedAt, files: redactFiles(files) };
  } finally {
    await api.close();
  }
}

/** `vcl/<name>.vcl` for each custom VCL, fetching the ones whose content the list left out. */
async function customVcl(api: ApiClient, vp: string, of: string, vcls: Record<string, unknown>[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const contents = await allInOrder(
    vcls.map(async (v) => {
      const name = typeof v.name === 'string' ? v.name : '';
      if (typeof v.content === 'string') return [name, v.content] as const;
      const path = `${vp}/vcl/${encodeURIComponent(name)}`;
      const one = await api.getJson(path, `custom VCL "${name}" ${of}`);
      if (!isRecord(one) || typeof one.content !== 'string') throw api.fail(`custom VCL "${name}" ${of}`, 'the answer has no "content" string', path);
      return [name, one.content] as const;
    }),
  );
  for (const [name, content] of contents) out[vclFileName(name)] = content;
  return out;
}

/** The snippet list with each dynamic snippet's live content filled in. */
async function dynamicSnippets(api: ApiClient, sid: string, snippets: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  return allInOrder(
    snippets.map(async (s) => {
      if (!isDynamic(s) || typeof s.id !== 'string' || !SAFE_ID.test(s.id)) return s;
      const path = `/service/${sid}/snippet/${s.id}`;
      const live = await api.getJson(path, `dynamic snippet "${String(s.name)}" of service ${sid}`);
      return isRecord(live) && typeof live.content === 'string' ? { ...s, content: live.content } : s;
    }),
  );
}
