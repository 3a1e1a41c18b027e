/**
 * What nginx sends to *its* client, for rules about "nginx as the origin in front of a CDN":
 * the upstream response after `<p>_hide_header`, then `expires`, then `add_header`
 * (ngx_http_headers_filter_module, in that order).
 *
 * - `<p>_hide_header` (plus nginx's own hidden set: `X-Pad`, `X-Accel-*`, unless `<p>_pass_header`)
 *   removes upstream headers.
 * - `expires`: only for 200, 201, 204, 206, 301, 302, 303, 304, 307, 308. `epoch` or a negative time
 *   gives `Cache-Control: no-cache` and an `Expires` in the past. `0` gives `max-age=0`. A positive time
 *   gives `max-age=<t>`. `max` gives ten years. `@15h30m` means the next time of day. `modified <t>` counts
 *   from Last-Modified. Every upstream `Cache-Control` line is replaced by one.
 * - `add_header name value [always]`: for the statuses above, or for any status with `always`. An empty
 *   value adds nothing. `Cache-Control` and other headers are appended. `Last-Modified` and `ETag` are
 *   replaced. The lines come from the innermost level that has any `add_header`: the inheritance trap.
 */
import type { HeaderBag, HttpResponseInfo } from '../../semantics/types.ts';
import { parseHttpDate } from '../../semantics/headers.ts';
import type { Assumption, Provenance } from '../types.ts';
import { directiveText, type NginxDirective } from './ast.ts';
import { effective, effectiveOne } from './inherit.ts';
import { parseNginxTime } from './time.ts';
import type { RouteOutcome } from './walk.ts';

export const HEADER_FILTER_STATUSES: readonly number[] = [200, 201, 204, 206, 301, 302, 303, 304, 307, 308];
const NGINX_HIDDEN = ['x-pad', 'x-accel-expires', 'x-accel-redirect', 'x-accel-limit-rate', 'x-accel-buffering', 'x-accel-charset'];

export interface DownstreamResult {
  /** The response nginx sends to its client (header names in lower case). */
  response: HttpResponseInfo;
  /** One entry per line that changed a header: option `response.<header>`. */
  provenance: Provenance[];
  /** Undecidable conditions of the route this answer assumed. */
  assumptions: readonly Assumption[];
}

class Headers {
  readonly map = new Map<string, string[]>();
  constructor(bag: HeaderBag) {
    for (const [name, v] of Object.entries(bag)) {
      if (v === undefined) continue;
      const lower = name.toLowerCase();
      const list = this.map.get(lower) ?? [];
      list.push(...(typeof v === 'string' ? [v] : v));
      this.map.set(lower, list);
    }
  }
  get(name: string): string | undefined {
    return this.map.get(name)?.[0];
  }
  bag(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of this.map) out[k] = v.length === 1 ? v[0]! : [...v];
    return out;
  }
}

/** The `expires` result at `now` (ms) for a parsed argument list, or undefined when it changes nothing. */
export function expiresHeaders(args: readonly string[], now: number, lastModified: number | undefined): { expires: string; cacheControl: string } | undefined {
  const nowSec = Math.floor(now / 1000);
  let spec = args.join(' ').trim();
  if (spec === '' || spec === 'off') return undefined;
  if (spec === 'epoch') return { expires: 'Thu, 01 Jan 1970 00:00:01 GMT', cacheControl: 'no-cache' };
  if (spec === 'max') return { expires: 'Thu, 31 Dec 2037 23:55:55 GMT', cacheControl: 'max-age=315360000' };
  let base = nowSec;
  let daily = false;
  if (spec.startsWith('modified ')) {
    if (lastModified === undefined) return undefined;
    base = Math.floor(lastModified / 1000);
    spec = spec.slice('modified '.length).trim();
  } else if (spec.startsWith('@')) {
    daily = true;
    spec = spec.slice(1);
  }
  const t = parseNginxTime(spec);
  if (t === undefined) return undefined;
  let expiresAt: number;
  if (daily) {
    const midnight = nowSec - (nowSec % 86400);
    expiresAt = midnight + Math.floor(t);
    if (expiresAt <= nowSec) expiresAt += 86400;
  } else expiresAt = base + Math.floor(t);
  const expires = new Date(expiresAt * 1000).toUTCString();
  if (t < 0 || expiresAt < nowSec) return { expires, cacheControl: 'no-cache' };
  return { expires, cacheControl: `max-age=${expiresAt - nowSec}` };
}

/** Applies hide_header, expires and add_header of the route's blocks to an upstream response. */
export function applyDownstream(o: RouteOutcome, response: HttpResponseInfo, now: number): DownstreamResult {
  const headers = new Headers(response.headers);
  const provenance: Provenance[] = [];
  const note = (name: string, d: NginxDirective): void => {
    provenance.push({ option: `response.${name.toLowerCase()}`, at: d.at, text: directiveText(d) });
  };
  const chain = o.chain;
  const module = o.handler.kind === 'pass' ? o.handler.module : undefined;

  if (module) {
    const passed = new Set(effective(`${module}_pass_header`, chain).flatMap((d) => d.args.map((a) => a.toLowerCase())));
    for (const h of NGINX_HIDDEN) if (!passed.has(h)) headers.map.delete(h);
    for (const d of effective(`${module}_hide_header`, chain)) {
      for (const a of d.args) {
        const lower = a.toLowerCase();
        if (headers.map.has(lower)) {
          headers.map.delete(lower);
          note(lower, d);
        }
      }
    }
  }

  const filtered = HEADER_FILTER_STATUSES.includes(response.status);
  const expires = effectiveOne('expires', chain);
  if (expires && filtered) {
    const args = expires.args.map((a) => o.env.expand(a).value ?? a);
    const result = expiresHeaders(args, now, parseHttpDate(headers.get('last-modified')));
    if (result) {
      headers.map.set('expires', [result.expires]);
      headers.map.set('cache-control', [result.cacheControl]);
      note('expires', expires);
      note('cache-control', expires);
    }
  }

  for (const d of effective('add_header', chain)) {
    const [name = '', value = '', flag] = d.args;
    if (!filtered && flag !== 'always') continue;
    const v = o.env.expand(value).value ?? value;
    const lower = name.toLowerCase();
    if (v === '') {
      if (lower === 'last-modified' || lower === 'etag') headers.map.delete(lower);
      continue;
    }
    if (lower === 'last-modified' || lower === 'etag') headers.map.set(lower, [v]);
    else headers.map.set(lower, [...(headers.map.get(lower) ?? []), v]);
    note(lower, d);
  }

  return { response: { ...response, headers: headers.bag() }, provenance, assumptions: [...o.env.assumptions] };
}
