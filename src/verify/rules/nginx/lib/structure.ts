/**
 * Structural questions the nginx rules ask of the whole configuration, without a request:
 * - `cachingBlocks`: every location (nested and named ones included) whose own `*_pass` is served
 *   through a cache zone, with the chain of blocks `effective` reads;
 * - `baseVariables`: the nginx built-ins a complex value depends on, following `map` sources and
 *   values, `set` values and the `if` conditions around them, and named captures of map regexes
 *   (`$logged_in` from `map $cookie_sid $logged_in` depends on `$cookie_sid`);
 * - `identityInputs` / `hostInputs`: those built-ins that carry who asks, or which site was asked.
 *
 * Not a rule (the rule registry lists only the `.ts` files directly in src/verify/rules/nginx/).
 */
import { walkDirectives, type NginxDirective } from '../../../nginx/ast.ts';
import { parseCacheValid, proxyHostOf } from '../../../nginx/evaluate.ts';
import type { NginxLocation, NginxModel, NginxServer } from '../../../nginx/index.ts';
import { effective, effectiveOne } from '../../../nginx/inherit.ts';
import { variableRefs } from '../../../nginx/variables.ts';
import { CACHE_MODULES, type CacheModule } from './exchanges.ts';

export interface CachingBlock {
  server: NginxServer;
  location: NginxLocation;
  /** http → server → location(s). */
  chain: NginxDirective[];
  module: CacheModule;
  /** The `*_pass` line of the location. */
  pass: NginxDirective;
  /** The `*_cache <zone>` line in effect. */
  cache: NginxDirective;
  zone: string;
}

const blocksMemo = new WeakMap<NginxModel, CachingBlock[]>();

/** Every location that passes to an upstream through a cache zone (`*_cache` not `off`), in configuration order. */
export function cachingBlocks(model: NginxModel): CachingBlock[] {
  const memo = blocksMemo.get(model);
  if (memo) return memo;
  const out: CachingBlock[] = [];
  const visit = (server: NginxServer, locations: readonly NginxLocation[], chain: NginxDirective[]): void => {
    for (const location of locations) {
      const here = [...chain, location.directive];
      for (const module of CACHE_MODULES) {
        const pass = effectiveOne(`${module}_pass`, here);
        if (!pass) continue;
        const cache = effectiveOne(`${module}_cache`, here);
        const zone = cache?.args[0] ?? 'off';
        if (cache && zone !== 'off') out.push({ server, location, chain: here, module, pass, cache, zone });
      }
      visit(server, location.children, here);
    }
  };
  if (model.http) for (const server of model.servers) visit(server, server.locations, [model.http, server.directive]);
  blocksMemo.set(model, out);
  return out;
}

/** `location /x (server a.test)`, for messages. */
export function blockLabel(b: CachingBlock): string {
  return `${b.location.label} (${b.server.label})`;
}

/** The lines of a list directive in effect that name one of `values` among their arguments (case-insensitive). */
export function linesNaming(name: string, chain: readonly NginxDirective[], values: readonly string[]): Array<{ directive: NginxDirective; named: string[] }> {
  const wanted = values.map((v) => v.toLowerCase());
  const out: Array<{ directive: NginxDirective; named: string[] }> = [];
  for (const d of effective(name, chain)) {
    const named = d.args.filter((a) => wanted.includes(a.toLowerCase()));
    if (named.length > 0) out.push({ directive: d, named });
  }
  return out;
}

/** Whether a `*_cache_valid` line gives `status` a lifetime (`any`, its code, or 200/301/302 for a bare time). */
export function validFor(d: NginxDirective, status: number): boolean {
  const v = parseCacheValid(d);
  if (!v || v.seconds <= 0) return false;
  return v.codes === 'any' || (v.codes.length === 0 ? [200, 301, 302] : v.codes).includes(status);
}

/* ------------------------------------------------------------------ variable dependencies */

interface Definitions {
  /** Variable → the templates that define it (set values, if conditions around a set, map sources and values). */
  sources: Map<string, string[]>;
}

const defsMemo = new WeakMap<NginxModel, Definitions>();
const NAMED_GROUP = /\(\?P?<([A-Za-z_]\w*)>/g;

function definitions(model: NginxModel): Definitions {
  const memo = defsMemo.get(model);
  if (memo) return memo;
  const sources = new Map<string, string[]>();
  const add = (name: string, ...templates: string[]): void => {
    const list = sources.get(name) ?? [];
    list.push(...templates);
    sources.set(name, list);
  };
  for (const map of model.maps.values()) {
    add(map.variable, map.source, ...map.entries.map((e) => e.value));
    if (map.default) add(map.variable, map.default.value);
    for (const e of map.entries) if (e.kind === 'regex') for (const m of e.key.matchAll(NAMED_GROUP)) add(m[1]!, map.source);
  }
  walkDirectives(model.tree, (d, parents) => {
    if (d.name !== 'set' || !d.args[0]) return;
    const conditions = parents.filter((p) => p.name === 'if').map((p) => p.args.join(' '));
    add(d.args[0].replace(/^\$/, ''), d.args[1] ?? '', ...conditions);
  });
  const defs = { sources };
  defsMemo.set(model, defs);
  return defs;
}

/** The built-in variables (without `$`) a complex value depends on, through map, set and if. */
export function baseVariables(model: NginxModel, template: string): Set<string> {
  const { sources } = definitions(model);
  const out = new Set<string>();
  const seen = new Set<string>();
  const queue = variableRefs(template);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const defined = sources.get(name);
    if (defined) for (const t of defined) queue.push(...variableRefs(t));
    else out.add(name);
  }
  return out;
}

/** The built-ins among `vars` that carry the requester's identity: any cookie, the Cookie header, identity headers, `$remote_user`. */
export function identityInputs(vars: Iterable<string>, identityHeaders: readonly string[] = ['authorization']): string[] {
  const headers = new Set(['cookie', ...identityHeaders.map((h) => h.toLowerCase())]);
  return [...vars].filter((v) => v.startsWith('cookie_') || v === 'remote_user' || (v.startsWith('http_') && headers.has(v.slice(5).replace(/_/g, '-'))));
}

/** The built-ins among `vars` that tell sites apart: `$host`, `$http_host`, `$server_name`. */
export function hostInputs(vars: Iterable<string>): string[] {
  return [...vars].filter((v) => v === 'host' || v === 'http_host' || v === 'server_name');
}

/** The key template in effect for a caching block; the proxy default when none is set (other modules require one). */
export function keyOf(b: { module: CacheModule; chain: readonly NginxDirective[] }): { template: string; directive: NginxDirective | undefined } | undefined {
  const d = effectiveOne(`${b.module}_cache_key`, b.chain);
  if (d) return { template: d.args.join(' '), directive: d };
  return b.module === 'proxy' ? { template: '$scheme$proxy_host$request_uri', directive: undefined } : undefined;
}

/** `$proxy_host` as the literal upstream of the block's proxy_pass (when the target has no variables). */
export function withProxyHost(template: string, pass: NginxDirective): string {
  const target = pass.args[0] ?? '';
  if (target.includes('$')) return template;
  return template.replace(/\$(\{proxy_host\}|proxy_host\b)/g, proxyHostOf(target));
}
