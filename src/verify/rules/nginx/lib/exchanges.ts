/**
 * What the scoped nginx rules ask about a personalized route: the route requested by every
 * identified variant (session cookie, bearer token), each branch of the walk with its block chain
 * (for `effective`), its RouteEvaluation and the semantics verdict; and the question most of them
 * share: "is this identified request cached in an entry that other users read?".
 *
 * Not a rule (the rule registry lists only the `.ts` files directly in src/verify/rules/nginx/).
 */
import { explain } from '../../../../semantics/index.ts';
import { PROFILE_IDS, type HttpRequestInfo, type HttpResponseInfo, type ProfileSpec, type Verdict } from '../../../../semantics/types.ts';
import { toRouteEvaluation } from '../../../nginx/evaluate.ts';
import type { NginxModel, RouteOutcome } from '../../../nginx/index.ts';
import { effective } from '../../../nginx/inherit.ts';
import { requestFor } from '../../../routes.ts';
import type { ConfigModelBase, RouteEvaluation } from '../../../types.ts';
import type { RequestVariant, RouteView, VerifySettings } from '../../define.ts';

/** The `*_pass` modules that have a cache. */
export const CACHE_MODULES = ['proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;
export type CacheModule = (typeof CACHE_MODULES)[number];

export interface NginxExchange {
  variant: Exclude<RequestVariant, 'anonymous'>;
  request: HttpRequestInfo;
  /** The walked request: server, locations, the chain of blocks whose directives apply, the handler. */
  outcome: RouteOutcome;
  evaluation: RouteEvaluation;
  verdict: Verdict;
  /** The cache module of the handler (`proxy` for proxy_pass), when it has a cache. */
  module: CacheModule | undefined;
}

export function isNginx(model: ConfigModelBase): model is NginxModel {
  return model.kind === 'nginx';
}

/** The request variants that carry an identity under the settings (the engine's cookie and bearer requests). */
export function identifiedVariants(settings: VerifySettings): Array<Exclude<RequestVariant, 'anonymous'>> {
  const out: Array<Exclude<RequestVariant, 'anonymous'>> = [];
  if (settings.identity.cookies === undefined || settings.identity.cookies.length > 0) out.push('cookie');
  if ((settings.identity.headers ?? ['authorization']).some((h) => h.toLowerCase() === 'authorization')) out.push('authorization');
  return out;
}

/** `the session cookie sid` / `Authorization`, for messages. */
export function credentialName(variant: Exclude<RequestVariant, 'anonymous'>, settings: VerifySettings): string {
  if (variant === 'authorization') return 'an Authorization header';
  const cookies = settings.identity.cookies ?? [];
  return cookies.length > 1 ? `a session cookie (${cookies.join(', ')})` : `the session cookie ${settings.sessionCookie}`;
}

function moduleOf(o: RouteOutcome): CacheModule | undefined {
  if (o.handler.kind !== 'pass') return undefined;
  return (CACHE_MODULES as readonly string[]).includes(o.handler.module) ? (o.handler.module as CacheModule) : undefined;
}

/** Every branch of one exchange, each with its evaluation and verdict. */
export function exchangesOf(model: NginxModel, variant: Exclude<RequestVariant, 'anonymous'>, request: HttpRequestInfo, response: HttpResponseInfo, settings: VerifySettings): NginxExchange[] {
  return model.routes(request, response).map((outcome) => {
    const evaluation = toRouteEvaluation({ order: model.order }, outcome, request, response);
    const verdict = explain(evaluation.request, evaluation.response, { ...evaluation.profile, identity: settings.identity } as ProfileSpec);
    return { variant, request, outcome, evaluation, verdict, module: moduleOf(outcome) };
  });
}

const memo = new WeakMap<RouteView, NginxExchange[]>();

/**
 * The route asked with every identified variant, once per personalized path: returns the
 * exchanges on the call for the first identified variant and undefined on the others (so a rule
 * reports each path once, and can say which credentials are affected). Undefined for other kinds.
 */
export function personalExchanges(route: RouteView, model: ConfigModelBase, settings: VerifySettings): NginxExchange[] | undefined {
  const variants = identifiedVariants(settings);
  if (!isNginx(model) || route.variant !== variants[0]) return undefined;
  let out = memo.get(route);
  if (!out) {
    out = variants.flatMap((v) => exchangesOf(model, v, v === route.variant ? route.request : requestFor(route.path, v, settings), route.response, settings));
    memo.set(route, out);
  }
  return out;
}

/** Whether the upstream receives the credential of this variant (not cleared by `proxy_set_header X ""` or `proxy_pass_request_headers off`). */
export function credentialForwarded(x: NginxExchange): boolean {
  if (x.module !== 'proxy') return true;
  const chain = x.outcome.chain;
  const off = effective('proxy_pass_request_headers', chain).at(-1);
  const wanted = x.variant === 'cookie' ? 'cookie' : 'authorization';
  const set = effective('proxy_set_header', chain).filter((d) => (d.args[0] ?? '').toLowerCase() === wanted).at(-1);
  if (set) return (set.args[1] ?? '') !== '';
  return off?.args[0] !== 'off';
}

/**
 * The identified request is cached in an entry other users read: the block caches, the request is
 * looked up or its response may be stored (not `pass` by proxy_cache_bypass + proxy_no_cache), the
 * key does not carry the identity, proxy_no_cache does not refuse the response, and the upstream
 * sees the credential at all (else the page it renders is nobody's in particular).
 */
export function cachedForOthers(x: NginxExchange): boolean {
  if (!x.evaluation.caching || x.module === undefined) return false;
  const v = x.verdict;
  if (v.request.action.value === 'pass' || v.request.key.value.includesIdentity) return false;
  if (v.response.store.reasons[0]?.rule === 'nginx/no-cache-matches') return false;
  return credentialForwarded(x);
}

/** The CDN profiles a response leaving nginx is judged under: `profile:`, or every vendor when it is the generic rfc9111. */
export function frontProfiles(settings: VerifySettings): ProfileSpec[] {
  if (settings.profile.id !== 'rfc9111') return [settings.profile];
  return PROFILE_IDS.filter((p) => p !== 'rfc9111').map((id) => ({ id }) as ProfileSpec);
}

/**
 * The front profiles under which another user can receive `response` (sent by nginx for `request`),
 * leaving out `except` (profiles that share whatever the headers say), with the first one's reasons.
 */
export function sharedInFront(request: HttpRequestInfo, response: HttpResponseInfo, settings: VerifySettings, except: readonly string[] = []): { profiles: string[]; why: string } {
  const profiles: string[] = [];
  let first: Verdict | undefined;
  for (const p of frontProfiles(settings)) {
    if (except.includes(p.id)) continue;
    const v = explain(request, response, { ...p, identity: settings.identity } as ProfileSpec);
    if (v.sharedAcrossIdentities.value === 'no') continue;
    profiles.push(p.id);
    first ??= v;
  }
  const why = first ? `${first.profile}: ${first.sharedAcrossIdentities.reasons.slice(0, 3).map((r) => r.text).join(' ')}` : '';
  return { profiles, why };
}
