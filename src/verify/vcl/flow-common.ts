/**
 * What the Varnish and Fastly flows share: turning the machine's state back into an exchange,
 * mapping hash inputs to `hashExtra`, collecting provenance in configuration order, and labels.
 */
import type { HttpRequestInfo, HttpResponseInfo, ProfileSpec } from '../../semantics/types.ts';
import type { Provenance, SourceLocation } from '../types.ts';
import type { Stmt } from './ast.ts';
import type { Machine } from './machine.ts';
import type { ReqState, Write } from './state.ts';
import { toStr, type Value } from './values.ts';

export interface FlowContext {
  request: HttpRequestInfo;
  response: HttpResponseInfo;
  /** Main file, for locations when no statement applies. */
  mainFile: string;
  /** File name → reading order (builtin files last). */
  fileOrder: ReadonlyMap<string, number>;
}

export interface FlowResult {
  profile: ProfileSpec;
  request: HttpRequestInfo;
  response: HttpResponseInfo;
  provenance: Provenance[];
  handler: { label: string; at: SourceLocation };
  caching: boolean;
}

/** Collects provenance: one entry per statement (first option wins), sorted in configuration order. */
export class ProvenanceLog {
  private readonly entries = new Map<Stmt, string>();
  private readonly m: Machine;
  private readonly order: ReadonlyMap<string, number>;

  constructor(m: Machine, order: ReadonlyMap<string, number>) {
    this.m = m;
    this.order = order;
  }

  add(option: string, stmt: Stmt | undefined): void {
    if (stmt && !this.entries.has(stmt)) this.entries.set(stmt, option);
  }

  list(): Provenance[] {
    const out = [...this.entries].map(([stmt, option]) => ({ option, at: stmt.at, text: this.m.prog.oneLine(stmt.span) }));
    const rank = (f: string): number => this.order.get(f) ?? Number.MAX_SAFE_INTEGER;
    return out.sort((a, b) => rank(a.at.file) - rank(b.at.file) || a.at.line - b.at.line || a.at.column - b.at.column);
  }
}

/** Request inputs a hashed value derives from, as `hashExtra` names (`cookie`, `cookie:sid`, `authorization`, `x-device`). */
export function hashExtraOf(inputs: ReadonlyArray<{ value: Value; stmt: Stmt }>, log: ProvenanceLog): string[] {
  const extra: string[] = [];
  for (const { value, stmt } of inputs) {
    let used = false;
    for (const t of value.t ?? []) {
      if (t === 'url' || t === 'host' || t === 'response') continue;
      const name = t.startsWith('header:') ? t.slice('header:'.length) : t;
      if (!extra.includes(name)) extra.push(name);
      used = true;
    }
    if (used) log.add('hashExtra', stmt);
  }
  return extra;
}

/** Freshness-relevant response headers: if the VCL changes them, core's TTL no longer follows from the headers. */
export const FRESHNESS_HEADERS = ['cache-control', 'expires', 'date', 'age', 'last-modified'];

export const changedWrites = (m: Machine, pred: (w: Write) => boolean): Write[] => m.writes.filter((w) => w.changed && pred(w));

/** The request as the cache decides on it, rebuilt from the machine's `req`. */
export function requestInfo(state: ReqState, original: HttpRequestInfo): HttpRequestInfo {
  const headers = state.headers.toBag();
  const hadHost = Object.keys(original.headers).some((k) => k.toLowerCase() === 'host');
  const hostValue = state.headers.get('host');
  const hostStr = hostValue.k === 'str' ? hostValue.v : undefined;
  if (!hadHost) {
    // We added Host from `request.host`/the URL so VCL could read it; drop it again unless changed.
    const implicit = original.host ?? /^https?:\/\/([^/?#]*)/i.exec(original.url)?.[1];
    if (hostStr === implicit) for (const k of Object.keys(headers)) if (k.toLowerCase() === 'host') delete headers[k];
  }
  const url = state.url.k === 'unknown' ? `<${state.url.text}>` : (toStr(state.url) ?? original.url);
  const method = toStr(state.method) ?? original.method;
  const out: HttpRequestInfo = { method, url: keepAbsolute(original.url, url), headers };
  const host = original.host !== undefined && hostStr !== undefined ? hostStr.replace(/:\d+$/, '') : original.host;
  if (host !== undefined) out.host = host;
  if (original.scheme) out.scheme = original.scheme;
  return out;
}

/** An absolute-form request URL stays absolute (the VCL saw only its path). */
function keepAbsolute(originalUrl: string, path: string): string {
  const abs = /^(https?:\/\/[^/?#]*)/i.exec(originalUrl);
  return abs ? abs[1] + path : path;
}

export function responseInfo(m: Machine, original: HttpResponseInfo): HttpResponseInfo {
  const b = m.beresp;
  if (!b) return original;
  const out: HttpResponseInfo = { status: b.status.k === 'num' ? b.status.v : original.status, headers: b.headers.toBag() };
  if (original.receivedAt !== undefined) out.receivedAt = original.receivedAt;
  return out;
}

/** `vcl_recv: return (hash)` from a return statement. */
export function returnLabel(m: Machine, sub: string, stmt: Stmt): string {
  return `${sub}: ${m.prog.oneLine(stmt.span).replace(/;$/, '')}`;
}

/** Where a sub is defined (its last user definition, where falling through happens), else the main file's first line. */
export function subAt(m: Machine, sub: string, mainFile: string): SourceLocation {
  const def = m.prog.user.get(sub)?.at(-1);
  return def ? def.at : { file: mainFile, line: 1, column: 1 };
}

/** Seconds from a duration value, or undefined when not decidable. */
export function seconds(v: Value): number | undefined {
  return v.k === 'dur' || v.k === 'num' ? v.v : undefined;
}
