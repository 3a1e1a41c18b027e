/**
 * The engine behind both CloudFront formats: tab-separated lines whose columns are named by a
 * `#Fields:` header line (standard logs), by the configured field list (real-time logs, which
 * always write the selected fields in CloudFront's own order), or by a documented default order.
 *
 * Sources in the field map are column names (`cs(Cookie)`) or 1-based column numbers (`13`); `a|b`
 * lists alternatives, the first present one wins. CloudFront writes `-` for an empty value.
 * Header and comment lines are rejected as `empty`: not malformed, nothing to count.
 */
import type { CacheEvent, Outcome } from '../../core/event.ts';
import {
  IdentityReader,
  OutcomeWords,
  durationOf,
  fillsOf,
  hasControlBytes,
  precheck,
  reject,
  resolveOptions,
  sampleLines,
  statusOf,
  timeOf,
} from './common.ts';
import type { AdapterOptions, FieldMap, FormatAdapter, FormatId, ParseResult } from './types.ts';

/** Adapter options of the tab-separated formats. */
export interface TsvAdapterOptions extends AdapterOptions {
  /**
   * The column names in the order the log writes them, for logs without a `#Fields:` line
   * (CloudFront real-time logs: the fields selected in the real-time log configuration; they are
   * put into CloudFront's canonical order when every name is known).
   */
  columns?: readonly string[];
}

export interface TsvFormatSpec {
  id: FormatId;
  defaults: FieldMap;
  /** Columns assumed when neither a `#Fields:` line nor `columns` names them. */
  defaultColumns: readonly string[];
  /** Every column the vendor writes, in its fixed order; a configured selection is sorted into it. */
  canonicalOrder?: readonly string[];
  /** Without a `#Fields:` line, a line must have exactly as many columns as configured (no trailing extras). */
  exactColumns: boolean;
  /**
   * When the field map gives any column as a number, the configured column list is not known to
   * match the log: only numbered sources are read and the width is not checked (real-time logs,
   * whose selection the `--field` flags cannot name otherwise).
   */
  positionalWhenNumbered: boolean;
}

/** Resolved column positions of one source: alternatives in order, −1 where a column is absent. */
type Columns = readonly number[];

const CLOCK_RE = /^\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;
const NUMBER_RE = /^\d+$/;
const RESULT_WORD_RE = /^(?:Hit|RefreshHit|OriginShieldHit|Miss|LimitExceeded|CapacityExceeded|Error|Redirect)$/;
const QUERY_COLUMNS = 'cs-uri-query';
const DATE_COLUMN = 'date';
const RESPONSE_RESULT_COLUMN = 'x-edge-response-result-type';
const DETAILED_RESULT_COLUMN = 'x-edge-detailed-result-type';

/** Puts a selection of known column names into the vendor's order; unknown names keep the given order. */
export function orderColumns(columns: readonly string[], canonical: readonly string[] | undefined): readonly string[] {
  const cleaned = columns.map((c) => c.trim()).filter((c) => c !== '');
  if (canonical === undefined || !cleaned.every((c) => canonical.includes(c))) return cleaned;
  return [...cleaned].sort((a, b) => canonical.indexOf(a) - canonical.indexOf(b));
}

/** A source that names a column by its 1-based number (in any of its alternatives). */
const numbered = (source: string): boolean => source.split('|').some((alt) => NUMBER_RE.test(alt.trim()));

function resolve(source: string | undefined, index: ReadonlyMap<string, number>): Columns | undefined {
  if (source === undefined) return undefined;
  const out: number[] = [];
  for (const alt of source.split('|')) {
    const name = alt.trim();
    if (name === '') continue;
    if (NUMBER_RE.test(name)) out.push(Number(name) - 1);
    else out.push(index.get(name) ?? -1);
  }
  return out;
}

function value(cols: readonly string[], at: Columns | undefined): string | undefined {
  if (at === undefined) return undefined;
  for (const i of at) {
    if (i < 0) continue;
    const v = cols[i];
    if (v !== undefined && v !== '' && v !== '-') return v;
  }
  return undefined;
}

export function createCloudFrontAdapter(spec: TsvFormatSpec, opts: TsvAdapterOptions): FormatAdapter {
  const o = resolveOptions(spec.defaults, opts);
  const f = o.fields;
  for (const required of ['uri', 'status', 'time'] as const) {
    if (f[required] === undefined) throw new Error(`${spec.id}: the field map must name a column for "${required}"`);
  }
  const words = new OutcomeWords('cloudfront');
  const ids = new IdentityReader(o.hasher, o.identityCookies);
  const defaultEdge = o.defaultEdge ?? '';
  const configured = opts.columns !== undefined && opts.columns.length > 0 ? orderColumns(opts.columns, spec.canonicalOrder) : undefined;
  const positional = spec.positionalWhenNumbered && configured === undefined && Object.values(f).some(numbered);
  if (positional) {
    for (const required of ['uri', 'status', 'time'] as const) {
      if (!numbered(f[required]!)) {
        throw new Error(`${spec.id}: with numbered columns, "${required}" must be numbered too (names are not read without the column list)`);
      }
    }
  }

  // Column layout: replaced when a #Fields line arrives.
  let header = false;
  let width = 0;
  let need = 0;
  let at = layout(configured ?? spec.defaultColumns);

  function layout(columns: readonly string[]) {
    const index = new Map<string, number>();
    if (!positional) {
      columns.forEach((c, i) => {
        if (!index.has(c)) index.set(c, i);
      });
    }
    width = columns.length;
    const a = {
      time: resolve(f.time, index),
      date: resolve(DATE_COLUMN, index),
      host: resolve(f.host, index),
      uri: resolve(f.uri, index),
      query: resolve(QUERY_COLUMNS, index),
      method: resolve(f.method, index),
      status: resolve(f.status, index),
      cache: resolve(f.cache, index),
      responseResult: resolve(RESPONSE_RESULT_COLUMN, index),
      detailedResult: resolve(DETAILED_RESULT_COLUMN, index),
      edge: resolve(f.edge, index),
      identity: resolve(f.identity, index),
      duration: resolve(f.duration, index),
      requestId: resolve(f.requestId, index),
      key: resolve(f.key, index),
    };
    // The widest position any mapped source needs.
    need = 0;
    for (const cols of Object.values(a)) for (const i of cols ?? []) if (i + 1 > need) need = i + 1;
    return a;
  }

  const R = {
    json: Object.freeze(reject('wrong_format', `a JSON line: ${spec.id} reads tab-separated lines (wrong --format?)`)),
    noTabs: Object.freeze(reject('wrong_format', `no tab-separated columns: not ${spec.id} (wrong --format?)`)),
    header: Object.freeze(reject('empty', 'header line (#Fields)')),
    comment: Object.freeze(reject('empty', 'comment line')),
    noUri: Object.freeze(reject('missing_field', `no ${f.uri} (uri)`)),
    noStatus: Object.freeze(reject('missing_field', `no ${f.status} (status)`)),
    badStatus: Object.freeze(reject('bad_status', `${f.status} is not an HTTP status`)),
    noTime: Object.freeze(reject('missing_field', `no ${f.time} (time)`)),
    badTime: Object.freeze(reject('bad_time', `${f.time} is not a time`)),
  };

  function timeFrom(cols: readonly string[]): number | undefined {
    const t = value(cols, at.time);
    if (t === undefined) return undefined;
    if (CLOCK_RE.test(t)) {
      // W3C `date` + `time` (UTC).
      const d = value(cols, at.date);
      return d === undefined ? NaN : timeOf(`${d}T${t}Z`);
    }
    return timeOf(t);
  }

  function outcomeFrom(cols: readonly string[]): Outcome {
    const word = value(cols, at.cache);
    let outcome = words.of(word ?? '');
    // x-edge-result-type turns into Error when the viewer hangs up mid-body; the response-side type says what the cache did.
    if (outcome === 'ERROR') {
      const served = value(cols, at.responseResult);
      if (served !== undefined && words.of(served) !== 'ERROR') outcome = words.of(served);
    }
    const detailed = value(cols, at.detailedResult);
    if (detailed !== undefined && detailed !== word && words.of(detailed) === 'COLLAPSED') outcome = 'COLLAPSED';
    return outcome;
  }

  function parse(line: string): ParseResult {
    const checked = precheck(line, o.maxLineLength);
    if (typeof checked !== 'string') return checked;
    const s = checked;
    const c = s.charCodeAt(0);
    if (c === 35 /* # */) {
      if (/^#\s*Fields\s*:/i.test(s)) {
        const names = s.slice(s.indexOf(':') + 1).trim().split(/\s+/);
        at = layout(names);
        header = true;
        return R.header;
      }
      return R.comment;
    }
    if (c === 123 /* { */) return R.json;
    if (hasControlBytes(s)) return reject('binary');
    if (s.indexOf('\t') < 0) return R.noTabs;
    const cols = s.split('\t');
    if ((header || configured !== undefined || (spec.exactColumns && !positional)) && cols.length !== width) {
      return reject('bad_line', `${cols.length} columns where ${width} are configured${header ? ' by #Fields' : ''}`);
    }
    if (cols.length < need) return reject('bad_line', `${cols.length} columns, the field map needs ${need}`);

    const stem = value(cols, at.uri);
    const statusV = value(cols, at.status);
    if (stem === undefined) return R.noUri;
    if (statusV === undefined) return R.noStatus;
    const status = statusOf(statusV);
    if (status === undefined) return R.badStatus;
    const time = timeFrom(cols);
    if (time === undefined) return R.noTime;
    if (Number.isNaN(time)) return R.badTime;
    const query = value(cols, at.query);

    const ev: CacheEvent = {
      time,
      edge: value(cols, at.edge) ?? defaultEdge,
      method: value(cols, at.method) ?? '-',
      url: query === undefined || stem.includes('?') ? stem : `${stem}?${query}`,
      outcome: outcomeFrom(cols),
      status,
    };
    const host = value(cols, at.host);
    if (host !== undefined) ev.host = host;
    const key = value(cols, at.key);
    if (key !== undefined) ev.key = key;
    const viewer = ids.viewer(value(cols, at.identity));
    if (viewer !== undefined) ev.viewer = viewer;
    const d = value(cols, at.duration);
    const durationMs = d === undefined ? undefined : durationOf(d, 's');
    if (durationMs !== undefined) ev.durationMs = durationMs;
    const rid = value(cols, at.requestId);
    if (rid !== undefined) ev.requestId = rid;
    return { ok: true, event: ev };
  }

  // In positional mode only the numbered sources are read.
  const readable: FieldMap = {};
  for (const [name, src] of Object.entries(f) as [keyof FieldMap, string][]) {
    if (!positional || numbered(src)) readable[name] = src;
  }
  return { id: spec.id, fills: fillsOf(readable, o.defaultEdge), parse };
}

/** The share of sample lines that look like CloudFront TSV, judged by `line`; header lines count as certain. */
export function sniffTsv(lines: readonly string[], line: (cols: string[]) => number, headerWins: boolean): number {
  const sample = sampleLines(lines, 20, true);
  if (sample.length === 0) return 0;
  let total = 0;
  for (const l of sample) {
    if (l.startsWith('#')) {
      if (headerWins && /^#(?:Version|Fields)\s*:/i.test(l)) total += 1;
      continue;
    }
    if (!l.includes('\t')) continue;
    total += line(l.split('\t'));
  }
  return Math.min(1, total / sample.length);
}

export const isResultWord = (v: string | undefined): boolean => v !== undefined && RESULT_WORD_RE.test(v);
