/**
 * RFC 9111 for a shared cache: the rule table every profile borrows, the classifier behind
 * `rfcClass` (research note probing.md d.1–d.4), and the `rfc9111` profile itself: a compliant
 * shared cache that honours `CDN-Cache-Control` (RFC 9213) and collapses only reusable responses.
 */
import { hasDirective, parseCacheControl, qualifiedFields, type CacheControl } from './cache-control.ts';
import { buildKey, type Exchange, type RequestCtx, type ResponseCtx } from './exchange.ts';
import { explicitLifetime, heuristicLifetime, remaining, staleExtensions, type Lifetime, type LifetimeSource } from './freshness.ts';
import { header, headerLines } from './headers.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { answer, defineRules, stamp } from './rules.ts';
import type { Answer, Reason, RequestDecision, Rfc9111Options, RfcClass, StaleAllowance } from './types.ts';

const RFC = 'https://www.rfc-editor.org/rfc/rfc9111';
const at = (section: string): string => `${RFC}#section-${section}`;

export const RFC9111_RULES = defineRules('rfc9111', {
  requestLookup: {
    id: 'rfc9111/request-lookup',
    source: 'RFC 9111 §4',
    url: at('4'),
    certainty: 'documented',
    text: '{method} is looked up by its target URI; Cookie and Authorization on the request do not change the lookup.',
  },
  requestPassMethod: {
    id: 'rfc9111/request-pass-method',
    source: 'RFC 9111 §4',
    url: at('4'),
    certainty: 'documented',
    text: 'This model reuses stored responses only for GET and HEAD, so {method} goes to the origin.',
  },
  keyUri: {
    id: 'rfc9111/key-uri',
    source: 'RFC 9111 §2',
    url: at('2'),
    certainty: 'documented',
    text: 'The primary cache key is the target URI; nothing about the requester is in it.',
  },
  targetedField: {
    id: 'rfc9111/targeted-field',
    source: 'RFC 9213 §2.2',
    url: 'https://www.rfc-editor.org/rfc/rfc9213#section-2.2',
    certainty: 'documented',
    text: '{field} is present, so a CDN cache follows it and ignores Cache-Control and Expires.',
  },
  methodNotUnderstood: {
    id: 'rfc9111/method-not-understood',
    source: 'RFC 9111 §3',
    url: at('3'),
    certainty: 'documented',
    text: 'The response to {method} is not stored: only GET and HEAD responses are modelled as storable.',
  },
  statusNotFinal: {
    id: 'rfc9111/status-not-final',
    source: 'RFC 9111 §3',
    url: at('3'),
    certainty: 'documented',
    text: 'Status {status} is not a final response, so it cannot be stored.',
  },
  statusNotUnderstood: {
    id: 'rfc9111/status-not-understood',
    source: 'RFC 9111 §3, §3.3, §3.4',
    url: at('3'),
    certainty: 'documented',
    text: 'Status {status} only updates or completes a stored response, which this model does not do, so it is not stored on its own.',
  },
  mustUnderstand: {
    id: 'rfc9111/must-understand',
    source: 'RFC 9111 §5.2.2.3',
    url: at('5.2.2.3'),
    certainty: 'documented',
    text: 'must-understand with a status the cache understands ({status}) lets it ignore no-store.',
  },
  noStore: {
    id: 'rfc9111/no-store',
    source: 'RFC 9111 §5.2.2.5',
    url: at('5.2.2.5'),
    certainty: 'documented',
    text: 'no-store: no cache may store any part of this response.',
  },
  private: {
    id: 'rfc9111/private',
    source: 'RFC 9111 §5.2.2.7',
    url: at('5.2.2.7'),
    certainty: 'documented',
    text: 'Unqualified private: a shared cache must not store this response.',
  },
  privateQualified: {
    id: 'rfc9111/private-qualified',
    source: 'RFC 9111 §5.2.2.7',
    url: at('5.2.2.7'),
    certainty: 'documented',
    text: 'private="{fields}" only keeps those fields out of a shared cache; the rest may be stored and reused.',
  },
  authorization: {
    id: 'rfc9111/authorization',
    source: 'RFC 9111 §3.5',
    url: at('3.5'),
    certainty: 'documented',
    text: 'The request carried Authorization and the response has none of public, s-maxage or must-revalidate, so a shared cache must not store it.',
  },
  authorizationAllowed: {
    id: 'rfc9111/authorization-allowed',
    source: 'RFC 9111 §3.5',
    url: at('3.5'),
    certainty: 'documented',
    text: 'The request carried Authorization, but {directive} explicitly lets a shared cache store the response.',
  },
  basisSMaxage: {
    id: 'rfc9111/storable-s-maxage',
    source: 'RFC 9111 §3, §5.2.2.10',
    url: at('3'),
    certainty: 'documented',
    text: 'Storable: s-maxage gives an explicit lifetime for shared caches.',
  },
  basisMaxAge: {
    id: 'rfc9111/storable-max-age',
    source: 'RFC 9111 §3, §5.2.2.1',
    url: at('3'),
    certainty: 'documented',
    text: 'Storable: the response has max-age.',
  },
  basisExpires: {
    id: 'rfc9111/storable-expires',
    source: 'RFC 9111 §3',
    url: at('3'),
    certainty: 'documented',
    text: 'Storable: the response has an Expires field, and an Expires in the past or an invalid one still counts.',
  },
  basisPublic: {
    id: 'rfc9111/storable-public',
    source: 'RFC 9111 §3, §5.2.2.9',
    url: at('5.2.2.9'),
    certainty: 'documented',
    text: 'Storable: public marks the response cacheable even without explicit freshness.',
  },
  basisHeuristicStatus: {
    id: 'rfc9111/storable-heuristic-status',
    source: 'RFC 9111 §3, §4.2.2; RFC 9110 §15.1',
    url: at('4.2.2'),
    certainty: 'documented',
    text: 'Storable: status {status} is heuristically cacheable, so no caching header is needed.',
  },
  noBasis: {
    id: 'rfc9111/no-basis-to-store',
    source: 'RFC 9111 §3',
    url: at('3'),
    certainty: 'documented',
    text: 'Not storable: no public, max-age, s-maxage or Expires, and status {status} is not heuristically cacheable.',
  },
  noCache: {
    id: 'rfc9111/no-cache',
    source: 'RFC 9111 §5.2.2.4',
    url: at('5.2.2.4'),
    certainty: 'documented',
    text: 'no-cache does not forbid storing, but the stored response must not be reused without validating it with the origin.',
  },
  noCacheQualified: {
    id: 'rfc9111/no-cache-qualified',
    source: 'RFC 9111 §5.2.2.4',
    url: at('5.2.2.4'),
    certainty: 'documented',
    text: 'no-cache="{fields}" only requires validation before reusing those fields; many caches treat it as unqualified.',
  },
  fresh: {
    id: 'rfc9111/fresh',
    source: 'RFC 9111 §4.2.1',
    url: at('4.2.1'),
    certainty: 'documented',
    text: 'Fresh: {from} gives {lifetime} s and the response is {age} s old, leaving {left} s of freshness.',
  },
  zeroLifetime: {
    id: 'rfc9111/zero-lifetime',
    source: 'RFC 9111 §4.2.1',
    url: at('4.2.1'),
    certainty: 'documented',
    text: '{from}=0 gives no freshness, so the response must be validated before any reuse.',
  },
  expiresPast: {
    id: 'rfc9111/expires-past',
    source: 'RFC 9111 §4.2, §5.3',
    url: at('5.3'),
    certainty: 'documented',
    text: 'Expires is not later than Date, so the response is stale on arrival and must be validated before reuse.',
  },
  expiresInvalid: {
    id: 'rfc9111/expires-invalid',
    source: 'RFC 9111 §5.3',
    url: at('5.3'),
    certainty: 'documented',
    text: 'Expires "{expires}" is not a valid date, which means already expired.',
  },
  freshnessInvalid: {
    id: 'rfc9111/freshness-invalid',
    source: 'RFC 9111 §4.2.1',
    url: at('4.2.1'),
    certainty: 'documented',
    text: '{from} has a malformed value; such a response is treated as stale.',
  },
  staleOnArrival: {
    id: 'rfc9111/stale-on-arrival',
    source: 'RFC 9111 §4.2',
    url: at('4.2'),
    certainty: 'documented',
    text: '{from} gives {lifetime} s but the response is already {age} s old, so it is stale and must be validated before reuse.',
  },
  heuristicClass: {
    id: 'rfc9111/heuristic',
    source: 'RFC 9111 §4.2.2',
    url: at('4.2.2'),
    certainty: 'documented',
    text: 'No explicit freshness: a cache may reuse the response for a heuristic lifetime of its choosing.',
  },
  heuristicTtl: {
    id: 'rfc9111/heuristic-lifetime',
    source: 'RFC 9111 §4.2.2',
    url: at('4.2.2'),
    certainty: 'documented',
    text: 'The heuristic gives {ttl} s ({how}).',
  },
  sMaxageOverMaxAge: {
    id: 'rfc9111/s-maxage-precedence',
    source: 'RFC 9111 §5.2.2.10',
    url: at('5.2.2.10'),
    certainty: 'documented',
    text: 's-maxage overrides max-age and Expires for a shared cache.',
  },
  maxAgeOverExpires: {
    id: 'rfc9111/max-age-precedence',
    source: 'RFC 9111 §5.3',
    url: at('5.3'),
    certainty: 'documented',
    text: 'max-age is present, so Expires is ignored.',
  },
  duplicateDirective: {
    id: 'rfc9111/duplicate-directive',
    source: 'RFC 9111 §4.2.1',
    url: at('4.2.1'),
    certainty: 'documented',
    text: '{name} occurs more than once; the first occurrence is used.',
  },
  mustRevalidate: {
    id: 'rfc9111/must-revalidate',
    source: 'RFC 9111 §5.2.2.2',
    url: at('5.2.2.2'),
    certainty: 'documented',
    text: 'must-revalidate: once stale, the response must not be served without successful validation.',
  },
  setCookie: {
    id: 'rfc9111/set-cookie',
    source: 'RFC 9111 §7.3',
    url: at('7.3'),
    certainty: 'documented',
    text: 'Set-Cookie does not stop a shared cache from storing and reusing the response.',
  },
  pragmaIgnored: {
    id: 'rfc9111/pragma-ignored',
    source: 'RFC 9111 §5.4',
    url: at('5.4'),
    certainty: 'documented',
    text: 'Pragma has no defined meaning in a response and does not replace Cache-Control: no-cache.',
  },
  varyStar: {
    id: 'rfc9111/vary-star',
    source: 'RFC 9111 §4.1',
    url: at('4.1'),
    certainty: 'documented',
    text: 'Vary: * never matches a later request, so the stored response is not reused.',
  },
  vary: {
    id: 'rfc9111/vary',
    source: 'RFC 9111 §4.1',
    url: at('4.1'),
    certainty: 'documented',
    text: 'A later request must match this one on {fields} to reuse the stored response.',
  },
  noVary: {
    id: 'rfc9111/no-vary',
    source: 'RFC 9111 §4.1',
    url: at('4.1'),
    certainty: 'documented',
    text: 'No Vary: every request for the URI matches the stored response.',
  },
  storeAllowed: {
    id: 'rfc9111/store-allowed',
    source: 'RFC 9111 §3',
    url: at('3'),
    certainty: 'documented',
    text: 'Every storage condition of §3 holds, so a shared cache may store the response.',
  },
  staleExtensions: {
    id: 'rfc9111/stale-extensions',
    source: 'RFC 5861 §3, §4',
    url: 'https://www.rfc-editor.org/rfc/rfc5861',
    certainty: 'documented',
    text: 'stale-while-revalidate={swr} and stale-if-error={sie} allow serving the response stale for that long.',
  },
  staleForbidden: {
    id: 'rfc9111/stale-forbidden',
    source: 'RFC 9111 §4.2.4',
    url: at('4.2.4'),
    certainty: 'documented',
    text: '{directive} forbids serving the response stale.',
  },
  staleNone: {
    id: 'rfc9111/stale-none',
    source: 'RFC 9111 §4.2.4',
    url: at('4.2.4'),
    certainty: 'documented',
    text: 'Nothing allows serving the response stale.',
  },
  collapseShare: {
    id: 'rfc9111/collapse-reusable',
    source: 'RFC 9111 §4',
    url: at('4'),
    certainty: 'documented',
    text: 'The response is fresh and reusable, so the cache may hand it to requests that waited for it.',
  },
  collapseNeedsReuse: {
    id: 'rfc9111/collapse-needs-reuse',
    source: 'RFC 9111 §4',
    url: at('4'),
    certainty: 'documented',
    text: 'RFC 9111 §4 lets one response satisfy several waiting requests only when it may be reused for them; as {cls} it may not, so a compliant cache forwards the waiters.',
  },
});

const R = RFC9111_RULES;

/** Heuristically cacheable status codes (RFC 9110 §15.1). */
export const HEURISTIC_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

export interface RfcReading {
  cls: Answer<RfcClass>;
  storable: boolean;
  /** Why the response is not storable (the §3 condition that failed). */
  refusal: Reason | undefined;
  /** Why it is storable (the §3 item 7 basis). */
  basis: Reason | undefined;
  /** Effective directives for a shared CDN cache: the targeted field if one applies, else Cache-Control. */
  cc: CacheControl;
  /** Name of the targeted field in use (`CDN-Cache-Control`), if any. */
  targeted: string | undefined;
  /** Unqualified no-cache: every reuse needs validation. */
  noCache: boolean;
  /** Explicit lifetime (s-maxage → max-age → Expires), when any. */
  lifetime: Lifetime | undefined;
  /** Explicit freshness left at `now`, seconds (0 when none). */
  fresh: number;
}

const SHARED_ORDER: readonly LifetimeSource[] = ['s-maxage', 'max-age', 'expires'];

function targetedDirectives(s: ResponseCtx): CacheControl | undefined {
  const lines = headerLines(s.headers, 'cdn-cache-control');
  if (lines.length === 0) return undefined;
  const cc = parseCacheControl(lines);
  return cc.list.length > 0 ? cc : undefined;
}

/** The first §3 condition that fails, if any; pushes notes for conditions that pass in a notable way. */
function refuseToStore(q: RequestCtx, s: ResponseCtx, cc: CacheControl, notes: Reason[]): Reason | undefined {
  const vars = { method: q.method, status: s.status };
  if (q.method !== 'GET' && q.method !== 'HEAD') return stamp(R.methodNotUnderstood, vars);
  if (s.status < 200) return stamp(R.statusNotFinal, vars);
  if (s.status === 206 || s.status === 304) return stamp(R.statusNotUnderstood, vars);
  if (hasDirective(cc, 'no-store')) {
    if (!hasDirective(cc, 'must-understand')) return stamp(R.noStore);
    notes.push(stamp(R.mustUnderstand, vars));
  }
  const priv = qualifiedFields(cc, 'private');
  if (priv !== undefined && priv.length === 0) return stamp(R.private);
  if (priv !== undefined) notes.push(stamp(R.privateQualified, { fields: priv.join(', ') }));
  if (header(q.headers, 'authorization') !== undefined) {
    const allowing = ['public', 's-maxage', 'must-revalidate'].find((d) => hasDirective(cc, d));
    if (allowing === undefined) return stamp(R.authorization);
    notes.push(stamp(R.authorizationAllowed, { directive: allowing }));
  }
  return undefined;
}

/** §3 item 7: what allows storing at all. */
function storageBasis(s: ResponseCtx, cc: CacheControl, useExpires: boolean): Reason | undefined {
  if (hasDirective(cc, 's-maxage')) return stamp(R.basisSMaxage);
  if (hasDirective(cc, 'max-age')) return stamp(R.basisMaxAge);
  if (useExpires && header(s.headers, 'expires') !== undefined) return stamp(R.basisExpires);
  if (hasDirective(cc, 'public')) return stamp(R.basisPublic);
  if (HEURISTIC_STATUSES.has(s.status)) return stamp(R.basisHeuristicStatus, { status: s.status });
  return undefined;
}

function modifiers(s: ResponseCtx, cc: CacheControl, useExpires: boolean): Reason[] {
  const notes: Reason[] = [];
  for (const name of cc.duplicates) notes.push(stamp(R.duplicateDirective, { name }));
  if (hasDirective(cc, 's-maxage') && (hasDirective(cc, 'max-age') || (useExpires && header(s.headers, 'expires') !== undefined))) {
    notes.push(stamp(R.sMaxageOverMaxAge));
  } else if (hasDirective(cc, 'max-age') && useExpires && header(s.headers, 'expires') !== undefined) {
    notes.push(stamp(R.maxAgeOverExpires));
  }
  const ncFields = qualifiedFields(cc, 'no-cache');
  if (ncFields !== undefined && ncFields.length > 0) notes.push(stamp(R.noCacheQualified, { fields: ncFields.join(', ') }));
  if (s.setCookie) notes.push(stamp(R.setCookie));
  if (header(s.headers, 'pragma') !== undefined) notes.push(stamp(R.pragmaIgnored));
  if (s.vary.includes('*')) notes.push(stamp(R.varyStar));
  return notes;
}

/** The reason an explicit lifetime leaves nothing fresh, or undefined when it is fresh. */
function staleReason(l: Lifetime, s: ResponseCtx, left: number): Reason | undefined {
  if (l.invalid) {
    return l.from === 'expires' ? stamp(R.expiresInvalid, { expires: header(s.headers, 'expires') ?? '' }) : stamp(R.freshnessInvalid, { from: l.from });
  }
  if (l.seconds === 0) return l.from === 'expires' ? stamp(R.expiresPast) : stamp(R.zeroLifetime, { from: l.from });
  if (left <= 0) return stamp(R.staleOnArrival, { from: l.from, lifetime: l.seconds, age: l.seconds - left });
  return undefined;
}

/** Classifies a response for a shared cache (probing.md d.4), after the targeted field. */
export function readRfc(x: Exchange): RfcReading {
  const { q, s } = x;
  const targetedCc = targetedDirectives(s);
  const cc = targetedCc ?? s.cc;
  const useExpires = targetedCc === undefined;
  const targeted = targetedCc ? 'CDN-Cache-Control' : undefined;
  const notes: Reason[] = targeted ? [stamp(R.targetedField, { field: targeted })] : [];
  const base = { cc, targeted, lifetime: undefined, fresh: 0, noCache: false };

  const refusal = refuseToStore(q, s, cc, notes);
  const basis = refusal ? undefined : storageBasis(s, cc, useExpires);
  const modifierNotes = modifiers(s, cc, useExpires);
  if (refusal || !basis) {
    const why = refusal ?? stamp(R.noBasis, { status: s.status });
    return { ...base, cls: answer('NOT_STORABLE', [why, ...notes, ...modifierNotes]), storable: false, refusal: why, basis: undefined };
  }

  const lifetime = explicitLifetime(cc, s, useExpires ? SHARED_ORDER : ['s-maxage', 'max-age']);
  const fresh = lifetime && !lifetime.invalid ? remaining(lifetime.seconds, s) : 0;
  const noCache = qualifiedFields(cc, 'no-cache')?.length === 0;
  const mustRevalidate = hasDirective(cc, 'must-revalidate') ? [stamp(R.mustRevalidate)] : [];
  const rest = [basis, ...notes, ...modifierNotes];
  const result = { ...base, storable: true, refusal: undefined, basis, lifetime, fresh, noCache };

  if (noCache) return { ...result, cls: answer('STORABLE_REVALIDATE', [stamp(R.noCache), ...rest]) };
  if (lifetime) {
    const stale = staleReason(lifetime, s, fresh);
    if (stale) return { ...result, cls: answer('STORABLE_REVALIDATE', [stale, ...mustRevalidate, ...rest]) };
    const age = lifetime.seconds - fresh;
    return { ...result, cls: answer('STORABLE_FRESH', [stamp(R.fresh, { from: lifetime.from, lifetime: lifetime.seconds, age, left: fresh }), ...rest]) };
  }
  return { ...result, cls: answer('STORABLE_HEURISTIC', [stamp(R.heuristicClass), ...rest]) };
}

/* ------------------------------------------------------------------ the rfc9111 profile */

const DEFAULTS: Required<Rfc9111Options> = { heuristicFraction: 0.1, heuristicDefault: 0 };

function rfcRequest(q: RequestCtx): RequestDecision {
  const lookup = q.method === 'GET' || q.method === 'HEAD';
  const action = answer<'lookup' | 'pass'>(lookup ? 'lookup' : 'pass', [stamp(lookup ? R.requestLookup : R.requestPassMethod, { method: q.method })]);
  const key = buildKey(
    [
      { name: 'scheme', value: q.scheme, identity: false },
      { name: 'host', value: q.host, identity: false },
      { name: 'uri', value: q.requestUri, identity: false },
    ],
    ([scheme, host, uri]) => `${scheme}://${host}${uri}`,
  );
  return { action, key: answer(key, [stamp(R.keyUri)]) };
}

function rfcTtl(rfc: RfcReading, s: ResponseCtx, o: Required<Rfc9111Options>): Answer<number> {
  const cls = rfc.cls.value;
  if (cls === 'NOT_STORABLE' || cls === 'STORABLE_REVALIDATE') return answer(0, rfc.cls.reasons.slice(0, 1));
  if (cls === 'STORABLE_FRESH') return answer(rfc.fresh, rfc.cls.reasons.slice(0, 1));
  const h = heuristicLifetime(s, o.heuristicFraction, o.heuristicDefault);
  const ttl = remaining(h.seconds, s);
  const how = h.fromLastModified
    ? `${Math.round(o.heuristicFraction * 100)}% of the time since Last-Modified`
    : 'no Last-Modified, so the configured default';
  return answer(ttl, [stamp(R.heuristicTtl, { ttl, how }), rfc.cls.reasons[0]!]);
}

/** RFC 9111 §4.2.4 with the RFC 5861 extensions: what may be served stale. */
export function rfcStale(rfc: RfcReading): Answer<StaleAllowance> {
  if (!rfc.storable) return answer(NO_STALE, [rfc.refusal!]);
  const forbidding = ['no-cache', 'must-revalidate', 'proxy-revalidate', 's-maxage'].find((d) => hasDirective(rfc.cc, d));
  if (forbidding) return answer(NO_STALE, [stamp(R.staleForbidden, { directive: forbidding })]);
  const ext = staleExtensions(rfc.cc);
  if (ext.whileRevalidate === 0 && ext.ifError === 0) return answer(NO_STALE, [stamp(R.staleNone)]);
  return answer(
    { ...ext, whileUpdating: false },
    [stamp(R.staleExtensions, { swr: ext.whileRevalidate, sie: ext.ifError })],
  );
}

/** Vary as RFC 9111 §4.1 reads it. */
export function rfcVary(s: ResponseCtx): Answer<string[]> {
  if (s.vary.length === 0) return answer([], [stamp(R.noVary)]);
  if (s.vary.includes('*')) return answer(['*'], [stamp(R.varyStar)]);
  return answer([...s.vary], [stamp(R.vary, { fields: s.vary.join(', ') })]);
}

function rfcResponse(x: Exchange, o: Required<Rfc9111Options>, rfc: RfcReading): ProfileFetch {
  const store = rfc.storable
    ? answer('store' as const, [stamp(R.storeAllowed), rfc.basis!, ...rfc.cls.reasons.slice(0, 1)])
    : answer('no-store' as const, rfc.cls.reasons);
  const ttl = rfcTtl(rfc, x.s, o);
  const collapse = x.s.vary.includes('*')
    ? answer('forward' as const, [stamp(R.varyStar)])
    : ttl.value > 0
      ? answer('share' as const, [stamp(R.collapseShare)])
      : answer('forward' as const, [stamp(R.collapseNeedsReuse, { cls: rfc.cls.value }), rfc.cls.reasons[0]!]);
  const fetch: ProfileFetch = { store, ttl, stale: rfcStale(rfc), collapse, varyOn: rfcVary(x.s) };
  if (rfc.noCache) fetch.validateBeforeReuse = stamp(R.noCache);
  return fetch;
}

export const rfc9111Profile: ProfileModule<'rfc9111'> = {
  id: 'rfc9111',
  title: 'RFC 9111 shared cache',
  summary:
    'A shared cache that follows RFC 9111 to the letter: honours CDN-Cache-Control (RFC 9213), stores only what §3 allows, reuses only fresh or validated responses, and hands a response to waiting requests only when it could reuse it for them (§4). The baseline every vendor profile is compared with.',
  defaults: DEFAULTS,
  options: [
    { name: 'heuristicFraction', default: '0.1', meaning: 'Heuristic freshness as a fraction of (Date − Last-Modified), RFC 9111 §4.2.2.' },
    { name: 'heuristicDefault', default: '0', meaning: 'Heuristic freshness in seconds when there is no Last-Modified.' },
  ],
  rules: Object.values(RFC9111_RULES),
  request: (q) => rfcRequest(q),
  response: (x, o, rfc) => rfcResponse(x, { ...DEFAULTS, ...o }, rfc),
};
