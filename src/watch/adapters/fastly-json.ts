/**
 * Fastly real-time log streaming with the JSON log format recommended in docs/log-recipes.md:
 * `fastly_info.state` (its `-WAIT` suffix on a HIT is a collapsed request), `req.digest` as the cache
 * key, `server.identity` as the edge, `time.end.msec` and `time.elapsed.usec`, the viewer hashed at
 * the edge with `digest.hmac_sha256`, and the owner, Set-Cookie and Cache-Control response headers.
 */
import { sniffJson } from './common.ts';
import { createJsonAdapter } from './json.ts';
import type { JsonFormatSpec } from './json.ts';
import type { AdapterDefinition, FieldMap } from './types.ts';

const defaultFields: FieldMap = {
  time: 'time',
  host: 'host',
  uri: 'url',
  method: 'method',
  status: 'status',
  cache: 'state',
  edge: 'node',
  identity: 'viewer',
  owner: 'owner',
  setCookie: 'set_cookie',
  cacheControl: 'cache_control',
  age: 'age',
  duration: 'elapsed_us',
  requestId: 'request_id',
  key: 'digest',
};

const spec: JsonFormatSpec = { id: 'fastly-json', vendor: 'fastly', defaults: defaultFields, duration: 'us' };

export const fastlyJson: AdapterDefinition = {
  id: 'fastly-json',
  title: 'Fastly real-time logging, JSON',
  description:
    'A Fastly VCL service streaming one JSON object per request (HTTPS, syslog, Kafka … endpoints; NDJSON) in the format given in docs/log-recipes.md: `fastly_info.state` as `state` (HIT-WAIT = COLLAPSED, HIT-STALE = STALE, *-REFRESH = REVALIDATED), `req.digest` as `digest` (the cache key), `server.identity` as `node` (the edge; `server.datacenter` is `pop`), `time.end.msec` as `time`, `time.elapsed.usec` as `elapsed_us`, the viewer as an edge-side `digest.hmac_sha256` of the session credential, and `resp.http.X-Cachewarden-Owner`, `Set-Cookie`, `Cache-Control`, `Age`.',
  json: true,
  defaultFields,
  sniff: (lines) => sniffJson(lines, ['time', 'url', 'status', 'state', 'digest', 'node', 'elapsed_us'], ['msec', 'RayID', 'reqTimeSec']),
  create: (opts) => createJsonAdapter(spec, opts),
};
