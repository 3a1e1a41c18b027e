/**
 * Cloudflare Logpush, dataset `http_requests`, NDJSON (the default output). Timestamps in any of
 * Logpush's `timestamp_format`s (`unixnano`, `unix`, `rfc3339`). Cookie, owner and Set-Cookie come
 * from Logpush custom fields: `Cookies` (an object of the configured cookie names), `RequestHeaders`
 * and `ResponseHeaders` (objects keyed by lower-case header name), `ResponseFields` for a
 * `set-cookie` logged with `preserve_duplicates` (an array). Cloudflare does not log collapsing.
 */
import { sniffJson } from './common.ts';
import { createJsonAdapter } from './json.ts';
import type { JsonFormatSpec } from './json.ts';
import type { AdapterDefinition, FieldMap } from './types.ts';

const defaultFields: FieldMap = {
  time: 'EdgeEndTimestamp',
  host: 'ClientRequestHost',
  uri: 'ClientRequestURI',
  method: 'ClientRequestMethod',
  status: 'EdgeResponseStatus',
  cache: 'CacheCacheStatus',
  edge: 'EdgeColoCode',
  identity: 'Cookies',
  owner: 'ResponseHeaders.x-cachewarden-owner',
  setCookie: 'ResponseFields.set-cookie|ResponseHeaders.set-cookie',
  cacheControl: 'ResponseHeaders.cache-control',
  age: 'ResponseHeaders.age',
  duration: 'EdgeStartTimestamp',
  requestId: 'RayID',
};

const spec: JsonFormatSpec = { id: 'cloudflare', vendor: 'cloudflare', defaults: defaultFields, duration: 'start' };

export const cloudflare: AdapterDefinition = {
  id: 'cloudflare',
  title: 'Cloudflare Logpush http_requests',
  description:
    'Cloudflare Logpush jobs on the `http_requests` dataset, NDJSON output, any `timestamp_format`: `EdgeEndTimestamp` as the time (the duration is measured from `EdgeStartTimestamp`), `CacheCacheStatus` (bypass/dynamic = PASS; no collapse marker exists), `EdgeColoCode` as the edge, `RayID`. The viewer, owner and Set-Cookie come from Logpush custom fields (`http_log_custom_fields` ruleset): `Cookies` (the session cookie names), `ResponseHeaders.x-cachewarden-owner`, `ResponseHeaders.set-cookie` or `ResponseFields.set-cookie`; include `Cookies`, `RequestHeaders`, `ResponseHeaders` (and `ResponseFields`) in the job\'s fields.',
  json: true,
  defaultFields,
  sniff: (lines) => sniffJson(lines, ['RayID', 'EdgeStartTimestamp', 'EdgeEndTimestamp', 'ClientRequestURI', 'EdgeResponseStatus', 'CacheCacheStatus', 'EdgeColoCode']),
  create: (opts) => createJsonAdapter(spec, opts),
};
