/**
 * Varnish through `varnishncsa -j -F '<JSON format>'`: one JSON object per line. The default
 * field names are the lab's (`VARNISHNCSA_FORMAT` in lab/engines/logs.ts, docs/lab.md §4), so that
 * log parses as is. A hit whose request came off the waiting list (`%{VSL:Timestamp:Waitinglist[1]}x`
 * non-empty) waited for another request's fetch: COLLAPSED.
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
  cache: 'cache|handling',
  edge: 'edge',
  identity: 'identity',
  owner: 'owner',
  setCookie: 'set_cookie',
  cacheControl: 'cache_control',
  age: 'age',
  duration: 'duration_us',
  requestId: 'vxid',
};

function outcome(rec: JsonRecord, _word: string | undefined, base: Outcome): Outcome {
  return base === 'HIT' && field(rec, 'waitinglist') !== undefined ? 'COLLAPSED' : base;
}

const spec: JsonFormatSpec = { id: 'varnishncsa', vendor: 'varnish', defaults: defaultFields, duration: 'us', outcome };

export const varnishncsa: AdapterDefinition = {
  id: 'varnishncsa',
  title: 'Varnish varnishncsa JSON',
  description:
    'Varnish access log written by `varnishncsa -j -F \'{...}\'` (one JSON object per line, values JSON-escaped by `-j`): the cache word from `X-Cache` (else `%{Varnish:handling}x`), `%{VSL:Timestamp:Resp[1]}x` as `msec`, `%D` (µs) as `duration_us`, `%{VSL:Timestamp:Waitinglist[1]}x` as `waitinglist` (a hit that waited is COLLAPSED), the identity from `std.log("identity:...")` via `%{VCL_Log:identity}x`, the owner tag from `%{X-Cachewarden-Owner}o`. The defaults are the lab\'s field names. The plain-text NCSA form is not read: use -j.',
  json: true,
  defaultFields,
  sniff: (lines) => sniffJson(lines, ['msec', 'uri', 'status', 'cache', 'handling', 'duration_us'], ['request_time', 'RayID', 'reqTimeSec', 'state']),
  create: (opts) => createJsonAdapter(spec, opts),
};
