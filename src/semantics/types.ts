/**
 * The contract of the cache-semantics core: one model of RFC 9111 plus each vendor's
 * deviations. Probe, verify, the emulator and the CLI's `explain` ask it why a response
 * may be stored or shared; every answer carries its reasons (RFC section or vendor rule).
 *
 * Types only. Implementation: `src/semantics/*.ts`, entry point `src/semantics/index.ts`.
 */
import type { Outcome } from '../core/event.ts';

export const PROFILE_IDS = [
  'rfc9111',
  'fastly',
  'varnish7',
  'varnish8',
  'nginx',
  'cloudflare',
  'cloudfront',
  'akamai',
] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

/** Header values as Node gives them; lookups are case-insensitive. Do not mutate a bag after passing it in: lookups are indexed once per bag. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface HttpRequestInfo {
  method: string;
  /** Path + query (`/mypage?x=1`) or an absolute URL. */
  url: string;
  /** Host the client asked for; defaults to the Host header, then to the absolute URL's host. */
  host?: string;
  scheme?: 'http' | 'https';
  headers: HeaderBag;
}

export interface HttpResponseInfo {
  status: number;
  headers: HeaderBag;
  /** When the response arrived, ms since the epoch. Defaults to the Date header, then to `now`. */
  receivedAt?: number;
}

export interface Reason {
  /** Stable id of the rule that decided, `<profile>/<rule>` (e.g. `rfc9111/no-store`, `fastly/boilerplate-pass-private`). */
  rule: string;
  /** Human citation: `RFC 9111 §5.2.2.5`, `Fastly default VCL boilerplate (vcl_fetch)`, `nginx ngx_http_upstream.c`. */
  source: string;
  /** A URL for the citation, when one exists. */
  url?: string;
  /** One plain sentence, in our words, saying what this rule did to this exchange. */
  text: string;
  /** `documented`: vendor docs, RFC or source code say so. `unverified`: our reading; a probe should confirm. */
  certainty: 'documented' | 'unverified';
}

/** Every answer carries the reasons that produced it, most decisive first (never empty). */
export interface Answer<T> {
  value: T;
  reasons: Reason[];
}

export interface CacheKey {
  /** Named components in order, e.g. `[{name:'host',value:'shop.test'},{name:'url',value:'/mypage'}]`. */
  parts: ReadonlyArray<{ name: string; value: string }>;
  /** The components joined as the engine would (for display and for the emulator's store). */
  value: string;
  /** True when some key component is derived from the requester's identity (Cookie, Authorization, ...). */
  includesIdentity: boolean;
}

/** What the cache does with a request before any response exists. */
export interface RequestDecision {
  /**
   * - `lookup`: looked up in the cache; joins the collapsing queue on a miss (where the engine collapses).
   * - `pass`: not looked up, response not stored, no collapsing (Varnish builtin on Cookie/Authorization,
   *   `return(pass)` in vcl_recv, Cloudflare bypass rules).
   * - `bypass`: not looked up, but the response may still be stored (nginx `proxy_cache_bypass` without
   *   a matching `proxy_no_cache`).
   */
  action: Answer<'lookup' | 'pass' | 'bypass'>;
  key: Answer<CacheKey>;
}

/** RFC 9111 classes for a shared cache (research note probing.md d.4). */
export const RFC_CLASSES = ['NOT_STORABLE', 'STORABLE_REVALIDATE', 'STORABLE_FRESH', 'STORABLE_HEURISTIC'] as const;
export type RfcClass = (typeof RFC_CLASSES)[number];

/**
 * - `store`: a real object is stored and can answer later requests (possibly with TTL 0).
 * - `hit-for-pass` / `hit-for-miss`: only a marker is stored; later requests go to the origin.
 * - `no-store`: nothing is stored.
 */
export type StoreValue = 'store' | 'no-store' | 'hit-for-pass' | 'hit-for-miss';

/**
 * What requests that were waiting on this fetch receive:
 * - `share`: the same response is handed to every waiter (the 2017 mechanism when the response is personal);
 * - `forward`: waiters are released to fetch from the origin individually;
 * - `serialize`: waiters are released one at a time (Varnish 7 with TTL-0 objects; Fastly with an
 *   uncacheable response): each gets its own origin response, slowly;
 * - `none`: the request never waited (pass, or the engine does not collapse in this configuration).
 */
export type CollapseValue = 'share' | 'forward' | 'serialize' | 'none';

/**
 * Whether a later request from a *different requester* for the same URL can receive this stored response:
 * - `yes`: served from cache while fresh (or stale where stale serving is allowed);
 * - `after-validation`: only after the origin validates it (RFC-compliant `no-cache`);
 * - `no`: never (not stored, keyed by identity, a Vary on the credential, or such requests pass).
 */
export type ReuseValue = 'yes' | 'after-validation' | 'no';

export interface StaleAllowance {
  /** Seconds a stale object may be served while it is refreshed (Varnish grace, stale-while-revalidate). */
  whileRevalidate: number;
  /** Seconds a stale object may be served when the origin fails. */
  ifError: number;
  /** nginx `proxy_cache_use_stale updating`: stale served to others while one request refreshes (no time limit). */
  whileUpdating: boolean;
}

export interface ResponseDecision {
  store: Answer<StoreValue>;
  rfcClass: Answer<RfcClass>;
  /** Freshness the cache gives the stored object, in seconds (0 for a TTL-0 object). For markers, the marker's lifetime. */
  ttl: Answer<number>;
  stale: Answer<StaleAllowance>;
  collapse: Answer<CollapseValue>;
  reuse: Answer<ReuseValue>;
  /** Request header names (lower case) that select among stored variants (Vary as honoured by this profile). */
  varyOn: Answer<string[]>;
}

export interface Verdict {
  profile: ProfileId;
  request: RequestDecision;
  response: ResponseDecision;
  /**
   * The bottom line for a personalized response: can a requester other than this one receive it?
   * `collapsing-only`: only requests that arrive while it is being fetched (the 2017 case).
   */
  sharedAcrossIdentities: Answer<'yes' | 'collapsing-only' | 'no'>;
}

/* ------------------------------------------------------------------------------------------
 * Profile options. Each profile's defaults are the engine's documented defaults; options model
 * the configuration knobs that change the answers (verify maps parsed configs onto these; the lab
 * and emulator use them to express scenarios). Every field is optional in input.
 * ---------------------------------------------------------------------------------------- */

/** How requesters are identified, so "a different requester" and "key includes identity" can be judged. */
export interface IdentityHints {
  /** Cookie names that carry the session (default: any Cookie header counts as identity). */
  cookies?: string[];
  /** Request headers that carry identity (default: `authorization`). */
  headers?: string[];
}

export interface Rfc9111Options {
  /** Heuristic freshness fraction of (Date - Last-Modified), RFC 9111 §4.2.2 (default 0.1). */
  heuristicFraction?: number;
  /** Heuristic freshness when no Last-Modified exists, seconds (default 0: not reused without validation). */
  heuristicDefault?: number;
}

export interface FastlyOptions {
  /** Service fallback TTL `general.default_ttl`, seconds (default 3600). */
  defaultTtl?: number;
  /**
   * Which boilerplate checks vcl_fetch has: `2022` (pass on Set-Cookie and `private|no-store`),
   * `2015` (pass on Set-Cookie and `private` only), `none` (custom VCL without them).
   */
  boilerplate?: '2022' | '2015' | 'none';
  /** Custom VCL passes responses whose Cache-Control has no-cache / max-age=0 or whose TTL <= 0 (CW-FY-02 fix). */
  passZeroTtl?: boolean;
  /** `req.hash_ignore_busy` set: no collapsing. */
  hashIgnoreBusy?: boolean;
  /** Extra hash inputs added in vcl_hash, as request header names (`cookie`, `authorization`) or `cookie:<name>`. */
  hashExtra?: string[];
  /** vcl_recv passes requests carrying these (request header names, or `cookie:<name>`). */
  passOn?: string[];
  /**
   * What custom vcl_recv decided for this request, when a reader evaluated the VCL itself:
   * `pass` (no lookup, no collapsing) or `lookup`. Overrides `passOn` and the method check.
   */
  recv?: 'pass' | 'lookup';
  /**
   * What custom vcl_fetch did with this response, when a reader evaluated the VCL itself (its own
   * pass checks included, so `boilerplate` is not applied): `pass` (hit-for-pass) or `deliver`
   * (stored, with `ttl` if the VCL set `beresp.ttl`, else the header TTL or fallback), and
   * `cacheable` if the VCL set `beresp.cacheable`.
   */
  fetch?: { action: 'pass' | 'deliver'; ttl?: number; cacheable?: boolean };
}

export interface VarnishOptions {
  /** `beresp.ttl` fallback (`default_ttl` parameter), seconds (default 120). */
  defaultTtl?: number;
  /** `default_grace`, seconds (default 10). */
  defaultGrace?: number;
  /** Lifetime of hit-for-miss markers (`uncacheable_ttl` in 8.0, 120 s in 7.x). */
  uncacheableTtl?: number;
  /** What custom vcl_recv does before builtin: `builtin` (falls through), `hash` (returns hash: Cookie/Authorization no longer pass), `pass`. */
  recv?: 'builtin' | 'hash' | 'pass';
  /** Custom vcl_recv unsets req.http.Cookie before lookup (the origin then sees no cookie). */
  stripRequestCookie?: boolean;
  /** `set req.hash_ignore_busy = true` in vcl_recv: the request never waits on another's fetch (no collapsing). */
  hashIgnoreBusy?: boolean;
  /** Extra vcl_hash inputs (request header names, or `cookie:<name>`). */
  hashExtra?: string[];
  /**
   * Builtin checks neutralised by overriding their hook subroutine (Varnish 7+), e.g.
   * `sub vcl_req_cookie { return; }`: `req-cookie` and `req-authorization` (vcl_recv pass),
   * `beresp-stale` (ttl ≤ 0), `beresp-cookie` (Set-Cookie), `beresp-control` (Cache-Control /
   * Surrogate-Control), `beresp-vary` (Vary: *).
   */
  disabledBuiltinChecks?: Array<'req-cookie' | 'req-authorization' | 'beresp-stale' | 'beresp-cookie' | 'beresp-control' | 'beresp-vary'>;
  /** Custom vcl_backend_response: forced values, and whether it returns before builtin. */
  backendResponse?: {
    ttl?: number;
    grace?: number;
    /** `return (deliver)` before builtin runs: the Set-Cookie/private/no-cache/ttl<=0 checks are skipped. */
    skipBuiltin?: boolean;
    unsetSetCookie?: boolean;
    unsetVary?: boolean;
    /** `set beresp.uncacheable = true` (hit-for-miss). */
    uncacheable?: boolean;
  };
}

export interface NginxValidity {
  /** Status codes, or `any`. `proxy_cache_valid 10m` without codes means 200, 301, 302. */
  codes: number[] | 'any';
  seconds: number;
}

export interface NginxOptions {
  /** `proxy_cache <zone>` is on for this location (default true: the profile models a caching location). */
  cache?: boolean;
  /** `proxy_ignore_headers` values. */
  ignoreHeaders?: Array<'Cache-Control' | 'Expires' | 'Set-Cookie' | 'X-Accel-Expires' | 'Vary'>;
  /** `proxy_cache_valid` entries (default none). */
  valid?: NginxValidity[];
  /** `proxy_cache_key` template (default `$scheme$proxy_host$request_uri`). */
  key?: string;
  /** The upstream name `$proxy_host` expands to (default `backend`). */
  proxyHost?: string;
  /** `proxy_cache_lock on` (default off). */
  lock?: boolean;
  /** `proxy_cache_use_stale` values (default none). */
  useStale?: Array<'updating' | 'error' | 'timeout' | 'invalid_header' | 'http_500' | 'http_502' | 'http_503' | 'http_504' | 'http_403' | 'http_404' | 'http_429'>;
  /** `proxy_cache_background_update on`. */
  backgroundUpdate?: boolean;
  /** `proxy_cache_bypass` variables (e.g. `$cookie_sid`, `$http_authorization`): non-empty and not "0" bypasses lookup. */
  bypass?: string[];
  /** `proxy_no_cache` variables: non-empty and not "0" prevents storing. */
  noCache?: string[];
  /** `proxy_hide_header` names (affects what a stored Set-Cookie replays to clients). */
  hideHeaders?: string[];
  /** `proxy_cache_methods` (GET and HEAD are always included). */
  methods?: string[];
  /**
   * Values of configuration-defined variables (`map`, `set`) for this request, computed by a reader:
   * name without `$` → value, and whether it derives from the requester's identity. Looked up before
   * nginx's own variables.
   */
  variables?: Record<string, { value: string; identity: boolean }>;
}

export interface CloudflareOptions {
  /** `default`: only static extensions are eligible; `cache-everything`: page rule Cache Everything / cache rule `cache: true`; `bypass`: cache rule `cache: false`. */
  cacheLevel?: 'default' | 'cache-everything' | 'bypass';
  /** Cache rule edge TTL. */
  edgeTtl?: { mode: 'respect_origin' | 'bypass_by_default' | 'override_origin'; default?: number };
  /** Origin Cache Control (Enterprise can switch it off per rule). Default true. */
  originCacheControl?: boolean;
  /** Cache rule `cache_key.cache_deception_armor`. Default false. */
  cacheDeceptionArmor?: boolean;
  /** Custom cache key inputs (cookie names / header names). */
  keyCookies?: string[];
  keyHeaders?: string[];
  /**
   * Cache rule `vary` setting: what to do with each request header the origin names in `Vary`.
   * Absent (default): Vary is ignored except Accept-Encoding. `headers` keys are lower case.
   */
  vary?: { default: CloudflareVaryAction; headers?: Readonly<Record<string, CloudflareVaryAction>> };
}

/**
 * `normalize` / `passthrough`: the (normalized / raw) request header value selects the stored variant;
 * `bypass`: a response whose Vary names the header is not stored.
 */
export type CloudflareVaryAction = 'normalize' | 'passthrough' | 'bypass';

/** CloudFront managed cache policy ids. */
export const CLOUDFRONT_MANAGED_POLICIES = {
  CachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  CachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
} as const;

export interface CloudFrontOptions {
  /** A managed policy name or id, or explicit TTLs (seconds). Default: CachingOptimized. */
  policy?: keyof typeof CLOUDFRONT_MANAGED_POLICIES | string | { minTtl: number; defaultTtl: number; maxTtl: number };
  /** Cookies / headers / query strings in the cache key (cache policy). */
  keyCookies?: string[];
  keyHeaders?: string[];
  /** Cookies / headers forwarded to the origin (origin request policy), possibly not keyed. */
  forwardCookies?: string[] | 'all';
  forwardHeaders?: string[] | 'all';
}

export interface AkamaiOptions {
  /** `caching.behavior` (default CACHE_CONTROL_AND_EXPIRES with defaultTtl 0?). */
  behavior?: 'MAX_AGE' | 'NO_STORE' | 'BYPASS_CACHE' | 'CACHE_CONTROL' | 'CACHE_CONTROL_AND_EXPIRES' | 'EXPIRES';
  /** TTL for MAX_AGE, seconds. */
  ttl?: number;
  /** Fallback TTL for the honour-origin behaviours, seconds. */
  defaultTtl?: number;
  honorPrivate?: boolean;
  honorNoStore?: boolean;
  honorMustRevalidate?: boolean;
}

export interface ProfileOptionsMap {
  rfc9111: Rfc9111Options;
  fastly: FastlyOptions;
  varnish7: VarnishOptions;
  varnish8: VarnishOptions;
  nginx: NginxOptions;
  cloudflare: CloudflareOptions;
  cloudfront: CloudFrontOptions;
  akamai: AkamaiOptions;
}

/** A profile with its options, as passed to the decision functions. */
export type ProfileSpec = {
  [P in ProfileId]: { id: P; options?: ProfileOptionsMap[P]; identity?: IdentityHints };
}[ProfileId];

/* ------------------------------------------------------------------------------------------
 * Cache-Status (RFC 9211) and vendor cache headers, normalized.
 * ---------------------------------------------------------------------------------------- */

export interface CacheStatusEntry {
  /** The cache's name as given (`ExampleCache`, `cloudflare`, `cache-tyo-123`). */
  cache: string;
  hit: boolean;
  fwd?: string;
  fwdStatus?: number;
  ttl?: number;
  stored?: boolean;
  collapsed?: boolean;
  key?: string;
  detail?: string;
}

export interface NormalizedCacheStatus {
  /** The outcome at the cache nearest the client. */
  outcome: Outcome;
  /** Which header decided (`cache-status`, `cf-cache-status`, `x-cache`, `age`, ...). */
  source: string;
  /** Every hop parsed from RFC 9211 Cache-Status, origin-side first as the RFC orders them. */
  hops: CacheStatusEntry[];
  /** Age header, seconds. */
  age?: number;
  /** Edge/POP names found (X-Served-By, X-Amz-Cf-Pop, CF-Ray suffix, Via...). */
  pops: string[];
  /** The raw vendor header values that were read (never identities). */
  raw: Record<string, string>;
}
