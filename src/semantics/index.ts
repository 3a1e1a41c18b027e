/**
 * The cache-semantics core: what a shared cache (RFC 9111, or one vendor's engine with its
 * configuration) does with one exchange, and why. Every answer carries reasons citing the RFC
 * section or the vendor rule that produced it. See docs/semantics.md.
 */
import { akamaiProfile } from './akamai.ts';
import { cloudflareProfile } from './cloudflare.ts';
import { cloudfrontProfile } from './cloudfront.ts';
import { derivedRules, evaluate, resolveOptions as resolveModuleOptions, runRequest, verdict, type ProfileRegistry } from './engine.ts';
import { fastlyProfile } from './fastly.ts';
import { nginxProfile } from './nginx.ts';
import type { ProfileModule } from './profile.ts';
import { rfc9111Profile } from './rfc9111.ts';
import { PROFILE_IDS } from './types.ts';
import type {
  HttpRequestInfo,
  HttpResponseInfo,
  ProfileId,
  ProfileOptionsMap,
  ProfileSpec,
  RequestDecision,
  ResponseDecision,
  Verdict,
} from './types.ts';
import { varnish7Profile, varnish8Profile } from './varnish.ts';

export * from './types.ts';
export { parseCacheControl, directiveSeconds, qualifiedFields, type CacheControl, type Directive } from './cache-control.ts';
export { parseCacheStatus, parseCacheStatusHeader, hopOutcome, normalizeOutcome, OUTCOME_VENDORS, type OutcomeVendor } from './cache-status.ts';
export { parseHttpDate } from './headers.ts';
export { evaluateNginx, NGINX_DEFAULT_KEY, STALE_NO_LIMIT } from './nginx.ts';
export { cloudfrontPolicy } from './cloudfront.ts';
export { CLOUDFLARE_EXTENSIONS } from './cloudflare.ts';
export { FASTLY_CACHEABLE_STATUSES } from './fastly.ts';
export { varnishCoreTimes } from './varnish.ts';
export { HEURISTIC_STATUSES } from './rfc9111.ts';
export type { RuleEntry } from './rules.ts';
export type { OptionDoc } from './profile.ts';

const REGISTRY: ProfileRegistry = {
  rfc9111: rfc9111Profile,
  fastly: fastlyProfile,
  varnish7: varnish7Profile,
  varnish8: varnish8Profile,
  nginx: nginxProfile,
  cloudflare: cloudflareProfile,
  cloudfront: cloudfrontProfile,
  akamai: akamaiProfile,
};

/**
 * What `explain` and the docs show about a profile: its module's description, defaults and options,
 * and as `rules` its rule table (decision order) followed by the rules derived by the engine.
 */
export type ProfileInfo<P extends ProfileId = ProfileId> = Pick<ProfileModule<P>, 'id' | 'title' | 'summary' | 'defaults' | 'options' | 'rules'>;

export function isProfileId(id: string): id is ProfileId {
  return (PROFILE_IDS as readonly string[]).includes(id);
}

/** A profile's description, defaults and rule table. Throws RangeError on an unknown id. */
export function getProfile<P extends ProfileId>(id: P): ProfileInfo<P> {
  if (!isProfileId(id)) throw new RangeError(`unknown cache profile "${String(id)}"; use one of ${PROFILE_IDS.join(', ')}`);
  const m = REGISTRY[id] as ProfileModule<P>;
  return {
    id,
    title: m.title,
    summary: m.summary,
    defaults: m.defaults,
    options: m.options,
    rules: [...m.rules, ...Object.values(derivedRules(id))],
  };
}

/** The options a decision uses: the profile's defaults overlaid with the spec's options. */
export function resolveOptions<P extends ProfileId>(spec: Extract<ProfileSpec, { id: P }>): ProfileOptionsMap[P] {
  return resolveModuleOptions(REGISTRY[spec.id] as ProfileModule<P>, spec.options as ProfileOptionsMap[P] | undefined);
}

/** What the cache does with a request before any response exists: look up, pass or bypass; and the key. */
export function decideRequest(req: HttpRequestInfo, profile: ProfileSpec): RequestDecision {
  return runRequest(REGISTRY, req, profile);
}

/**
 * What the cache does with the response to `req`: store, TTL, stale serving, what collapsed
 * waiters receive, whether a later requester can reuse it, and the RFC 9111 class.
 * `now` (ms) is when the question is asked; it defaults to the response's arrival time.
 */
export function decideResponse(req: HttpRequestInfo, res: HttpResponseInfo, profile: ProfileSpec, now?: number): ResponseDecision {
  return evaluate(REGISTRY, req, res, profile, now).response;
}

/** Both decisions plus the bottom line: can a requester other than this one receive the response? */
export function explain(req: HttpRequestInfo, res: HttpResponseInfo, profile: ProfileSpec, now?: number): Verdict {
  return verdict(REGISTRY, req, res, profile, now);
}

