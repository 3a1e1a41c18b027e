/**
 * nginx request routing: which `server` takes a request (listen port, then server_name) and which
 * `location` inside it (ngx_http_core_find_location).
 *
 * Server: among the servers listening on the request's port, an exact name wins, then the longest
 * leading wildcard (`*.example.com`, `.example.com`), the longest trailing wildcard (`mail.*`), the
 * first matching regex (`~...`); else the port's `default_server`, else the first server on it.
 * A `listen` whose port cannot be read (a template placeholder) counts for every port. The local
 * address is unknown, so `listen 127.0.0.1:80` and `listen 80` are one socket here.
 *
 * Location, at each level: `=` on equality ends the search; else the longest matching prefix is
 * remembered and its nested locations are searched; unless that prefix is `^~`, the level's regex
 * locations (`~`, `~*`) are tried in order and the first match wins (its nested locations are
 * searched too); otherwise the longest prefix stands. `@name` locations are never matched by URI.
 * A request for `/api` with a `location /api/` that proxies (and no `/api` location) is redirected
 * by nginx to `/api/` (auto_redirect).
 */
import { directiveHead, directivesOf, type NginxDirective } from './ast.ts';
import { compilePcre } from './regex.ts';
import type { SourceLocation } from '../types.ts';

export const LOCATION_MODIFIERS = ['=', '^~', '~', '~*', '', '@'] as const;
export type LocationModifier = (typeof LOCATION_MODIFIERS)[number];

export interface NginxListen {
  /** The address part as written (`127.0.0.1`, `[::]`, `*`), when given. */
  address: string | undefined;
  /** The port, or undefined when it cannot be read (`listen {{LISTEN}};`, unix sockets). */
  port: number | undefined;
  defaultServer: boolean;
  ssl: boolean;
  at: SourceLocation;
}

export interface NginxLocation {
  directive: NginxDirective;
  modifier: LocationModifier;
  /** The URI prefix, exact URI, regex source or `@name`. */
  pattern: string;
  /** Compiled regex for `~`/`~*`; undefined when JavaScript cannot express it (see `regexError`). */
  regex: RegExp | undefined;
  regexError: string | undefined;
  /** The location proxies (a `*_pass` directly in it): a request for the pattern without its trailing slash is redirected. */
  autoRedirect: boolean;
  children: NginxLocation[];
  parent: NginxLocation | undefined;
  /** `location ~ ^/(mypage|orders)` */
  label: string;
}

export interface NginxServer {
  directive: NginxDirective;
  /** server_name values, lower case, as written (`*.example.com`, `~^www\d+`, `""`). Default `[""]`. */
  names: string[];
  listen: NginxListen[];
  /** Top-level locations in order (named ones included). */
  locations: NginxLocation[];
  /** `@name` → location. */
  named: ReadonlyMap<string, NginxLocation>;
  /** `server shop.example.test` */
  label: string;
}

export const PASS_DIRECTIVES = ['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass'] as const;

/* ------------------------------------------------------------------ building */

function parseListen(d: NginxDirective): NginxListen {
  const first = d.args[0] ?? '';
  const params = d.args.slice(1);
  let address: string | undefined;
  let port: number | undefined;
  if (/^\d+$/.test(first)) port = Number(first);
  else if (first.startsWith('unix:')) address = first;
  else {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-*]+)(?::(\d+))?$/.exec(first);
    if (m) {
      address = m[1];
      port = m[2] !== undefined ? Number(m[2]) : 80;
    }
  }
  return {
    address,
    port,
    defaultServer: params.includes('default_server') || params.includes('default'),
    ssl: params.includes('ssl'),
    at: d.at,
  };
}

export function locationParts(d: NginxDirective): { modifier: LocationModifier; pattern: string } {
  if (d.args.length >= 2) {
    const mod = d.args[0]!;
    const modifier = (['=', '^~', '~', '~*'] as const).find((m) => m === mod);
    return { modifier: modifier ?? '', pattern: d.args[1]! };
  }
  const name = d.args[0] ?? '';
  if (name.startsWith('=')) return { modifier: '=', pattern: name.slice(1) };
  if (name.startsWith('~*')) return { modifier: '~*', pattern: name.slice(2) };
  if (name.startsWith('~')) return { modifier: '~', pattern: name.slice(1) };
  if (name.startsWith('@')) return { modifier: '@', pattern: name };
  return { modifier: '', pattern: name };
}

function buildLocations(nodes: readonly NginxDirective[], parent: NginxLocation | undefined): NginxLocation[] {
  const out: NginxLocation[] = [];
  for (const d of nodes) {
    if (d.name !== 'location' || !d.block) continue;
    const { modifier, pattern } = locationParts(d);
    const compiled = modifier === '~' || modifier === '~*' ? compilePcre(pattern, modifier === '~*') : undefined;
    const body = directivesOf(d.block);
    const loc: NginxLocation = {
      directive: d,
      modifier,
      pattern,
      regex: compiled?.re,
      regexError: compiled?.error,
      autoRedirect: (modifier === '' || modifier === '^~') && pattern.endsWith('/') && body.some((c) => (PASS_DIRECTIVES as readonly string[]).includes(c.name)),
      children: [],
      parent,
      label: directiveHead(d),
    };
    loc.children = buildLocations(body, loc);
    out.push(loc);
  }
  return out;
}

export function buildServer(d: NginxDirective): NginxServer {
  const body = directivesOf(d.block);
  const names: string[] = [];
  for (const s of body) if (s.name === 'server_name') names.push(...s.args.map((a) => (a.startsWith('~') ? a : a.toLowerCase())));
  const listen = body.filter((s) => s.name === 'listen').map(parseListen);
  if (listen.length === 0) listen.push({ address: undefined, port: 80, defaultServer: false, ssl: false, at: d.at });
  const locations = buildLocations(body, undefined);
  const named = new Map<string, NginxLocation>();
  for (const l of locations) if (l.modifier === '@') named.set(l.pattern, l);
  const shown = names.find((n) => n !== '') ?? (listen[0]!.port !== undefined ? `:${listen[0]!.port}` : (d.args[0] ?? ''));
  return { directive: d, names: names.length > 0 ? names : [''], listen, locations, named, label: `server ${shown}`.trimEnd() };
}

/* ------------------------------------------------------------------ server selection */

export type ServerMatch = 'exact' | 'leading-wildcard' | 'trailing-wildcard' | 'regex' | 'default_server' | 'first';

function listensOn(s: NginxServer, port: number | undefined): boolean {
  return port === undefined || s.listen.some((l) => l.port === undefined || l.port === port);
}

/** Picks the server for a host (lower case, no port) on a port (undefined: any). */
export function selectServer(servers: readonly NginxServer[], host: string, port: number | undefined): { server: NginxServer; match: ServerMatch } | undefined {
  const candidates = servers.filter((s) => listensOn(s, port));
  if (candidates.length === 0) return undefined;
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const s of candidates) if (s.names.includes(h)) return { server: s, match: 'exact' };

  let best: { server: NginxServer; len: number } | undefined;
  for (const s of candidates) {
    for (const n of s.names) {
      const suffix = n.startsWith('*.') ? n.slice(1) : n.startsWith('.') ? n : undefined;
      if (suffix === undefined) continue;
      const hit = h.endsWith(suffix) || (n.startsWith('.') && h === n.slice(1));
      if (hit && (!best || suffix.length > best.len)) best = { server: s, len: suffix.length };
    }
  }
  if (best) return { server: best.server, match: 'leading-wildcard' };

  for (const s of candidates) {
    for (const n of s.names) {
      if (!n.endsWith('.*') || n.startsWith('~')) continue;
      const head = n.slice(0, -1);
      if (h.startsWith(head) && (!best || head.length > best.len)) best = { server: s, len: head.length };
    }
  }
  if (best) return { server: best.server, match: 'trailing-wildcard' };

  for (const s of candidates) {
    for (const n of s.names) {
      if (!n.startsWith('~')) continue;
      const re = compilePcre(n.slice(1), true).re;
      if (re?.test(h)) return { server: s, match: 'regex' };
    }
  }
  const def = candidates.find((s) => s.listen.some((l) => l.defaultServer && (port === undefined || l.port === port || l.port === undefined)));
  if (def) return { server: def, match: 'default_server' };
  return { server: candidates[0]!, match: 'first' };
}

/* ------------------------------------------------------------------ location matching */

export type LocationMatch = 'exact' | 'prefix' | 'regex' | 'redirect' | 'none';

export interface LocationResult {
  /** Outermost first; empty when no location matches. */
  locations: NginxLocation[];
  match: LocationMatch;
  /** For a regex match: the match array (positional and named captures). */
  captures: RegExpExecArray | undefined;
  /** Regex locations that could not be evaluated (assumed not to match). */
  undecided: NginxLocation[];
}

function findIn(level: readonly NginxLocation[], uri: string, undecided: NginxLocation[]): Omit<LocationResult, 'undecided'> {
  let best: NginxLocation | undefined;
  let sameAsUri = false;
  let redirect: NginxLocation | undefined;
  for (const l of level) {
    if (l.modifier === '=') {
      if (l.pattern === uri) return { locations: [l], match: 'exact', captures: undefined };
      continue;
    }
    if (l.modifier !== '' && l.modifier !== '^~') continue;
    if (l.pattern === uri) sameAsUri = true;
    if (uri.startsWith(l.pattern) && (!best || l.pattern.length > best.pattern.length)) best = l;
    if (l.autoRedirect && l.pattern === `${uri}/`) redirect = l;
  }
  // A static `/x` node would have matched first; else the request is redirected to `/x/`.
  if (redirect && !sameAsUri) return { locations: [redirect], match: 'redirect', captures: undefined };

  let inner: Omit<LocationResult, 'undecided'> | undefined;
  if (best) {
    inner = findIn(best.children, uri, undecided);
    if (inner.match === 'exact' || inner.match === 'regex' || inner.match === 'redirect') return { ...inner, locations: [best, ...inner.locations] };
  }
  if (!best || best.modifier !== '^~') {
    for (const l of level) {
      if (l.modifier !== '~' && l.modifier !== '~*') continue;
      if (!l.regex) {
        undecided.push(l);
        continue;
      }
      const m = l.regex.exec(uri);
      if (!m) continue;
      const nested = findIn(l.children, uri, undecided);
      return { locations: [l, ...nested.locations], match: 'regex', captures: nested.match === 'regex' ? nested.captures : m };
    }
  }
  if (best) return { locations: [best, ...inner!.locations], match: 'prefix', captures: undefined };
  return { locations: [], match: 'none', captures: undefined };
}

/** Finds the location chain for a normalized URI (`$uri`). */
export function findLocation(server: NginxServer, uri: string): LocationResult {
  const undecided: NginxLocation[] = [];
  const r = findIn(server.locations, uri, undecided);
  return { ...r, undecided };
}

/* ------------------------------------------------------------------ URI */

/**
 * `$uri` as nginx computes it from the request target: the path without query, percent-decoded,
 * repeated slashes merged (merge_slashes on), `.` and `..` segments resolved.
 */
export function normalizeUri(pathOrUrl: string): string {
  let path = pathOrUrl;
  if (/^https?:\/\//i.test(path)) path = path.replace(/^https?:\/\/[^/?#]*/i, '');
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  if (!path.startsWith('/')) path = `/${path}`;
  path = path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  path = path.replace(/\/{2,}/g, '/');
  const out: string[] = [];
  const segs = path.split('/');
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === '.') {
      if (last) out.push('');
      continue;
    }
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return `/${out.join('/')}`;
}
