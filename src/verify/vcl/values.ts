/**
 * Values the VCL evaluator computes with, and the header store it mutates. A value may be
 * `unknown` (client.ip, now, std.random…): conditions on it are decided by forking. Every value
 * carries its *taint*: which request inputs it derives from (`cookie`, `cookie:sid`,
 * `authorization`, `header:x-device`, `url`, `host`), so `hash_data(…)` can be mapped to the
 * profile's `hashExtra`.
 */
import type { HeaderBag } from '../../semantics/types.ts';

export type Taint = ReadonlySet<string> | undefined;

export type Value =
  | { k: 'str'; v: string; t: Taint }
  | { k: 'num'; v: number; t: Taint }
  /** Seconds. */
  | { k: 'dur'; v: number; t: Taint }
  | { k: 'bool'; v: boolean; t: Taint }
  /** An unset header or a NULL string. */
  | { k: 'none'; t: Taint }
  /**
   * Not decidable from the exchange; `text` says what (for assumptions). `present`: known to be
   * set (a header the engine always adds, or one the VCL set), so it tests true.
   */
  | { k: 'unknown'; text: string; t: Taint; present?: boolean }
  /** A bare name: an ACL, backend, table, or `req` in `header.get(req, …)`. */
  | { k: 'name'; v: string; t: Taint };

export const NONE: Value = { k: 'none', t: undefined };
export const str = (v: string, t?: Taint): Value => ({ k: 'str', v, t });
export const num = (v: number, t?: Taint): Value => ({ k: 'num', v, t });
export const dur = (v: number, t?: Taint): Value => ({ k: 'dur', v, t });
export const bool = (v: boolean, t?: Taint): Value => ({ k: 'bool', v, t });
export const unknown = (text: string, t?: Taint): Value => ({ k: 'unknown', text, t });

export function union(...ts: Taint[]): Taint {
  let first: Taint;
  let out: Set<string> | undefined;
  for (const t of ts) {
    if (!t || t.size === 0 || t === first) continue;
    if (!first) {
      first = t;
      continue;
    }
    if (!out) out = new Set(first);
    for (const x of t) out.add(x);
  }
  return out ?? first;
}

export const taintOf = (...vs: Value[]): Taint => union(...vs.map((v) => v.t));

const headerTaints = new Map<string, Taint>();

/** The taint of a request header as the client sent it (shared, never mutated). */
export function headerTaint(name: string): Taint {
  let t = headerTaints.get(name);
  if (t === undefined) {
    const lower = name.toLowerCase();
    t = new Set([lower === 'cookie' || lower === 'authorization' || lower === 'host' ? lower : `header:${lower}`]);
    if (headerTaints.size > 10_000) headerTaints.clear();
    headerTaints.set(name, t);
  }
  return t;
}

/** Three-valued truth: true, false, or undecidable. */
export type Tri = boolean | 'unknown';

export function truthy(v: Value): Tri {
  switch (v.k) {
    case 'str':
    case 'name':
      return true;
    case 'none':
      return false;
    case 'bool':
      return v.v;
    case 'num':
      return v.v !== 0;
    case 'dur':
      return v.v > 0;
    case 'unknown':
      return v.present ? true : 'unknown';
  }
}

/** VCL string conversion: durations print as seconds with three decimals, as Varnish does. */
export function toStr(v: Value): string | undefined {
  switch (v.k) {
    case 'str':
    case 'name':
      return v.v;
    case 'none':
      return '';
    case 'num':
      return String(v.v);
    case 'dur':
      return v.v.toFixed(3);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'unknown':
      return undefined;
  }
}

/** A value as a number (durations in seconds), when it is one. */
export function numeric(v: Value): number | undefined {
  if (v.k === 'num' || v.k === 'dur') return v.v;
  if (v.k === 'str' && v.v.trim() !== '' && Number.isFinite(Number(v.v))) return Number(v.v);
  if (v.k === 'bool') return v.v ? 1 : 0;
  return undefined;
}

/** Arithmetic; a duration operand makes a duration. */
export function arith(l: Value, r: Value, f: (a: number, b: number) => number, t: Taint): Value {
  const a = numeric(l)!;
  const b = numeric(r)!;
  return l.k === 'dur' || r.k === 'dur' ? dur(f(a, b), t) : num(f(a, b), t);
}

/** VCL `==`: numbers and durations by value, unset equals only unset, else as strings. */
export function equal(l: Value, r: Value): boolean {
  if (l.k === 'none' || r.k === 'none') return l.k === r.k;
  if ((l.k === 'num' || l.k === 'dur') && (r.k === 'num' || r.k === 'dur')) return l.v === r.v;
  if (l.k === 'bool' && r.k === 'bool') return l.v === r.v;
  return toStr(l) === toStr(r);
}

/* ------------------------------------------------------------------ headers */

interface HeaderLine {
  name: string;
  value: Value;
}

/** An ordered, case-insensitive header store (several lines per name allowed). */
export class Headers {
  private lines: HeaderLine[];

  constructor(lines: HeaderLine[] = []) {
    this.lines = lines;
  }

  static fromBag(bag: HeaderBag, taintFor: (name: string) => Taint): Headers {
    const lines: HeaderLine[] = [];
    for (const [name, raw] of Object.entries(bag)) {
      if (raw === undefined) continue;
      const t = taintFor(name);
      for (const v of typeof raw === 'string' ? [raw] : raw) lines.push({ name, value: str(v, t) });
    }
    return new Headers(lines);
  }

  clone(): Headers {
    return new Headers(this.lines.slice());
  }

  has(name: string): boolean {
    const lower = name.toLowerCase();
    return this.lines.some((l) => l.name.toLowerCase() === lower);
  }

  /** The header as VCL reads it: the first line (Cookie lines are joined with "; "). */
  get(name: string): Value {
    const lower = name.toLowerCase();
    const found = this.lines.filter((l) => l.name.toLowerCase() === lower);
    if (found.length === 0) return NONE;
    if (found.length === 1 || lower !== 'cookie') return found[0]!.value;
    const parts = found.map((l) => toStr(l.value));
    if (parts.some((p) => p === undefined)) return unknown(`req.http.${name}`, taintOf(...found.map((l) => l.value)));
    return str(parts.join('; '), taintOf(...found.map((l) => l.value)));
  }

  /** Replaces every line of the header with one (keeps the first line's spelling and place). */
  set(name: string, value: Value): void {
    if (value.k === 'none') return this.unset(name);
    if (value.k === 'unknown') value = { ...value, present: true };
    const lower = name.toLowerCase();
    const idx = this.lines.findIndex((l) => l.name.toLowerCase() === lower);
    if (idx < 0) {
      this.lines.push({ name, value });
      return;
    }
    const line = { name: this.lines[idx]!.name, value };
    this.lines = this.lines.flatMap((l, i) => (i === idx ? [line] : l.name.toLowerCase() === lower ? [] : [l]));
  }

  add(name: string, value: Value): void {
    if (value.k === 'unknown') value = { ...value, present: true };
    if (value.k !== 'none') this.lines.push({ name, value });
  }

  unset(name: string): void {
    const lower = name.toLowerCase();
    this.lines = this.lines.filter((l) => l.name.toLowerCase() !== lower);
  }

  /** Keeps only the headers `keep` accepts. */
  filter(keep: (lowerName: string) => boolean): void {
    this.lines = this.lines.filter((l) => keep(l.name.toLowerCase()));
  }

  /** Renders as a HeaderBag; unknown values are written `<expression>`. */
  toBag(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const names = new Map<string, string>();
    for (const l of this.lines) {
      const lower = l.name.toLowerCase();
      const key = names.get(lower) ?? l.name;
      names.set(lower, key);
      const v = l.value.k === 'unknown' ? `<${l.value.text}>` : (toStr(l.value) ?? '');
      const prev = out[key];
      out[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return out;
  }

  /** A comparable rendering of one header (for "did the VCL change it?"). */
  signature(name: string): string {
    const lower = name.toLowerCase();
    return JSON.stringify(this.lines.filter((l) => l.name.toLowerCase() === lower).map((l) => (l.value.k === 'unknown' ? `<${l.value.text}>` : toStr(l.value))));
  }

  names(): string[] {
    return [...new Set(this.lines.map((l) => l.name.toLowerCase()))];
  }
}

/** Cookie header → ordered name/value pairs. */
export function parseCookies(header: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === '') continue;
    out.push([name, eq < 0 ? '' : part.slice(eq + 1).trim()]);
  }
  return out;
}

/** Parses a VCL duration string (`10s`, `1.5h`, `500ms`); a bare number is seconds. */
export function parseDuration(s: string): number | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y)?\s*$/.exec(s);
  if (!m) return undefined;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] ?? 's']!;
  return Number(m[1]) * unit;
}
