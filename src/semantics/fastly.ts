/**
 * Fastly (VCL services). Deviations from RFC 9111, all from config-semantics.md §1.1:
 * only the status code decides cacheability; Cache-Control `private`/`no-store` and `Set-Cookie`
 * matter only through the boilerplate's `return(pass)` lines; `no-cache` is not handled at all;
 * a response without freshness headers gets the fallback TTL (3600 s); every cacheable object,
 * TTL 0 included, is handed to all requests collapsed behind its fetch.
 */
import { directiveSeconds, type CacheControl } from './cache-control.ts';
import { honouredVary, isGetOrHead, staleFrom, surrogateControl } from './common.ts';
import { buildKey, extraKeyParts, presentInputs, type Exchange, type KeyPart, type RequestCtx } from './exchange.ts';
import { expiresLifetime, remaining } from './freshness.ts';
import { header } from './headers.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { answer, defineRules, firstMatch, stamp, type Step } from './rules.ts';
import type { CollapseValue, FastlyOptions, RequestDecision, StoreValue } from './types.ts';

const BOILERPLATE = 'https://www.fastly.com/documentation/guides/full-site-delivery/fastly-vcl/about-fastly-vcl/#custom-vcl';
const COLLAPSING = 'https://www.fastly.com/documentation/guides/concepts/edge-state/cache/request-collapsing/';
const FRESHNESS = 'https://www.fastly.com/documentation/guides/concepts/edge-state/cache/cache-freshness/';

export const FASTLY_RULES = defineRules('fastly', {
  recvPassMethod: {
    id: 'fastly/recv-pass-method',
    source: 'Fastly VCL boilerplate (vcl_recv)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: '{method} is neither GET nor HEAD, so the boilerplate returns pass: no lookup, no store, no collapsing.',
  },
  recvPassOn: {
    id: 'fastly/recv-pass-custom',
    source: 'Custom vcl_recv (profile option passOn)',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'Custom vcl_recv passes requests carrying {inputs}: no lookup, no store, no collapsing.',
  },
  recvLookup: {
    id: 'fastly/recv-lookup',
    source: 'Fastly VCL boilerplate (vcl_recv)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'GET/HEAD is looked up and joins the collapsing queue on a miss; a request Cookie is no reason to pass.',
  },
  recvCustomPass: {
    id: 'fastly/recv-custom-pass',
    source: 'Custom vcl_recv returns pass',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'Custom vcl_recv returns pass for this request: no lookup, no store, no collapsing.',
  },
  recvCustomLookup: {
    id: 'fastly/recv-custom-lookup',
    source: 'Custom vcl_recv returns lookup',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'Custom vcl_recv returns lookup for this request: it is looked up and joins the collapsing queue on a miss.',
  },
  authorizationNotSpecial: {
    id: 'fastly/authorization-not-special',
    source: 'Fastly HTTP header reference; boilerplate vcl_recv',
    url: 'https://www.fastly.com/documentation/reference/http/http-headers/',
    certainty: 'unverified',
    text: 'The request carries Authorization, which the default VCL does not pass on (to be confirmed by a probe).',
  },
  keyUrlHost: {
    id: 'fastly/key-url-host',
    source: 'Fastly VCL boilerplate (vcl_hash)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'The key is URL + Host; request cookies and Authorization are not part of it.',
  },
  keyExtra: {
    id: 'fastly/key-hash-extra',
    source: 'Custom vcl_hash (profile option hashExtra)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'Custom vcl_hash adds {inputs} to the key.',
  },
  statusNotCacheable: {
    id: 'fastly/status-not-cacheable',
    source: 'Fastly reference: beresp.cacheable',
    url: 'https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-cacheable/',
    certainty: 'documented',
    text: 'Status {status} is outside Fastly\'s cacheable set (200, 203, 300, 301, 302, 404, 410), so beresp.cacheable is false and nothing is stored.',
  },
  statusCacheable: {
    id: 'fastly/status-cacheable',
    source: 'Fastly reference: beresp.cacheable',
    url: 'https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-cacheable/',
    certainty: 'documented',
    text: 'Status {status} is cacheable for Fastly; Cache-Control directives play no part in that decision.',
  },
  passSetCookie: {
    id: 'fastly/boilerplate-pass-set-cookie',
    source: 'Fastly VCL boilerplate (vcl_fetch)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'The response sets a cookie, so the boilerplate returns pass: a hit-for-pass marker is stored instead of the response.',
  },
  passPrivate: {
    id: 'fastly/boilerplate-pass-private',
    source: 'Fastly VCL boilerplate (vcl_fetch)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'Cache-Control contains "private", so the boilerplate returns pass: a hit-for-pass marker is stored instead of the response.',
  },
  passNoStore: {
    id: 'fastly/boilerplate-pass-no-store',
    source: 'Fastly VCL boilerplate, 2022 and later (vcl_fetch)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'Cache-Control contains "no-store", so the boilerplate returns pass: a hit-for-pass marker is stored instead of the response.',
  },
  passZeroTtl: {
    id: 'fastly/custom-pass-zero-ttl',
    source: 'Custom vcl_fetch (profile option passZeroTtl)',
    certainty: 'documented',
    text: 'Custom vcl_fetch passes responses with no-cache, max-age=0, s-maxage=0 or a TTL of 0, so only a hit-for-pass marker is stored.',
  },
  deliver: {
    id: 'fastly/deliver',
    source: 'Fastly VCL boilerplate (vcl_fetch return(deliver))',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'Nothing in vcl_fetch passes the response, so Fastly stores it as an object (TTL {ttl} s).',
  },
  noCacheIgnored: {
    id: 'fastly/no-cache-not-handled',
    source: 'Fastly blog "Cache recipe for success"; VCL boilerplate',
    url: 'https://www.fastly.com/blog/cache-recipe-for-success',
    certainty: 'documented',
    text: 'no-cache is handled by neither the platform nor the boilerplate: it does not stop storing or sharing.',
  },
  noStore2015: {
    id: 'fastly/boilerplate-2015-no-store-cached',
    source: 'Fastly VCL boilerplate as copied in 2015 (third-party gist)',
    url: 'https://gist.github.com/leonsodhi/75749490b86e2d50223c',
    certainty: 'unverified',
    text: 'The 2015 boilerplate only tests for "private", so a no-store response is stored like any other.',
  },
  noBoilerplate: {
    id: 'fastly/no-boilerplate-checks',
    source: 'Fastly VCL boilerplate comment: the platform does not parse private/no-store',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'Custom VCL without the boilerplate checks: Set-Cookie, private and no-store do not stop Fastly from storing the response.',
  },
  caseSensitive: {
    id: 'fastly/boilerplate-regex-case',
    source: 'Fastly VCL boilerplate (case-sensitive regex in vcl_fetch)',
    url: BOILERPLATE,
    certainty: 'unverified',
    text: 'The boilerplate\'s regex is case-sensitive, so "{raw}" does not trigger its private/no-store pass.',
  },
  ttlSurrogate: {
    id: 'fastly/ttl-surrogate-control',
    source: 'Fastly: cache freshness; Surrogate-Control reference',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'Surrogate-Control max-age={seconds} sets the TTL (it takes precedence over Cache-Control and Expires).',
  },
  ttlSMaxage: {
    id: 'fastly/ttl-s-maxage',
    source: 'Fastly: cache freshness',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'Cache-Control s-maxage={seconds} sets the TTL.',
  },
  ttlMaxAge: {
    id: 'fastly/ttl-max-age',
    source: 'Fastly: cache freshness',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'Cache-Control max-age={seconds} sets the TTL{zero}.',
  },
  ttlExpires: {
    id: 'fastly/ttl-expires',
    source: 'Fastly: cache freshness; community answer on past Expires',
    url: 'https://community.fastly.com/t/suggestions-for-better-caching/250',
    certainty: 'documented',
    text: 'With no max-age, Expires sets the TTL to {seconds} s{zero}.',
  },
  ttlFallback: {
    id: 'fastly/ttl-fallback',
    source: 'Fastly VCL boilerplate (vcl_fetch default TTL; service setting general.default_ttl)',
    url: 'https://docs.fastly.com/en/guides/controlling-caching',
    certainty: 'documented',
    text: 'No Expires, Surrogate-Control max-age, s-maxage or max-age: the fallback TTL of {seconds} s applies.',
  },
  fetchCustomPass: {
    id: 'fastly/fetch-custom-pass',
    source: 'Custom vcl_fetch returns pass',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'Custom vcl_fetch returns pass for this response: a hit-for-pass marker is stored, not the object.',
  },
  fetchCustomDeliver: {
    id: 'fastly/fetch-custom-deliver',
    source: 'Custom vcl_fetch delivers (return(deliver) or the end of vcl_fetch)',
    url: BOILERPLATE,
    certainty: 'documented',
    text: 'Custom vcl_fetch lets this response through to the cache: it is stored.',
  },
  fetchCustomTtl: {
    id: 'fastly/fetch-custom-ttl',
    source: 'Custom vcl_fetch sets beresp.ttl',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'Custom vcl_fetch sets beresp.ttl to {seconds} s.',
  },
  fetchCustomUncacheable: {
    id: 'fastly/fetch-custom-uncacheable',
    source: 'Custom vcl_fetch sets beresp.cacheable = false',
    url: 'https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-cacheable/',
    certainty: 'documented',
    text: 'Custom vcl_fetch marks the response uncacheable: it is not stored.',
  },
  fetchCustomCacheable: {
    id: 'fastly/fetch-custom-cacheable',
    source: 'Custom vcl_fetch sets beresp.cacheable = true',
    url: 'https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-cacheable/',
    certainty: 'documented',
    text: 'Custom vcl_fetch marks the response cacheable whatever its status.',
  },
  ttlPlatformDefault: {
    id: 'fastly/ttl-platform-default',
    source: 'Fastly: cache freshness (platform default 2 minutes)',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'No freshness header: the platform default TTL of {seconds} s applies before VCL changes it.',
  },
  markerTtl: {
    id: 'fastly/hit-for-pass-lifetime',
    source: 'Fastly request collapsing guide (hit-for-pass)',
    url: COLLAPSING,
    certainty: 'unverified',
    text: 'The hit-for-pass marker lives for the TTL computed so far ({seconds} s); later requests for the key go straight to the origin.',
  },
  collapseShare: {
    id: 'fastly/collapse-share',
    source: 'Fastly request collapsing guide',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'A cacheable response, even with TTL 0, is handed to every request queued behind this fetch.',
  },
  collapseForward: {
    id: 'fastly/collapse-hit-for-pass',
    source: 'Fastly request collapsing guide',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'return(pass) in vcl_fetch creates hit-for-pass: queued requests are released to fetch from the origin one each.',
  },
  collapseSerialize: {
    id: 'fastly/collapse-serialize',
    source: 'Fastly request collapsing guide',
    url: COLLAPSING,
    certainty: 'documented',
    text: 'An uncacheable response serves only the first request; the queue re-forms and waiters are served one at a time.',
  },
  collapseIgnoreBusy: {
    id: 'fastly/hash-ignore-busy',
    source: 'Fastly reference: req.hash_ignore_busy',
    url: 'https://www.fastly.com/documentation/reference/vcl/variables/client-request/req-hash-ignore-busy/',
    certainty: 'documented',
    text: 'req.hash_ignore_busy is set: requests do not wait on each other and stale objects are not served.',
  },
  staleSome: {
    id: 'fastly/stale-directives',
    source: 'Fastly: cache freshness (stale-while-revalidate, stale-if-error)',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'stale-while-revalidate={swr} and stale-if-error={sie} let Fastly serve the object stale for that long.',
  },
  staleNone: {
    id: 'fastly/stale-none',
    source: 'Fastly: cache freshness',
    url: FRESHNESS,
    certainty: 'documented',
    text: 'No stale-while-revalidate or stale-if-error: the object is not served stale.',
  },
  varyNone: {
    id: 'fastly/vary-none',
    source: 'Fastly Vary reference',
    url: 'https://www.fastly.com/documentation/reference/http/http-headers/Vary/',
    certainty: 'documented',
    text: 'No Vary header: one object serves every request for the key.',
  },
  vary: {
    id: 'fastly/vary',
    source: 'Fastly Vary reference',
    url: 'https://www.fastly.com/documentation/reference/http/http-headers/Vary/',
    certainty: 'documented',
    text: 'Vary is honoured: stored variants are selected by {fields}.',
  },
  varyStar: {
    id: 'fastly/vary-star',
    source: 'Fastly Vary reference (Vary: * not documented)',
    url: 'https://www.fastly.com/documentation/reference/http/http-headers/Vary/',
    certainty: 'unverified',
    text: 'Vary: * is taken as matching no later request; Fastly does not document it (to be confirmed by a probe).',
  },
});

const R = FASTLY_RULES;

type Resolved = Required<Omit<FastlyOptions, 'recv' | 'fetch'>> & Pick<FastlyOptions, 'recv' | 'fetch'>;

const DEFAULTS: Resolved = {
  defaultTtl: 3600,
  boilerplate: '2022',
  passZeroTtl: false,
  hashIgnoreBusy: false,
  hashExtra: [],
  passOn: [],
};

/** Statuses for which `beresp.cacheable` starts true. */
export const FASTLY_CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 300, 301, 302, 404, 410]);
const PLATFORM_DEFAULT_TTL = 120;

/* ------------------------------------------------------------------ request */

function fastlyRequest(q: RequestCtx, o: Resolved): RequestDecision {
  const parts: KeyPart[] = [
    { name: 'url', value: q.requestUri, identity: false },
    { name: 'host', value: q.host, identity: false },
    ...extraKeyParts(q, o.hashExtra),
  ];
  const keyReasons = [stamp(R.keyUrlHost)];
  if (o.hashExtra.length > 0) keyReasons.unshift(stamp(R.keyExtra, { inputs: o.hashExtra.join(', ') }));
  const key = answer(buildKey(parts), keyReasons);

  if (o.recv === 'pass') return { action: answer('pass', [stamp(R.recvCustomPass)]), key };
  if (o.recv === 'lookup') return { action: answer('lookup', [stamp(R.recvCustomLookup)]), key };
  const passing = presentInputs(q, o.passOn);
  if (!isGetOrHead(q)) return { action: answer('pass', [stamp(R.recvPassMethod, { method: q.method })]), key };
  if (passing.length > 0) return { action: answer('pass', [stamp(R.recvPassOn, { inputs: passing.join(', ') })]), key };
  const reasons = [stamp(R.recvLookup)];
  if (header(q.headers, 'authorization') !== undefined) reasons.push(stamp(R.authorizationNotSpecial));
  return { action: answer('lookup', reasons), key };
}

/* ------------------------------------------------------------------ response */

interface Facts {
  x: Exchange;
  o: Resolved;
  sc: CacheControl;
  /** Raw Cache-Control value (the boilerplate matches regexes on it). */
  ccRaw: string;
  /** TTL after the boilerplate (header-derived, else fallback). */
  ttl: number;
}

const secs = (cc: CacheControl, name: string): number | undefined => {
  const v = directiveSeconds(cc, name);
  return v === undefined ? undefined : v === 'invalid' ? 0 : v;
};
const zeroNote = (n: number): string => (n === 0 ? ' (stale on arrival, yet still stored)' : '');

/** The platform's TTL sources in order (Surrogate-Control → s-maxage → max-age → Expires). */
const HEADER_TTL: ReadonlyArray<Step<Facts, number>> = [
  {
    rule: R.ttlSurrogate,
    when: (f) => secs(f.sc, 'max-age') !== undefined,
    then: (f) => secs(f.sc, 'max-age')!,
    vars: (f) => ({ seconds: secs(f.sc, 'max-age')! }),
  },
  {
    rule: R.ttlSMaxage,
    when: (f) => secs(f.x.s.cc, 's-maxage') !== undefined,
    then: (f) => secs(f.x.s.cc, 's-maxage')!,
    vars: (f) => ({ seconds: secs(f.x.s.cc, 's-maxage')! }),
  },
  {
    rule: R.ttlMaxAge,
    when: (f) => secs(f.x.s.cc, 'max-age') !== undefined,
    then: (f) => secs(f.x.s.cc, 'max-age')!,
    vars: (f) => ({ seconds: secs(f.x.s.cc, 'max-age')!, zero: zeroNote(secs(f.x.s.cc, 'max-age')!) }),
  },
  {
    rule: R.ttlExpires,
    when: (f) => expiresLifetime(f.x.s) !== undefined,
    then: (f) => expiresLifetime(f.x.s)!.seconds,
    vars: (f) => ({ seconds: expiresLifetime(f.x.s)!.seconds, zero: zeroNote(expiresLifetime(f.x.s)!.seconds) }),
  },
];

function withFallback(rule: typeof R.ttlFallback, seconds: (f: Facts) => number): ReadonlyArray<Step<Facts, number>> {
  return [...HEADER_TTL, { rule, when: () => true, then: seconds, vars: (f) => ({ seconds: seconds(f) }) }];
}
/** TTL the boilerplate leaves on a delivered object. */
const OBJECT_TTL = withFallback(R.ttlFallback, (f) => f.o.defaultTtl);
/** TTL at the moment a vcl_fetch pass runs (before the boilerplate's fallback). */
const PASS_TTL = withFallback(R.ttlPlatformDefault, () => PLATFORM_DEFAULT_TTL);

interface Outcome {
  store: StoreValue;
  collapse: CollapseValue;
}
const HFP: Outcome = { store: 'hit-for-pass', collapse: 'forward' };
const checks = (f: Facts): boolean => f.o.boilerplate !== 'none' && f.o.fetch === undefined;

/** vcl_fetch in order: platform cacheability, then the boilerplate's pass lines, then deliver. */
const FETCH: ReadonlyArray<Step<Facts, Outcome>> = [
  { rule: R.fetchCustomUncacheable, when: (f) => f.o.fetch?.cacheable === false, then: { store: 'no-store', collapse: 'serialize' } },
  {
    rule: R.statusNotCacheable,
    when: (f) => f.o.fetch?.cacheable !== true && !FASTLY_CACHEABLE_STATUSES.has(f.x.s.status),
    then: { store: 'no-store', collapse: 'serialize' },
  },
  { rule: R.fetchCustomPass, when: (f) => f.o.fetch?.action === 'pass', then: HFP },
  { rule: R.fetchCustomDeliver, when: (f) => f.o.fetch?.action === 'deliver', then: { store: 'store', collapse: 'share' } },
  { rule: R.passSetCookie, when: (f) => checks(f) && f.x.s.setCookie, then: HFP },
  { rule: R.passPrivate, when: (f) => checks(f) && f.ccRaw.includes('private'), then: HFP },
  { rule: R.passNoStore, when: (f) => checks(f) && f.o.boilerplate === '2022' && f.ccRaw.includes('no-store'), then: HFP },
  {
    rule: R.passZeroTtl,
    when: (f) => f.o.fetch === undefined && f.o.passZeroTtl && (f.ttl <= 0 || /no-cache|max-age=0\b|s-maxage=0\b/i.test(f.ccRaw)),
    then: HFP,
  },
  { rule: R.deliver, when: () => true, then: { store: 'store', collapse: 'share' } },
];

const COLLAPSE_RULE = { share: R.collapseShare, forward: R.collapseForward, serialize: R.collapseSerialize, none: R.collapseIgnoreBusy } as const;

/** Notes on directives the profile ignores, when they did not stop the store. */
function storeNotes(f: Facts): ReturnType<typeof stamp>[] {
  const notes = [stamp(R.statusCacheable, { status: f.x.s.status })];
  const lower = f.ccRaw.toLowerCase();
  if (/no-cache/.test(lower)) notes.push(stamp(R.noCacheIgnored));
  if (f.o.boilerplate === '2015' && lower.includes('no-store')) notes.push(stamp(R.noStore2015));
  if (f.o.fetch !== undefined) return notes;
  if (f.o.boilerplate === 'none' && (f.x.s.setCookie || /private|no-store/.test(lower))) notes.push(stamp(R.noBoilerplate));
  if (f.o.boilerplate !== 'none' && /private|no-store/.test(lower) && !/private|no-store/.test(f.ccRaw)) {
    notes.push(stamp(R.caseSensitive, { raw: f.ccRaw }));
  }
  return notes;
}

function fastlyResponse(x: Exchange, o: Resolved): ProfileFetch {
  const base = { x, o, sc: surrogateControl(x.s), ccRaw: x.s.cc.raw, ttl: 0 };
  const headerTtl = firstMatch(OBJECT_TTL, base);
  const customTtl = o.fetch?.ttl;
  const objectTtl = customTtl === undefined ? headerTtl : { value: customTtl, reason: stamp(R.fetchCustomTtl, { seconds: customTtl }) };
  const f: Facts = { ...base, ttl: customTtl === undefined ? remaining(objectTtl.value, x.s) : Math.max(0, customTtl) };
  const outcome = firstMatch(FETCH, f, { ttl: f.ttl, status: x.s.status });
  const { store, collapse } = outcome.value;

  let ttl;
  if (store === 'store') ttl = answer(f.ttl, [objectTtl.reason]);
  else if (store === 'hit-for-pass') {
    const passTtl = firstMatch(PASS_TTL, base);
    ttl = answer(passTtl.value, [stamp(R.markerTtl, { seconds: passTtl.value }), passTtl.reason]);
  } else ttl = answer(0, [outcome.reason]);

  const storeAnswer = answer(store, store === 'store' ? [outcome.reason, ...storeNotes(f)] : [outcome.reason]);
  const collapseAnswer = o.hashIgnoreBusy
    ? answer<CollapseValue>('none', [stamp(R.collapseIgnoreBusy)])
    : answer<CollapseValue>(collapse, [stamp(COLLAPSE_RULE[collapse]), outcome.reason]);
  const stale = store !== 'store'
    ? answer(NO_STALE, [outcome.reason])
    : o.hashIgnoreBusy
      ? answer(NO_STALE, [stamp(R.collapseIgnoreBusy)])
      : staleFrom([f.sc, x.s.cc], { some: R.staleSome, none: R.staleNone });
  return {
    store: storeAnswer,
    ttl,
    stale,
    collapse: collapseAnswer,
    varyOn: honouredVary(x.s, { none: R.varyNone, vary: R.vary, star: R.varyStar }),
  };
}

export const fastlyProfile: ProfileModule<'fastly'> = {
  id: 'fastly',
  title: 'Fastly (VCL, default boilerplate)',
  summary:
    'Fastly VCL services with the recommended boilerplate. Only the status code decides cacheability; the boilerplate passes on Set-Cookie and on Cache-Control private/no-store (private only in the 2015 copy). no-cache, max-age=0 and a past Expires give a stored TTL-0 object that every collapsed waiter receives; a response without freshness headers is cached for the fallback TTL.',
  defaults: DEFAULTS,
  options: [
    { name: 'defaultTtl', default: '3600', meaning: 'Fallback TTL (general.default_ttl) for responses without Expires, Surrogate-Control max-age, s-maxage or max-age.' },
    { name: 'boilerplate', default: "'2022'", meaning: "vcl_fetch pass checks: '2022' Set-Cookie + private|no-store, '2015' Set-Cookie + private, 'none' no checks." },
    { name: 'passZeroTtl', default: 'false', meaning: 'Custom vcl_fetch passes no-cache / max-age=0 / TTL ≤ 0 responses (the CW-FY-02 fix).' },
    { name: 'hashIgnoreBusy', default: 'false', meaning: 'req.hash_ignore_busy: no collapsing, no stale serving.' },
    { name: 'hashExtra', default: '[]', meaning: 'Extra vcl_hash inputs: header names or cookie:<name>.' },
    { name: 'passOn', default: '[]', meaning: 'vcl_recv passes requests that carry these inputs.' },
    { name: 'recv', default: '(none)', meaning: "What an evaluated custom vcl_recv decided for the request: 'pass' or 'lookup' (overrides passOn)." },
    { name: 'fetch', default: '(none)', meaning: 'What an evaluated custom vcl_fetch did: action pass or deliver, ttl, cacheable (replaces the boilerplate checks).' },
  ],
  rules: Object.values(FASTLY_RULES),
  request: (q, o) => fastlyRequest(q, { ...DEFAULTS, ...o }),
  response: (x, o) => fastlyResponse(x, { ...DEFAULTS, ...o }),
};
