/**
 * The lab's access log formats (documented field by field in docs/lab.md) and parsers.
 *
 * Both engines write one JSON object per line:
 * - nginx: `log_format cachewarden escape=json` in `lab/scenarios/nginx/lab-common.conf`;
 * - Varnish: `varnishncsa -j -F <VARNISHNCSA_FORMAT>` (the `-j` flag JSON-escapes values).
 *
 * The identity field is the raw session cookie value or bearer token, on purpose: this is the
 * lab, and cachewarden hashes identities at its log adapter. Never log raw identities in production.
 */
import { readFileSync } from 'node:fs';
import type { Outcome } from '../../src/core/event.ts';
import { normalizeOutcome } from '../../src/semantics/index.ts';

export const LOG_FORMATS = ['nginx-json', 'varnishncsa-json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** URIs starting with this are lab probes (readiness / log sync), answered by the edge itself. */
export const LAB_PROBE_PREFIX = '/__lab/';

/**
 * The varnishncsa format (one line, shown wrapped). All values are strings except `status`
 * and `duration_us`, which varnishncsa always fills.
 */
export const VARNISHNCSA_FORMAT = [
  '{"time":"%{%Y-%m-%dT%H:%M:%S%z}t"',
  '"msec":"%{VSL:Timestamp:Resp[1]}x"',
  '"edge":"%{X-Served-By}o"',
  '"host":"%{Host}i"',
  '"method":"%m"',
  '"uri":"%U%q"',
  '"status":%s',
  '"cache":"%{X-Cache}o"',
  '"handling":"%{Varnish:handling}x"',
  '"waitinglist":"%{VSL:Timestamp:Waitinglist[1]}x"',
  '"identity":"%{VCL_Log:identity}x"',
  '"identity_kind":"%{VCL_Log:identity_kind}x"',
  '"owner":"%{X-Cachewarden-Owner}o"',
  '"set_cookie":"%{Set-Cookie}o"',
  '"cache_control":"%{Cache-Control}o"',
  '"expires":"%{Expires}o"',
  '"vary":"%{Vary}o"',
  '"age":"%{Age}o"',
  '"bytes":"%b"',
  '"duration_us":%D',
  '"ttfb":"%{Varnish:time_firstbyte}x"',
  '"fetch_time":"%{VSL:Timestamp:Fetch[3]}x"',
  '"vxid":"%{Varnish:vxid}x"',
  '"hit_vxid":"%{VSL:Hit[1]}x"}',
].join(',');

/** A lab access log line, normalized across the two engines. */
export interface LabLogRecord {
  engine: 'nginx' | 'varnish';
  /** When the response was finished, ms since the epoch (sub-ms precision on Varnish). */
  time: number;
  edge: string;
  host: string;
  method: string;
  /** Path and query as requested. */
  uri: string;
  status: number;
  /** The engine's own cache word: nginx `$upstream_cache_status` (`-` when the location has no cache); Varnish `X-Cache`. */
  cache: string;
  /** Normalized outcome. Varnish hits that came off the waiting list are `COLLAPSED`. */
  outcome: Outcome;
  /** Varnish only: `%{Varnish:handling}x` (`hit`, `miss`, `pass`, `synth`, ...). */
  handling?: string;
  /** Varnish only: the request waited on the waiting list (request collapsing). */
  waitinglist?: boolean;
  /** Raw session cookie value or bearer token; `undefined` for anonymous requests. */
  identity?: string;
  identityKind?: 'cookie' | 'bearer';
  /** `X-Cachewarden-Owner` as sent to the client. */
  owner?: string;
  /** `Set-Cookie` as sent to the client (nginx: the first one). */
  setCookie?: string;
  cacheControl?: string;
  expires?: string;
  vary?: string;
  /** `Age` as sent (Varnish sets it; nginx 1.22 never does). */
  age?: number;
  /** Total time, seconds. */
  requestTime?: number;
  /** nginx `$upstream_response_time` (may list several); Varnish time spent fetching, seconds. */
  upstreamTime?: string;
  /** A lab probe line (`/__lab/...`), not traffic. */
  probe: boolean;
  raw: Record<string, unknown>;
}

/** Map an engine's cache word (or an `X-Cache` header) to the shared outcome vocabulary. */
export function outcomeFromCacheWord(word: string | undefined | null): Outcome {
  return normalizeOutcome(word ?? '', 'nginx');
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v);
  return s === '' || s === '-' ? undefined : s;
}

function num(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function kind(v: unknown): 'cookie' | 'bearer' | undefined {
  const s = str(v);
  return s === 'cookie' || s === 'bearer' ? s : undefined;
}

function optional<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function parseNginxLine(line: string): LabLogRecord | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const uri = String(j.uri ?? '');
  const cache = String(j.cache ?? '-') || '-';
  return optional({
    engine: 'nginx',
    time: Math.round((num(j.msec) ?? 0) * 1000),
    edge: String(j.edge ?? ''),
    host: String(j.host ?? ''),
    method: String(j.method ?? ''),
    uri,
    status: Number(j.status),
    cache,
    outcome: outcomeFromCacheWord(cache),
    identity: str(j.identity),
    identityKind: kind(j.identity_kind),
    owner: str(j.owner),
    setCookie: str(j.set_cookie),
    cacheControl: str(j.cache_control),
    expires: str(j.expires),
    vary: str(j.vary),
    age: num(j.age),
    requestTime: num(j.request_time),
    upstreamTime: str(j.upstream_response_time),
    probe: uri.startsWith(LAB_PROBE_PREFIX),
    raw: j,
  } satisfies LabLogRecord);
}

export function parseVarnishLine(line: string): LabLogRecord | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const uri = String(j.uri ?? '');
  const cache = str(j.cache) ?? '';
  const waitinglist = str(j.waitinglist) !== undefined;
  let outcome = outcomeFromCacheWord(cache);
  if (outcome === 'HIT' && waitinglist) outcome = 'COLLAPSED';
  const durationUs = num(j.duration_us);
  return optional({
    engine: 'varnish',
    time: (num(j.msec) ?? 0) * 1000,
    edge: String(j.edge ?? ''),
    host: String(j.host ?? ''),
    method: String(j.method ?? ''),
    uri,
    status: Number(j.status),
    cache,
    outcome,
    handling: str(j.handling),
    waitinglist,
    identity: str(j.identity),
    identityKind: kind(j.identity_kind),
    owner: str(j.owner),
    setCookie: str(j.set_cookie),
    cacheControl: str(j.cache_control),
    expires: str(j.expires),
    vary: str(j.vary),
    age: num(j.age),
    requestTime: durationUs === undefined ? undefined : durationUs / 1e6,
    upstreamTime: str(j.fetch_time),
    probe: uri.startsWith(LAB_PROBE_PREFIX),
    raw: j,
  } satisfies LabLogRecord);
}

export function parseLogLine(line: string, format: LogFormat): LabLogRecord | undefined {
  return format === 'nginx-json' ? parseNginxLine(line) : parseVarnishLine(line);
}

/**
 * Read and parse a whole lab access log (complete lines only). Probe lines are dropped unless
 * `includeProbes`. Unparseable lines throw (the lab's logs must always parse).
 */
export function readAccessLog(path: string, format: LogFormat, opts: { includeProbes?: boolean } = {}): LabLogRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: LabLogRecord[] = [];
  // Only complete lines: the writer may be in the middle of the last one.
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.trim() === '') continue;
    const rec = parseLogLine(line, format);
    if (!rec) throw new Error(`unparseable ${format} line in ${path}: ${line.slice(0, 200)}`);
    if (rec.probe && !opts.includeProbes) continue;
    out.push(rec);
  }
  return out;
}
