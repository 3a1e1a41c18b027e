/**
 * What every format adapter shares: the line pre-checks, field maps and how a source name is
 * read (dot paths, `|` alternatives, TSV columns), times and durations, outcome words, and the
 * identity reader that hashes every identity-bearing value the moment it is read.
 *
 * Hot-path rules: nothing here compiles a regular expression or creates a closure per line;
 * rejects that carry no detail are shared frozen objects.
 */
import type { Outcome } from '../../core/event.ts';
import type { IdentityHash, IdentityHasher } from '../../core/identity.ts';
import { normalizeOutcome } from '../../semantics/cache-status.ts';
import type { OutcomeVendor } from '../../semantics/cache-status.ts';
import { CANONICAL_FIELDS } from './types.ts';
import type { AdapterOptions, CanonicalField, FieldMap, ParseResult, RejectReason } from './types.ts';

export const DEFAULT_IDENTITY_COOKIES: readonly string[] = ['sid', 'session', 'sessionid'];
export const DEFAULT_MAX_LINE_LENGTH = 65_536;

/* ------------------------------------------------------------------ rejects */

const SHARED_REJECTS = new Map<RejectReason, ParseResult>();

/** A reject. Without a detail the result is a shared frozen object (no allocation per line). */
export function reject(reason: RejectReason, detail?: string): ParseResult {
  if (detail !== undefined) return { ok: false, reason, detail };
  let r = SHARED_REJECTS.get(reason);
  if (r === undefined) {
    r = Object.freeze({ ok: false as const, reason });
    SHARED_REJECTS.set(reason, r);
  }
  return r;
}

const CONTROL_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** True when the line holds a NUL or another control byte (tab excepted). */
export function hasControlBytes(line: string): boolean {
  return CONTROL_RE.test(line);
}

/**
 * The checks every adapter runs before parsing: `too_long` (before anything else), `empty`. Returns
 * the reject, or the line with a trailing CR and a leading byte-order mark removed.
 */
export function precheck(line: string, maxLength: number): ParseResult | string {
  const n = line.length;
  if (n > maxLength) return reject('too_long', `line of ${n} characters exceeds maxLineLength ${maxLength}`);
  if (n === 0) return reject('empty');
  let s = line;
  if (s.charCodeAt(n - 1) === 13) s = s.slice(0, -1);
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  const first = s.charCodeAt(0);
  // Only a line that starts with whitespace can be blank: one cheap test on the usual path.
  if (s.length === 0 || ((first === 32 || first === 9) && s.trim() === '')) return reject('empty');
  return s;
}

/* ------------------------------------------------------------------ options */

export interface ResolvedOptions {
  hasher: IdentityHasher;
  fields: FieldMap;
  identityCookies: readonly string[];
  maxLineLength: number;
  defaultEdge: string | undefined;
}

/** The effective field map: the format's defaults with the overrides merged over them. An override of `''` removes a field. */
export function resolveFields(defaults: FieldMap, overrides: FieldMap | undefined): FieldMap {
  const out: FieldMap = {};
  for (const name of CANONICAL_FIELDS) {
    const v = overrides !== undefined && Object.hasOwn(overrides, name) ? overrides[name] : defaults[name];
    if (typeof v === 'string' && v.trim() !== '') out[name] = v.trim();
  }
  return out;
}

export function resolveOptions(defaults: FieldMap, opts: AdapterOptions): ResolvedOptions {
  const maxLineLength = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (!(maxLineLength > 0)) throw new RangeError(`maxLineLength must be a positive number, got ${String(opts.maxLineLength)}`);
  const cookies = (opts.identityCookies ?? DEFAULT_IDENTITY_COOKIES).filter((c) => c !== '');
  return {
    hasher: opts.hasher,
    fields: resolveFields(defaults, opts.fields),
    identityCookies: cookies,
    maxLineLength,
    defaultEdge: opts.defaultEdge === undefined || opts.defaultEdge === '' ? undefined : opts.defaultEdge,
  };
}

/** The canonical fields an adapter fills: those its effective map names, plus `edge` when a default edge is set. */
export function fillsOf(fields: FieldMap, defaultEdge: string | undefined): ReadonlySet<CanonicalField> {
  const out = new Set<CanonicalField>();
  for (const name of CANONICAL_FIELDS) if (fields[name] !== undefined) out.add(name);
  if (defaultEdge !== undefined) out.add('edge');
  return out;
}

/* ------------------------------------------------------------------ JSON sources */

/**
 * A compiled JSON source: `a|b` lists alternatives (the first present, non-empty one wins); a
 * source with dots is tried first as a literal key, then as a path into nested objects.
 */
export interface Getter {
  readonly key: string;
  readonly path: readonly string[] | undefined;
  readonly next: Getter | undefined;
}

export function compileGetter(source: string | undefined): Getter | undefined {
  if (source === undefined) return undefined;
  const alts = source
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  let g: Getter | undefined;
  for (let i = alts.length - 1; i >= 0; i--) {
    const key = alts[i]!;
    const parts = key.split('.').filter((p) => p !== '');
    g = { key, path: parts.length > 1 ? parts : undefined, next: g };
  }
  return g;
}

/** A value that counts as absent: missing, null, empty, `-`, or Fastly's `(null)` for an unset variable. */
export function absent(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === '-' || v === '(null)';
}

/** Reads a compiled source from a parsed JSON record; `undefined` when absent. */
export function get(rec: Record<string, unknown>, g: Getter | undefined): unknown {
  while (g !== undefined) {
    let v = rec[g.key];
    if (v === undefined && g.path !== undefined) {
      let cur: unknown = rec;
      for (const p of g.path) {
        if (cur === null || typeof cur !== 'object') {
          cur = undefined;
          break;
        }
        cur = (cur as Record<string, unknown>)[p];
      }
      v = cur;
    }
    if (!absent(v)) return v;
    g = g.next;
  }
  return undefined;
}

/* ------------------------------------------------------------------ scalars */

export function str(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A status code: an integer 0..999 (CloudFront logs `000` when the viewer left before the response). */
export function statusOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 999 ? n : undefined;
}

const MIN_TIME = 946_684_800_000; // 2000-01-01
const MAX_TIME = 7_258_118_400_000; // 2200-01-01

/** An epoch number in seconds, ms, µs or ns (told apart by magnitude) → ms, rounded to the µs; NaN when implausible. */
export function epochMs(n: number): number {
  if (!(n > 0) || !Number.isFinite(n)) return NaN;
  let ms: number;
  if (n < 1e11) ms = Math.round(n * 1e6) / 1e3;
  else if (n < 1e14) ms = n;
  else if (n < 1e17) ms = n / 1e3;
  else ms = n / 1e6;
  return ms >= MIN_TIME && ms < MAX_TIME ? ms : NaN;
}

const MONTHS: Readonly<Record<string, number>> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const CLF_RE = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? ([+-])(\d{2})(\d{2})$/;

/**
 * A time value → ms since the epoch (NaN when unparseable or implausible): epoch numbers or numeric
 * strings in s/ms/µs/ns, ISO 8601 / RFC 3339 (`+0000` offsets too), and nginx `$time_local`.
 */
export function timeOf(v: unknown): number {
  if (typeof v === 'number') return epochMs(v);
  if (typeof v !== 'string') return NaN;
  const n = Number(v);
  if (Number.isFinite(n) && v.trim() !== '') return epochMs(n);
  let t = Date.parse(v);
  if (Number.isNaN(t)) {
    const m = CLF_RE.exec(v.trim());
    if (m) {
      const month = MONTHS[m[2]!];
      if (month !== undefined) {
        const frac = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
        const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
        t = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) + frac - offset;
      }
    }
  }
  return t >= MIN_TIME && t < MAX_TIME ? t : NaN;
}

export type DurationUnit = 's' | 'ms' | 'us';

/** A duration in `unit` → ms (rounded to the µs); undefined when not a non-negative number. */
export function durationOf(v: unknown, unit: DurationUnit): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!(n >= 0) || !Number.isFinite(n)) return undefined;
  if (unit === 's') return Math.round(n * 1e6) / 1e3;
  if (unit === 'us') return n / 1e3;
  return n;
}

/** A non-negative integer number of seconds (Age). */
export function ageOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/* ------------------------------------------------------------------ outcomes */

/** `normalizeOutcome` behind a small per-adapter cache: the vocabulary is a handful of words. */
export class OutcomeWords {
  readonly #vendor: OutcomeVendor;
  readonly #cache = new Map<string, Outcome>();

  constructor(vendor: OutcomeVendor) {
    this.#vendor = vendor;
  }

  of(word: string): Outcome {
    let o = this.#cache.get(word);
    if (o === undefined) {
      o = normalizeOutcome(word, this.#vendor);
      if (this.#cache.size < 512) this.#cache.set(word, o);
    }
    return o;
  }
}

/* ------------------------------------------------------------------ identities */

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const isCookieNameChar = (c: number): boolean =>
  // RFC 6265 token characters (no separators, no controls, no space)
  c > 32 && c < 127 && c !== 34 && c !== 40 && c !== 41 && c !== 44 && c !== 47 && c !== 58 && c !== 59 && c !== 60 && c !== 61 && c !== 62 && c !== 63 && c !== 64 && c !== 91 && c !== 92 && c !== 93 && c !== 123 && c !== 125;

/** A `name=value` pair at the start, so the value is a Cookie header rather than a bare token (base64 padding `abc==` is not). */
function looksLikeCookieHeader(s: string): boolean {
  const eq = s.indexOf('=');
  if (eq <= 0 || eq === s.length - 1 || s.charCodeAt(eq + 1) === 61) return false;
  let i = 0;
  while (i < eq && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  if (i === eq) return false;
  for (; i < eq; i++) if (!isCookieNameChar(s.charCodeAt(i))) return false;
  return true;
}

/** Skips spaces, tabs and URL-encoded spaces (`%20`, as CloudFront and Akamai log them) from `i`. */
function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) i++;
    else if (c === 37 && s.charCodeAt(i + 1) === 50 && s.charCodeAt(i + 2) === 48) i += 3;
    else return i;
  }
}

/** The value of the first of `names` present in a Cookie header (raw, as the browser sent it). */
export function cookieValue(header: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    let i = skipSpace(header, 0);
    while (i < header.length) {
      if (header.startsWith(name, i) && header.charCodeAt(i + name.length) === 61) {
        const start = i + name.length + 1;
        const end = header.indexOf(';', start);
        return (end < 0 ? header.slice(start) : header.slice(start, end)).trim();
      }
      const semi = header.indexOf(';', i);
      if (semi < 0) break;
      i = skipSpace(header, semi + 1);
    }
  }
  return undefined;
}

/**
 * Turns identity-bearing log values into keyed hashes. Accepted shapes for the viewer: a bare
 * credential, `Bearer <token>`, a whole Cookie header (the first identity cookie present is used),
 * an object of cookies (Cloudflare `Cookies`), or a value already hashed at the edge (hashed again:
 * deterministic, so an owner tag made the same way still matches).
 */
export class IdentityReader {
  readonly #hasher: IdentityHasher;
  readonly #cookies: readonly string[];
  readonly #setCookieRe: RegExp | undefined;

  constructor(hasher: IdentityHasher, cookies: readonly string[]) {
    this.#hasher = hasher;
    this.#cookies = cookies;
    this.#setCookieRe = cookies.length === 0 ? undefined : new RegExp(`(?:^|[,\\n]\\s*)(?:${cookies.map(escapeRe).join('|')})=([^;,\\s]*)`);
  }

  viewer(v: unknown): IdentityHash | undefined {
    if (typeof v === 'string') {
      let s = v;
      if (s.length > 7 && (s.charCodeAt(0) | 32) === 98 && s.slice(0, 7).toLowerCase() === 'bearer ') s = s.slice(7).trim();
      else if (s.indexOf('=') > 0 && looksLikeCookieHeader(s)) return this.#hasher.hash(cookieValue(s, this.#cookies));
      return this.#hasher.hash(s.trim());
    }
    if (typeof v === 'number') return this.#hasher.hash(String(v));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const jar = v as Record<string, unknown>;
      for (const name of this.#cookies) {
        const c = jar[name];
        if (typeof c === 'string' && !absent(c)) return this.#hasher.hash(c);
      }
    }
    return undefined;
  }

  owner(v: unknown): IdentityHash | undefined {
    if (typeof v === 'string') return this.#hasher.hash(v.trim());
    if (typeof v === 'number') return this.#hasher.hash(String(v));
    return undefined;
  }

  /** The identity cookie a Set-Cookie value (one header, several joined with `, ` or newlines, or an array) hands out, hashed. */
  setCookieOwner(v: unknown): IdentityHash | undefined {
    const re = this.#setCookieRe;
    if (re === undefined) return undefined;
    if (typeof v === 'string') {
      const m = re.exec(v);
      return m ? this.#hasher.hash(m[1]) : undefined;
    }
    if (Array.isArray(v)) {
      for (const item of v) {
        if (typeof item !== 'string') continue;
        const m = re.exec(item);
        if (m) return this.#hasher.hash(m[1]);
      }
    }
    return undefined;
  }
}

/** Any Set-Cookie at all in the value. */
export function hasSetCookie(v: unknown): boolean {
  if (typeof v === 'string') return !absent(v.trim());
  if (Array.isArray(v)) return v.some((s) => typeof s === 'string' && !absent(s.trim()));
  return false;
}

/* ------------------------------------------------------------------ sniffing helpers */

/** Up to `max` non-blank lines from the start of a sample, comment lines (`#`) skipped. */
export function sampleLines(lines: readonly string[], max = 20, keepComments = false): string[] {
  const out: string[] = [];
  for (const raw of lines) {
    const l = raw.trim();
    if (l === '' || (!keepComments && l.startsWith('#'))) continue;
    out.push(l);
    if (out.length >= max) break;
  }
  return out;
}

function has(rec: Record<string, unknown>, key: string): boolean {
  if (Object.hasOwn(rec, key)) return true;
  if (!key.includes('.')) return false;
  let cur: unknown = rec;
  for (const p of key.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return true;
}

/**
 * Confidence that sample lines are JSON objects of one shape: per line, the share of `signature`
 * keys present, halved when any `foreign` key (a sibling format's mark) is present; averaged.
 */
export function sniffJson(lines: readonly string[], signature: readonly string[], foreign: readonly string[] = []): number {
  const sample = sampleLines(lines);
  if (sample.length === 0) return 0;
  let total = 0;
  for (const l of sample) {
    if (!l.startsWith('{')) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(l);
    } catch {
      continue;
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) continue;
    const r = rec as Record<string, unknown>;
    let hits = 0;
    for (const k of signature) if (has(r, k)) hits++;
    let score = hits / signature.length;
    if (foreign.some((k) => has(r, k))) score /= 2;
    total += score;
  }
  return total / sample.length;
}
