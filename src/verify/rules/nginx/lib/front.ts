/**
 * nginx as the origin of a CDN: which `expires` and `add_header Cache-Control` lines rewrite what
 * the app says about a personalized route, and whether the result lets the CDN in front (the
 * top-level `profile:`, or every vendor profile when it is rfc9111) hand the page to other users.
 *
 * Each exchange is judged twice: with the app doing the right thing (`Cache-Control: private,
 * no-store`), which shows what nginx itself undoes, and with the route's own response (declared in
 * `origin.headers`, else no cache headers), which shows headers nginx adds that look protective but
 * are not. Used by expires-rewrites-cache-control (zero-TTL values) and hide-and-replace-cache-control
 * (positive lifetimes). Not a rule.
 */
import { directiveSeconds, parseCacheControl } from '../../../../semantics/cache-control.ts';
import { header } from '../../../../semantics/headers.ts';
import type { HttpResponseInfo } from '../../../../semantics/types.ts';
import type { NginxDirective } from '../../../nginx/ast.ts';
import { applyDownstream } from '../../../nginx/downstream.ts';
import { effective, effectiveOne } from '../../../nginx/inherit.ts';
import type { RouteView, VerifySettings } from '../../define.ts';
import { sharedInFront, type NginxExchange } from './exchanges.ts';

/** What a Cache-Control value nginx writes amounts to. */
export type WrittenClass = 'protective' | 'zero' | 'positive' | 'other';

export interface CacheControlWriter {
  directive: NginxDirective;
  kind: 'expires' | 'add_header';
  /** The Cache-Control value this line produced (for expires, the value nginx computes). */
  value: string;
  class: WrittenClass;
}

export interface FrontJudgement {
  /** `private` when the app was assumed to send `private, no-store`; `route` for the route's own response. */
  app: 'private' | 'route';
  writers: CacheControlWriter[];
  /** The `*_hide_header Cache-Control` line that removed the app's header, if one did. */
  hidden: NginxDirective | undefined;
  /** The Cache-Control nginx sends, as one string. */
  sent: string;
  /** Front profiles under which another user receives the response and would not receive the app's private, no-store (empty: none). */
  profiles: string[];
  why: string;
}

/** Which rule a Cache-Control value written by nginx belongs to (read with the core's parser). */
export function classify(value: string): WrittenClass {
  const cc = parseCacheControl(value);
  if (cc.directives.has('private') || cc.directives.has('no-store')) return 'protective';
  if (cc.directives.has('no-cache')) return 'zero';
  const shared = directiveSeconds(cc, 's-maxage');
  const ttl = typeof shared === 'number' ? shared : directiveSeconds(cc, 'max-age');
  if (typeof ttl === 'number') return ttl === 0 ? 'zero' : 'positive';
  return cc.directives.has('public') ? 'positive' : 'other';
}

const PRIVATE_APP = 'private, no-store';

function privateVersion(r: HttpResponseInfo): HttpResponseInfo {
  const headers: Record<string, string | readonly string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !['cache-control', 'expires', 'surrogate-control', 'x-accel-expires'].includes(k.toLowerCase())) headers[k] = v;
  headers['cache-control'] = PRIVATE_APP;
  return { ...r, headers };
}

const memo = new WeakMap<NginxExchange, FrontJudgement[]>();

/** The exchange's downstream response judged with a private app and with the route's response (when that differs). */
export function frontJudgements(route: RouteView, x: NginxExchange, settings: VerifySettings): FrontJudgement[] {
  const cached = memo.get(x);
  if (cached) return cached;
  const out: FrontJudgement[] = [];
  if (x.outcome.handler.kind === 'pass') {
    const now = route.response.receivedAt ?? Date.now();
    const ideal = privateVersion(route.response);
    // Profiles that share even a private, no-store response (CloudFront with MinTTL > 0) are not nginx's doing.
    const regardless = sharedInFront(x.request, ideal, settings).profiles;
    const apps: Array<[FrontJudgement['app'], HttpResponseInfo]> = [['private', ideal]];
    if (header(route.response.headers, 'cache-control') !== PRIVATE_APP) apps.push(['route', route.response]);
    const chain = x.outcome.chain;
    const expires = effectiveOne('expires', chain);
    const adds = effective('add_header', chain).filter((d) => (d.args[0] ?? '').toLowerCase() === 'cache-control');
    const module = x.outcome.handler.module;
    for (const [app, response] of apps) {
      const down = applyDownstream(x.outcome, response, now);
      const touched = down.provenance.filter((p) => p.option === 'response.cache-control');
      const writers: CacheControlWriter[] = [];
      if (expires && touched.some((p) => p.at === expires.at)) {
        const value = header(down.response.headers, 'cache-control') ?? '';
        writers.push({ directive: expires, kind: 'expires', value, class: classify(value) });
      }
      for (const d of adds) {
        if (!touched.some((p) => p.at === d.at)) continue;
        const value = x.outcome.env.expand(d.args[1] ?? '').value ?? d.args[1] ?? '';
        writers.push({ directive: d, kind: 'add_header', value, class: classify(value) });
      }
      if (writers.length === 0) continue;
      const hideLine = touched.find((p) => p.text.startsWith(`${module}_hide_header`));
      const hidden = hideLine ? effective(`${module}_hide_header`, chain).find((d) => d.at === hideLine.at) : undefined;
      const raw = down.response.headers['cache-control'];
      const sent = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.join(', ');
      const judged = sharedInFront(x.request, down.response, settings, regardless);
      out.push({ app, writers, hidden, sent, profiles: judged.profiles, why: judged.why });
    }
  }
  memo.set(x, out);
  return out;
}
