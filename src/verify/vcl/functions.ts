/**
 * The VCL functions the evaluator knows: regsub/regsuball, vmod-std, vmod-cookie, Fastly's string,
 * header, subfield, table and querystring functions, and `if(…)`. Anything else returns an
 * `unknown` value tainted by its arguments (so a condition on it is forked, never guessed).
 */
import type { Expr, TableDecl } from './ast.ts';
import { compilePcre, expandSub, globalOf } from './regex.ts';
import { NONE, bool, dur, num, parseCookies, parseDuration, str, taintOf, toStr, truthy, union, unknown, type Headers, type Taint, type Value } from './values.ts';

/** What a function needs from the evaluator. */
export interface FnHost {
  eval(e: Expr): Value;
  /** The header store of `req`, `bereq`, `beresp` or `resp` as `header.*` names it. */
  headersOf(scope: string): Headers | undefined;
  /** Header writes go through here so they are recorded. */
  writeHeader(scope: string, name: string, op: 'set' | 'unset', value?: Value): void;
  table(name: string): TableDecl | undefined;
  /** vmod-cookie's jar (undefined until cookie.parse). */
  cookieJar: Array<[string, string]> | undefined;
  vmodVars: Map<string, Value>;
  /** std.rollback(req): the request as received. */
  rollback(scope: string): void;
  /** Source text of a node on one line (for unknown values). */
  text(e: Expr): string;
}

const NOOP = new Set([
  'std.log', 'std.syslog', 'std.timestamp', 'std.set_ip_tos', 'std.cache_req_body', 'std.late_100_continue', 'std.collect',
  'ban', 'purge.hard', 'purge.soft', 'synthetic', 'std.ban', 'vtc.sleep', 'header.append', 'header.copy',
]);

const strArg = (h: FnHost, e: Expr | undefined): { s: string | undefined; v: Value } => {
  if (e === undefined) return { s: undefined, v: NONE };
  const v = h.eval(e);
  return { s: toStr(v), v };
};

/** Cookie name a regsub pattern extracts (`^.*sid=([^;]+).*$` with `\1` → `sid`). */
function extractedCookie(pattern: string, sub: string): string | undefined {
  if (!/^\\\d$/.test(sub)) return undefined;
  return /([A-Za-z0-9_.-]+)=\(/.exec(pattern)?.[1];
}

function refineCookieTaint(t: Taint, cookie: string | undefined): Taint {
  if (!cookie || !t?.has('cookie')) return t;
  const out = new Set(t);
  out.delete('cookie');
  out.add(`cookie:${cookie}`);
  return out;
}

function regsub(h: FnHost, node: Extract<Expr, { type: 'call' }>, all: boolean): Value {
  const [a, b, c] = node.args;
  const s = strArg(h, a);
  const re = strArg(h, b);
  const sub = strArg(h, c);
  const t = taintOf(s.v, sub.v);
  if (s.s === undefined || re.s === undefined || sub.s === undefined) return unknown(h.text(node), t);
  const rx = compilePcre(re.s);
  if (rx instanceof Error) return unknown(`${h.text(node)} (regex not translatable: ${rx.message})`, t);
  const input = s.s;
  let out: string;
  if (all) {
    out = input.replace(globalOf(rx), (...m: unknown[]) => expandSub(sub.s!, m.slice(0, -2).map((x) => (x === undefined ? '' : String(x)))));
  } else {
    const m = rx.exec(input);
    out = m ? input.slice(0, m.index) + expandSub(sub.s, m) + input.slice(m.index + m[0].length) : input;
  }
  return str(out, refineCookieTaint(t, all ? undefined : extractedCookie(re.s, sub.s)));
}

function subfield(value: Value, key: string, sep: string): Value {
  if (value.k === 'unknown') return value;
  const t = refineCookieTaint(value.t, key);
  const s = toStr(value);
  if (value.k === 'none' || s === undefined) return { k: 'none', t };
  for (const part of s.split(sep)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === key) return str(eq < 0 ? '' : part.slice(eq + 1).trim(), t);
  }
  return { k: 'none', t };
}

/** Fastly subfield accessor `req.http.Cookie:sid` / `subfield(…)`: `;` for cookies, `,` otherwise. */
export function readSubfield(header: string, value: Value, key: string): Value {
  return subfield(value, key, header.toLowerCase() === 'cookie' ? ';' : ',');
}

function splitQuery(url: string): { path: string; pairs: string[] } {
  const q = url.indexOf('?');
  if (q < 0) return { path: url, pairs: [] };
  return { path: url.slice(0, q), pairs: url.slice(q + 1).split('&').filter((p) => p !== '') };
}
const joinQuery = (path: string, pairs: string[]): string => (pairs.length ? `${path}?${pairs.join('&')}` : path);
const pairName = (p: string): string => p.split('=')[0]!;

function queryFn(name: string, url: Value, args: string[]): Value {
  const u = toStr(url);
  if (u === undefined || url.k === 'unknown') return url;
  const { path, pairs } = splitQuery(u);
  const t = url.t;
  switch (name) {
    case 'querystring.remove':
      return str(path, t);
    case 'querystring.sort':
    case 'boltsort.sort':
    case 'std.querysort':
      return str(joinQuery(path, [...pairs].sort()), t);
    case 'querystring.get': {
      const hit = pairs.find((p) => pairName(p) === args[0]);
      return hit === undefined ? NONE : str(hit.slice(hit.indexOf('=') + 1 || hit.length), t);
    }
    case 'querystring.filter':
    case 'querystring.filter_except': {
      const names = new Set((args[0] ?? '').split(/[+&,]/).map((s) => s.trim()));
      const keep = name === 'querystring.filter_except';
      return str(joinQuery(path, pairs.filter((p) => names.has(pairName(p)) === keep)), t);
    }
    case 'querystring.regfilter':
    case 'querystring.regfilter_except': {
      const rx = compilePcre(args[0] ?? '');
      if (rx instanceof Error) return unknown(`${name}(…)`, t);
      const keep = name === 'querystring.regfilter_except';
      return str(joinQuery(path, pairs.filter((p) => rx.test(pairName(p)) === keep)), t);
    }
    default:
      return unknown(`${name}(…)`, t);
  }
}

function cookieFn(h: FnHost, name: string, args: Value[]): Value {
  const names = (v: Value | undefined): Set<string> => new Set((toStr(v ?? NONE) ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const jar = h.cookieJar ?? [];
  const jarTaint: Taint = new Set(['cookie']);
  switch (name) {
    case 'cookie.parse': {
      const s = args[0] ? toStr(args[0]) : '';
      h.cookieJar = s === undefined ? [] : parseCookies(s);
      return NONE;
    }
    case 'cookie.clean':
      h.cookieJar = [];
      return NONE;
    case 'cookie.keep':
    case 'cookie.filter_except': {
      const keep = names(args[0]);
      h.cookieJar = jar.filter(([n]) => keep.has(n));
      return NONE;
    }
    case 'cookie.filter': {
      const drop = names(args[0]);
      h.cookieJar = jar.filter(([n]) => !drop.has(n));
      return NONE;
    }
    case 'cookie.keep_re':
    case 'cookie.filter_re': {
      const rx = compilePcre(toStr(args[0] ?? NONE) ?? '');
      if (rx instanceof Error) return NONE;
      const keep = name === 'cookie.keep_re';
      h.cookieJar = jar.filter(([n]) => rx.test(n) === keep);
      return NONE;
    }
    case 'cookie.delete': {
      const n = toStr(args[0] ?? NONE);
      h.cookieJar = jar.filter(([c]) => c !== n);
      return NONE;
    }
    case 'cookie.set': {
      const n = toStr(args[0] ?? NONE) ?? '';
      const v = toStr(args[1] ?? NONE) ?? '';
      h.cookieJar = [...jar.filter(([c]) => c !== n), [n, v]];
      return NONE;
    }
    case 'cookie.isset': {
      const n = toStr(args[0] ?? NONE);
      return bool(jar.some(([c]) => c === n), jarTaint);
    }
    case 'cookie.get': {
      const n = toStr(args[0] ?? NONE) ?? '';
      const hit = jar.find(([c]) => c === n);
      return hit ? str(hit[1], new Set([`cookie:${n}`])) : { k: 'none', t: new Set([`cookie:${n}`]) };
    }
    case 'cookie.get_string':
      return jar.length ? str(jar.map(([n, v]) => `${n}=${v}`).join('; '), jarTaint) : NONE;
    default:
      return unknown(`${name}(…)`, jarTaint);
  }
}

function tableFn(h: FnHost, name: string, node: Extract<Expr, { type: 'call' }>): Value {
  const tArg = node.args[0];
  const table = tArg?.type === 'ident' ? h.table(tArg.name) : undefined;
  const key = strArg(h, node.args[1]);
  if (!table || table.entries.length === 0 || key.s === undefined || key.v.k === 'unknown') {
    return unknown(`${h.text(node)} (table contents not in the VCL)`, key.v.t);
  }
  const entry = table.entries.find((e) => e.key === key.s);
  if (name === 'table.contains') return bool(entry !== undefined, key.v.t);
  if (entry) {
    const v = h.eval(entry.value);
    return { ...v, t: union(v.t, key.v.t) } as Value;
  }
  return node.args[2] ? h.eval(node.args[2]) : NONE;
}

/** Evaluates a call expression by name (lower case). */
export function callFunction(h: FnHost, node: Extract<Expr, { type: 'call' }>): Value {
  const name = node.name.toLowerCase();
  const args = (): Value[] => node.args.map((a) => h.eval(a));
  if (NOOP.has(name)) {
    args();
    return NONE;
  }
  switch (name) {
    case 'regsub':
      return regsub(h, node, false);
    case 'regsuball':
      return regsub(h, node, true);
    case 'std.tolower':
    case 'std.toupper': {
      const v = h.eval(node.args[0]!);
      const s = toStr(v);
      if (v.k === 'unknown' || s === undefined) return v;
      if (v.k === 'none') return NONE;
      return str(name === 'std.tolower' ? s.toLowerCase() : s.toUpperCase(), v.t);
    }
    case 'std.integer':
    case 'std.atoi':
    case 'std.real': {
      const [v, fb] = args();
      const s = toStr(v ?? NONE);
      if (v?.k === 'unknown' || s === undefined) return unknown(h.text(node), v?.t);
      const n = name === 'std.real' ? Number.parseFloat(s) : Number.parseInt(s, 10);
      return Number.isFinite(n) ? num(n, v?.t) : (fb ?? num(0));
    }
    case 'std.duration': {
      const [v, fb] = args();
      const s = toStr(v ?? NONE);
      if (v?.k === 'unknown' || s === undefined) return unknown(h.text(node), v?.t);
      const d = parseDuration(s);
      return d === undefined ? (fb ?? dur(0)) : dur(d, v?.t);
    }
    case 'std.strstr': {
      const [a, b] = args();
      const sa = toStr(a ?? NONE);
      const sb = toStr(b ?? NONE);
      if (sa === undefined || sb === undefined) return unknown(h.text(node), taintOf(...args()));
      const at = sa.indexOf(sb);
      return at < 0 ? NONE : str(sa.slice(at), a?.t);
    }
    case 'std.prefixof':
    case 'std.suffixof': {
      const [a, b] = args();
      const sa = toStr(a ?? NONE);
      const sb = toStr(b ?? NONE);
      if (sa === undefined || sb === undefined) return unknown(h.text(node), a?.t);
      return bool(name === 'std.prefixof' ? sa.startsWith(sb) : sa.endsWith(sb), a?.t);
    }
    case 'std.strlen': {
      const [a] = args();
      const s = toStr(a ?? NONE);
      return s === undefined ? unknown(h.text(node), a?.t) : num(s.length, a?.t);
    }
    case 'std.replace':
    case 'std.replaceall': {
      const [a, b, c] = args();
      const [sa, sb, sc] = [a, b, c].map((x) => toStr(x ?? NONE));
      if (sa === undefined || sb === undefined || sc === undefined) return unknown(h.text(node), a?.t);
      return str(name === 'std.replace' ? sa.replace(sb, () => sc) : sa.split(sb).join(sc), union(a?.t, c?.t));
    }
    case 'substr': {
      const [a, off, len] = args();
      const s = toStr(a ?? NONE);
      if (s === undefined || off?.k !== 'num') return unknown(h.text(node), a?.t);
      const start = off.v < 0 ? Math.max(0, s.length + off.v) : off.v;
      return str(len?.k === 'num' ? s.substr(start, len.v) : s.slice(start), a?.t);
    }
    case 'urlencode':
    case 'urldecode': {
      const [a] = args();
      const s = toStr(a ?? NONE);
      if (s === undefined) return unknown(h.text(node), a?.t);
      try {
        return str(name === 'urlencode' ? encodeURIComponent(s) : decodeURIComponent(s), a?.t);
      } catch {
        return str(s, a?.t);
      }
    }
    case 'std.itoa':
    case 'std.str': {
      const [a] = args();
      const s = toStr(a ?? NONE);
      return s === undefined ? unknown(h.text(node), a?.t) : str(s, a?.t);
    }
    case 'if': {
      const c = truthy(h.eval(node.args[0]!));
      if (c === 'unknown') return unknown(h.text(node), taintOf(...args()));
      return h.eval(node.args[c ? 1 : 2]!);
    }
    case 'subfield': {
      const [v, k, sep] = args();
      const key = toStr(k ?? NONE) ?? '';
      return subfield(v ?? NONE, key, toStr(sep ?? NONE) || ',');
    }
    case 'std.rollback': {
      const a = node.args[0];
      h.rollback(a?.type === 'ident' ? a.name.toLowerCase() : 'req');
      return NONE;
    }
    case 'header.get': {
      const [where, n] = node.args;
      const hs = where?.type === 'ident' ? h.headersOf(where.name.toLowerCase()) : undefined;
      const hn = toStr(n ? h.eval(n) : NONE);
      if (!hs || hn === undefined) return unknown(h.text(node));
      return hs.get(hn);
    }
    case 'header.set':
    case 'header.unset': {
      const [where, n, v] = node.args;
      const hn = toStr(n ? h.eval(n) : NONE);
      if (where?.type !== 'ident' || hn === undefined) return NONE;
      h.writeHeader(where.name.toLowerCase(), hn, name === 'header.set' ? 'set' : 'unset', v ? h.eval(v) : NONE);
      return NONE;
    }
    case 'header.filter':
    case 'header.filter_except': {
      const [where, ...rest] = node.args;
      if (where?.type !== 'ident') return NONE;
      const scope = where.name.toLowerCase();
      const hs = h.headersOf(scope);
      const listed = new Set(rest.map((e) => (toStr(h.eval(e)) ?? '').toLowerCase()));
      const except = name === 'header.filter_except';
      for (const hn of hs?.names() ?? []) if (listed.has(hn) !== except) h.writeHeader(scope, hn, 'unset');
      return NONE;
    }
    case 'table.lookup':
    case 'table.contains':
    case 'table.lookup_bool':
    case 'table.lookup_integer':
    case 'table.lookup_float':
    case 'table.lookup_rtime':
    case 'table.lookup_backend':
    case 'table.lookup_ip':
    case 'table.lookup_acl':
    case 'table.lookup_regex':
      return tableFn(h, name, node);
    case 'var.set':
    case 'var.global_set':
    case 'var.set_string':
    case 'var.set_int':
    case 'var.set_duration': {
      const [k, v] = args();
      h.vmodVars.set(toStr(k ?? NONE) ?? '', v ?? NONE);
      return NONE;
    }
    case 'var.get':
    case 'var.global_get':
    case 'var.get_string':
    case 'var.get_int':
    case 'var.get_duration': {
      const [k] = args();
      return h.vmodVars.get(toStr(k ?? NONE) ?? '') ?? NONE;
    }
    default:
      break;
  }
  if (name.startsWith('cookie.')) return cookieFn(h, name, args());
  if (name.startsWith('querystring.') || name === 'boltsort.sort' || name === 'std.querysort') {
    const [url, ...rest] = args();
    return queryFn(name, url ?? NONE, rest.map((r) => toStr(r) ?? ''));
  }
  const vs = args();
  return unknown(h.text(node), taintOf(...vs));
}
