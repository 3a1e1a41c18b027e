/**
 * Downloads a Cloudflare zone's cache configuration into a snapshot.
 *
 * API v4 (base `https://api.cloudflare.com/client/v4`, header `Authorization: Bearer <token>`;
 * the token needs Zone Read, Cache Rules/Cache Settings Read and Page Rules Read). Every answer is
 * an envelope `{ success, errors: [{ code, message }], messages, result, result_info? }`.
 * - `GET /zones/{zone}/rulesets/phases/http_request_cache_settings/entrypoint` → `cache_rules.json`
 *   (the `result`: the zone's cache-rules entry point ruleset with its `rules`, newest version).
 *   A zone that never had a cache rule has no entry point: the API answers 404 with error code
 *   10003, stored as `{"rules": []}`.
 * - `GET /zones/{zone}/pagerules` → `pagerules.json` (the `result` array, in the API's order:
 *   priority, highest first; no status filter, so disabled rules are listed too);
 * - `GET /zones/{zone}/settings` → `settings.json` (the `result` as `{ id, value }`, sorted by id).
 *
 * Pagination: none of these three endpoints is paginated (a ruleset is one object; page rules and
 * zone settings come back whole). If an answer ever says there are more pages (`result_info`), the
 * fetch fails rather than store a partial list.
 */
import { jsonFile, type Snapshot } from './snapshot.ts';
import { allInOrder, createApiClient, httpWhy, isRecord, requireEnv, requireId, type ApiAnswer, type ApiClient } from './http.ts';
import { redactCredentials, redactFiles } from './redact.ts';
import { DEFAULT_TIMEOUT_MS, type CloudflareFetchOptions, type Env } from './types.ts';

const BASE = 'https://api.cloudflare.com/client/v4';
/** "could not find entrypoint ruleset in the … phase" */
const NO_ENTRYPOINT = 10003;

function cfErrors(json: unknown): { code: unknown; message: unknown }[] {
  return isRecord(json) && Array.isArray(json.errors) ? json.errors.filter(isRecord).map((e) => ({ code: e.code, message: e.message })) : [];
}

/** Cloudflare's own error text: each `errors[]` entry as `message (code N)`. */
function cfErrorText(json: unknown): string | undefined {
  const parts = cfErrors(json)
    .filter((e) => typeof e.message === 'string')
    .map((e) => (e.code !== undefined ? `${String(e.message)} (code ${String(e.code)})` : String(e.message)));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The `result` of a successful envelope, or the one-line error. */
function result(api: ApiClient, a: ApiAnswer, what: string, path: string): unknown {
  if (a.status < 200 || a.status > 299) throw api.fail(what, httpWhy(a, cfErrorText), path);
  if (!isRecord(a.json)) throw api.fail(what, `HTTP ${a.status} but the answer is not a JSON envelope`, path);
  if (a.json.success !== true) throw api.fail(what, `HTTP ${a.status} success=false${cfErrorText(a.json) ? ` ${cfErrorText(a.json)}` : ''}`, path);
  const info = a.json.result_info;
  if (isRecord(info) && typeof info.total_pages === 'number' && info.total_pages > (typeof info.page === 'number' ? info.page : 1)) {
    throw api.fail(what, `the answer is page ${String(info.page ?? 1)} of ${info.total_pages}; cachewarden expects this list unpaginated`, path);
  }
  return a.json.result;
}

export async function fetchCloudflare(options: CloudflareFetchOptions, env: Env = process.env): Promise<Snapshot> {
  const zone = requireId('cloudflare', 'zone', 'zone id', options.zoneId);
  const [token] = requireEnv('cloudflare', `zone ${zone}`, env, ['CLOUDFLARE_API_TOKEN'], 'an API token with Zone Read, Cache Rules Read and Page Rules Read');
  const api = createApiClient({
    provider: 'cloudflare',
    base: options.endpoint ?? BASE,
    headers: () => ({ authorization: `Bearer ${token!}`, accept: 'application/json', 'user-agent': 'cachewarden' }),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    secrets: [token!],
    errorText: cfErrorText,
  });
  try {
    const fetchedAt = (options.now?.() ?? new Date()).toISOString();
    const rulesPath = `/zones/${zone}/rulesets/phases/http_request_cache_settings/entrypoint`;
    const pagesPath = `/zones/${zone}/pagerules`;
    const settingsPath = `/zones/${zone}/settings`;
    const [rulesA, pagesA, settingsA] = await allInOrder([
      api.get(rulesPath, `cache rules of zone ${zone}`),
      api.get(pagesPath, `page rules of zone ${zone}`),
      api.get(settingsPath, `settings of zone ${zone}`),
    ] as const);

    let cacheRules: unknown;
    if (rulesA.status === 404 && cfErrors(rulesA.json).some((e) => e.code === NO_ENTRYPOINT)) cacheRules = { rules: [] };
    else cacheRules = result(api, rulesA, `cache rules of zone ${zone}`, rulesPath);
    if (!isRecord(cacheRules) || (cacheRules.rules !== undefined && !Array.isArray(cacheRules.rules))) {
      throw api.fail(`cache rules of zone ${zone}`, 'the result is not a ruleset object', rulesPath);
    }
    if (cacheRules.rules === undefined) cacheRules = { ...cacheRules, rules: [] };

    const pageRules = result(api, pagesA, `page rules of zone ${zone}`, pagesPath) ?? [];
    if (!Array.isArray(pageRules)) throw api.fail(`page rules of zone ${zone}`, 'the result is not an array', pagesPath);

    const settings = result(api, settingsA, `settings of zone ${zone}`, settingsPath);
    if (!Array.isArray(settings) || !settings.every((s) => isRecord(s) && typeof s.id === 'string')) {
      throw api.fail(`settings of zone ${zone}`, 'the result is not an array of { id, value }', settingsPath);
    }
    const idValue = (settings as Record<string, unknown>[])
      .map((s) => ({ id: s.id as string, value: s.value }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    const snapshot: Snapshot = {
      provider: 'cloudflare',
      target: zone,
      fetchedAt,
      files: redactFiles({
        'cache_rules.json': jsonFile(redactCredentials('cloudflare', cacheRules)),
        'pagerules.json': jsonFile(redactCredentials('cloudflare', pageRules)),
        'settings.json': jsonFile(redactCredentials('cloudflare', idValue)),
      }),
    };
    const version = (cacheRules as Record<string, unknown>).version;
    if (typeof version === 'string' || typeof version === 'number') snapshot.version = String(version);
    return snapshot;
  } finally {
    await api.close();
  }
}
