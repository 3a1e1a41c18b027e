/**
 * The state one path through an exchange works on: the client request (`req`), the backend
 * request and response (`bereq`, `beresp`), variables, and every write the VCL made. Reading and
 * writing VCL variables by name lives here; executing statements lives in machine.ts.
 */
import type { HttpRequestInfo } from '../../semantics/types.ts';
import type { Span, Stmt, SubDecl, TableDecl } from './ast.ts';
import { readSubfield } from './functions.ts';
import type { VclDialect } from './load.ts';
import { Headers, NONE, bool, dur, equal, headerTaint, num, str, toStr, unknown, union, type Tri, type Value } from './values.ts';

export interface ProgramIndex {
  dialect: VclDialect;
  /** User definitions by sub name, in order of appearance. */
  user: ReadonlyMap<string, readonly SubDecl[]>;
  /** Builtin definitions by sub name (Varnish). */
  builtin: ReadonlyMap<string, readonly SubDecl[]>;
  /** Declared ACL names (a `~ name` match is an ACL match on an unknown address). */
  acls: ReadonlySet<string>;
  /** Other declared names that evaluate to themselves (backends, directors, probes, tables). */
  names: ReadonlySet<string>;
  tables: ReadonlyMap<string, TableDecl>;
  /** Source text of a span on one line. */
  oneLine(span: Span): string;
}

export interface ReqState {
  method: Value;
  url: Value;
  headers: Headers;
}

export interface BerespState {
  status: Value;
  reason: Value;
  headers: Headers;
  ttl: Value;
  grace: Value;
  keep: Value;
  uncacheable: Value;
  cacheable: Value;
  staleWhileRevalidate: Value;
  staleIfError: Value;
}

/** One executed write: a variable or header the VCL set, unset or added. */
export interface Write {
  /** Lower case: `req.http.cookie`, `beresp.ttl`, `req.url`, `req.hash_ignore_busy`. */
  target: string;
  op: 'set' | 'unset' | 'add';
  stmt: Stmt;
  /** The vcl_* method (or hook) being run. */
  method: string;
  /** Whether the exchange's value changed (a header that was absent and is unset again did not). */
  changed: boolean;
  value: Value | undefined;
}

export class ExchangeState {
  readonly prog: ProgramIndex;
  readonly writes: Write[] = [];
  /** Values of variables not modelled individually (`var.*`, `req.backend_hint`, …). */
  readonly vars = new Map<string, Value>();
  readonly vmodVars = new Map<string, Value>();
  cookieJar: Array<[string, string]> | undefined;
  /** The request as the client sent it. */
  readonly original: ReqState;
  req: ReqState;
  bereq: ReqState | undefined;
  beresp: BerespState | undefined;
  /** `req.restarts`. */
  restarts = 0;
  /** Whether the request was passed (for `bereq.uncacheable`). */
  passed: Tri = false;
  scheme: 'http' | 'https';
  /** The vcl_* method (or hook sub) being run, for writes. */
  method = '';

  constructor(prog: ProgramIndex, request: HttpRequestInfo) {
    this.prog = prog;
    this.original = requestState(request);
    this.req = cloneReq(this.original);
    this.scheme = request.scheme ?? (/^http:/i.test(request.url) ? 'http' : 'https');
  }

  headersOf(scope: string): Headers | undefined {
    if (scope === 'req') return this.req.headers;
    if (scope === 'bereq') return this.bereq?.headers ?? this.req.headers;
    if (scope === 'beresp') return this.beresp?.headers;
    return undefined;
  }

  /** Reads a variable; anything not modelled and never set reads as unknown. */
  read(name: string): Value {
    const ref = varRef(name);
    const lower = ref.lower;
    if (ref.scope !== undefined) {
      const { scope, header, sub } = ref as Required<VarRef>;
      const store = this.headersOf(scope);
      if (!store) return unknown(name);
      if (scope === 'req' && !store.has(header)) {
        const implicit = this.implicitHeader(header);
        if (implicit) return sub === undefined ? implicit : readSubfield(header, implicit, sub);
      }
      let v = store.get(header);
      // A request header read is an input of that name, whatever the VCL put in it (and an absent
      // one still says where a hash input would come from).
      if (scope === 'req' || scope === 'bereq') v = { ...v, t: union(v.t, headerTaint(header)) } as Value;
      return sub === undefined ? v : readSubfield(header, v, sub);
    }
    const req = lower.startsWith('bereq.') && this.bereq ? this.bereq : this.req;
    switch (lower) {
      case 'req.url':
      case 'bereq.url':
        return req.url;
      case 'req.method':
      case 'req.request':
      case 'bereq.method':
      case 'bereq.request':
        return req.method;
      case 'req.proto':
      case 'bereq.proto':
        return str('HTTP/1.1');
      case 'req.protocol':
        return str(this.scheme);
      case 'req.is_ssl':
        return bool(this.scheme === 'https');
      case 'req.esi_level':
      case 'req.esi_level.nested':
      case 'bereq.retries':
        return num(0);
      case 'req.restarts':
        return num(this.restarts);
      case 'req.is_purge':
        return bool(toStr(req.method) === 'FASTLYPURGE');
      case 'req.hash_ignore_busy':
      case 'req.hash_always_miss':
      case 'bereq.is_bgfetch':
        return this.vars.get(lower) ?? bool(false);
      case 'bereq.uncacheable':
        return this.passed === 'unknown' ? unknown('bereq.uncacheable (whether builtin passes this request)') : bool(this.passed);
      case 'req.url.path':
      case 'req.url.ext':
      case 'req.url.basename':
      case 'req.url.dirname':
      case 'req.url.qs':
      case 'bereq.url.path':
      case 'bereq.url.ext':
      case 'bereq.url.basename':
      case 'bereq.url.dirname':
      case 'bereq.url.qs':
        return urlPart(req.url, lower.slice(lower.lastIndexOf('.') + 1));
      default:
        break;
    }
    const b = this.beresp;
    if (b && lower.startsWith('beresp.')) {
      switch (lower) {
        case 'beresp.status':
          return b.status;
        case 'beresp.reason':
        case 'beresp.response':
          return b.reason;
        case 'beresp.ttl':
          return b.ttl;
        case 'beresp.grace':
          return b.grace;
        case 'beresp.keep':
          return b.keep;
        case 'beresp.uncacheable':
          return b.uncacheable;
        case 'beresp.cacheable':
          return b.cacheable;
        case 'beresp.stale_while_revalidate':
          return b.staleWhileRevalidate;
        case 'beresp.stale_if_error':
          return b.staleIfError;
        case 'beresp.do_esi':
        case 'beresp.do_gzip':
        case 'beresp.do_gunzip':
        case 'beresp.do_stream':
        case 'beresp.was_304':
          return this.vars.get(lower) ?? bool(false);
        default:
          break;
      }
    }
    const set = this.vars.get(lower);
    if (set !== undefined) return set;
    if (lower.startsWith('var.')) return NONE;
    return unknown(name);
  }

  /** Request headers the engine adds before VCL runs. */
  private implicitHeader(header: string): Value | undefined {
    const lower = header.toLowerCase();
    if (this.prog.dialect === 'varnish' && lower === 'x-forwarded-for') return { k: 'unknown', text: 'client.ip', t: undefined, present: true };
    if (this.prog.dialect === 'fastly') {
      if (lower === 'fastly-client-ip') return { k: 'unknown', text: 'client.ip', t: undefined, present: true };
      if (lower === 'fastly-ssl' && this.scheme === 'https') return str('1');
    }
    return undefined;
  }

  /** Sets, unsets or adds a variable or header, recording the write. */
  write(target: string, op: 'set' | 'unset' | 'add', value: Value | undefined, s: Stmt): void {
    const lower = target.toLowerCase();
    const rec = (changed: boolean): void => {
      this.writes.push({ target: lower, op, stmt: s, method: this.method, changed, value });
    };
    const h = /^(req|bereq|beresp|resp|obj)\.http\.(.+)$/i.exec(target);
    if (h) {
      const scope = h[1]!.toLowerCase();
      const store = this.headersOf(scope);
      let header = h[2]!;
      const colon = header.indexOf(':');
      if (!store) return rec(false);
      if (colon >= 0) {
        const key = header.slice(colon + 1);
        header = header.slice(0, colon);
        value = this.subfieldWrite(store, header, key, op === 'unset' ? undefined : value);
        op = value === undefined ? 'unset' : 'set';
      }
      const before = store.signature(header);
      if (op === 'unset' || value === undefined) store.unset(header);
      else if (op === 'add') store.add(header, value);
      else store.set(header, value);
      const changed = before !== store.signature(header);
      this.writes.push({ target: `${scope}.http.${header.toLowerCase()}`, op, stmt: s, method: this.method, changed, value });
      return;
    }
    const v = value ?? NONE;
    const req = lower.startsWith('bereq.') && this.bereq ? this.bereq : this.req;
    const b = this.beresp;
    switch (lower) {
      case 'req.url':
      case 'bereq.url':
        rec(!sameValue(req.url, v));
        req.url = v;
        return;
      case 'req.method':
      case 'req.request':
      case 'bereq.method':
        rec(!sameValue(req.method, v));
        req.method = v;
        return;
      default:
        break;
    }
    if (b && lower.startsWith('beresp.')) {
      const field = ({
        'beresp.status': 'status', 'beresp.reason': 'reason', 'beresp.response': 'reason', 'beresp.ttl': 'ttl', 'beresp.grace': 'grace',
        'beresp.keep': 'keep', 'beresp.uncacheable': 'uncacheable', 'beresp.cacheable': 'cacheable',
        'beresp.stale_while_revalidate': 'staleWhileRevalidate', 'beresp.stale_if_error': 'staleIfError',
      } as const)[lower];
      if (field) {
        rec(!sameValue(b[field], v));
        b[field] = v;
        return;
      }
    }
    rec(!sameValue(this.read(target), v));
    this.vars.set(lower, v);
  }

  /** `set req.http.Cookie:sid = "x"` / `unset req.http.Cookie:sid`: the whole header's new value. */
  private subfieldWrite(store: Headers, header: string, key: string, value: Value | undefined): Value | undefined {
    const cur = store.get(header);
    const sep = header.toLowerCase() === 'cookie' ? ';' : ',';
    const s = toStr(cur);
    if (cur.k === 'unknown' || s === undefined) return unknown(`${header}:${key}`, cur.t);
    const parts = cur.k === 'none' ? [] : s.split(sep).map((p) => p.trim()).filter(Boolean);
    const kept = parts.filter((p) => p.split('=')[0]!.trim() !== key);
    if (value !== undefined) {
      const vs = toStr(value);
      if (vs === undefined) return unknown(`${header}:${key}`, union(cur.t, value.t));
      kept.push(`${key}=${vs}`);
    }
    if (kept.length === 0) return undefined;
    return str(kept.join(sep === ';' ? '; ' : ', '), union(cur.t, value?.t));
  }

  table(name: string): TableDecl | undefined {
    return this.prog.tables.get(name);
  }

  rollback(scope: string): void {
    if (scope === 'bereq' && this.bereq) this.bereq = cloneReq(this.req);
    else this.req = cloneReq(this.original);
  }
}

/* ------------------------------------------------------------------ helpers */

interface VarRef {
  lower: string;
  /** For `<scope>.http.<header>[:<sub>]`. */
  scope?: string;
  header?: string;
  sub?: string | undefined;
}

const refs = new Map<string, VarRef>();

/** A variable name, parsed once. */
function varRef(name: string): VarRef {
  let r = refs.get(name);
  if (r) return r;
  r = { lower: name.toLowerCase() };
  const h = /^(req|bereq|beresp|resp|obj)\.http\.(.+)$/i.exec(name);
  if (h) {
    r.scope = h[1]!.toLowerCase();
    const colon = h[2]!.indexOf(':');
    r.header = colon >= 0 ? h[2]!.slice(0, colon) : h[2]!;
    r.sub = colon >= 0 ? h[2]!.slice(colon + 1) : undefined;
  }
  if (refs.size > 10_000) refs.clear();
  refs.set(name, r);
  return r;
}

function requestState(request: HttpRequestInfo): ReqState {
  let url = request.url;
  let urlHost: string | undefined;
  const abs = /^https?:\/\/([^/?#]*)(.*)$/i.exec(url);
  if (abs) {
    urlHost = abs[1];
    url = abs[2] || '/';
  }
  const headers = Headers.fromBag(request.headers, headerTaint);
  const host = request.host ?? urlHost;
  if (!headers.has('host') && host) headers.set('Host', str(host, headerTaint('host')));
  return { method: str(request.method.toUpperCase()), url: str(url, new Set(['url'])), headers };
}

export function cloneReq(r: ReqState): ReqState {
  return { method: r.method, url: r.url, headers: r.headers.clone() };
}

/** The initial value of a Fastly `declare local` variable. */
export function defaultFor(varType: string): Value {
  switch (varType.toUpperCase()) {
    case 'INTEGER':
    case 'FLOAT':
      return num(0);
    case 'BOOL':
      return bool(false);
    case 'RTIME':
      return dur(0);
    default:
      return NONE;
  }
}

function sameValue(a: Value, b: Value): boolean {
  if (a.k === 'unknown' || b.k === 'unknown') return false;
  if (a.k !== b.k && !(a.k === 'str' && b.k === 'name')) return false;
  return equal(a, b);
}

function urlPart(url: Value, part: string): Value {
  const u = toStr(url);
  if (url.k === 'unknown' || u === undefined) return url;
  const q = u.indexOf('?');
  const path = q < 0 ? u : u.slice(0, q);
  const base = path.slice(path.lastIndexOf('/') + 1);
  switch (part) {
    case 'path':
      return str(path, url.t);
    case 'qs':
      return str(q < 0 ? '' : u.slice(q + 1), url.t);
    case 'basename':
      return str(base, url.t);
    case 'dirname':
      return str(path.slice(0, path.lastIndexOf('/')) || '/', url.t);
    case 'ext': {
      const dot = base.lastIndexOf('.');
      return str(dot < 0 ? '' : base.slice(dot + 1), url.t);
    }
    default:
      return unknown(`req.url.${part}`);
  }
}
