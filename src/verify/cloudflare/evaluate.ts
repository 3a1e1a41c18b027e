/**
 * Evaluates a parsed Rules-language expression against one concrete request.
 *
 * Values: strings, numbers, booleans, arrays, maps, a *missing* value (a map key or array index
 * that is not there: every comparison with it is false, functions pass it on) and an *unknown*
 * value (a field the request does not tell, such as `ip.src` or `cf.bot_management.score`).
 *
 * Logic is three-valued (Kleene): `false and ?` is false, `true or ?` is true. When the answer
 * still depends on an unknown, `truth` names the *atom* it depends on: the operand of a logical
 * operator (or the whole expression) whose value is unknown. The caller assumes the atom true
 * or false (through `assumed`) and evaluates again: one evaluation per branch.
 *
 * References: https://developers.cloudflare.com/ruleset-engine/rules-language/values/ (arrays,
 * `[*]`, maps, missing values), …/functions/, …/fields/reference/.
 */
import { headerLines } from '../../semantics/headers.ts';
import { requestCtx } from '../../semantics/exchange.ts';
import type { HttpRequestInfo } from '../../semantics/types.ts';
import type { Expr, Rhs, SetItem } from './expression.ts';

export class Unknown {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}
/** A map key or array index that is not there. */
export const MISSING: unique symbol = Symbol('missing');

/** `array[*]`: the elements, to be mapped over by the enclosing comparison or function. */
export class Spread {
  readonly items: readonly Value[];
  constructor(items: readonly Value[]) {
    this.items = items;
  }
}

export type Value = string | number | boolean | readonly Value[] | ReadonlyMap<string, Value> | typeof MISSING | Unknown | Spread;

/** The field table of one request. */
export interface Fields {
  get(name: string): Value;
}

/** An atom the answer depends on: `start`/`end` are offsets in the expression. */
export interface Atom {
  start: number;
  end: number;
  reason: string;
}
export type Truth = boolean | { unknown: Atom };

/** What the caller has assumed about the atom at `start`..`end`, if anything. */
export type Assumed = (start: number, end: number) => boolean | undefined;
const NOTHING_ASSUMED: Assumed = () => undefined;

/* ------------------------------------------------------------------ fields */

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

function multiMap(pairs: ReadonlyArray<[string, string]>): Map<string, Value> {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return new Map([...m].map(([k, v]) => [k, v as Value]));
}

/** Field prefixes Cloudflare has but a request alone does not tell (client IP, bot scores, ...). */
const UNKNOWABLE = /^(ip\.|cf\.|http\.request\.timestamp|http\.request\.version|http\.request\.body|http\.request\.accepted_languages|http\.request\.jwt|http\.response\.|ssl\.|raw\.http\.request\.body)/;

/** The Rules-language fields of one request (see the fields reference). */
export function requestFields(req: HttpRequestInfo): Fields {
  const q = requestCtx(req, undefined);
  const host = req.host ?? q.hostHeader ?? q.host;
  const headerNames = Object.keys(req.headers).filter((k) => req.headers[k] !== undefined);
  const headerPairs: Array<[string, string]> = [];
  for (const name of headerNames) for (const line of headerLines(req.headers, name)) headerPairs.push([name.toLowerCase(), line]);
  const cookieHeader = headerLines(req.headers, 'cookie').join('; ');
  const cookiePairs: Array<[string, string]> = cookieHeader
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.includes('='))
    .map((p) => [decode(p.slice(0, p.indexOf('=')).trim()), p.slice(p.indexOf('=') + 1).trim()]);
  const argPairs: Array<[string, string]> = q.query === '' ? [] : q.query.split('&').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [decode(p), ''] : [decode(p.slice(0, eq)), decode(p.slice(eq + 1))];
  });
  const last = q.path.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  const extension = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  const single = (name: string): string => headerLines(req.headers, name).join(', ');

  const table: Record<string, () => Value> = {
    'http.host': () => host,
    'http.cookie': () => cookieHeader,
    'http.referer': () => single('referer'),
    'http.user_agent': () => single('user-agent'),
    'http.x_forwarded_for': () => single('x-forwarded-for'),
    'http.request.method': () => q.method,
    'http.request.uri': () => q.requestUri,
    'http.request.uri.path': () => q.path,
    'http.request.uri.path.extension': () => extension,
    'http.request.uri.query': () => q.query,
    'http.request.uri.args': () => multiMap(argPairs),
    'http.request.uri.args.names': () => argPairs.map(([k]) => k),
    'http.request.uri.args.values': () => argPairs.map(([, v]) => v),
    'http.request.full_uri': () => `${q.scheme}://${host}${q.requestUri}`,
    'http.request.headers': () => multiMap(headerPairs),
    'http.request.headers.names': () => headerPairs.map(([k]) => k),
    'http.request.headers.values': () => headerPairs.map(([, v]) => v),
    'http.request.cookies': () => multiMap(cookiePairs),
    ssl: () => q.scheme === 'https',
  };
  return {
    get(name: string): Value {
      const plain = name.startsWith('raw.') ? name.slice(4) : name;
      const f = table[plain];
      if (f) return f();
      if (UNKNOWABLE.test(name)) return new Unknown(`${name} is not known from the request alone`);
      return new Unknown(`${name} is not a field this checker evaluates`);
    },
  };
}

/* ------------------------------------------------------------------ truth */

/** Whether `node` holds for the request, under the assumptions made so far. */
export function truth(node: Expr, fields: Fields, assumed: Assumed = NOTHING_ASSUMED): Truth {
  switch (node.type) {
    case 'group':
      return truth(node.inner, fields, assumed);
    case 'not': {
      const t = truth(node.operand, fields, assumed);
      return typeof t === 'boolean' ? !t : t;
    }
    case 'logical': {
      const l = truth(node.left, fields, assumed);
      if (node.op === 'and' && l === false) return false;
      if (node.op === 'or' && l === true) return true;
      const r = truth(node.right, fields, assumed);
      if (node.op === 'and') return r === false ? false : typeof l !== 'boolean' ? l : r;
      if (node.op === 'or') return r === true ? true : typeof l !== 'boolean' ? l : r;
      if (typeof l !== 'boolean') return l;
      return typeof r !== 'boolean' ? r : l !== r;
    }
    default: {
      const given = assumed(node.start, node.end);
      if (given !== undefined) return given;
      const v = value(node, fields);
      if (v instanceof Unknown) return { unknown: { start: node.start, end: node.end, reason: v.reason } };
      return v === true;
    }
  }
}

/* ------------------------------------------------------------------ values */

export function value(node: Expr, fields: Fields): Value {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'field':
      return fields.get(node.name);
    case 'group':
      return value(node.inner, fields);
    case 'index':
      return index(value(node.target, fields), node.key);
    case 'call':
      return call(node.name, node.args.map((a) => value(a, fields)));
    case 'compare': {
      const left = value(node.left, fields);
      const one = (v: Value): Value => compare(node, v);
      return left instanceof Spread ? left.items.map(one) : one(left);
    }
    case 'not':
    case 'logical': {
      const t = truth(node, fields);
      return typeof t === 'boolean' ? t : new Unknown(t.unknown.reason);
    }
  }
}

function index(target: Value, key: string | number | '*'): Value {
  if (target instanceof Unknown || target === MISSING) return target;
  if (key === '*') return Array.isArray(target) ? new Spread(target as Value[]) : target instanceof Spread ? target : MISSING;
  if (target instanceof Spread) return target.items.map((item) => index(item, key));
  if (typeof key === 'number') return Array.isArray(target) ? ((target as Value[])[key] ?? MISSING) : MISSING;
  return target instanceof Map ? (target.get(key) ?? MISSING) : MISSING;
}

function compare(node: Extract<Expr, { type: 'compare' }>, left: Value): Value {
  if (left instanceof Unknown) return left;
  if (left === MISSING) return false;
  const r = node.right;
  switch (node.op) {
    case 'eq':
      return equals(left, r);
    case 'ne':
      return !equals(left, r);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      if (r.type !== 'literal' || typeof r.value !== typeof left || typeof left === 'boolean') return false;
      const a = left as string | number;
      const b = r.value as string | number;
      return node.op === 'lt' ? a < b : node.op === 'le' ? a <= b : node.op === 'gt' ? a > b : a >= b;
    }
    case 'contains':
      return typeof left === 'string' && r.type === 'literal' && typeof r.value === 'string' && left.includes(r.value);
    case 'matches':
      if (typeof left !== 'string') return false;
      return node.regex ? node.regex.test(left) : new Unknown('the regular expression uses syntax this checker cannot run');
    case 'wildcard':
    case 'strict wildcard':
      return typeof left === 'string' && node.wildcard!.test(left);
    case 'in':
      return member(left, r);
  }
}

function equals(left: Value, r: Rhs): boolean {
  return r.type === 'literal' && typeof left === typeof r.value && left === r.value;
}

function member(left: Value, r: Rhs): Value {
  if (r.type === 'list') return new Unknown(`list $${r.name} is not part of the snapshot`);
  if (r.type !== 'set') return false;
  return r.items.some((item: SetItem) => {
    if (item.kind === 'string') return left === item.value;
    if (item.kind === 'number') return left === item.value;
    if (item.kind === 'range') return typeof left === 'number' && left >= item.from && left <= item.to;
    return false;
  });
}

/* ------------------------------------------------------------------ functions */

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Applies a one-string function element-wise over `[*]`. */
function mapFirst(args: readonly Value[], f: (first: Value, rest: readonly Value[]) => Value): Value {
  const [first, ...rest] = args;
  if (first === undefined) return new Unknown('function called without arguments');
  for (const a of rest) if (a instanceof Unknown) return a;
  if (first instanceof Spread) return first.items.map((item) => f(item, rest));
  return f(first, rest);
}

function booleans(arg: Value | undefined, all: boolean): Value {
  if (arg === undefined || arg === MISSING) return false;
  if (arg instanceof Unknown) return arg;
  const items = arg instanceof Spread ? arg.items : Array.isArray(arg) ? (arg as Value[]) : [arg];
  let unknown: Unknown | undefined;
  for (const v of items) {
    if (v instanceof Unknown) unknown ??= v;
    else if (all ? v !== true : v === true) return !all;
  }
  return unknown ?? all;
}

function call(name: string, args: readonly Value[]): Value {
  switch (name) {
    case 'any':
      return booleans(args[0], false);
    case 'all':
      return booleans(args[0], true);
    case 'lower':
    case 'upper':
      return mapFirst(args, (s) => (typeof s === 'string' ? (name === 'lower' ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.replace(/[a-z]+/g, (m) => m.toUpperCase())) : s instanceof Unknown ? s : MISSING));
    case 'starts_with':
    case 'ends_with':
      return mapFirst(args, (s, [sub]) => {
        if (s instanceof Unknown) return s;
        if (typeof s !== 'string' || typeof sub !== 'string') return false;
        return name === 'starts_with' ? s.startsWith(sub) : s.endsWith(sub);
      });
    case 'len':
      return mapFirst(args, (v) => (v instanceof Unknown ? v : typeof v === 'string' ? utf8Length(v) : Array.isArray(v) ? v.length : MISSING));
    case 'url_decode':
      return mapFirst(args, (s) => (typeof s === 'string' ? decode(s) : s instanceof Unknown ? s : MISSING));
    case 'concat': {
      for (const a of args) if (a instanceof Unknown || a === MISSING) return a;
      if (args.length > 0 && args.every((a) => Array.isArray(a))) return args.flatMap((a) => a as Value[]);
      if (args.every((a) => typeof a === 'string' || typeof a === 'number')) return args.map(String).join('');
      return new Unknown('concat() of values this checker cannot combine');
    }
    default:
      return new Unknown(`function ${name}() is not evaluated by this checker`);
  }
}
