/**
 * The engine behind every one-JSON-object-per-line format (nginx-json, varnishncsa, fastly-json,
 * cloudflare, akamai-ds2): one JSON.parse, then one read per mapped field. A format module gives
 * its default field map, outcome vocabulary, duration unit and small hooks for what is peculiar to
 * it (collapse markers, a query string kept apart, a start time instead of an end time).
 */
import type { CacheEvent, Outcome } from '../../core/event.ts';
import type { OutcomeVendor } from '../../semantics/cache-status.ts';
import {
  IdentityReader,
  OutcomeWords,
  absent,
  ageOf,
  compileGetter,
  durationOf,
  fillsOf,
  get,
  hasControlBytes,
  hasSetCookie,
  precheck,
  reject,
  resolveOptions,
  statusOf,
  str,
  timeOf,
} from './common.ts';
import type { DurationUnit, Getter } from './common.ts';
import type { AdapterOptions, FieldMap, FormatAdapter, FormatId, ParseResult } from './types.ts';

export type JsonRecord = Record<string, unknown>;

export interface JsonFormatSpec {
  id: FormatId;
  vendor: OutcomeVendor;
  defaults: FieldMap;
  /**
   * How the `duration` source is read: a number in `s`, `ms` or `us`; or `start`: the source is the
   * request's start time, and the duration is the event time minus it.
   */
  duration: DurationUnit | 'start';
  /** The `time` source is when the request started (not when it finished): the event time adds the duration. */
  timeIsStart?: boolean;
  /** Refines the outcome from other fields of the record; `word` is the raw cache word (undefined when absent). */
  outcome?: (rec: JsonRecord, word: string | undefined, base: Outcome) => Outcome;
  /** Builds the URL from the `uri` value (e.g. appending a query string logged apart). */
  url?: (rec: JsonRecord, uri: string) => string;
  /** Adds to the duration read from the default `duration` source (e.g. further timing fields). */
  extraDurationMs?: (rec: JsonRecord) => number;
}

/** A syslog priority, or five or more space-separated words not starting like JSON: a text log line (NCSA, W3C, syslog). */
const TEXT_LINE_RE = /^(?:<\d{1,3}>|[^\s{["]+(?: +\S+){4,})/;

export function createJsonAdapter(spec: JsonFormatSpec, opts: AdapterOptions): FormatAdapter {
  const o = resolveOptions(spec.defaults, opts);
  const f = o.fields;
  for (const required of ['uri', 'status', 'time'] as const) {
    if (f[required] === undefined) throw new Error(`${spec.id}: the field map must name a source for "${required}"`);
  }
  const g = {
    time: compileGetter(f.time),
    host: compileGetter(f.host),
    uri: compileGetter(f.uri),
    method: compileGetter(f.method),
    status: compileGetter(f.status),
    cache: compileGetter(f.cache),
    edge: compileGetter(f.edge),
    identity: compileGetter(f.identity),
    owner: compileGetter(f.owner),
    setCookie: compileGetter(f.setCookie),
    cacheControl: compileGetter(f.cacheControl),
    age: compileGetter(f.age),
    duration: compileGetter(f.duration),
    requestId: compileGetter(f.requestId),
    key: compileGetter(f.key),
  } satisfies Record<string, Getter | undefined>;
  const words = new OutcomeWords(spec.vendor);
  const ids = new IdentityReader(o.hasher, o.identityCookies);
  const defaultEdge = o.defaultEdge ?? '';
  const defaultDuration = f.duration === spec.defaults.duration;
  const extraDuration = defaultDuration ? spec.extraDurationMs : undefined;

  // Rejects with a fixed detail, made once.
  const R = {
    wrongText: Object.freeze(reject('wrong_format', `not JSON: ${spec.id} reads one JSON object per line (wrong --format?)`)),
    wrongShape: Object.freeze(reject('wrong_format', `neither "${f.uri}" nor "${f.status}" present: not ${spec.id} (wrong --format or --field?)`)),
    badJson: Object.freeze(reject('bad_json', 'invalid JSON')),
    notObject: Object.freeze(reject('bad_json', 'not a JSON object')),
    array: Object.freeze(reject('bad_json', 'a JSON array: one object per line expected')),
    noUri: Object.freeze(reject('missing_field', `no "${f.uri}" (uri)`)),
    noStatus: Object.freeze(reject('missing_field', `no "${f.status}" (status)`)),
    badStatus: Object.freeze(reject('bad_status', `"${f.status}" is not an HTTP status`)),
    noTime: Object.freeze(reject('missing_field', `no "${f.time}" (time)`)),
    badTime: Object.freeze(reject('bad_time', `"${f.time}" is not a time`)),
  };

  function parse(line: string): ParseResult {
    const checked = precheck(line, o.maxLineLength);
    if (typeof checked !== 'string') return checked;
    let s = checked;
    let c = s.charCodeAt(0);
    if (c === 32 || c === 9) {
      s = s.trimStart();
      c = s.charCodeAt(0);
    }
    if (c !== 123 /* { */) {
      if (hasControlBytes(s)) return reject('binary');
      if (c === 91 /* [ */) return R.array;
      if (c === 35 /* # */ || s.indexOf('\t') >= 0 || TEXT_LINE_RE.test(s)) return R.wrongText;
      return R.badJson;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch {
      return hasControlBytes(s) ? reject('binary') : R.badJson;
    }
    if (parsed === null || typeof parsed !== 'object') return R.notObject;
    const rec = parsed as JsonRecord;

    const uriV = get(rec, g.uri);
    const statusV = get(rec, g.status);
    if (uriV === undefined || statusV === undefined) {
      if (uriV === undefined && statusV === undefined) return R.wrongShape;
      return uriV === undefined ? R.noUri : R.noStatus;
    }
    const uri = str(uriV);
    if (uri === undefined) return R.noUri;
    const status = statusOf(statusV);
    if (status === undefined) return R.badStatus;
    const timeV = get(rec, g.time);
    if (timeV === undefined) return R.noTime;
    let time = timeOf(timeV);
    if (Number.isNaN(time)) return R.badTime;

    let durationMs: number | undefined;
    if (g.duration !== undefined) {
      const dv = get(rec, g.duration);
      if (spec.duration === 'start') {
        if (dv !== undefined) {
          const start = timeOf(dv);
          if (start <= time) durationMs = Math.round((time - start) * 1e3) / 1e3;
        }
      } else {
        durationMs = dv === undefined ? undefined : durationOf(dv, spec.duration);
      }
    }
    if (extraDuration !== undefined) {
      const extra = extraDuration(rec);
      if (extra > 0) durationMs = (durationMs ?? 0) + extra;
    }
    if (spec.timeIsStart && durationMs !== undefined) time += durationMs;

    let outcome: Outcome = 'UNKNOWN';
    let word: string | undefined;
    if (g.cache !== undefined) {
      word = str(get(rec, g.cache));
      outcome = words.of(word ?? '');
    }
    if (spec.outcome !== undefined) outcome = spec.outcome(rec, word, outcome);

    const ev: CacheEvent = {
      time,
      edge: str(get(rec, g.edge)) ?? defaultEdge,
      method: str(get(rec, g.method)) ?? '-',
      url: spec.url === undefined ? uri : spec.url(rec, uri),
      outcome,
      status,
    };
    if (g.host !== undefined) {
      const host = str(get(rec, g.host));
      if (host !== undefined) ev.host = host;
    }
    if (g.key !== undefined) {
      const key = str(get(rec, g.key));
      if (key !== undefined) ev.key = key;
    }
    if (g.identity !== undefined) {
      const viewer = ids.viewer(get(rec, g.identity));
      if (viewer !== undefined) ev.viewer = viewer;
    }
    if (g.owner !== undefined) {
      const owner = ids.owner(get(rec, g.owner));
      if (owner !== undefined) ev.owner = owner;
    }
    if (g.setCookie !== undefined) {
      const sc = get(rec, g.setCookie);
      const present = sc !== undefined && hasSetCookie(sc);
      ev.setCookie = present;
      if (present) {
        const sco = ids.setCookieOwner(sc);
        if (sco !== undefined) ev.setCookieOwner = sco;
      }
    }
    if (g.cacheControl !== undefined) {
      const cc = str(get(rec, g.cacheControl));
      if (cc !== undefined) ev.cacheControl = cc;
    }
    if (g.age !== undefined) {
      const age = ageOf(get(rec, g.age));
      if (age !== undefined) ev.age = age;
    }
    if (durationMs !== undefined) ev.durationMs = durationMs;
    if (g.requestId !== undefined) {
      const rid = str(get(rec, g.requestId));
      if (rid !== undefined) ev.requestId = rid;
    }
    return { ok: true, event: ev };
  }

  return { id: spec.id, fills: fillsOf(f, o.defaultEdge), parse };
}

/** A record's field as a present string (for format hooks). */
export function field(rec: JsonRecord, key: string): string | undefined {
  const v = rec[key];
  return absent(v) ? undefined : str(v);
}
