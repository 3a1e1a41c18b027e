/**
 * nginx `proxy_cache` (config-semantics.md §1.3, read in ngx_http_upstream.c and friends).
 * Deviations from RFC 9111: nothing is cached without an explicit validity (headers or
 * `proxy_cache_valid`); `no-cache`/`no-store`/`private` are substring matches that forbid storing;
 * request Cookie and Authorization are ignored; `X-Accel-Expires` overrides everything; collapsing
 * exists only with `proxy_cache_lock`, and waiters never receive an uncacheable response.
 */
import { honouredVary } from './common.ts';
import { buildKey, isIdentityCookie, isIdentityInput, type Exchange, type KeyPart, type RequestCtx, type ResponseCtx } from './exchange.ts';
import { staleExtensions } from './freshness.ts';
import { header, parseHttpDate } from './headers.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { answer, defineRules, stamp } from './rules.ts';
import type { NginxOptions, Reason, RequestDecision, StaleAllowance } from './types.ts';

const DOCS = 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html';
const UPSTREAM_C = 'https://github.com/nginx/nginx/blob/master/src/http/ngx_http_upstream.c';
const FILE_CACHE_C = 'https://github.com/nginx/nginx/blob/master/src/http/ngx_http_file_cache.c';

export const NGINX_RULES = defineRules('nginx', {
  cacheOff: { id: 'nginx/cache-off', source: 'nginx proxy_cache', url: `${DOCS}#proxy_cache`, certainty: 'documented', text: 'proxy_cache is off for this location: nothing is looked up or stored.' },
  methodNotCached: {
    id: 'nginx/method-not-cached',
    source: 'nginx proxy_cache_methods',
    url: `${DOCS}#proxy_cache_methods`,
    certainty: 'documented',
    text: '{method} is not in proxy_cache_methods ({methods}), so the request is not looked up.',
  },
  bypassAndNoCache: {
    id: 'nginx/bypass-and-no-cache',
    source: 'nginx proxy_cache_bypass, proxy_no_cache',
    url: `${DOCS}#proxy_cache_bypass`,
    certainty: 'documented',
    text: 'proxy_cache_bypass ({bypass}) and proxy_no_cache ({nocache}) both match: the request skips the cache and its response is not stored.',
  },
  bypassOnly: {
    id: 'nginx/bypass-without-no-cache',
    source: 'nginx proxy_cache_bypass',
    url: `${DOCS}#proxy_cache_bypass`,
    certainty: 'documented',
    text: 'proxy_cache_bypass matches ({bypass}) but proxy_no_cache does not: the request skips the lookup, yet its response is still stored for the next request.',
  },
  lookup: {
    id: 'nginx/lookup',
    source: 'nginx ngx_http_upstream.c',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: '{method} is looked up; nginx ignores request Cookie and Authorization when caching.',
  },
  key: {
    id: 'nginx/key',
    source: 'nginx proxy_cache_key',
    url: `${DOCS}#proxy_cache_key`,
    certainty: 'documented',
    text: 'proxy_cache_key {template} evaluates to "{value}".',
  },
  keyUnknownVar: {
    id: 'nginx/key-unknown-variable',
    source: 'nginx variables (not modelled here)',
    url: 'https://nginx.org/en/docs/varindex.html',
    certainty: 'unverified',
    text: 'Variables {vars} are not modelled and were evaluated as empty.',
  },
  noCacheVars: {
    id: 'nginx/no-cache-matches',
    source: 'nginx proxy_no_cache',
    url: `${DOCS}#proxy_no_cache`,
    certainty: 'documented',
    text: 'proxy_no_cache matches ({nocache}): the response is not stored.',
  },
  xAccelZero: {
    id: 'nginx/x-accel-expires-zero',
    source: 'nginx ngx_http_upstream.c (X-Accel-Expires)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'X-Accel-Expires: 0 forbids caching the response.',
  },
  xAccelPositive: {
    id: 'nginx/x-accel-expires',
    source: 'nginx ngx_http_upstream.c (X-Accel-Expires; order-independent since 1.23.0)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'X-Accel-Expires gives {seconds} s and overrides Cache-Control and Expires, including private and no-cache.',
  },
  setCookie: {
    id: 'nginx/set-cookie',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_set_cookie)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'The response sets a cookie, so nginx does not cache it.',
  },
  setCookieIgnored: {
    id: 'nginx/set-cookie-ignored',
    source: 'nginx proxy_ignore_headers Set-Cookie',
    url: `${DOCS}#proxy_ignore_headers`,
    certainty: 'documented',
    text: 'proxy_ignore_headers Set-Cookie: the response may be cached and {replay}.',
  },
  varyStar: {
    id: 'nginx/vary-star',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_vary)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'Vary: * makes the response uncacheable.',
  },
  ccForbids: {
    id: 'nginx/cache-control-forbids',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_cache_control)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'Cache-Control contains "{directive}", so nginx does not cache the response.',
  },
  ccZero: {
    id: 'nginx/cache-control-zero',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_cache_control)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: '{from}=0: nginx does not cache the response.',
  },
  ccInvalid: {
    id: 'nginx/cache-control-malformed',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_cache_control)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: '{from} has a non-numeric value, so nginx does not cache the response.',
  },
  ccValidity: {
    id: 'nginx/cache-control-validity',
    source: 'nginx ngx_http_upstream.c (s-maxage preferred over max-age)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: '{from}={seconds} sets the validity to {seconds} s (the Age header is not subtracted).',
  },
  expiresPast: {
    id: 'nginx/expires-past',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_expires)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'Expires is in the past or invalid, so nginx marks the response expired and does not cache it.',
  },
  expiresValidity: {
    id: 'nginx/expires-validity',
    source: 'nginx ngx_http_upstream.c (ngx_http_upstream_process_expires)',
    url: UPSTREAM_C,
    certainty: 'documented',
    text: 'Expires gives a validity of {seconds} s.',
  },
  validMatch: {
    id: 'nginx/proxy-cache-valid',
    source: 'nginx proxy_cache_valid',
    url: `${DOCS}#proxy_cache_valid`,
    certainty: 'documented',
    text: 'No validity from the response headers; proxy_cache_valid gives {seconds} s for status {status}.',
  },
  noValidity: {
    id: 'nginx/no-validity',
    source: 'nginx proxy_cache_valid; ngx_http_upstream.c',
    url: `${DOCS}#proxy_cache_valid`,
    certainty: 'documented',
    text: 'No X-Accel-Expires, max-age/s-maxage or Expires, and no proxy_cache_valid for status {status}: nothing is cached.',
  },
  ignored: {
    id: 'nginx/ignore-headers',
    source: 'nginx proxy_ignore_headers',
    url: `${DOCS}#proxy_ignore_headers`,
    certainty: 'documented',
    text: 'proxy_ignore_headers {headers}: those response headers do not influence caching.',
  },
  store: { id: 'nginx/store', source: 'nginx ngx_http_upstream.c', url: UPSTREAM_C, certainty: 'documented', text: 'The response is cached for {ttl} s.' },
  lockShare: {
    id: 'nginx/cache-lock-share',
    source: 'nginx proxy_cache_lock; ngx_http_file_cache.c',
    url: FILE_CACHE_C,
    certainty: 'documented',
    text: 'proxy_cache_lock on: waiting requests re-check the cache after the fill and receive the stored object.',
  },
  lockForward: {
    id: 'nginx/cache-lock-uncacheable',
    source: 'nginx proxy_cache_lock; ngx_http_file_cache.c',
    url: FILE_CACHE_C,
    certainty: 'documented',
    text: 'proxy_cache_lock on, but nothing was stored: waiters fetch from the origin themselves and never get the lock holder\'s response.',
  },
  noLock: {
    id: 'nginx/no-cache-lock',
    source: 'nginx proxy_cache_lock (default off)',
    url: `${DOCS}#proxy_cache_lock`,
    certainty: 'documented',
    text: 'proxy_cache_lock is off: concurrent misses each go to the origin; nothing is collapsed.',
  },
  staleUpdating: {
    id: 'nginx/use-stale-updating',
    source: 'nginx proxy_cache_use_stale updating',
    url: `${DOCS}#proxy_cache_use_stale`,
    certainty: 'documented',
    text: 'proxy_cache_use_stale updating: an expired object is served to others while one request refreshes it.',
  },
  staleError: {
    id: 'nginx/use-stale-error',
    source: 'nginx proxy_cache_use_stale',
    url: `${DOCS}#proxy_cache_use_stale`,
    certainty: 'documented',
    text: 'proxy_cache_use_stale {conditions}: an expired object is served when the upstream fails, with no time limit (reported as {seconds} s).',
  },
  staleHeaders: {
    id: 'nginx/stale-directives',
    source: 'nginx proxy_cache_use_stale (stale-while-revalidate, stale-if-error since 1.11.10)',
    url: `${DOCS}#proxy_cache_use_stale`,
    certainty: 'documented',
    text: 'Cache-Control stale-while-revalidate={swr} and stale-if-error={sie} allow stale serving for that long.',
  },
  staleNone: { id: 'nginx/stale-none', source: 'nginx proxy_cache_use_stale (default off)', url: `${DOCS}#proxy_cache_use_stale`, certainty: 'documented', text: 'Nothing allows serving the object stale.' },
  varyNone: { id: 'nginx/vary-none', source: 'nginx ngx_http_upstream.c (Vary since 1.7.7)', url: UPSTREAM_C, certainty: 'documented', text: 'No Vary header: one object per key.' },
  vary: { id: 'nginx/vary', source: 'nginx ngx_http_upstream.c (Vary since 1.7.7)', url: UPSTREAM_C, certainty: 'documented', text: 'Vary is honoured: variants are selected by {fields}.' },
  varyIgnored: {
    id: 'nginx/vary-ignored',
    source: 'nginx proxy_ignore_headers Vary',
    url: `${DOCS}#proxy_ignore_headers`,
    certainty: 'documented',
    text: 'proxy_ignore_headers Vary: variants are not kept; one object per key.',
  },
});

const R = NGINX_RULES;
export const NGINX_DEFAULT_KEY = '$scheme$proxy_host$request_uri';
/** `proxy_cache_use_stale error` has no time limit; StaleAllowance carries a number, so one year stands for it. */
export const STALE_NO_LIMIT = 31_536_000;

const DEFAULTS: Required<NginxOptions> = {
  cache: true,
  ignoreHeaders: [],
  valid: [],
  key: NGINX_DEFAULT_KEY,
  proxyHost: 'backend',
  lock: false,
  useStale: [],
  backgroundUpdate: false,
  bypass: [],
  noCache: [],
  hideHeaders: [],
  methods: ['GET', 'HEAD'],
  variables: {},
};

/* ------------------------------------------------------------------ variables */

interface Evaluated {
  value: string;
  identity: boolean;
  unknown: string[];
}

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function queryArg(query: string, name: string): string {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)) === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return '';
}

/** One nginx variable: its value, and whether it is derived from the requester's identity. */
function variable(name: string, q: RequestCtx, o: Required<NginxOptions>, s?: ResponseCtx): { value: string; identity: boolean } | undefined {
  const plain: Record<string, () => string> = {
    scheme: () => q.scheme,
    host: () => q.host,
    http_host: () => q.hostHeader ?? '',
    proxy_host: () => o.proxyHost,
    request_uri: () => q.requestUri,
    uri: () => decode(q.path),
    args: () => q.query,
    query_string: () => q.query,
    is_args: () => (q.query === '' ? '' : '?'),
    request_method: () => q.method,
  };
  const defined = Object.hasOwn(o.variables, name) ? o.variables[name] : undefined;
  if (defined) return defined;
  const fn = plain[name];
  if (fn) return { value: fn(), identity: false };
  if (name.startsWith('cookie_')) {
    const cookie = name.slice('cookie_'.length);
    return { value: q.cookies.get(cookie) ?? '', identity: isIdentityCookie(q.identity, cookie) };
  }
  if (name.startsWith('arg_')) return { value: queryArg(q.query, name.slice('arg_'.length)), identity: false };
  if (name.startsWith('http_')) {
    const h = name.slice('http_'.length).replace(/_/g, '-');
    return { value: header(q.headers, h) ?? '', identity: isIdentityInput(q.identity, h) };
  }
  for (const prefix of ['upstream_http_', 'sent_http_']) {
    if (name.startsWith(prefix)) {
      const h = name.slice(prefix.length).replace(/_/g, '-');
      return { value: s ? header(s.headers, h) ?? '' : '', identity: false };
    }
  }
  return undefined;
}

/** Evaluates an nginx complex value (`$scheme$host$request_uri`, `${cookie_sid}`). */
export function evaluateNginx(template: string, q: RequestCtx, o: NginxOptions = {}, s?: ResponseCtx): Evaluated {
  const opts = { ...DEFAULTS, ...o };
  let identity = false;
  const unknown: string[] = [];
  const value = template.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const v = variable(name, q, opts, s);
    if (!v) {
      unknown.push(`$${name}`);
      return '';
    }
    identity ||= v.identity;
    return v.value;
  });
  return { value, identity, unknown };
}

/** proxy_cache_bypass / proxy_no_cache: the parameters that are non-empty and not "0". */
function matching(params: readonly string[], q: RequestCtx, o: Required<NginxOptions>, s?: ResponseCtx): string[] {
  return params.filter((p) => {
    const v = evaluateNginx(p, q, o, s).value;
    return v !== '' && v !== '0';
  });
}

/* ------------------------------------------------------------------ request */

/** Splits the key template into named parts at each variable, so the key shows what it is made of. */
function keyParts(template: string, q: RequestCtx, o: Required<NginxOptions>): { parts: KeyPart[]; unknown: string[] } {
  const parts: KeyPart[] = [];
  const unknown: string[] = [];
  for (const m of template.matchAll(/\$(?:\{(\w+)\}|(\w+))|[^$]+/g)) {
    const name = m[1] ?? m[2];
    if (name === undefined) {
      parts.push({ name: 'literal', value: m[0], identity: false });
      continue;
    }
    const v = variable(name, q, o);
    if (!v) unknown.push(`$${name}`);
    parts.push({ name: `$${name}`, value: v?.value ?? '', identity: v?.identity ?? false });
  }
  return { parts, unknown };
}

function nginxRequest(q: RequestCtx, o: Required<NginxOptions>): RequestDecision {
  const { parts, unknown } = keyParts(o.key, q, o);
  const key = buildKey(parts);
  const keyReasons = [stamp(R.key, { template: o.key, value: key.value })];
  if (unknown.length > 0) keyReasons.push(stamp(R.keyUnknownVar, { vars: unknown.join(', ') }));
  const withKey = (action: RequestDecision['action']): RequestDecision => ({ action, key: answer(key, keyReasons) });

  const methods = new Set(['GET', 'HEAD', ...o.methods.map((m) => m.toUpperCase())]);
  if (!o.cache) return withKey(answer('pass', [stamp(R.cacheOff)]));
  if (!methods.has(q.method)) return withKey(answer('pass', [stamp(R.methodNotCached, { method: q.method, methods: [...methods].join(' ') })]));
  const bypass = matching(o.bypass, q, o);
  const noCache = matching(o.noCache, q, o);
  if (bypass.length > 0 && noCache.length > 0) {
    return withKey(answer('pass', [stamp(R.bypassAndNoCache, { bypass: bypass.join(' '), nocache: noCache.join(' ') })]));
  }
  if (bypass.length > 0) return withKey(answer('bypass', [stamp(R.bypassOnly, { bypass: bypass.join(' ') })]));
  return withKey(answer('lookup', [stamp(R.lookup, { method: q.method })]));
}

/* ------------------------------------------------------------------ response */

interface Validity {
  /** Seconds, or undefined when no header set one. */
  seconds: number | undefined;
  /** The reason storing is refused, if any. */
  refusal: Reason | undefined;
  reasons: Reason[];
}

function xAccel(s: ResponseCtx, now: number): number | undefined {
  const raw = header(s.headers, 'x-accel-expires')?.trim();
  if (raw === undefined) return undefined;
  if (/^@\d+$/.test(raw)) return Math.max(0, Number(raw.slice(1)) - Math.floor(now / 1000));
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** s-maxage, else max-age, read the way nginx scans the raw header (digits up to , ; or space). */
function ccSeconds(raw: string): { from: 's-maxage' | 'max-age'; value: number | 'invalid' } | undefined {
  for (const from of ['s-maxage', 'max-age'] as const) {
    const m = new RegExp(`${from}=([^,; ]*)`, 'i').exec(raw);
    if (m) return { from, value: /^\d+$/.test(m[1]!) ? Number(m[1]) : 'invalid' };
  }
  return undefined;
}

/** Header-derived validity in nginx's precedence: X-Accel-Expires, Cache-Control, Expires. */
function headerValidity(x: Exchange, o: Required<NginxOptions>): Validity {
  const { s } = x;
  const ign = new Set(o.ignoreHeaders.map((h) => h.toLowerCase()));
  const reasons: Reason[] = [];
  const refuse = (r: Reason): Validity => ({ seconds: undefined, refusal: r, reasons });

  const accel = ign.has('x-accel-expires') ? undefined : xAccel(s, s.now);
  if (accel === 0) return refuse(stamp(R.xAccelZero));
  if (!ign.has('set-cookie') && s.setCookie) return refuse(stamp(R.setCookie));
  if (!ign.has('vary') && s.vary.includes('*')) return refuse(stamp(R.varyStar));
  if (accel !== undefined) return { seconds: accel, refusal: undefined, reasons: [stamp(R.xAccelPositive, { seconds: accel })] };

  if (!ign.has('cache-control') && s.cc.present) {
    const forbidding = /no-cache|no-store|private/i.exec(s.cc.raw)?.[0];
    if (forbidding) return refuse(stamp(R.ccForbids, { directive: forbidding.toLowerCase() }));
    const cc = ccSeconds(s.cc.raw);
    if (cc?.value === 'invalid') return refuse(stamp(R.ccInvalid, { from: cc.from }));
    if (cc?.value === 0) return refuse(stamp(R.ccZero, { from: cc.from }));
    if (cc) return { seconds: cc.value, refusal: undefined, reasons: [stamp(R.ccValidity, { from: cc.from, seconds: cc.value })] };
  }
  const rawExpires = ign.has('expires') ? undefined : header(s.headers, 'expires');
  if (rawExpires !== undefined) {
    const exp = parseHttpDate(rawExpires);
    if (exp === undefined || exp < s.now) return refuse(stamp(R.expiresPast));
    const seconds = Math.floor((exp - s.now) / 1000);
    return { seconds, refusal: undefined, reasons: [stamp(R.expiresValidity, { seconds })] };
  }
  return { seconds: undefined, refusal: undefined, reasons };
}

function configuredValidity(status: number, o: Required<NginxOptions>): number | undefined {
  for (const v of o.valid) {
    const codes = v.codes === 'any' ? undefined : v.codes.length === 0 ? [200, 301, 302] : v.codes;
    if (codes === undefined || codes.includes(status)) return v.seconds;
  }
  return undefined;
}

function nginxStale(o: Required<NginxOptions>, x: Exchange): StaleAllowance & { reasons: Reason[] } {
  const reasons: Reason[] = [];
  const ext = o.ignoreHeaders.includes('Cache-Control') ? { whileRevalidate: 0, ifError: 0 } : staleExtensions(x.s.cc);
  const errorConds = o.useStale.filter((u) => u !== 'updating');
  const whileUpdating = o.useStale.includes('updating');
  if (whileUpdating) reasons.push(stamp(R.staleUpdating));
  if (errorConds.length > 0) reasons.push(stamp(R.staleError, { conditions: errorConds.join(' '), seconds: STALE_NO_LIMIT }));
  if (ext.whileRevalidate > 0 || ext.ifError > 0) reasons.push(stamp(R.staleHeaders, { swr: ext.whileRevalidate, sie: ext.ifError }));
  if (reasons.length === 0) reasons.push(stamp(R.staleNone));
  return { whileRevalidate: ext.whileRevalidate, ifError: errorConds.length > 0 ? STALE_NO_LIMIT : ext.ifError, whileUpdating, reasons };
}

function nginxResponse(x: Exchange, o: Required<NginxOptions>): ProfileFetch {
  const notes: Reason[] = [];
  if (o.ignoreHeaders.length > 0) notes.push(stamp(R.ignored, { headers: o.ignoreHeaders.join(' ') }));
  if (o.ignoreHeaders.includes('Set-Cookie') && x.s.setCookie) {
    const hidden = o.hideHeaders.some((h) => h.toLowerCase() === 'set-cookie');
    notes.push(stamp(R.setCookieIgnored, { replay: hidden ? 'proxy_hide_header keeps its Set-Cookie from clients' : 'the stored copy replays its Set-Cookie to every client' }));
  }
  const noCache = matching(o.noCache, x.q, o, x.s);
  const v = headerValidity(x, o);
  let refusal = noCache.length > 0 ? stamp(R.noCacheVars, { nocache: noCache.join(' ') }) : v.refusal;
  let seconds = v.seconds;
  const reasons = [...v.reasons];
  if (!refusal && seconds === undefined) {
    seconds = configuredValidity(x.s.status, o);
    if (seconds === undefined || seconds <= 0) refusal = stamp(R.noValidity, { status: x.s.status });
    else reasons.push(stamp(R.validMatch, { seconds, status: x.s.status }));
  }

  if (refusal) {
    const why = [refusal, ...notes];
    const collapse = o.lock ? answer('forward' as const, [stamp(R.lockForward), refusal]) : answer('none' as const, [stamp(R.noLock)]);
    return {
      store: answer('no-store', why),
      ttl: answer(0, [refusal]),
      stale: answer(NO_STALE, [refusal]),
      collapse,
      varyOn: answer([], [refusal]),
    };
  }
  const ttl = seconds!;
  const { reasons: staleReasons, ...stale } = nginxStale(o, x);
  const varyRules = { none: R.varyNone, vary: R.vary, star: R.varyStar };
  return {
    store: answer('store', [stamp(R.store, { ttl }), ...reasons, ...notes]),
    ttl: answer(ttl, reasons),
    stale: answer(stale, staleReasons),
    collapse: o.lock ? answer('share', [stamp(R.lockShare)]) : answer('none', [stamp(R.noLock)]),
    varyOn: o.ignoreHeaders.includes('Vary') ? answer([], [stamp(R.varyIgnored)]) : honouredVary(x.s, varyRules),
  };
}

export const nginxProfile: ProfileModule<'nginx'> = {
  id: 'nginx',
  title: 'nginx proxy_cache',
  summary:
    'An nginx location with proxy_cache on. Caches only with an explicit validity (X-Accel-Expires, max-age/s-maxage, a future Expires, or proxy_cache_valid); any no-cache/no-store/private, Set-Cookie, max-age=0 or past Expires prevents storing. Request Cookie and Authorization are ignored unless proxy_cache_bypass/proxy_no_cache say otherwise. Collapses only with proxy_cache_lock, and then only stored objects.',
  defaults: DEFAULTS,
  options: [
    { name: 'cache', default: 'true', meaning: 'proxy_cache <zone> is on for the location.' },
    { name: 'ignoreHeaders', default: '[]', meaning: 'proxy_ignore_headers: Cache-Control, Expires, Set-Cookie, X-Accel-Expires, Vary.' },
    { name: 'valid', default: '[]', meaning: 'proxy_cache_valid entries ({codes, seconds}); codes [] means 200 301 302.' },
    { name: 'key', default: NGINX_DEFAULT_KEY, meaning: 'proxy_cache_key template ($scheme $host $http_host $proxy_host $request_uri $uri $args $cookie_X $http_X $arg_X).' },
    { name: 'proxyHost', default: "'backend'", meaning: 'What $proxy_host expands to (the proxy_pass upstream name).' },
    { name: 'lock', default: 'false', meaning: 'proxy_cache_lock: waiters receive the object once stored; never an uncacheable response.' },
    { name: 'useStale', default: '[]', meaning: 'proxy_cache_use_stale conditions (updating, error, timeout, http_5xx, ...).' },
    { name: 'backgroundUpdate', default: 'false', meaning: 'proxy_cache_background_update (no effect on these answers).' },
    { name: 'bypass', default: '[]', meaning: 'proxy_cache_bypass parameters ($cookie_sid, $http_authorization); skip lookup only.' },
    { name: 'noCache', default: '[]', meaning: 'proxy_no_cache parameters; prevent storing (may use $upstream_http_X).' },
    { name: 'variables', default: '{}', meaning: 'Values of map/set variables for this request (computed by the verify reader), with whether each derives from identity.' },
    { name: 'hideHeaders', default: '[]', meaning: 'proxy_hide_header names (whether a stored Set-Cookie reaches clients).' },
    { name: 'methods', default: "['GET', 'HEAD']", meaning: 'proxy_cache_methods (GET and HEAD always included).' },
  ],
  rules: Object.values(NGINX_RULES),
  request: (q, o) => nginxRequest(q, { ...DEFAULTS, ...o }),
  response: (x, o) => nginxResponse(x, { ...DEFAULTS, ...o }),
};
