/**
 * Akamai DataStream 2, JSON log format (every value a string; fields logged as `-`/null are left
 * out). The cache outcome is binary here: `cacheStatus` 1 = served from cache, 0 = not; with
 * `cacheable` 0 the object could not be cached at all (PASS). DataStream 2 does not log collapsing.
 * `reqTimeSec` is when the edge accepted the request, so the event time adds the logged durations.
 * The owner tag travels in the custom log field (see docs/log-recipes.md).
 */
import type { Outcome } from '../../core/event.ts';
import { durationOf, sniffJson } from './common.ts';
import { createJsonAdapter, field } from './json.ts';
import type { JsonFormatSpec, JsonRecord } from './json.ts';
import type { AdapterDefinition, FieldMap } from './types.ts';

const defaultFields: FieldMap = {
  time: 'reqTimeSec',
  host: 'reqHost',
  uri: 'reqPath',
  method: 'reqMethod',
  status: 'statusCode',
  cache: 'cacheStatus',
  edge: 'edgeIP',
  identity: 'cookie',
  owner: 'customField',
  duration: 'turnAroundTimeMSec',
  requestId: 'reqId',
};

function outcome(rec: JsonRecord, word: string | undefined, base: Outcome): Outcome {
  if (word === '1') return 'HIT';
  if (word === '0') return field(rec, 'cacheable') === '0' ? 'PASS' : 'MISS';
  // A custom field carrying the Akamai-Cache-Status word: NotCacheable is not in the shared vocabulary.
  if (word !== undefined && word.replace(/[\s_-]/g, '').toLowerCase().startsWith('notcacheable')) return 'PASS';
  return base;
}

/** `reqPath` (URL-encoded where DataStream encodes) and `queryStr`, logged apart, joined. */
function url(rec: JsonRecord, uri: string): string {
  let path = uri;
  if (!path.startsWith('/') && path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep it as logged
    }
  }
  if (!path.startsWith('/')) path = `/${path}`;
  const q = field(rec, 'queryStr');
  return q === undefined || path.includes('?') ? path : `${path}?${q.startsWith('?') ? q.slice(1) : q}`;
}

/** The rest of the request's time at the edge: reading the request and sending the response. */
function extraDurationMs(rec: JsonRecord): number {
  return (durationOf(rec.reqEndTimeMSec, 'ms') ?? 0) + (durationOf(rec.transferTimeMSec, 'ms') ?? 0);
}

const spec: JsonFormatSpec = { id: 'akamai-ds2', vendor: 'akamai', defaults: defaultFields, duration: 'ms', timeIsStart: true, outcome, url, extraDurationMs };

export const akamaiDs2: AdapterDefinition = {
  id: 'akamai-ds2',
  title: 'Akamai DataStream 2, JSON',
  description:
    'Akamai DataStream 2 streams in JSON log format: `reqTimeSec` (request accepted; the event time adds `reqEndTimeMSec`, `turnAroundTimeMSec` and `transferTimeMSec`), `reqHost`, `reqPath` + `queryStr`, `reqMethod`, `statusCode`, `cacheStatus` (1 = HIT; 0 = MISS, or PASS when `cacheable` is 0), `edgeIP` as the edge, `reqId`. The viewer comes from the `cookie` field (Log Request Details behavior logging the session cookie), the owner tag from the custom log field (`customField`). No collapse marker and no Set-Cookie.',
  json: true,
  defaultFields,
  sniff: (lines) => sniffJson(lines, ['reqTimeSec', 'reqHost', 'reqPath', 'statusCode', 'cacheStatus', 'reqId', 'cp']),
  create: (opts) => createJsonAdapter(spec, opts),
};
