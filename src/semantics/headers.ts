/**
 * Case-insensitive access to a `HeaderBag`, cookie parsing and HTTP-date parsing.
 * Shared by every profile and by the cache-status parser.
 */
import type { HeaderBag } from './types.ts';

/** Each bag's fields by lower-case name, built once per bag (bags are read many times per exchange). */
const byName = new WeakMap<HeaderBag, Map<string, string[]>>();

function index(bag: HeaderBag): Map<string, string[]> {
  let map = byName.get(bag);
  if (!map) {
    map = new Map();
    for (const [key, value] of Object.entries(bag)) {
      if (value === undefined) continue;
      const k = key.toLowerCase();
      const lines = map.get(k) ?? [];
      if (typeof value === 'string') lines.push(value);
      else lines.push(...value);
      map.set(k, lines);
    }
    byName.set(bag, map);
  }
  return map;
}

/**
 * All values of a header (a list header split into its lines), in order; empty when absent.
 * Bags are treated as immutable once read: the index is cached per bag object.
 */
export function headerLines(bag: HeaderBag, name: string): string[] {
  return [...(index(bag).get(name.toLowerCase()) ?? [])];
}

/** The header's lines joined with `, ` (RFC 9110 §5.3), or `undefined` when absent. */
export function header(bag: HeaderBag, name: string): string | undefined {
  const lines = headerLines(bag, name);
  return lines.length === 0 ? undefined : lines.join(', ');
}

/** Splits a comma-separated list field into trimmed, non-empty members (no quoted-string awareness). */
export function listMembers(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Parses `Cookie` header lines into name → value (first occurrence wins). */
export function parseCookieHeader(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
      if (name === '' || out.has(name)) continue;
      out.set(name, eq < 0 ? '' : pair.slice(eq + 1).trim());
    }
  }
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(year: number, month: string, day: number, h: number, m: number, s: number): number | undefined {
  const mi = MONTHS.indexOf(month.toLowerCase());
  if (mi < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  return Date.UTC(year, mi, day, h, m, s);
}

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, obsolete RFC 850 and asctime forms) into
 * milliseconds since the epoch; `undefined` for anything else (e.g. `Expires: 0`).
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let m = IMF.exec(v);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  m = RFC850.exec(v);
  if (m) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
    const yy = Number(m[3]);
    const nowYear = new Date().getUTCFullYear();
    let year = 2000 + yy;
    if (year > nowYear + 50) year -= 100;
    return utc(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = ASCTIME.exec(v);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return undefined;
}

/** Parses a non-negative integer header such as `Age`; `undefined` when absent or malformed. */
export function parseDeltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.split(',')[0]!.trim();
  if (!/^\d+$/.test(v)) return undefined;
  return Math.min(Number(v), 2147483648);
}
