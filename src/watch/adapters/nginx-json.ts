/**
 * nginx `log_format … escape=json`: one JSON object per line. The default field names are the
 * lab's (`lab/scenarios/nginx/lab-common.conf`, docs/lab.md §4), so a log written with that format
 * parses as is; docs/log-recipes.md gives the production variant.
 */
import type { Outcome } from '../../core/event.ts';
import { sniffJson } from './common.ts';
import { createJsonAdapter, field } from './json.ts';
import type { JsonFormatSpec, JsonRecord } from './json.ts';
import type { AdapterDefinition, FieldMap } from './types.ts';

const defaultFields: FieldMap = {
  time: 'msec|time',
  host: 'host',
  uri: 'uri',
  method: 'method',
  status: 'status',
  cache: 'cache',
  edge: 'edge',
  identity: 'identity',
  owner: 'owner',
  setCookie: 'set_cookie',
  cacheControl: 'cache_control',
  age: 'age',
  duration: 'request_time',
  requestId: 'request_id',
};

/**
 * `$upstream_cache_status` never says a request waited on `proxy_cache_lock`; a log that knows it
 * (the lab's CDN emulator writes `cache_detail: "collapsed"`) overrides the word.
 */
function outcome(rec: JsonRecord, _word: string | undefined, base: Outcome): Outcome {
  const detail = field(rec, 'cache_detail');
  return detail !== undefined && detail.toLowerCase() === 'collapsed' ? 'COLLAPSED' : base;
}

const spec: JsonFormatSpec = { id: 'nginx-json', vendor: 'nginx', defaults: defaultFields, duration: 's', outcome };

export const nginxJson: AdapterDefinition = {
  id: 'nginx-json',
  title: 'nginx JSON access log',
  description:
    'nginx (or anything written in its shape) with `log_format <name> escape=json` and one JSON object per line: `$upstream_cache_status` as `cache` (`-` or empty = PASS, no cache on that location), `$msec` as `msec` (or ISO `time`), `$request_time` (seconds) as `request_time`, the raw session cookie or bearer token as `identity`, `$sent_http_x_cachewarden_owner` as `owner`, `$sent_http_set_cookie` as `set_cookie`. The defaults are the lab\'s field names; `cache_detail: "collapsed"` (the CDN emulator) marks a collapsed request.',
  json: true,
  defaultFields,
  sniff: (lines) => sniffJson(lines, ['msec', 'uri', 'status', 'cache', 'request_time'], ['handling', 'duration_us', 'vxid', 'RayID', 'reqTimeSec', 'state']),
  create: (opts) => createJsonAdapter(spec, opts),
};
