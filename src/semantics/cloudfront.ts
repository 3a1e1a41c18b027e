/**
 * Amazon CloudFront with cache policies (config-semantics.md §1.5). Deviations from RFC 9111:
 * MinTTL > 0 (managed CachingOptimized included) caches despite private/no-store/no-cache;
 * with MinTTL 0 those are respected, but simultaneous misses are collapsed and no-cache is a
 * documented exception (waiters get the response); only CachingDisabled prevents collapsing.
 * The key holds only what the cache policy lists; cookies are not considered by default.
 */
import { directiveSeconds, hasDirective, qualifiedFields } from './cache-control.ts';
import { isGetOrHead, staleFrom } from './common.ts';
import { buildKey, extraKeyParts, isIdentityInput, type Exchange, type KeyPart, type RequestCtx } from './exchange.ts';
import { explicitLifetime, remaining, sourceLabel } from './freshness.ts';
import { header, headerLines } from './headers.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { answer, defineRules, stamp } from './rules.ts';
import { CLOUDFRONT_MANAGED_POLICIES, type CloudFrontOptions, type CollapseValue, type Reason, type RequestDecision } from './types.ts';

const EXPIRATION = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html';
const POLICY_CONFIG = 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html';
const MANAGED = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html';
const CUSTOM_ORIGIN = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html';
const COOKIES = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Cookies.html';

export const CLOUDFRONT_RULES = defineRules('cloudfront', {
  policy: {
    id: 'cloudfront/cache-policy',
    source: 'CloudFront cache policies (managed policies page)',
    url: MANAGED,
    certainty: 'documented',
    text: 'Cache policy {name}: MinTTL {min} s, DefaultTTL {def} s, MaxTTL {max} s.',
  },
  cachingDisabled: {
    id: 'cloudfront/caching-disabled',
    source: 'CloudFront managed policy CachingDisabled; request collapsing',
    url: CUSTOM_ORIGIN,
    certainty: 'documented',
    text: 'Every TTL is 0 (CachingDisabled): nothing is cached and requests are not collapsed.',
  },
  methodNotCached: { id: 'cloudfront/method-not-cached', source: 'CloudFront request and response behavior', url: CUSTOM_ORIGIN, certainty: 'documented', text: '{method} responses are not cached; the request is forwarded.' },
  lookup: {
    id: 'cloudfront/lookup',
    source: 'CloudFront request collapsing',
    url: CUSTOM_ORIGIN,
    certainty: 'documented',
    text: 'GET/HEAD is looked up; simultaneous misses for the same key are paused behind the first one.',
  },
  key: {
    id: 'cloudfront/key',
    source: 'CloudFront cache key (cache policy); cookies not considered by default',
    url: COOKIES,
    certainty: 'documented',
    text: 'The key is host and path plus what the cache policy lists ({inputs}).',
  },
  authorizationStripped: {
    id: 'cloudfront/authorization-removed',
    source: 'CloudFront request and response behavior (Authorization)',
    url: CUSTOM_ORIGIN,
    certainty: 'documented',
    text: 'Authorization is not in the cache policy, so CloudFront removes it from GET/HEAD requests before forwarding.',
  },
  forwardedNotKeyed: {
    id: 'cloudfront/forwarded-not-keyed',
    source: 'CloudFront origin request policy (forwarded, not keyed; an origin request policy cannot forward Authorization)',
    url: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ParametersInCacheKeyAndForwardedToOrigin.html',
    certainty: 'documented',
    text: 'The origin request policy forwards {inputs} without keying on them: the origin can personalise on data the key ignores.',
  },
  minTtlOverrides: {
    id: 'cloudfront/min-ttl-overrides-directives',
    source: 'CloudFront CachePolicyConfig (MinTTL > 0)',
    url: POLICY_CONFIG,
    certainty: 'documented',
    text: 'MinTTL is {min} s, so CloudFront caches for at least {min} s even though the origin sent {directive}.',
  },
  respected: {
    id: 'cloudfront/directive-respected',
    source: 'CloudFront expiration (MinTTL 0)',
    url: EXPIRATION,
    certainty: 'documented',
    text: 'MinTTL is 0, so CloudFront respects {directive} and does not cache the response.',
  },
  ttlClamped: {
    id: 'cloudfront/ttl-from-origin',
    source: 'CloudFront expiration (TTL interplay)',
    url: EXPIRATION,
    certainty: 'documented',
    text: '{from} gives {seconds} s; within MinTTL {min} and MaxTTL {max} the TTL is {ttl} s.',
  },
  ttlDefault: {
    id: 'cloudfront/ttl-default',
    source: 'CloudFront expiration (no Cache-Control max-age or Expires)',
    url: EXPIRATION,
    certainty: 'documented',
    text: 'No max-age, s-maxage or Expires: the TTL is the larger of MinTTL and DefaultTTL, {ttl} s.',
  },
  zeroTtl: {
    id: 'cloudfront/ttl-zero-revalidate',
    source: 'CloudFront expiration (objects past their TTL are revalidated)',
    url: EXPIRATION,
    certainty: 'unverified',
    text: 'TTL 0 with MinTTL 0: the object is kept but validated with the origin before any reuse.',
  },
  setCookieStripped: {
    id: 'cloudfront/set-cookie-stripped',
    source: 'CloudFront cookies (cookies not forwarded: Set-Cookie removed)',
    url: CUSTOM_ORIGIN,
    certainty: 'unverified',
    text: 'Cookies are not forwarded, so CloudFront removes Set-Cookie and caches the object (to be confirmed for cache policies).',
  },
  setCookieNotForwarded: {
    id: 'cloudfront/set-cookie-not-forwarded',
    source: 'CloudFront cookies (only forwarded cookies are cached with the object)',
    url: COOKIES,
    certainty: 'unverified',
    text: 'Set-Cookie for {names} is not among the forwarded cookies, so it is not cached with the object; the body is (to be confirmed for cache policies).',
  },
  setCookieCached: {
    id: 'cloudfront/set-cookie-cached',
    source: 'CloudFront cookies (forwarded cookies: object cached with the cookies it returned)',
    url: CUSTOM_ORIGIN,
    certainty: 'unverified',
    text: 'Cookies are forwarded, so CloudFront caches the object together with the Set-Cookie it returned (legacy behaviour; to be confirmed for policies).',
  },
  varyStar: {
    id: 'cloudfront/vary-star',
    source: 'CloudFront content negotiation (Vary: *)',
    url: CUSTOM_ORIGIN,
    certainty: 'documented',
    text: 'Vary: * with MinTTL 0: the object is stored, but every request is forwarded to the origin.',
  },
  varyNone: { id: 'cloudfront/vary-none', source: 'CloudFront content negotiation', url: CUSTOM_ORIGIN, certainty: 'documented', text: 'No Vary header: one object per key.' },
  varyKeyed: {
    id: 'cloudfront/vary-keyed-only',
    source: 'CloudFront content negotiation (only cache-key headers vary the object)',
    url: CUSTOM_ORIGIN,
    certainty: 'documented',
    text: 'Vary on {fields}: only headers in the cache key ({kept}) select variants.',
  },
  collapse: {
    id: 'cloudfront/request-collapsing',
    source: 'CloudFront request collapsing',
    url: CUSTOM_ORIGIN,
    certainty: 'documented',
    text: 'Requests for the same key that arrive before the first response are paused and receive it.',
  },
  collapseNoCache: {
    id: 'cloudfront/collapsing-no-cache-exception',
    source: 'CloudFront expiration: request collapsing exception for no-cache',
    url: EXPIRATION,
    certainty: 'documented',
    text: 'no-cache is not cached, but CloudFront documents it as an exception to collapsing: paused requests receive this response.',
  },
  collapseZeroTtl: {
    id: 'cloudfront/collapsing-zero-ttl',
    source: 'CloudFront request collapsing (docs differ by version)',
    url: CUSTOM_ORIGIN,
    certainty: 'unverified',
    text: 'With {directive}, older docs say collapsing stops and current docs name only CachingDisabled; assumed paused requests receive the response (to be probed).',
  },
  collapsePrivate: {
    id: 'cloudfront/collapsing-private',
    source: 'CloudFront request collapsing; AWS re:Post answer (weak)',
    url: 'https://repost.aws/questions/QUe8vbIDvNTiy8ZSYDv85iTQ/',
    certainty: 'unverified',
    text: 'Older docs say {directive} with MinTTL 0 stops collapsing, so paused requests go to the origin; a re:Post answer reports collapsing anyway (to be probed).',
  },
  staleSome: {
    id: 'cloudfront/stale-directives',
    source: 'CloudFront stale-while-revalidate / stale-if-error support (not in our research)',
    url: EXPIRATION,
    certainty: 'unverified',
    text: 'stale-while-revalidate={swr} and stale-if-error={sie} let CloudFront serve the object stale.',
  },
  staleNone: { id: 'cloudfront/stale-none', source: 'CloudFront expiration', url: EXPIRATION, certainty: 'documented', text: 'No stale-while-revalidate or stale-if-error: the object is not served stale.' },
  stored: { id: 'cloudfront/stored', source: 'CloudFront expiration', url: EXPIRATION, certainty: 'documented', text: 'The response is cached for {ttl} s.' },
});

const R = CLOUDFRONT_RULES;

interface Ttls {
  name: string;
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
}

const MANAGED_TTLS: Record<keyof typeof CLOUDFRONT_MANAGED_POLICIES, Omit<Ttls, 'name'>> = {
  CachingOptimized: { minTtl: 1, defaultTtl: 86400, maxTtl: 31536000 },
  CachingDisabled: { minTtl: 0, defaultTtl: 0, maxTtl: 0 },
};

/** Resolves a managed policy by name or id, or explicit TTLs; throws on an unknown policy. */
export function cloudfrontPolicy(policy: CloudFrontOptions['policy']): Ttls {
  if (policy === undefined) return { name: 'CachingOptimized', ...MANAGED_TTLS.CachingOptimized };
  if (typeof policy === 'object') return { name: 'custom', ...policy };
  for (const [name, id] of Object.entries(CLOUDFRONT_MANAGED_POLICIES) as Array<[keyof typeof MANAGED_TTLS, string]>) {
    if (policy === name || policy.toLowerCase() === id) return { name, ...MANAGED_TTLS[name] };
  }
  throw new RangeError(`unknown CloudFront cache policy "${policy}": use ${Object.keys(CLOUDFRONT_MANAGED_POLICIES).join(', ')}, a managed policy id, or {minTtl, defaultTtl, maxTtl}`);
}

const DEFAULTS: Required<CloudFrontOptions> = {
  policy: 'CachingOptimized',
  keyCookies: [],
  keyHeaders: [],
  forwardCookies: [],
  forwardHeaders: [],
};

const disabled = (t: Ttls): boolean => t.minTtl === 0 && t.defaultTtl === 0 && t.maxTtl === 0;

/* ------------------------------------------------------------------ request */

function forwardedNotKeyed(q: RequestCtx, o: Required<CloudFrontOptions>): string[] {
  const out: string[] = [];
  if (o.forwardCookies === 'all') {
    if (o.keyCookies.length === 0) out.push('all cookies');
  } else for (const c of o.forwardCookies) if (!o.keyCookies.includes(c) && isIdentityInput(q.identity, `cookie:${c}`)) out.push(`cookie ${c}`);
  const keyed = new Set(o.keyHeaders.map((h) => h.toLowerCase()));
  // An origin request policy never forwards Authorization: only a cache policy (which keys it) can.
  const fwd = (o.forwardHeaders === 'all' ? [...q.identity.headers].filter((h) => h !== 'cookie') : o.forwardHeaders.map((h) => h.toLowerCase())).filter((h) => h !== 'authorization');
  for (const h of fwd) if (!keyed.has(h) && isIdentityInput(q.identity, h)) out.push(`header ${h}`);
  return out;
}

function cloudfrontRequest(q: RequestCtx, o: Required<CloudFrontOptions>): RequestDecision {
  const t = cloudfrontPolicy(o.policy);
  const inputs = [...o.keyCookies.map((c) => `cookie:${c}`), ...o.keyHeaders];
  const parts: KeyPart[] = [
    { name: 'host', value: q.host, identity: false },
    { name: 'path', value: q.path, identity: false },
    ...extraKeyParts(q, inputs),
  ];
  const keyReasons = [stamp(R.key, { inputs: inputs.length ? inputs.join(', ') : 'nothing else' })];
  const keyedAuth = o.keyHeaders.some((h) => h.toLowerCase() === 'authorization');
  if (!keyedAuth && header(q.headers, 'authorization') !== undefined) keyReasons.push(stamp(R.authorizationStripped));
  const leaks = forwardedNotKeyed(q, o);
  if (leaks.length > 0) keyReasons.push(stamp(R.forwardedNotKeyed, { inputs: leaks.join(', ') }));
  const key = answer(buildKey(parts), keyReasons);
  const policy = stamp(R.policy, { name: t.name, min: t.minTtl, def: t.defaultTtl, max: t.maxTtl });

  if (disabled(t)) return { action: answer('pass', [stamp(R.cachingDisabled), policy]), key };
  if (!isGetOrHead(q)) return { action: answer('pass', [stamp(R.methodNotCached, { method: q.method })]), key };
  return { action: answer('lookup', [stamp(R.lookup), policy]), key };
}

/* ------------------------------------------------------------------ response */

/** The directive that a MinTTL-0 policy respects, if any. */
function refusingDirective(x: Exchange): string | undefined {
  const cc = x.s.cc;
  if (hasDirective(cc, 'no-store')) return 'no-store';
  if (hasDirective(cc, 'private')) return 'private';
  if (qualifiedFields(cc, 'no-cache')?.length === 0) return 'no-cache';
  return undefined;
}

function headerTtl(x: Exchange, t: Ttls): { ttl: number; reason: Reason } {
  const { s } = x;
  const l = explicitLifetime(s.cc, s, ['s-maxage', 'max-age', 'expires']);
  if (l) {
    const seconds = remaining(l.seconds, s);
    const ttl = Math.min(Math.max(seconds, t.minTtl), t.maxTtl);
    return { ttl, reason: stamp(R.ttlClamped, { from: sourceLabel(l.from), seconds, min: t.minTtl, max: t.maxTtl, ttl }) };
  }
  const ttl = Math.max(t.minTtl, t.defaultTtl);
  return { ttl, reason: stamp(R.ttlDefault, { ttl }) };
}

function cloudfrontVary(x: Exchange, o: Required<CloudFrontOptions>, t: Ttls): ProfileFetch['varyOn'] {
  const vary = x.s.vary;
  if (vary.length === 0) return answer([], [stamp(R.varyNone)]);
  if (vary.includes('*') && t.minTtl === 0) return answer(['*'], [stamp(R.varyStar)]);
  const keyed = new Set(o.keyHeaders.map((h) => h.toLowerCase()));
  const kept = vary.filter((v) => keyed.has(v));
  return answer(kept, [stamp(R.varyKeyed, { fields: vary.join(', '), kept: kept.length ? kept.join(', ') : 'none' })]);
}

/** Names set by the response's Set-Cookie lines. */
function setCookieNames(x: Exchange): string[] {
  return headerLines(x.s.headers, 'set-cookie').map((line) => line.split('=')[0]!.trim()).filter((n) => n !== '');
}

/**
 * What happens to Set-Cookie on a stored object: with no cookies forwarded it is removed; with
 * `all` it is cached; with a list, only the cookies on it are cached (legacy Cookies page).
 */
function setCookieNote(x: Exchange, o: Required<CloudFrontOptions>): Reason {
  if (o.forwardCookies === 'all') return stamp(R.setCookieCached);
  const forwarded = new Set([...o.forwardCookies, ...o.keyCookies]);
  if (forwarded.size === 0) return stamp(R.setCookieStripped);
  const names = setCookieNames(x);
  if (names.some((n) => forwarded.has(n))) return stamp(R.setCookieCached);
  return stamp(R.setCookieNotForwarded, { names: names.join(', ') || 'unnamed cookies' });
}

function collapseWhenNotStored(directive: string, refusal: Reason): ProfileFetch['collapse'] {
  if (directive === 'no-cache') return answer<CollapseValue>('share', [stamp(R.collapseNoCache), refusal]);
  return answer<CollapseValue>('forward', [stamp(R.collapsePrivate, { directive }), refusal]);
}

function cloudfrontResponse(x: Exchange, o: Required<CloudFrontOptions>): ProfileFetch {
  const t = cloudfrontPolicy(o.policy);
  const directive = refusingDirective(x);
  if (directive !== undefined && t.minTtl === 0) {
    const refusal = stamp(R.respected, { directive });
    return {
      store: answer('no-store', [refusal]),
      ttl: answer(0, [refusal]),
      stale: answer(NO_STALE, [refusal]),
      collapse: collapseWhenNotStored(directive, refusal),
      varyOn: answer([], [refusal]),
    };
  }
  const h = directive !== undefined
    ? { ttl: t.minTtl, reason: stamp(R.minTtlOverrides, { min: t.minTtl, directive }) }
    : headerTtl(x, t);
  const notes: Reason[] = [];
  if (x.s.setCookie) notes.push(setCookieNote(x, o));
  const zero = h.ttl === 0;
  const zeroDirective = directiveSeconds(x.s.cc, 's-maxage') === 0 ? 's-maxage=0' : directiveSeconds(x.s.cc, 'max-age') === 0 ? 'max-age=0' : 'a TTL of 0';
  const fetch: ProfileFetch = {
    store: answer('store', [stamp(R.stored, { ttl: h.ttl }), h.reason, ...notes]),
    ttl: answer(h.ttl, [h.reason]),
    stale: staleFrom([x.s.cc], { some: R.staleSome, none: R.staleNone }),
    collapse: zero
      ? answer('share', [stamp(R.collapseZeroTtl, { directive: zeroDirective }), h.reason])
      : answer('share', [stamp(R.collapse)]),
    varyOn: cloudfrontVary(x, o, t),
  };
  if (zero) fetch.validateBeforeReuse = stamp(R.zeroTtl);
  return fetch;
}

export const cloudfrontProfile: ProfileModule<'cloudfront'> = {
  id: 'cloudfront',
  title: 'Amazon CloudFront (cache policy)',
  summary:
    'CloudFront behaviours with a cache policy (default: managed CachingOptimized, MinTTL 1 s). MinTTL > 0 caches despite private, no-store and no-cache; with MinTTL 0 they are respected, yet simultaneous misses are collapsed and no-cache is a documented collapsing exception. Only CachingDisabled prevents collapsing. The key holds host, path and what the policy lists; cookies are not considered by default.',
  defaults: DEFAULTS,
  options: [
    { name: 'policy', default: "'CachingOptimized'", meaning: 'Managed policy by name or id (CachingOptimized 1/86400/31536000, CachingDisabled 0/0/0), or {minTtl, defaultTtl, maxTtl}.' },
    { name: 'keyCookies', default: '[]', meaning: 'Cookies in the cache key (cache policy).' },
    { name: 'keyHeaders', default: '[]', meaning: 'Headers in the cache key (cache policy); only these can vary the object.' },
    { name: 'forwardCookies', default: '[]', meaning: "Cookies forwarded to the origin (origin request policy), or 'all'." },
    { name: 'forwardHeaders', default: '[]', meaning: "Headers forwarded to the origin (origin request policy), or 'all'." },
  ],
  rules: Object.values(CLOUDFRONT_RULES),
  request: (q, o) => cloudfrontRequest(q, { ...DEFAULTS, ...o }),
  response: (x, o) => cloudfrontResponse(x, { ...DEFAULTS, ...o }),
};
