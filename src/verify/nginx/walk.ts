/**
 * One request through nginx's phases, statically: server selection, the server-level rewrite
 * directives, location search, the location's rewrite directives (`set`, `if`, `rewrite`, `return`,
 * `break`, up to 10 URI changes), `try_files`, and the content handler (`proxy_pass`, `fastcgi_pass`...).
 *
 * Conditions that cannot be decided for the concrete request (`-f` tests, unknown variables,
 * whether a `try_files` file exists) are answered by a DecisionPath. `enumerateBranches` runs the walk
 * once per combination of answers, at most MAX_BRANCHES times, so each outcome comes with the
 * assumptions it rests on. Nothing is decided by default: the first branch takes "not taken" /
 * "no file" everywhere.
 */
import type { SourceLocation } from '../types.ts';
import { directiveHead, directivesOf, type NginxDirective } from './ast.ts';
import { effectiveOne } from './inherit.ts';
import { compilePcre } from './regex.ts';
import { findLocation, PASS_DIRECTIVES, selectServer, type NginxLocation, type NginxServer, type ServerMatch } from './routing.ts';
import { VarEnv, type RequestFacts, type VariableDefinitions } from './variables.ts';

export const MAX_BRANCHES = 8;
const MAX_URI_CHANGES = 10;

export type PassModule = 'proxy' | 'fastcgi' | 'uwsgi' | 'scgi' | 'grpc' | 'memcached';

export type RouteHandler =
  /** A `*_pass` directive sends the request upstream. */
  | { kind: 'pass'; module: PassModule; directive: NginxDirective }
  /** nginx answers itself: `return`, or a `rewrite ... redirect|permanent` (or an absolute replacement). */
  | { kind: 'return'; code: number; directive: NginxDirective }
  /** `location /x/` with a `*_pass` redirects a request for `/x` (auto_redirect). */
  | { kind: 'redirect'; code: 301; location: NginxLocation }
  /** Served from disk (no `*_pass` in effect, or `try_files` found a file). */
  | { kind: 'static'; directive: NginxDirective | undefined }
  /** The configuration has no server for this request. */
  | { kind: 'no-server' };

export interface RouteOutcome {
  server: NginxServer | undefined;
  serverMatch: ServerMatch | undefined;
  /** The location chain that handled the request, outermost first (a named location after try_files). */
  locations: NginxLocation[];
  /** Blocks whose directives apply: http → server → location(s) → the taken `if`, if any. */
  chain: NginxDirective[];
  handler: RouteHandler;
  env: VarEnv;
  /** `location ~ ^/(mypage|orders) (server shop.example.test)` */
  label: string;
  at: SourceLocation;
}

export interface RoutingTables {
  main: string;
  http: NginxDirective | undefined;
  servers: readonly NginxServer[];
  defs: VariableDefinitions;
}

/** Answers undecidable conditions: forced answers first, then "false", recording every answer. */
export class DecisionPath {
  readonly forced: readonly boolean[];
  readonly answers: boolean[] = [];
  constructor(forced: readonly boolean[]) {
    this.forced = forced;
  }
  decide(): boolean {
    const i = this.answers.length;
    const v = i < this.forced.length ? this.forced[i]! : false;
    this.answers.push(v);
    return v;
  }
}

/** Runs `walk` once per combination of undecidable answers (depth first, at most `max` runs). */
export function enumerateBranches<T>(walk: (path: DecisionPath) => T, max = MAX_BRANCHES): { results: T[]; truncated: boolean } {
  const results: T[] = [];
  const stack: boolean[][] = [[]];
  while (stack.length > 0 && results.length < max) {
    const forced = stack.pop()!;
    const path = new DecisionPath(forced);
    results.push(walk(path));
    // Every answer defaulted to false past the forced prefix opens one sibling branch.
    for (let i = forced.length; i < path.answers.length; i++) stack.push([...path.answers.slice(0, i), true]);
  }
  return { results, truncated: stack.length > 0 };
}

/* ------------------------------------------------------------------ rewrite directives */

type RewriteResult =
  | { kind: 'continue' | 'break' | 'last'; uriChanged: boolean; lastIf: NginxDirective | undefined }
  | { kind: 'return'; code: number; directive: NginxDirective; lastIf: NginxDirective | undefined };

function setUri(env: VarEnv, target: string): void {
  const q = target.indexOf('?');
  if (q < 0) {
    env.uri = target;
    return;
  }
  const extra = target.slice(q + 1);
  env.uri = target.slice(0, q);
  // A trailing "?" drops the original arguments; otherwise they are appended.
  env.args = target.endsWith('?') ? extra.slice(0, -1) : env.args === '' ? extra : extra === '' ? env.args : `${extra}&${env.args}`;
}

function returnCode(d: NginxDirective): number {
  const first = d.args[0] ?? '';
  return /^\d+$/.test(first) ? Number(first) : 302;
}

function runRewrite(statements: readonly NginxDirective[], env: VarEnv, path: DecisionPath, inLocation: boolean): RewriteResult {
  let uriChanged = false;
  let lastIf: NginxDirective | undefined;
  for (const d of statements) {
    switch (d.name) {
      case 'set': {
        const name = (d.args[0] ?? '').replace(/^\$/, '');
        env.assign(name, env.expand(d.args[1] ?? ''), { kind: 'set', directive: d });
        break;
      }
      case 'if': {
        const cond = env.condition(d.args, d);
        let taken: boolean;
        let derived = false;
        if (cond.decided) {
          taken = cond.value;
          derived = cond.derived;
        } else {
          taken = path.decide();
          env.assume(d.at, `${directiveHead(d)} ${taken ? 'taken' : 'not taken'}`);
        }
        if (!taken) break;
        if (inLocation) lastIf = d;
        const saved = env.controlDerived;
        env.controlDerived ||= derived;
        const inner = runRewrite(directivesOf(d.block), env, path, inLocation);
        env.controlDerived = saved;
        uriChanged ||= inner.kind !== 'return' && inner.uriChanged;
        if (inner.kind === 'return') return { ...inner, lastIf: inLocation ? d : undefined };
        if (inner.kind !== 'continue') return { ...inner, uriChanged, lastIf: inLocation ? d : undefined };
        break;
      }
      case 'return':
        return { kind: 'return', code: returnCode(d), directive: d, lastIf };
      case 'break':
        return { kind: 'break', uriChanged, lastIf };
      case 'rewrite': {
        const [pattern = '', replacement = '', flag = ''] = d.args;
        const re = compilePcre(pattern, false);
        if (!re.re) {
          env.assume(d.at, `${directiveHead(d)}: regex not understood (${re.error}); assumed not to match`);
          break;
        }
        const m = re.re.exec(env.uri);
        if (!m) break;
        env.capture(m, { value: env.uri, identity: false, derived: false }, d);
        if (/^(https?:\/\/|\$scheme)/.test(replacement) || flag === 'redirect' || flag === 'permanent') {
          return { kind: 'return', code: flag === 'permanent' ? 301 : 302, directive: d, lastIf };
        }
        setUri(env, env.expand(replacement).value ?? replacement);
        uriChanged = true;
        if (flag === 'last') return { kind: inLocation ? 'last' : 'break', uriChanged, lastIf };
        if (flag === 'break') return { kind: 'break', uriChanged, lastIf };
        break;
      }
    }
  }
  return { kind: 'continue', uriChanged, lastIf };
}

/* ------------------------------------------------------------------ the walk */

function passHandler(chain: readonly NginxDirective[]): RouteHandler | undefined {
  for (const name of PASS_DIRECTIVES) {
    const d = effectiveOne(name, chain);
    if (d) return { kind: 'pass', module: name.slice(0, -'_pass'.length) as PassModule, directive: d };
  }
  return undefined;
}

function label(server: NginxServer, loc: NginxLocation | undefined): string {
  return loc ? `${loc.label} (${server.label})` : server.label;
}

/** One walk of the request through the configuration, answering undecidable conditions from `path`. */
export function walkRequest(t: RoutingTables, facts: RequestFacts, uri: string, args: string, path: DecisionPath): RouteOutcome {
  const env = new VarEnv(t.defs, facts, uri, args);
  const mainAt: SourceLocation = t.http?.at ?? { file: t.main, line: 1, column: 1 };
  let sel = selectServer(t.servers, facts.host, facts.port);
  if (!sel && facts.port !== undefined) {
    // No server on that port: choose by name among all. Silent when the port only came from the
    // scheme (TLS often ends in front of nginx); an assumption when the request named the port.
    sel = selectServer(t.servers, facts.host, undefined);
    if (sel && facts.portExplicit) env.assume(mainAt, `no server listens on port ${facts.port}; the server was chosen by name among all servers`);
  }
  if (!sel || !t.http) {
    return { server: undefined, serverMatch: undefined, locations: [], chain: t.http ? [t.http] : [], handler: { kind: 'no-server' }, env, label: 'no server', at: mainAt };
  }
  const server = sel.server;
  env.serverName = server.names.find((n) => n !== '' && !n.startsWith('~') && !n.includes('*') && !n.startsWith('.')) ?? '';
  const base = [t.http, server.directive];
  const outcome = (locations: NginxLocation[], chain: NginxDirective[], handler: RouteHandler): RouteOutcome => {
    const loc = locations[locations.length - 1];
    return { server, serverMatch: sel.match, locations, chain, handler, env, label: label(server, loc), at: loc?.directive.at ?? server.directive.at };
  };

  const serverPhase = runRewrite(directivesOf(server.directive.block), env, path, false);
  if (serverPhase.kind === 'return') return outcome([], base, { kind: 'return', code: serverPhase.code, directive: serverPhase.directive });

  let named: NginxLocation | undefined;
  // Requests changed by rewrite or redirected by try_files are internal; `internal` locations refuse the others.
  let internal = serverPhase.uriChanged;
  for (let changes = 0; ; changes++) {
    let locations: NginxLocation[];
    if (named) locations = [named];
    else {
      const found = findLocation(server, env.uri);
      for (const l of found.undecided) env.assume(l.directive.at, `${l.label}: regex not understood (${l.regexError}); assumed not to match`);
      if (found.match === 'redirect') return outcome(found.locations, [...base, ...found.locations.map((l) => l.directive)], { kind: 'redirect', code: 301, location: found.locations[0]! });
      locations = found.locations;
      if (found.captures) {
        const regexLoc = [...locations].reverse().find((l) => l.regex);
        env.capture(found.captures, { value: env.uri, identity: false, derived: false }, (regexLoc ?? locations[0]!).directive);
      }
    }
    named = undefined;
    const chain = [...base, ...locations.map((l) => l.directive)];
    const inner = locations[locations.length - 1];
    if (!inner) return outcome([], chain, passHandler(chain) ?? { kind: 'static', directive: undefined });
    const internalOnly = directivesOf(inner.directive.block).find((d) => d.name === 'internal');
    if (internalOnly && !internal) return outcome(locations, chain, { kind: 'return', code: 404, directive: internalOnly });

    const phase = runRewrite(directivesOf(inner.directive.block), env, path, true);
    if (phase.lastIf) chain.push(phase.lastIf);
    if (phase.kind === 'return') return outcome(locations, chain, { kind: 'return', code: phase.code, directive: phase.directive });
    if (phase.uriChanged) internal = true;
    if (phase.kind === 'last' || (phase.kind === 'continue' && phase.uriChanged)) {
      if (changes >= MAX_URI_CHANGES) {
        env.assume(inner.directive.at, 'rewrite or internal redirection cycle (more than 10 URI changes); nginx answers 500');
        return outcome(locations, chain, { kind: 'return', code: 500, directive: inner.directive });
      }
      continue;
    }

    const tryFiles = effectiveOne('try_files', chain);
    if (tryFiles && tryFiles.args.length >= 2) {
      const found = path.decide();
      const fallback = tryFiles.args[tryFiles.args.length - 1]!;
      env.assume(tryFiles.at, `${directiveHead(tryFiles)}: ${found ? 'a file exists (served from disk)' : `no file exists; falls back to ${fallback}`}`);
      if (found) return outcome(locations, chain, { kind: 'static', directive: tryFiles });
      if (/^=\d+$/.test(fallback)) return outcome(locations, chain, { kind: 'return', code: Number(fallback.slice(1)), directive: tryFiles });
      internal = true;
      if (fallback.startsWith('@')) {
        named = server.named.get(fallback);
        if (!named) {
          env.assume(tryFiles.at, `named location ${fallback} does not exist; nginx answers 500`);
          return outcome(locations, chain, { kind: 'return', code: 500, directive: tryFiles });
        }
      } else setUri(env, env.expand(fallback).value ?? fallback);
      if (changes >= MAX_URI_CHANGES) return outcome(locations, chain, { kind: 'return', code: 500, directive: tryFiles });
      continue;
    }
    return outcome(locations, chain, passHandler(chain) ?? { kind: 'static', directive: undefined });
  }
}
