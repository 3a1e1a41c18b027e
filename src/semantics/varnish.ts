/**
 * Varnish Cache 7.x and 8.0 with builtin.vcl (config-semantics.md §1.2). One module, two profiles:
 * they differ in the waiting list (8.0 hands a new ttl=0/grace=0 object to every waiter; 7.x
 * serialises them), in the non-RFC-method answer, and in how the hit-for-miss lifetime is set.
 * Custom VCL is modelled by options: vcl_recv returning hash or pass, a stripped request Cookie,
 * and a vcl_backend_response that forces TTL/grace, unsets headers or returns before builtin.
 */
import { honouredVary, isGetOrHead, surrogateControl } from './common.ts';
import { buildKey, exchange, extraKeyParts, type Exchange, type RequestCtx } from './exchange.ts';
import { header, parseHttpDate } from './headers.ts';
import { explicitLifetime, remaining, staleExtensions } from './freshness.ts';
import { answer, defineRules, firstMatch, stamp, type Decided, type Step } from './rules.ts';
import type { ProfileFetch, ProfileModule } from './profile.ts';
import type { CollapseValue, HttpRequestInfo, HttpResponseInfo, ProfileOptionsMap, Reason, RequestDecision, VarnishOptions } from './types.ts';

type VarnishId = 'varnish7' | 'varnish8';

const BUILTIN: Record<VarnishId, string> = {
  varnish7: 'https://github.com/varnishcache/varnish-cache/blob/varnish-7.6.0/bin/varnishd/builtin.vcl',
  varnish8: 'https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/builtin.vcl',
};
const RFC2616_C = 'https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/cache/cache_rfc2616.c';
const CHANGES_8 = 'https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/doc/sphinx/whats-new/changes-8.0.rst';
const WAITLIST_COMMIT = 'https://github.com/varnishcache/varnish-cache/commit/11c03673583397cb1b0cbec87b7ebbd025d38904';
const PARAMS = 'https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/include/tbl/params.h';

function varnishRules(p: VarnishId) {
  const v = p === 'varnish7' ? 'Varnish 7.x' : 'Varnish 8.0';
  const builtin = `${v} builtin.vcl`;
  const url = BUILTIN[p];
  return defineRules(p, {
    recvCustomPass: { id: `${p}/recv-custom-pass`, source: 'Custom vcl_recv (option recv: pass)', certainty: 'documented', text: 'Custom vcl_recv returns pass: no lookup, no store, no waiting list.' },
    recvCustomHash: {
      id: `${p}/recv-custom-hash`,
      source: `Custom vcl_recv returning hash skips ${builtin}`,
      url,
      certainty: 'documented',
      text: 'Custom vcl_recv returns hash before builtin runs, so Cookie and Authorization no longer cause a pass: the request is looked up.',
    },
    recvStripCookie: {
      id: `${p}/recv-strip-cookie`,
      source: 'Custom vcl_recv (option stripRequestCookie)',
      certainty: 'documented',
      text: 'Custom vcl_recv removes the request Cookie, so builtin does not pass on it and the origin never sees it.',
    },
    recvNonRfcMethod: {
      id: `${p}/recv-non-rfc-method`,
      source: `${builtin} (vcl_recv)`,
      url,
      certainty: 'documented',
      text: p === 'varnish8' ? '{method} is not an RFC method: builtin answers with a synthetic 501.' : '{method} is not an RFC method: builtin pipes it to the backend.',
    },
    recvPassMethod: { id: `${p}/recv-pass-method`, source: `${builtin} (vcl_recv)`, url, certainty: 'documented', text: '{method} is neither GET nor HEAD, so builtin passes it.' },
    recvPassAuthorization: {
      id: `${p}/recv-pass-authorization`,
      source: `${builtin} (vcl_req_authorization)`,
      url,
      certainty: 'documented',
      text: 'The request carries Authorization, so builtin passes it: not looked up, not stored.',
    },
    recvPassCookie: {
      id: `${p}/recv-pass-cookie`,
      source: `${builtin} (vcl_req_cookie)`,
      url,
      certainty: 'documented',
      text: 'The request carries a Cookie, so builtin passes it: not looked up, not stored.',
    },
    recvLookup: { id: `${p}/recv-lookup`, source: `${builtin} (vcl_recv)`, url, certainty: 'documented', text: 'GET/HEAD without Cookie or Authorization: builtin looks it up (hash).' },
    keyUrlHost: { id: `${p}/key-url-host`, source: `${builtin} (vcl_hash)`, url, certainty: 'documented', text: 'The key is URL + Host; cookies and Authorization are not part of it.' },
    keyExtra: { id: `${p}/key-hash-extra`, source: 'Custom vcl_hash (option hashExtra)', certainty: 'documented', text: 'Custom vcl_hash adds {inputs} to the key.' },
    ttlSMaxage: { id: `${p}/ttl-s-maxage`, source: 'Varnish core TTL (cache_rfc2616.c)', url: RFC2616_C, certainty: 'documented', text: 'Core TTL from s-maxage: {ttl} s.' },
    ttlMaxAge: { id: `${p}/ttl-max-age`, source: 'Varnish core TTL (cache_rfc2616.c)', url: RFC2616_C, certainty: 'documented', text: 'Core TTL from max-age: {ttl} s.' },
    ttlExpires: { id: `${p}/ttl-expires`, source: 'Varnish core TTL (cache_rfc2616.c)', url: RFC2616_C, certainty: 'documented', text: 'Core TTL from Expires relative to Date: {ttl} s (an Expires before Date gives 0).' },
    ttlExpiresInvalid: {
      id: `${p}/ttl-expires-unparsable`,
      source: 'Varnish core TTL (cache_rfc2616.c; our reading)',
      url: RFC2616_C,
      certainty: 'unverified',
      text: 'Expires is not a parsable date, which core treats like no Expires: default_ttl {ttl} s applies.',
    },
    ttlDefault: { id: `${p}/ttl-default`, source: 'Varnish parameter default_ttl', url: PARAMS, certainty: 'documented', text: 'No s-maxage, max-age or Expires: core gives default_ttl, {ttl} s.' },
    ttlStatus: {
      id: `${p}/ttl-status-uncacheable`,
      source: 'Varnish core TTL (cache_rfc2616.c)',
      url: RFC2616_C,
      certainty: 'documented',
      text: 'Status {status} gets no TTL from core (302/307 only with explicit freshness), so beresp.ttl is -1.',
    },
    graceDefault: { id: `${p}/grace-default`, source: 'Varnish parameter default_grace', url: PARAMS, certainty: 'documented', text: 'Grace is default_grace, {grace} s.' },
    graceSwr: { id: `${p}/grace-stale-while-revalidate`, source: 'Varnish core TTL (cache_rfc2616.c)', url: RFC2616_C, certainty: 'documented', text: 'stale-while-revalidate sets grace to {grace} s.' },
    customTtl: { id: `${p}/custom-ttl`, source: 'Custom vcl_backend_response (option backendResponse.ttl)', certainty: 'documented', text: 'Custom VCL sets beresp.ttl = {ttl} s.' },
    customGrace: { id: `${p}/custom-grace`, source: 'Custom vcl_backend_response (option backendResponse.grace)', certainty: 'documented', text: 'Custom VCL sets beresp.grace = {grace} s.' },
    customUnsetSetCookie: {
      id: `${p}/custom-unset-set-cookie`,
      source: 'Custom vcl_backend_response (option backendResponse.unsetSetCookie)',
      certainty: 'documented',
      text: 'Custom VCL unsets Set-Cookie: when the origin sends one, builtin no longer sees it and the body becomes cacheable.',
    },
    customUnsetVary: { id: `${p}/custom-unset-vary`, source: 'Custom vcl_backend_response (option backendResponse.unsetVary)', certainty: 'documented', text: 'Custom VCL unsets Vary: one object serves every request for the key.' },
    customUncacheable: {
      id: `${p}/custom-uncacheable`,
      source: 'Custom vcl_backend_response (option backendResponse.uncacheable)',
      certainty: 'documented',
      text: 'Custom VCL sets beresp.uncacheable: a hit-for-miss marker is stored instead of the object.',
    },
    customDeliver: {
      id: `${p}/custom-return-deliver`,
      source: `Custom vcl_backend_response returning deliver skips ${builtin}`,
      url,
      certainty: 'documented',
      text: 'Custom VCL returns deliver before builtin: its TTL, Set-Cookie, Cache-Control and Vary checks never run, so the object is stored.',
    },
    hfmTtl: { id: `${p}/hit-for-miss-ttl`, source: `${builtin} (vcl_beresp_stale)`, url, certainty: 'documented', text: 'beresp.ttl is {ttl} (≤ 0), so builtin marks hit-for-miss: nothing is stored.' },
    hfmSetCookie: { id: `${p}/hit-for-miss-set-cookie`, source: `${builtin} (vcl_beresp_cookie)`, url, certainty: 'documented', text: 'The response sets a cookie, so builtin marks hit-for-miss: nothing is stored.' },
    hfmSurrogateNoStore: {
      id: `${p}/hit-for-miss-surrogate-no-store`,
      source: `${builtin} (vcl_beresp_control)`,
      url,
      certainty: 'documented',
      text: 'Surrogate-Control contains no-store, so builtin marks hit-for-miss: nothing is stored.',
    },
    hfmCacheControl: {
      id: `${p}/hit-for-miss-cache-control`,
      source: `${builtin} (vcl_beresp_control)`,
      url,
      certainty: 'documented',
      text: 'Cache-Control contains {directive} and there is no Surrogate-Control, so builtin marks hit-for-miss: nothing is stored.',
    },
    hfmVaryStar: { id: `${p}/hit-for-miss-vary-star`, source: `${builtin} (vcl_beresp_vary)`, url, certainty: 'documented', text: 'Vary is "*", so builtin marks hit-for-miss: nothing is stored.' },
    surrogateMasksPrivate: {
      id: `${p}/surrogate-control-masks-cache-control`,
      source: `${builtin} (vcl_beresp_control)`,
      url,
      certainty: 'documented',
      text: 'A Surrogate-Control header is present, so builtin skips its Cache-Control no-cache/no-store/private test: {directive} does not stop storing.',
    },
    deliver: { id: `${p}/deliver`, source: `${builtin} (vcl_backend_response)`, url, certainty: 'documented', text: 'Builtin finds nothing uncacheable: the object is stored (TTL {ttl} s, grace {grace} s).' },
    markerTtl: {
      id: `${p}/hit-for-miss-lifetime`,
      source: p === 'varnish8' ? 'Varnish 8.0 parameter uncacheable_ttl' : 'Varnish 7.x builtin.vcl (vcl_beresp_hitmiss: 120 s)',
      url: p === 'varnish8' ? PARAMS : url,
      certainty: 'documented',
      text: 'The hit-for-miss marker lives {ttl} s; meanwhile requests for the key go to the origin and do not wait on each other.',
    },
    collapseShare: {
      id: `${p}/waiting-list-share`,
      source: 'Varnish waiting list (cache_hash.c)',
      url: WAITLIST_COMMIT,
      certainty: 'documented',
      text: 'Requests on the waiting list are woken and served the new object.',
    },
    collapseForward: {
      id: `${p}/waiting-list-hit-for-miss`,
      source: 'Varnish waiting list (commit 11c0367)',
      url: WAITLIST_COMMIT,
      certainty: 'documented',
      text: 'A hit-for-miss/pass object releases the waiting requests to fetch from the origin one each.',
    },
    collapseTtl0: p === 'varnish8'
      ? {
          id: `${p}/waiting-list-ttl0-share`,
          source: 'Varnish 8.0 changes (waiting list)',
          url: CHANGES_8,
          certainty: 'documented',
          text: 'Varnish 8.0 treats a new non-private object with ttl=0 and grace=0 as just revalidated: every waiting request receives it.',
        }
      : {
          id: `${p}/waiting-list-ttl0-serialize`,
          source: 'Varnish 7.x waiting list (commit 11c0367 message)',
          url: WAITLIST_COMMIT,
          certainty: 'documented',
          text: 'Varnish 7.x cannot serve an object with ttl=0 and grace=0 to rushed waiters: they re-queue and are served one at a time.',
        },
    hashIgnoreBusy: {
      id: `${p}/hash-ignore-busy`,
      source: 'Varnish req.hash_ignore_busy (vcl_recv)',
      url: 'https://varnish-cache.org/docs/trunk/reference/vcl-var.html#req-hash-ignore-busy',
      certainty: 'documented',
      text: 'vcl_recv sets req.hash_ignore_busy: the request does not wait for a fetch in progress, so nothing is handed to waiters.',
    },
    graceStale: { id: `${p}/grace`, source: 'Varnish grace (default_grace, stale-while-revalidate)', url: PARAMS, certainty: 'documented', text: 'Within {grace} s of grace the object is served stale while it is refreshed, or when the backend fails.' },
    noGrace: { id: `${p}/no-grace`, source: 'Varnish grace (default_grace)', url: PARAMS, certainty: 'documented', text: 'Grace is 0: the object is not served stale.' },
    noKeep: {
      id: `${p}/keep-zero`,
      source: 'Varnish parameter default_keep (0)',
      url: PARAMS,
      certainty: 'documented',
      text: 'With keep 0 an expired object is dropped rather than revalidated.',
    },
    varyNone: { id: `${p}/vary-none`, source: 'Varnish Vary support', url, certainty: 'documented', text: 'No Vary header: one object serves every request for the key.' },
    vary: { id: `${p}/vary`, source: 'Varnish Vary support', url, certainty: 'documented', text: 'Vary is honoured: stored variants are selected by {fields}.' },
    varyStar: { id: `${p}/vary-star-stored`, source: 'Varnish Vary support (our reading)', url, certainty: 'unverified', text: 'Vary: * on a stored object is taken as matching no later request.' },
  });
}

export const VARNISH7_RULES = varnishRules('varnish7');
export const VARNISH8_RULES = varnishRules('varnish8');
type Rules = typeof VARNISH7_RULES;

const DEFAULTS: VarnishOptions = {
  defaultTtl: 120,
  defaultGrace: 10,
  uncacheableTtl: 120,
  recv: 'builtin',
  stripRequestCookie: false,
  hashExtra: [],
};
type Opts = VarnishOptions & typeof DEFAULTS & { defaultTtl: number; defaultGrace: number; uncacheableTtl: number };

const RFC_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'TRACE', 'OPTIONS', 'DELETE', 'PATCH', 'CONNECT']);

/* ------------------------------------------------------------------ request */

/** Whether a builtin check still runs (not neutralised by an overridden hook subroutine). */
const on = (o: VarnishOptions, check: NonNullable<VarnishOptions['disabledBuiltinChecks']>[number]): boolean => !(o.disabledBuiltinChecks ?? []).includes(check);

function recvSteps(R: Rules): ReadonlyArray<Step<{ q: RequestCtx; o: Opts }, 'lookup' | 'pass'>> {
  return [
    { rule: R.recvCustomPass, when: ({ o }) => o.recv === 'pass', then: 'pass' },
    { rule: R.recvCustomHash, when: ({ o }) => o.recv === 'hash', then: 'lookup' },
    { rule: R.recvNonRfcMethod, when: ({ q }) => !RFC_METHODS.has(q.method), then: 'pass' },
    { rule: R.recvPassMethod, when: ({ q }) => !isGetOrHead(q), then: 'pass' },
    { rule: R.recvPassAuthorization, when: ({ q, o }) => on(o, 'req-authorization') && header(q.headers, 'authorization') !== undefined, then: 'pass' },
    { rule: R.recvPassCookie, when: ({ q, o }) => on(o, 'req-cookie') && !o.stripRequestCookie && header(q.headers, 'cookie') !== undefined, then: 'pass' },
    { rule: R.recvLookup, when: () => true, then: 'lookup' },
  ];
}

function varnishRequest(R: Rules, q: RequestCtx, o: Opts): RequestDecision {
  const seen: RequestCtx = o.stripRequestCookie ? { ...q, cookies: new Map() } : q;
  const decided = firstMatch(recvSteps(R), { q: seen, o }, { method: q.method });
  const reasons = [decided.reason];
  if (o.stripRequestCookie && header(q.headers, 'cookie') !== undefined) reasons.push(stamp(R.recvStripCookie));
  const extra = o.hashExtra ?? [];
  const key = buildKey([
    { name: 'url', value: q.requestUri, identity: false },
    { name: 'host', value: q.host, identity: false },
    ...extraKeyParts(seen, extra),
  ]);
  const keyReasons = extra.length > 0 ? [stamp(R.keyExtra, { inputs: extra.join(', ') }), stamp(R.keyUrlHost)] : [stamp(R.keyUrlHost)];
  return { action: answer(decided.value, reasons), key: answer(key, keyReasons) };
}

/* ------------------------------------------------------------------ response */

const CORE_STATUSES = new Set([200, 203, 204, 300, 301, 304, 404, 410, 414]);

interface Beresp {
  ttl: number;
  grace: number;
  setCookie: boolean;
  vary: string[];
  uncacheable: boolean;
  reasons: { ttl: Reason; grace: Reason };
}

/** cache_rfc2616.c: s-maxage → max-age → Expires (relative to Date) → default_ttl; -1 for other statuses. */
function coreTtl(R: Rules, x: Exchange, o: Opts): Decided<number> {
  const { s } = x;
  const explicitOnly = s.status === 302 || s.status === 307;
  if (!CORE_STATUSES.has(s.status) && !explicitOnly) return { value: -1, reason: stamp(R.ttlStatus, { status: s.status }) };
  const l = explicitLifetime(s.cc, s, ['s-maxage', 'max-age']);
  if (l) {
    const ttl = remaining(l.seconds, s);
    return { value: ttl, reason: stamp(l.from === 's-maxage' ? R.ttlSMaxage : R.ttlMaxAge, { ttl }) };
  }
  const rawExpires = header(s.headers, 'expires');
  const expires = parseHttpDate(rawExpires);
  if (expires !== undefined) {
    const base = s.date ?? s.receivedAt;
    const ttl = expires < base ? 0 : remaining(Math.floor((expires - base) / 1000), s);
    return { value: ttl, reason: stamp(R.ttlExpires, { ttl }) };
  }
  if (explicitOnly) return { value: -1, reason: stamp(R.ttlStatus, { status: s.status }) };
  if (rawExpires !== undefined) return { value: o.defaultTtl, reason: stamp(R.ttlExpiresInvalid, { ttl: o.defaultTtl }) };
  return { value: o.defaultTtl, reason: stamp(R.ttlDefault, { ttl: o.defaultTtl }) };
}

function coreGrace(R: Rules, x: Exchange, o: Opts): Decided<number> {
  const swr = staleExtensions(x.s.cc).whileRevalidate;
  if (swr > 0) return { value: swr, reason: stamp(R.graceSwr, { grace: swr }) };
  return { value: o.defaultGrace, reason: stamp(R.graceDefault, { grace: o.defaultGrace }) };
}

/** Custom vcl_backend_response, which runs before builtin. */
function customVcl(R: Rules, x: Exchange, o: Opts, notes: Reason[]): Beresp {
  const t = coreTtl(R, x, o);
  const g = coreGrace(R, x, o);
  const b: Beresp = { ttl: t.value, grace: g.value, setCookie: x.s.setCookie, vary: x.s.vary, uncacheable: false, reasons: { ttl: t.reason, grace: g.reason } };
  const br = o.backendResponse ?? {};
  if (br.ttl !== undefined) b.reasons.ttl = stamp(R.customTtl, { ttl: (b.ttl = br.ttl) });
  if (br.grace !== undefined) b.reasons.grace = stamp(R.customGrace, { grace: (b.grace = br.grace) });
  // A reader that evaluated the VCL may already have removed the header from the response: the note stands either way.
  if (br.unsetSetCookie) {
    b.setCookie = false;
    notes.push(stamp(R.customUnsetSetCookie));
  }
  if (br.unsetVary) {
    b.vary = [];
    notes.push(stamp(R.customUnsetVary));
  }
  if (br.uncacheable) b.uncacheable = true;
  return b;
}

interface BuiltinCtx {
  b: Beresp;
  x: Exchange;
  o: Opts;
}

/** builtin vcl_backend_response: the first check that marks hit-for-miss, else deliver. */
function builtinSteps(R: Rules): ReadonlyArray<Step<BuiltinCtx, boolean>> {
  const ccMatch = (c: BuiltinCtx): string | undefined => /no-cache|no-store|private/i.exec(c.x.s.cc.raw)?.[0]?.toLowerCase();
  const hasSc = (c: BuiltinCtx): boolean => header(c.x.s.headers, 'surrogate-control') !== undefined;
  return [
    { rule: R.customUncacheable, when: (c) => c.b.uncacheable, then: true },
    { rule: R.hfmTtl, when: (c) => on(c.o, 'beresp-stale') && c.b.ttl <= 0, then: true, vars: (c) => ({ ttl: c.b.ttl }) },
    { rule: R.hfmSetCookie, when: (c) => on(c.o, 'beresp-cookie') && c.b.setCookie, then: true },
    { rule: R.hfmSurrogateNoStore, when: (c) => on(c.o, 'beresp-control') && /no-store/i.test(header(c.x.s.headers, 'surrogate-control') ?? ''), then: true },
    { rule: R.hfmCacheControl, when: (c) => on(c.o, 'beresp-control') && !hasSc(c) && ccMatch(c) !== undefined, then: true, vars: (c) => ({ directive: ccMatch(c) }) },
    { rule: R.hfmVaryStar, when: (c) => on(c.o, 'beresp-vary') && c.b.vary.length === 1 && c.b.vary[0] === '*', then: true },
    { rule: R.deliver, when: () => true, then: false, vars: (c) => ({ ttl: Math.max(0, c.b.ttl), grace: c.b.grace }) },
  ];
}

function varnishResponse(id: VarnishId, R: Rules, x: Exchange, o: Opts): ProfileFetch {
  const notes: Reason[] = [];
  const b = customVcl(R, x, o, notes);
  const skip = o.backendResponse?.skipBuiltin === true;
  const decided: Decided<boolean> = skip
    ? { value: b.uncacheable, reason: stamp(b.uncacheable ? R.customUncacheable : R.customDeliver) }
    : firstMatch(builtinSteps(R), { b, x, o });
  const masked = /no-cache|no-store|private/i.exec(x.s.cc.raw)?.[0];
  if (!skip && !decided.value && masked && surrogateControl(x.s).present) notes.push(stamp(R.surrogateMasksPrivate, { directive: masked.toLowerCase() }));

  if (decided.value) {
    const byBuiltin = !(skip || decided.reason.rule === R.customUncacheable.id);
    const markerTtl = byBuiltin ? o.uncacheableTtl : Math.max(0, b.ttl);
    const why = [decided.reason, ...notes];
    return {
      store: answer('hit-for-miss', why),
      ttl: answer(markerTtl, [stamp(R.markerTtl, { ttl: markerTtl }), decided.reason]),
      stale: answer({ whileRevalidate: 0, ifError: 0, whileUpdating: false }, [decided.reason]),
      collapse: answer('forward', [stamp(R.collapseForward), decided.reason]),
      varyOn: answer([], [decided.reason]),
    };
  }

  const ttl = Math.max(0, b.ttl);
  const ttl0 = ttl === 0 && b.grace <= 0;
  const collapse: CollapseValue = ttl0 && id === 'varnish7' ? 'serialize' : 'share';
  const fetch: ProfileFetch = {
    store: answer('store', [decided.reason, b.reasons.ttl, ...notes]),
    ttl: answer(ttl, [b.reasons.ttl]),
    stale: b.grace > 0
      ? answer({ whileRevalidate: b.grace, ifError: b.grace, whileUpdating: false }, [stamp(R.graceStale, { grace: b.grace }), b.reasons.grace])
      : answer({ whileRevalidate: 0, ifError: 0, whileUpdating: false }, [stamp(R.noGrace), b.reasons.grace]),
    collapse: o.hashIgnoreBusy
      ? answer<CollapseValue>('none', [stamp(R.hashIgnoreBusy)])
      : answer(collapse, [stamp(ttl0 ? R.collapseTtl0 : R.collapseShare), b.reasons.ttl]),
    varyOn: honouredVary({ ...x.s, vary: b.vary }, { none: R.varyNone, vary: R.vary, star: R.varyStar }),
  };
  if (ttl0) fetch.noRevalidation = stamp(R.noKeep);
  return fetch;
}

/**
 * What Varnish core computes before any VCL runs (`beresp.ttl` and `beresp.grace` on entry to
 * vcl_backend_response), for readers that evaluate custom VCL themselves. TTL -1 for statuses core
 * does not cache.
 */
export function varnishCoreTimes(req: HttpRequestInfo, res: HttpResponseInfo, options: Pick<VarnishOptions, 'defaultTtl' | 'defaultGrace'> = {}, now?: number): { ttl: number; grace: number } {
  const o = { ...DEFAULTS, ...options } as Opts;
  const x = exchange(req, res, undefined, now);
  return { ttl: coreTtl(VARNISH7_RULES, x, o).value, grace: coreGrace(VARNISH7_RULES, x, o).value };
}

const OPTION_DOCS = [
  { name: 'defaultTtl', default: '120', meaning: 'default_ttl: core TTL when the response has no s-maxage, max-age or Expires.' },
  { name: 'defaultGrace', default: '10', meaning: 'default_grace: seconds an expired object may be served while it is refreshed.' },
  { name: 'uncacheableTtl', default: '120', meaning: 'Lifetime of hit-for-miss markers (uncacheable_ttl in 8.0; 120 s in 7.x builtin).' },
  { name: 'recv', default: "'builtin'", meaning: "Custom vcl_recv: 'hash' (skip builtin's Cookie/Authorization pass), 'pass', or 'builtin'." },
  { name: 'stripRequestCookie', default: 'false', meaning: 'Custom vcl_recv unsets req.http.Cookie before lookup.' },
  { name: 'hashExtra', default: '[]', meaning: 'Extra vcl_hash inputs: header names or cookie:<name>.' },
  { name: 'hashIgnoreBusy', default: '(none)', meaning: 'req.hash_ignore_busy set in vcl_recv: no waiting list, no collapsing.' },
  { name: 'disabledBuiltinChecks', default: '(none)', meaning: 'Builtin checks neutralised by an overridden hook sub (req-cookie, req-authorization, beresp-stale, beresp-cookie, beresp-control, beresp-vary).' },
  { name: 'backendResponse', default: '(none)', meaning: 'Custom vcl_backend_response: ttl, grace, skipBuiltin (early return(deliver)), unsetSetCookie, unsetVary, uncacheable.' },
] as const;

function makeProfile<P extends VarnishId>(id: P, R: Rules, summary: string): ProfileModule<P> {
  const resolve = (o: VarnishOptions): Opts => ({ ...DEFAULTS, ...o }) as Opts;
  return {
    id,
    title: id === 'varnish7' ? 'Varnish Cache 7.x (builtin.vcl)' : 'Varnish Cache 8.0 (builtin.vcl)',
    summary,
    defaults: DEFAULTS as ProfileOptionsMap[P],
    options: OPTION_DOCS,
    rules: Object.values(R),
    request: (q, o) => varnishRequest(R, q, resolve(o)),
    response: (x, o) => varnishResponse(id, R, x, resolve(o)),
  };
}

export const varnish7Profile = makeProfile(
  'varnish7',
  VARNISH7_RULES,
  'Varnish 7.x with builtin.vcl: passes requests with Cookie or Authorization, marks hit-for-miss on Set-Cookie, no-cache/no-store/private (unless any Surrogate-Control is present), TTL ≤ 0 and Vary: *. Objects with ttl=0 and grace=0 (only reachable with custom VCL) are not handed to waiters, which are served one at a time.',
);
export const varnish8Profile = makeProfile(
  'varnish8',
  VARNISH8_RULES,
  'Varnish 8.0 with builtin.vcl: the same builtin as 7.x, but the waiting list now hands a new non-private object with ttl=0 and grace=0 to every waiting request — Mercari semantics for any custom VCL that returns early or sets ttl=0 to "honour" no-cache.',
);
