/**
 * From a walked request (walk.ts) to a RouteEvaluation: the effective `proxy_*` cache directives
 * (or `fastcgi_*` / `uwsgi_*` / `scgi_*` when the location uses that `*_pass`) mapped onto the
 * semantics core's NginxOptions, one provenance entry per line that set an option.
 *
 * | option | from |
 * |---|---|
 * | `cache` | `<p>_cache <zone>` (not `off`) while a `<p>_pass` handles the request |
 * | `ignoreHeaders` | `<p>_ignore_headers` (the five headers the core models) |
 * | `valid` | `<p>_cache_valid [codes…|any] time`, in order |
 * | `key` | `<p>_cache_key` (proxy default `$scheme$proxy_host$request_uri`) |
 * | `proxyHost` | the host[:port] or upstream name in `proxy_pass` |
 * | `lock`, `backgroundUpdate` | `<p>_cache_lock`, `<p>_cache_background_update` |
 * | `useStale`, `bypass`, `noCache`, `hideHeaders`, `methods` | `<p>_cache_use_stale`, `<p>_cache_bypass`, `<p>_no_cache`, `<p>_hide_header`, `<p>_cache_methods` |
 * | `variables` | values of `map`/`set`/capture variables the key, bypass and no_cache refer to |
 */
import type { NginxOptions, NginxValidity, HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import type { Provenance, RouteEvaluation } from '../types.ts';
import { directiveText, type NginxDirective } from './ast.ts';
import { effective, effectiveOne } from './inherit.ts';
import { parseNginxTime } from './time.ts';
import { variableRefs, type VarEnv } from './variables.ts';
import type { RouteOutcome } from './walk.ts';

type IgnoredHeader = NonNullable<NginxOptions['ignoreHeaders']>[number];
type StaleCondition = NonNullable<NginxOptions['useStale']>[number];

const IGNORABLE: Record<string, IgnoredHeader> = {
  'cache-control': 'Cache-Control',
  expires: 'Expires',
  'set-cookie': 'Set-Cookie',
  'x-accel-expires': 'X-Accel-Expires',
  vary: 'Vary',
};
const STALE: readonly StaleCondition[] = ['updating', 'error', 'timeout', 'invalid_header', 'http_500', 'http_502', 'http_503', 'http_504', 'http_403', 'http_404', 'http_429'];
const CACHE_MODULES = new Set(['proxy', 'fastcgi', 'uwsgi', 'scgi']);
/** Built-ins the semantics core does not evaluate (or, for `$uri`, evaluates before nginx's normalization and rewrites); their values are passed in `variables`. */
const EXTRA_BUILTINS = new Set(['uri', 'remote_user', 'server_name', 'server_port', 'document_uri', 'https', 'server_protocol', 'content_type', 'content_length']);

/** `proxy_cache_valid [code ...] time` → { codes, seconds }; undefined when the time cannot be read. */
export function parseCacheValid(d: NginxDirective): NginxValidity | undefined {
  if (d.args.length === 0) return undefined;
  const seconds = parseNginxTime(d.args[d.args.length - 1]!);
  if (seconds === undefined) return undefined;
  const codes = d.args.slice(0, -1);
  if (codes.includes('any')) return { codes: 'any', seconds };
  return { codes: codes.map(Number).filter((n) => Number.isInteger(n)), seconds };
}

/** The host (and port) `$proxy_host` expands to for a `proxy_pass` URL. */
export function proxyHostOf(url: string): string {
  const rest = url.replace(/^[a-z]+:\/\//i, '');
  if (/^unix:/i.test(rest)) return 'localhost';
  const authority = rest.split('/')[0]!;
  return authority.slice(authority.lastIndexOf('@') + 1);
}

export interface EvaluationContext {
  /** Position of a directive in the expanded configuration, for "configuration order". */
  order(d: NginxDirective): number;
}

/** Provenance for the configuration-defined variables `names` refer to, following map/set chains. */
function variableProvenance(env: VarEnv, names: readonly string[], add: (option: string, d: NginxDirective) => void): void {
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const src = env.sourceOf(name);
    if (!src) continue;
    add('variables', src.directive);
    if (src.kind === 'map') {
      const map = env.defs.maps.get(name)!;
      queue.push(...variableRefs(map.source));
      for (const e of map.entries) queue.push(...variableRefs(e.value));
      if (map.default) queue.push(...variableRefs(map.default.value));
    } else if (src.kind === 'set') queue.push(...variableRefs(src.directive.args[1] ?? ''));
  }
}

export function toRouteEvaluation(ctx: EvaluationContext, o: RouteOutcome, request: HttpRequestInfo, response: HttpResponseInfo): RouteEvaluation {
  const provenance: Provenance[] = [];
  const position = new Map<Provenance, number>();
  const add = (option: string, d: NginxDirective): void => {
    if (provenance.some((p) => p.option === option && p.at === d.at)) return;
    const entry: Provenance = { option, at: d.at, text: directiveText(d) };
    position.set(entry, ctx.order(d));
    provenance.push(entry);
  };
  const finish = (options: NginxOptions, caching: boolean): RouteEvaluation => {
    provenance.sort((a, b) => position.get(a)! - position.get(b)!);
    return {
      kind: 'nginx',
      handler: { label: o.label, at: o.at },
      profile: { id: 'nginx', options },
      request,
      response,
      provenance,
      assumptions: [...o.env.assumptions],
      caching,
    };
  };

  const h = o.handler;
  if (h.kind === 'return') add('cache', h.directive);
  if (h.kind !== 'pass' || !CACHE_MODULES.has(h.module)) return finish({ cache: false }, false);

  const p = h.module;
  const chain = o.chain;
  const cacheLine = effectiveOne(`${p}_cache`, chain);
  if (!cacheLine || (cacheLine.args[0] ?? 'off') === 'off') {
    if (cacheLine) add('cache', cacheLine);
    return finish({ cache: false }, false);
  }
  const options: NginxOptions = { cache: true };
  add('cache', cacheLine);

  if (p === 'proxy') {
    const target = o.env.expand(h.directive.args[0] ?? '').value ?? h.directive.args[0] ?? '';
    options.proxyHost = proxyHostOf(target);
    o.env.proxyHost = options.proxyHost;
    add('proxyHost', h.directive);
  }

  const ignore = effective(`${p}_ignore_headers`, chain);
  if (ignore.length > 0) {
    const values = new Set<IgnoredHeader>();
    for (const d of ignore) {
      for (const a of d.args) {
        const v = IGNORABLE[a.toLowerCase()];
        if (v) values.add(v);
      }
      add('ignoreHeaders', d);
    }
    options.ignoreHeaders = [...values];
  }

  const valid = effective(`${p}_cache_valid`, chain);
  if (valid.length > 0) {
    options.valid = [];
    for (const d of valid) {
      const v = parseCacheValid(d);
      if (!v) {
        o.env.assume(d.at, `${directiveText(d)}: the time cannot be read; the line is ignored`);
        continue;
      }
      options.valid.push(v);
      add('valid', d);
    }
  }

  const key = effectiveOne(`${p}_cache_key`, chain);
  if (key) {
    options.key = key.args.join(' ');
    add('key', key);
  } else if (p !== 'proxy') {
    o.env.assume(o.at, `${p}_cache_key is not set (nginx requires it with ${p}_cache); the proxy default key was assumed`);
  }

  const lock = effectiveOne(`${p}_cache_lock`, chain);
  if (lock) {
    options.lock = lock.args[0] === 'on';
    add('lock', lock);
  }
  const stale = effective(`${p}_cache_use_stale`, chain);
  if (stale.length > 0) {
    options.useStale = stale.flatMap((d) => d.args).filter((a): a is StaleCondition => (STALE as readonly string[]).includes(a));
    for (const d of stale) add('useStale', d);
  }
  const background = effectiveOne(`${p}_cache_background_update`, chain);
  if (background) {
    options.backgroundUpdate = background.args[0] === 'on';
    add('backgroundUpdate', background);
  }
  const listOption = (directive: string, option: 'bypass' | 'noCache' | 'hideHeaders' | 'methods', transform: (a: string) => string = (a) => a): void => {
    const lines = effective(directive, chain);
    if (lines.length === 0) return;
    options[option] = lines.flatMap((d) => d.args.map(transform));
    for (const d of lines) add(option, d);
  };
  listOption(`${p}_cache_bypass`, 'bypass');
  listOption(`${p}_no_cache`, 'noCache');
  listOption(`${p}_hide_header`, 'hideHeaders');
  listOption(`${p}_cache_methods`, 'methods', (a) => a.toUpperCase());

  // Variables the core cannot evaluate: configuration-defined ones and a few built-ins.
  const templates = [options.key ?? '', ...(options.bypass ?? []), ...(options.noCache ?? [])];
  const refs = [...new Set(templates.flatMap(variableRefs))];
  const variables: NonNullable<NginxOptions['variables']> = {};
  for (const name of refs) {
    if (!o.env.sourceOf(name) && !o.env.defs.declared.has(name) && !EXTRA_BUILTINS.has(name) && !/^[1-9]$/.test(name)) continue;
    const v = o.env.get(name);
    if (v.value === undefined) o.env.assume(o.at, `$${name} is unknown to a static reader; evaluated as empty`);
    variables[name] = { value: v.value ?? '', identity: v.identity };
  }
  if (Object.keys(variables).length > 0) {
    options.variables = variables;
    variableProvenance(o.env, refs, add);
  }
  return finish(options, true);
}
