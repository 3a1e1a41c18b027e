/**
 * Cache-Control (RFC 9111 §5.2) and the targeted fields that share its syntax
 * (`CDN-Cache-Control`, RFC 9213; `Surrogate-Control`).
 */

export interface Directive {
  /** Directive name, lower case. */
  name: string;
  /** Argument with quotes removed, or `undefined` when the directive has none. */
  value?: string;
  /** The argument was a quoted-string (`private="Set-Cookie"`). */
  quoted: boolean;
}

export interface CacheControl {
  /** The field value as received (lines joined with `, `); empty string when the field is absent. */
  raw: string;
  /** True when the field was present at all. */
  present: boolean;
  /** Every directive in order of appearance. */
  list: Directive[];
  /**
   * The directive used for each name. RFC 9111 §4.2.1: with several occurrences of one directive
   * a cache either uses the first or treats the response as stale; we use the first and report the
   * duplicate (see `duplicates`).
   */
  directives: ReadonlyMap<string, Directive>;
  /** Names that occurred more than once. */
  duplicates: string[];
}

/** Splits on commas that are outside quoted-strings. */
function splitMembers(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (inQuote && ch === '\\' && i + 1 < value.length) {
      cur += ch + value[++i]!;
      continue;
    }
    if (ch === '"') inQuote = !inQuote;
    if (ch === ',' && !inQuote) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

function unquote(v: string): { value: string; quoted: boolean } {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    return { value: t.slice(1, -1).replace(/\\(.)/g, '$1'), quoted: true };
  }
  return { value: t, quoted: false };
}

/**
 * Parses a Cache-Control-style field. Accepts a single value, the lines of a repeated field, or
 * `undefined` (absent). Directive names are case-insensitive; arguments may be tokens or
 * quoted-strings (RFC 9111 §5.2: recipients accept both forms).
 */
export function parseCacheControl(value: string | readonly string[] | undefined): CacheControl {
  const lines = value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
  const raw = lines.join(', ');
  const list: Directive[] = [];
  for (const member of splitMembers(raw)) {
    const eq = member.indexOf('=');
    const name = (eq < 0 ? member : member.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    if (eq < 0) list.push({ name, quoted: false });
    else list.push({ name, ...unquote(member.slice(eq + 1)) });
  }
  const directives = new Map<string, Directive>();
  const duplicates: string[] = [];
  for (const d of list) {
    if (directives.has(d.name)) {
      if (!duplicates.includes(d.name)) duplicates.push(d.name);
    } else directives.set(d.name, d);
  }
  return { raw, present: lines.length > 0, list, directives, duplicates };
}

export function hasDirective(cc: CacheControl, name: string): boolean {
  return cc.directives.has(name);
}

/**
 * A delta-seconds argument (`max-age`, `s-maxage`, `stale-while-revalidate`, ...):
 * `undefined` when absent, `'invalid'` when not a non-negative integer (RFC 9111 §4.2.1 encourages
 * treating such a response as stale), values above 2^31 clamped (§1.2.2).
 */
export function directiveSeconds(cc: CacheControl, name: string): number | 'invalid' | undefined {
  const d = cc.directives.get(name);
  if (d === undefined) return undefined;
  if (d.value === undefined || !/^\d+$/.test(d.value)) return 'invalid';
  return Math.min(Number(d.value), 2147483648);
}

/**
 * The qualified form of `private` / `no-cache` (RFC 9111 §5.2.2.4, §5.2.2.7):
 * `undefined` when the directive is absent, `[]` for the unqualified form, else the field names (lower case).
 */
export function qualifiedFields(cc: CacheControl, name: 'private' | 'no-cache'): string[] | undefined {
  const d = cc.directives.get(name);
  if (d === undefined) return undefined;
  if (d.value === undefined) return [];
  const fields = d.value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  return fields;
}
