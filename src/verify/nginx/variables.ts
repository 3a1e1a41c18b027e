/**
 * nginx variables for one concrete request: built-ins (`$host`, `$uri`, `$cookie_sid`, `$http_x`,
 * `$arg_x`, `$upstream_http_x`, ...), `map` results, values given by `set`, and regex captures.
 *
 * Each value says whether it derives from the requester's identity:
 * - `identity`: the value *carries* the identity (it differs per requester): `$cookie_<session>`,
 *   `$http_cookie`, `$http_authorization` (and the configured identity headers), `$remote_user`, and
 *   anything whose value is built from those (`set $k $cookie_sid`, a map entry whose value is
 *   `$cookie_sid` or a capture taken from an identity source);
 * - `derived`: the value *depends* on identity without carrying it (`map $cookie_sid $logged_in { "" 0;
 *   default 1; }`, a `set` inside `if ($cookie_sid)`). A cache key built from such a value still
 *   shares one entry among all logged-in users, so only `identity` counts as "the key includes identity".
 *
 * Values nginx knows and we cannot (`$remote_addr`, `$request_id`, file tests) are `undefined`.
 * A `map` or `geo` whose source is unknown takes its default, recorded as an Assumption.
 */
import { headerLines, header, parseCookieHeader } from '../../semantics/headers.ts';
import type { HeaderBag, HttpResponseInfo, IdentityHints } from '../../semantics/types.ts';
import type { Assumption, SourceLocation } from '../types.ts';
import { directiveText, directivesOf, type NginxDirective } from './ast.ts';
import { compilePcre } from './regex.ts';

export interface VarValue {
  /** undefined when nginx knows it but a static reader cannot (`$remote_addr`). */
  value: string | undefined;
  identity: boolean;
  derived: boolean;
}

/** Where a configuration-defined variable comes from. */
export interface VarSource {
  kind: 'map' | 'set' | 'geo' | 'split_clients' | 'capture';
  directive: NginxDirective;
}

/* ------------------------------------------------------------------ map definitions */

export interface NginxMapEntry {
  kind: 'exact' | 'leading' | 'trailing' | 'regex';
  /** Lower-cased for strings (`.example.com` for a leading mask, `mail.` for a trailing one); the regex source for regexes. */
  key: string;
  /** `.example.com` (not `*.example.com`): the mask also matches `example.com` itself. */
  bare: boolean;
  regex: RegExp | undefined;
  regexError: string | undefined;
  value: string;
  directive: NginxDirective;
}

export interface NginxMap {
  directive: NginxDirective;
  /** The source complex value (`$cookie_sid`, `$host$uri`). */
  source: string;
  /** The resulting variable, without `$`. */
  variable: string;
  hostnames: boolean;
  entries: NginxMapEntry[];
  default: { value: string; directive: NginxDirective } | undefined;
}

export function buildMap(d: NginxDirective): NginxMap {
  const map: NginxMap = { directive: d, source: d.args[0] ?? '', variable: (d.args[1] ?? '').replace(/^\$/, ''), hostnames: false, entries: [], default: undefined };
  for (const e of directivesOf(d.block)) {
    const key = e.name;
    const quoted = e.words[0]!.quote !== '';
    if (!quoted && key === 'hostnames' && e.args.length === 0) {
      map.hostnames = true;
      continue;
    }
    if (!quoted && key === 'volatile' && e.args.length === 0) continue;
    const value = e.args[0] ?? '';
    if (!quoted && key === 'default') {
      map.default = { value, directive: e };
      continue;
    }
    if (key.startsWith('~')) {
      const caseless = key.startsWith('~*');
      const src = key.slice(caseless ? 2 : 1);
      const c = compilePcre(src, caseless);
      map.entries.push({ kind: 'regex', key: src, bare: false, regex: c.re, regexError: c.error, value, directive: e });
      continue;
    }
    const literal = (key.startsWith('\\') ? key.slice(1) : key).toLowerCase();
    const entry = { bare: false, regex: undefined, regexError: undefined, value, directive: e };
    if (map.hostnames && (literal.startsWith('*.') || literal.startsWith('.'))) map.entries.push({ ...entry, kind: 'leading', key: literal.startsWith('*') ? literal.slice(1) : literal, bare: literal.startsWith('.') });
    else if (map.hostnames && literal.endsWith('.*')) map.entries.push({ ...entry, kind: 'trailing', key: literal.slice(0, -1) });
    else map.entries.push({ ...entry, kind: 'exact', key: literal });
  }
  return map;
}

/** Configuration-wide variable definitions (http level). */
export interface VariableDefinitions {
  maps: ReadonlyMap<string, NginxMap>;
  /** `geo` and `split_clients` results: values a static reader cannot know. */
  opaque: ReadonlyMap<string, { kind: 'geo' | 'split_clients'; directive: NginxDirective; default: string }>;
  /** Names given by `set` or a named regex capture somewhere: empty (not unknown) until assigned. */
  declared: ReadonlySet<string>;
}

/* ------------------------------------------------------------------ request facts */

export interface IdentityModelLite {
  /** undefined: every cookie counts. */
  cookies: ReadonlySet<string> | undefined;
  headers: ReadonlySet<string>;
}

export function identityOf(hints: IdentityHints | undefined): IdentityModelLite {
  const headers = new Set((hints?.headers ?? ['authorization']).map((h) => h.toLowerCase()));
  headers.add('cookie');
  return { cookies: hints?.cookies ? new Set(hints.cookies) : undefined, headers };
}

export interface RequestFacts {
  method: string;
  scheme: 'http' | 'https';
  /** Lower case, without port ('' when the request has none). */
  host: string;
  port: number | undefined;
  /** The port was given (Host header or absolute URL), not derived from the scheme. */
  portExplicit: boolean;
  /** Path and query as sent. */
  requestUri: string;
  headers: HeaderBag;
  response: HttpResponseInfo | undefined;
  identity: IdentityModelLite;
}

const VAR_REF = /\$(?:\{(\w+)\}|([1-9])|(\w+))/g;

/** The variable names a complex value refers to (`$a${b}$1` → a, b, 1). */
export function variableRefs(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(VAR_REF)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

function queryArg(query: string, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)).toLowerCase() === lower) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

function basicUser(auth: string | undefined): string | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}

const UNKNOWN: VarValue = { value: undefined, identity: false, derived: false };
const known = (value: string, identity = false): VarValue => ({ value, identity, derived: identity });

/* ------------------------------------------------------------------ the environment */

interface Captures {
  groups: readonly (string | undefined)[];
  taint: { identity: boolean; derived: boolean };
}

export type Condition = { decided: true; value: boolean; derived: boolean } | { decided: false };

/** Variables for one request as it goes through the rewrite phases. */
export class VarEnv {
  readonly facts: RequestFacts;
  readonly defs: VariableDefinitions;
  readonly assumptions: Assumption[] = [];
  /** `$uri` (changes with rewrite). */
  uri: string;
  /** `$args` (changes with rewrite). */
  args: string;
  serverName = '';
  proxyHost: string | undefined;
  /** Set while executing the body of an `if` whose condition derives from identity. */
  controlDerived = false;
  private readonly user = new Map<string, { v: VarValue; source: VarSource }>();
  private captures: Captures = { groups: [], taint: { identity: false, derived: false } };
  private readonly resolving = new Set<string>();
  private cookies: Map<string, string> | undefined;

  constructor(defs: VariableDefinitions, facts: RequestFacts, uri: string, args: string) {
    this.defs = defs;
    this.facts = facts;
    this.uri = uri;
    this.args = args;
  }

  assume(at: SourceLocation, text: string): void {
    if (!this.assumptions.some((a) => a.text === text && a.at.line === at.line && a.at.file === at.file)) this.assumptions.push({ at, text });
  }

  /** A `set` or named capture. */
  assign(name: string, v: VarValue, source: VarSource): void {
    const derived = v.derived || this.controlDerived;
    this.user.set(name, { v: { ...v, derived: derived || v.identity }, source });
  }

  /** Regex captures from a successful match against a value with this taint; named groups become variables. */
  capture(m: RegExpExecArray, from: VarValue, directive: NginxDirective): void {
    const taint = { identity: from.identity, derived: from.derived || from.identity };
    this.captures = { groups: [...m], taint };
    for (const [name, value] of Object.entries(m.groups ?? {})) {
      this.assign(name, { value: value ?? '', identity: taint.identity, derived: taint.derived }, { kind: 'capture', directive });
    }
  }

  /** Where a configuration-defined variable comes from (undefined for built-ins). */
  sourceOf(name: string): VarSource | undefined {
    const u = this.user.get(name);
    if (u) return u.source;
    const map = this.defs.maps.get(name);
    if (map) return { kind: 'map', directive: map.directive };
    const o = this.defs.opaque.get(name);
    return o ? { kind: o.kind, directive: o.directive } : undefined;
  }

  get(name: string): VarValue {
    if (/^[1-9]$/.test(name)) {
      const g = this.captures.groups[Number(name)];
      return g === undefined ? known('') : { value: g, ...this.captures.taint };
    }
    const u = this.user.get(name);
    if (u) return u.v;
    const map = this.defs.maps.get(name);
    if (map) return this.evalMap(map);
    const o = this.defs.opaque.get(name);
    if (o) {
      this.assume(o.directive.at, `${directiveText(o.directive)}: result unknown to a static reader; default "${o.default}" assumed`);
      return known(o.default);
    }
    if (this.defs.declared.has(name)) return known('');
    return this.builtin(name);
  }

  /** A complex value (`$scheme$host$request_uri`, `"${cookie_sid}x"`). */
  expand(template: string): VarValue {
    let identity = false;
    let derived = false;
    let unknown = false;
    const value = template.replace(VAR_REF, (_m, braced: string | undefined, digit: string | undefined, bare: string | undefined) => {
      const v = this.get((braced ?? digit ?? bare)!);
      identity ||= v.identity;
      derived ||= v.derived || v.identity;
      if (v.value === undefined) unknown = true;
      return v.value ?? '';
    });
    return { value: unknown ? undefined : value, identity, derived };
  }

  /** A complex value whose `$1`.. come from a local match (map entries). */
  private expandWith(template: string, caps: Captures): VarValue {
    const saved = this.captures;
    this.captures = caps;
    try {
      return this.expand(template);
    } finally {
      this.captures = saved;
    }
  }

  private evalMap(map: NginxMap): VarValue {
    if (this.resolving.has(map.variable)) return UNKNOWN;
    this.resolving.add(map.variable);
    try {
      const src = this.expand(map.source);
      const srcTaint = { identity: src.identity, derived: src.derived || src.identity };
      const finish = (value: string, caps: Captures): VarValue => {
        const r = this.expandWith(value, caps);
        return { value: r.value, identity: r.identity, derived: r.derived || srcTaint.derived };
      };
      const noCaps: Captures = { groups: [], taint: srcTaint };
      if (src.value === undefined) {
        this.assume(map.directive.at, `${directiveText(map.directive)}: ${map.source} is unknown to a static reader; the default value assumed`);
        return finish(map.default?.value ?? '', noCaps);
      }
      const s = src.value;
      const lower = s.toLowerCase();
      const exact = map.entries.find((e) => e.kind === 'exact' && e.key === lower);
      if (exact) return finish(exact.value, noCaps);
      if (map.hostnames) {
        const host = lower.replace(/\.$/, '');
        let best: NginxMapEntry | undefined;
        for (const e of map.entries) {
          if (e.kind !== 'leading') continue;
          const hit = host.endsWith(e.key) || (e.bare && host === e.key.slice(1));
          if (hit && (!best || e.key.length > best.key.length)) best = e;
        }
        if (!best) {
          for (const e of map.entries) if (e.kind === 'trailing' && host.startsWith(e.key) && (!best || e.key.length > best.key.length)) best = e;
        }
        if (best) return finish(best.value, noCaps);
      }
      for (const e of map.entries) {
        if (e.kind !== 'regex') continue;
        if (!e.regex) {
          this.assume(e.directive.at, `map entry ${JSON.stringify(e.key)} (${e.regexError}): assumed not to match`);
          continue;
        }
        const m = e.regex.exec(s);
        if (!m) continue;
        for (const [name, value] of Object.entries(m.groups ?? {})) {
          this.assign(name, { value: value ?? '', identity: srcTaint.identity, derived: srcTaint.derived }, { kind: 'capture', directive: e.directive });
        }
        return finish(e.value, { groups: [...m], taint: srcTaint });
      }
      return finish(map.default?.value ?? '', noCaps);
    } finally {
      this.resolving.delete(map.variable);
    }
  }

  private cookie(name: string): string | undefined {
    this.cookies ??= parseCookieHeader(headerLines(this.facts.headers, 'cookie'));
    return this.cookies.get(name);
  }

  private builtin(name: string): VarValue {
    const f = this.facts;
    const ident = f.identity;
    switch (name) {
      case 'scheme':
        return known(f.scheme);
      case 'https':
        return known(f.scheme === 'https' ? 'on' : '');
      case 'host':
        return known(f.host !== '' ? f.host : this.serverName);
      case 'request_method':
        return known(f.method);
      case 'request_uri':
        return known(f.requestUri);
      case 'uri':
      case 'document_uri':
        return known(this.uri);
      case 'args':
      case 'query_string':
        return known(this.args);
      case 'is_args':
        return known(this.args === '' ? '' : '?');
      case 'server_name':
        return known(this.serverName);
      case 'server_port':
        return f.port === undefined ? UNKNOWN : known(String(f.port));
      case 'server_protocol':
        return known('HTTP/1.1');
      case 'remote_user': {
        const user = basicUser(header(f.headers, 'authorization'));
        return known(user ?? '', user !== undefined && ident.headers.has('authorization'));
      }
      case 'content_type':
        return known(header(f.headers, 'content-type') ?? '');
      case 'content_length':
        return known(header(f.headers, 'content-length') ?? '');
      case 'status':
      case 'upstream_status':
        return f.response ? known(String(f.response.status)) : UNKNOWN;
      case 'proxy_host':
        return this.proxyHost === undefined ? UNKNOWN : known(this.proxyHost);
    }
    if (name.startsWith('arg_')) return known(queryArg(this.args, name.slice(4)) ?? '');
    if (name.startsWith('cookie_')) {
      const c = name.slice(7);
      const v = this.cookie(c);
      return known(v ?? '', v !== undefined && (ident.cookies === undefined || ident.cookies.has(c)));
    }
    if (name.startsWith('http_')) {
      const h = name.slice(5).replace(/_/g, '-').toLowerCase();
      const lines = headerLines(f.headers, h);
      const value = h === 'cookie' ? lines.join('; ') : lines.join(', ');
      return known(value, lines.length > 0 && ident.headers.has(h));
    }
    for (const prefix of ['upstream_http_', 'sent_http_']) {
      if (!name.startsWith(prefix)) continue;
      if (!f.response) return UNKNOWN;
      return known(header(f.response.headers, name.slice(prefix.length).replace(/_/g, '-')) ?? '');
    }
    if (name.startsWith('upstream_cookie_')) {
      if (!f.response) return UNKNOWN;
      const v = parseCookieHeader(headerLines(f.response.headers, 'set-cookie').map((l) => l.split(';')[0]!)).get(name.slice(16));
      return known(v ?? '');
    }
    return UNKNOWN;
  }

  /**
   * An `if` condition (arguments with the parentheses removed). Regex matches set captures.
   * File tests (`-f`, `-d`, `-e`, `-x`) and unknown values are undecidable.
   */
  condition(args: readonly string[], directive: NginxDirective): Condition {
    if (args.length === 1) {
      const v = this.expand(args[0]!);
      if (v.value === undefined) return { decided: false };
      return { decided: true, value: v.value !== '' && v.value !== '0', derived: v.derived || v.identity };
    }
    if (args.length === 2 && /^!?-[fdex]$/.test(args[0]!)) return { decided: false };
    if (args.length !== 3) return { decided: false };
    const [left, op, right] = args as [string, string, string];
    const l = this.expand(left);
    if (l.value === undefined) return { decided: false };
    const derived = l.derived || l.identity;
    if (op === '=' || op === '!=') {
      const r = this.expand(right);
      if (r.value === undefined) return { decided: false };
      return { decided: true, value: (l.value === r.value) === (op === '='), derived: derived || r.derived || r.identity };
    }
    const ops: Record<string, { negate: boolean; caseless: boolean }> = {
      '~': { negate: false, caseless: false },
      '~*': { negate: false, caseless: true },
      '!~': { negate: true, caseless: false },
      '!~*': { negate: true, caseless: true },
    };
    const o = ops[op];
    if (!o) return { decided: false };
    const re = compilePcre(right, o.caseless).re;
    if (!re) return { decided: false };
    const m = re.exec(l.value);
    if (m && !o.negate) this.capture(m, l, directive);
    return { decided: true, value: o.negate ? !m : m !== null, derived };
  }
}
