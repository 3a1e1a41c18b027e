/**
 * `loadNginx`: an nginx configuration as a verify model. It holds the parsed files (crossplane
 * view), the tree with includes inlined, the servers with their location trees, maps and
 * upstreams, and answers:
 * - `resolve(host, uri)`: which server and locations take a request (routing only);
 * - `effective(name, chain)`: which lines of a directive apply there (inherit.ts);
 * - `evaluate(request, response)`: the RouteEvaluations for one exchange (walk.ts + evaluate.ts);
 * - `routes` / `variable`: the walked request itself, for rules that need more.
 * `downstreamResponse(model, request, response)` gives the headers nginx sends to its own client.
 */
import { header, parseHttpDate } from '../../semantics/headers.ts';
import type { HttpRequestInfo, HttpResponseInfo, IdentityHints } from '../../semantics/types.ts';
import type { ConfigModelBase, RouteEvaluation, SourceLocation } from '../types.ts';
import { directivesOf, walkDirectives, type NginxConfig, type NginxDirective } from './ast.ts';
import { expandIncludes, readNginxConfig, type NginxReadOptions } from './config.ts';
import { applyDownstream, type DownstreamResult } from './downstream.ts';
import { toRouteEvaluation } from './evaluate.ts';
import { effective } from './inherit.ts';
import { buildServer, findLocation, normalizeUri, selectServer, type LocationMatch, type NginxLocation, type NginxServer, type ServerMatch } from './routing.ts';
import { buildMap, identityOf, type NginxMap, type RequestFacts, type VariableDefinitions, type VarValue } from './variables.ts';
import { enumerateBranches, walkRequest, type RouteOutcome, type RoutingTables } from './walk.ts';

export interface NginxLoadOptions extends NginxReadOptions {
  /** Which cookies and headers identify a requester, for variable taint (default: every cookie, Authorization). */
  identity?: IdentityHints;
}

/** Routing only: the server and locations a host + URI reach, without rewrite or `if`. */
export interface NginxRoute {
  server: NginxServer | undefined;
  serverMatch: ServerMatch | undefined;
  /** Outermost first; empty when no location matches. */
  locations: NginxLocation[];
  match: LocationMatch;
  /** http → server → location(s): the blocks `effective` reads. */
  chain: NginxDirective[];
  label: string;
}

export interface NginxModel extends ConfigModelBase<'nginx'> {
  readonly config: NginxConfig;
  /** The main context's directives with includes inlined (comments dropped). */
  readonly tree: readonly NginxDirective[];
  readonly http: NginxDirective | undefined;
  readonly servers: readonly NginxServer[];
  /** map result variable (without `$`) → definition. */
  readonly maps: ReadonlyMap<string, NginxMap>;
  readonly upstreams: ReadonlyMap<string, NginxDirective>;
  /** Routing for a host (port optional) and a request path (normalized as nginx does). */
  resolve(host: string, uri: string, opts?: { port?: number }): NginxRoute;
  /** The lines of `name` that apply at the end of `chain` (see inherit.ts for the per-directive rules). */
  effective(name: string, chain: readonly NginxDirective[]): NginxDirective[];
  /** The request walked through the configuration: one outcome per undecidable branch (never empty). */
  routes(request: HttpRequestInfo, response?: HttpResponseInfo): RouteOutcome[];
  /** A variable's value for a request, after the rewrite phases of the first branch. */
  variable(name: string, request: HttpRequestInfo, response?: HttpResponseInfo): VarValue;
  /** Position of a directive of `tree` in configuration order (includes inlined). */
  order(d: NginxDirective): number;
}

function requestFacts(request: HttpRequestInfo, response: HttpResponseInfo | undefined, identity: IdentityHints | undefined): { facts: RequestFacts; uri: string; args: string } {
  let target = request.url;
  let urlHost: string | undefined;
  let urlPort: number | undefined;
  let urlScheme: 'http' | 'https' | undefined;
  const abs = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(target);
  if (abs) {
    urlScheme = abs[1]!.toLowerCase() as 'http' | 'https';
    const authority = abs[2]!.replace(/^.*@/, '');
    const pm = /:(\d+)$/.exec(authority);
    urlHost = authority.replace(/:\d+$/, '');
    urlPort = pm ? Number(pm[1]) : undefined;
    target = abs[3] === '' ? '/' : abs[3]!;
  }
  const hostRaw = request.host ?? header(request.headers, 'host') ?? urlHost ?? '';
  const hostPort = /:(\d+)$/.exec(hostRaw);
  const explicitScheme = request.scheme ?? urlScheme;
  const scheme = explicitScheme ?? 'https';
  const port = hostPort ? Number(hostPort[1]) : (urlPort ?? (explicitScheme ? (explicitScheme === 'https' ? 443 : 80) : undefined));
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const args = q < 0 ? '' : target.slice(q + 1);
  return {
    facts: {
      method: request.method.toUpperCase(),
      scheme,
      host: hostRaw.replace(/:\d+$/, '').toLowerCase().replace(/\.$/, ''),
      port,
      portExplicit: hostPort !== null || urlPort !== undefined,
      requestUri: target,
      headers: request.headers,
      response,
      identity: identityOf(identity),
    },
    uri: normalizeUri(q < 0 ? target : target.slice(0, q)),
    args,
  };
}

const NAMED_GROUP = /\(\?P?<([A-Za-z_]\w*)>/g;

function definitions(http: NginxDirective | undefined): VariableDefinitions {
  const declared = new Set<string>();
  walkDirectives(http ? [http] : [], (d) => {
    if (d.name === 'set' && d.args[0]) declared.add(d.args[0].replace(/^\$/, ''));
    for (const w of d.words) if (w.value.includes('(?')) for (const m of w.value.matchAll(NAMED_GROUP)) declared.add(m[1]!);
  });
  const maps = new Map<string, NginxMap>();
  const opaque = new Map<string, { kind: 'geo' | 'split_clients'; directive: NginxDirective; default: string }>();
  for (const d of directivesOf(http?.block)) {
    if (d.name === 'map' && d.block) {
      const m = buildMap(d);
      maps.set(m.variable, m);
    } else if ((d.name === 'geo' || d.name === 'split_clients') && d.block) {
      const variable = (d.args[d.args.length - 1] ?? '').replace(/^\$/, '');
      const dflt = directivesOf(d.block).find((e) => e.name === (d.name === 'geo' ? 'default' : '*'));
      opaque.set(variable, { kind: d.name, directive: d, default: dflt?.args[0] ?? '' });
    }
  }
  return { maps, opaque, declared };
}

/** Loads an nginx configuration (main file plus includes). Throws ConfigParseError. */
export function loadNginx(mainFile: string, opts: NginxLoadOptions = {}): NginxModel {
  const config = readNginxConfig(mainFile, opts);
  const tree = expandIncludes(config);
  const http = tree.find((d) => d.name === 'http' && d.block);
  const servers = directivesOf(http?.block)
    .filter((d) => d.name === 'server' && d.block)
    .map(buildServer);
  const upstreams = new Map<string, NginxDirective>();
  for (const d of directivesOf(http?.block)) if (d.name === 'upstream' && d.block && d.args[0]) upstreams.set(d.args[0], d);
  const defs = definitions(http);
  const tables: RoutingTables = { main: mainFile, http, servers, defs };

  const orderMap = new WeakMap<NginxDirective, number>();
  let seq = 0;
  walkDirectives(tree, (d) => orderMap.set(d, seq++));
  const order = (d: NginxDirective): number => orderMap.get(d) ?? Number.MAX_SAFE_INTEGER;

  const routes = (request: HttpRequestInfo, response?: HttpResponseInfo): RouteOutcome[] => {
    const { facts, uri, args } = requestFacts(request, response, opts.identity);
    const { results, truncated } = enumerateBranches((path) => walkRequest(tables, facts, uri, args, path));
    if (truncated) {
      const last = results[results.length - 1]!;
      const at: SourceLocation = http?.at ?? { file: mainFile, line: 1, column: 1 };
      last.env.assume(at, `more than ${results.length} undecidable branches; the others were not evaluated`);
    }
    return results;
  };

  const model: NginxModel = {
    kind: 'nginx',
    name: mainFile,
    files: config.files.map((f) => f.file),
    config,
    tree,
    http,
    servers,
    maps: defs.maps,
    upstreams,
    resolve(host, uri, o = {}) {
      const h = host.replace(/:\d+$/, '').toLowerCase();
      const sel = selectServer(servers, h, o.port);
      if (!sel || !http) return { server: undefined, serverMatch: undefined, locations: [], match: 'none', chain: http ? [http] : [], label: 'no server' };
      const found = findLocation(sel.server, normalizeUri(uri));
      const inner = found.locations[found.locations.length - 1];
      return {
        server: sel.server,
        serverMatch: sel.match,
        locations: found.locations,
        match: found.match,
        chain: [http, sel.server.directive, ...found.locations.map((l) => l.directive)],
        label: inner ? `${inner.label} (${sel.server.label})` : sel.server.label,
      };
    },
    effective,
    routes,
    variable(name, request, response) {
      return routes(request, response)[0]!.env.get(name);
    },
    order,
    evaluate(request, response) {
      const out: RouteEvaluation[] = [];
      const seen = new Set<string>();
      for (const o of routes(request, response)) {
        const e = toRouteEvaluation({ order }, o, request, response);
        const key = JSON.stringify([e.handler.label, e.caching, e.profile]);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(e);
      }
      return out;
    },
  };
  return model;
}

function nowOf(response: HttpResponseInfo): number {
  return response.receivedAt ?? parseHttpDate(header(response.headers, 'date')) ?? Date.now();
}

/** The headers nginx sends to its client for every branch of the route (hide_header, expires, add_header). */
export function downstreamResponses(model: NginxModel, request: HttpRequestInfo, response: HttpResponseInfo): DownstreamResult[] {
  const now = nowOf(response);
  return model.routes(request, response).map((o) => applyDownstream(o, response, now));
}

/**
 * The headers nginx sends to its client after `<p>_hide_header`, `expires` and `add_header`, for the
 * first branch of the route (its assumptions are listed; see `downstreamResponses` for all branches).
 */
export function downstreamResponse(model: NginxModel, request: HttpRequestInfo, response: HttpResponseInfo): DownstreamResult {
  return downstreamResponses(model, request, response)[0]!;
}
