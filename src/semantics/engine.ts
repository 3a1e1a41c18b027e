/**
 * The shared engine: runs a profile, adds the RFC 9111 class and contrast, and derives the two
 * answers no vendor documents directly — whether a *later* request from someone else can get the
 * stored object (`reuse`), and the bottom line `sharedAcrossIdentities`.
 */
import { exchange, isIdentityInput, requestCtx, type Exchange, type IdentityModel } from './exchange.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { RFC9111_RULES, readRfc, type RfcReading } from './rfc9111.ts';
import { answer, defineRules, stamp, weakest, type RuleEntry } from './rules.ts';
import type {
  Answer,
  CollapseValue,
  HttpRequestInfo,
  HttpResponseInfo,
  ProfileId,
  ProfileOptionsMap,
  ProfileSpec,
  Reason,
  RequestDecision,
  ResponseDecision,
  ReuseValue,
  Verdict,
} from './types.ts';

const DERIVATION = 'cachewarden derivation (RFC 9111 §4 reuse conditions applied to this profile\'s answers)';
const RFC4 = 'https://www.rfc-editor.org/rfc/rfc9111#section-4';

/**
 * Rules every profile shares because they follow from its other answers. Their ids carry the
 * profile's prefix (`fastly/reuse-fresh`) so a reason always names the profile that produced it.
 */
export function derivedRules(profile: ProfileId) {
  const r = (name: string, text: string): RuleEntry => ({ id: `${profile}/${name}`, source: DERIVATION, url: RFC4, certainty: 'documented', text });
  return defineRules(profile, {
    afterPass: r('response-after-pass', 'The request was not looked up, so its response is not stored and no other request waited on it.'),
    notWaiting: r('not-waiting', 'The request skipped the cache lookup, so no other request waited on its fetch.'),
    reuseNothingStored: r('reuse-nothing-stored', 'Nothing reusable was stored ({store}), so later requests cannot receive this response.'),
    reuseKeyIdentity: r('reuse-key-has-identity', 'The cache key contains the requester\'s identity ({parts}), so a different requester looks up a different object.'),
    reuseVaryIdentity: r('reuse-vary-on-identity', 'Stored variants are selected by {fields}, which carry identity, so a different requester does not match.'),
    reuseVaryStar: r('reuse-vary-star', 'Vary: * as honoured here matches no later request, so the object is not reused.'),
    reuseValidate: r('reuse-after-validation', 'Later requests receive the stored object only after the origin validates it (304); a correct origin does not validate it for another user.'),
    reuseFresh: r('reuse-fresh', 'Stored with {ttl} s of freshness under a key without identity: later requests from anyone receive it.'),
    reuseGone: r('reuse-expired-on-arrival', 'Stored without freshness and nothing to revalidate against, so later requests fetch a new response.'),
    reuseStale: r('reuse-stale', 'Stored without freshness but servable stale ({how}), so later requests from anyone can receive it.'),
    sharedPassed: r('shared-no-passed', 'Not shared: the request bypassed the cache entirely.'),
    sharedKey: r('shared-no-key-identity', 'Not shared: the cache key separates requesters by identity.'),
    sharedVary: r('shared-no-vary-identity', 'Not shared: Vary on an identity-bearing header (or Vary: *) keeps requesters apart.'),
    sharedYes: r('shared-yes', 'Shared: a later request from a different requester receives this stored response.'),
    sharedCollapsing: r('shared-collapsing-only', 'Shared with concurrent requests only: requests that wait on this fetch receive it, later ones do not.'),
    sharedNo: r('shared-no', 'Not shared: it is neither reused for later requests nor handed to waiting requests.'),
  });
}

type Derived = ReturnType<typeof derivedRules>;
const derivedCache = new Map<ProfileId, Derived>();
function derived(profile: ProfileId): Derived {
  let d = derivedCache.get(profile);
  if (!d) derivedCache.set(profile, (d = derivedRules(profile)));
  return d;
}

/* ------------------------------------------------------------------ registry plumbing */

export type ProfileRegistry = { [P in ProfileId]: ProfileModule<P> };

/** A profile's defaults overlaid with the caller's options (shallow). */
export function resolveOptions<P extends ProfileId>(m: ProfileModule<P>, options: ProfileOptionsMap[P] | undefined): ProfileOptionsMap[P] {
  return { ...m.defaults, ...(options ?? {}) };
}

function moduleFor(registry: ProfileRegistry, spec: ProfileSpec): ProfileModule<ProfileId> {
  const m = registry[spec.id] as ProfileModule<ProfileId> | undefined;
  if (!m) throw new RangeError(`unknown cache profile "${String(spec.id)}"`);
  return m;
}

export function runRequest(registry: ProfileRegistry, req: HttpRequestInfo, spec: ProfileSpec): RequestDecision {
  const m = moduleFor(registry, spec);
  return m.request(requestCtx(req, spec.identity), resolveOptions(m, spec.options as never));
}

/* ------------------------------------------------------------------ derivations */

const first = (a: Answer<unknown>): Reason => a.reasons[0]!;

/** Reason from a derived rule, as sure as the answers it was derived from. */
function derive(rule: RuleEntry, vars: Record<string, string | number>, from: readonly Reason[]): Reason {
  return stamp(rule, vars, weakest(from));
}

function afterPass(d: Derived, request: RequestDecision): ProfileFetch {
  const why = [stamp(d.afterPass), first(request.action)];
  return {
    store: answer('no-store', why),
    ttl: answer(0, why),
    stale: answer(NO_STALE, why),
    collapse: answer('none', why),
    varyOn: answer([], why),
  };
}

function identityVary(identity: IdentityModel, varyOn: readonly string[]): string[] {
  return varyOn.filter((f) => isIdentityInput(identity, f));
}

function deriveReuse(d: Derived, request: RequestDecision, f: ProfileFetch, identity: IdentityModel): Answer<ReuseValue> {
  if (f.store.value !== 'store') return answer('no', [derive(d.reuseNothingStored, { store: f.store.value }, [first(f.store)]), first(f.store)]);
  const key = request.key.value;
  if (key.includesIdentity) {
    const parts = key.parts.map((p) => p.name).join(', ');
    return answer('no', [derive(d.reuseKeyIdentity, { parts }, [first(request.key)]), first(request.key)]);
  }
  if (f.varyOn.value.includes('*')) return answer('no', [derive(d.reuseVaryStar, {}, [first(f.varyOn)]), first(f.varyOn)]);
  const idVary = identityVary(identity, f.varyOn.value);
  if (idVary.length > 0) {
    return answer('no', [derive(d.reuseVaryIdentity, { fields: idVary.join(', ') }, [first(f.varyOn)]), first(f.varyOn)]);
  }
  if (f.validateBeforeReuse) return answer('after-validation', [derive(d.reuseValidate, {}, [f.validateBeforeReuse]), f.validateBeforeReuse]);
  if (f.ttl.value > 0) return answer('yes', [derive(d.reuseFresh, { ttl: f.ttl.value }, [first(f.ttl)]), first(f.ttl)]);
  const st = f.stale.value;
  if (st.whileRevalidate > 0 || st.whileUpdating) {
    const how = st.whileUpdating ? 'while another request updates it' : `${st.whileRevalidate} s while it is revalidated`;
    return answer('yes', [derive(d.reuseStale, { how }, [first(f.stale)]), first(f.stale)]);
  }
  if (f.noRevalidation) return answer('no', [derive(d.reuseGone, {}, [f.noRevalidation]), f.noRevalidation]);
  return answer('after-validation', [derive(d.reuseValidate, {}, [first(f.ttl)]), first(f.ttl)]);
}

function deriveShared(
  d: Derived,
  request: RequestDecision,
  response: ResponseDecision,
  identity: IdentityModel,
): Answer<'yes' | 'collapsing-only' | 'no'> {
  const { action, key } = request;
  if (action.value === 'pass') return answer('no', [derive(d.sharedPassed, {}, [first(action)]), first(action)]);
  if (key.value.includesIdentity) return answer('no', [derive(d.sharedKey, {}, [first(key)]), first(key)]);
  const vary = response.varyOn.value;
  if (response.store.value === 'store' && (vary.includes('*') || identityVary(identity, vary).length > 0)) {
    return answer('no', [derive(d.sharedVary, {}, [first(response.varyOn)]), first(response.varyOn)]);
  }
  if (response.reuse.value === 'yes') {
    const bypassed = action.value === 'bypass' ? [first(action)] : [];
    return answer('yes', [derive(d.sharedYes, {}, response.reuse.reasons), ...bypassed, ...response.reuse.reasons]);
  }
  if (response.collapse.value === 'share') {
    const why = [...response.collapse.reasons, first(response.reuse)];
    return answer('collapsing-only', [derive(d.sharedCollapsing, {}, response.collapse.reasons), ...why]);
  }
  const why = [first(response.store), first(response.collapse), first(response.reuse)];
  return answer('no', [derive(d.sharedNo, {}, why), ...why]);
}

/** Vendor answers that RFC 9111 would not give get the RFC reason appended as a contrast. */
function withRfcContrast(profile: ProfileId, f: ProfileFetch, rfc: RfcReading): ProfileFetch {
  if (profile === 'rfc9111') return f;
  const out = { ...f };
  if (f.store.value === 'store' && !rfc.storable) out.store = answer('store', [...f.store.reasons, rfc.refusal!]);
  const reusable = rfc.cls.value === 'STORABLE_FRESH' || rfc.cls.value === 'STORABLE_HEURISTIC';
  if (f.collapse.value === 'share' && !reusable) {
    const contrast = stamp(RFC9111_RULES.collapseNeedsReuse, { cls: rfc.cls.value });
    out.collapse = answer('share', [...f.collapse.reasons, contrast, first(rfc.cls)]);
  }
  return out;
}

function collapseFor(d: Derived, request: RequestDecision, f: ProfileFetch): Answer<CollapseValue> {
  if (request.action.value === 'lookup') return f.collapse;
  return answer('none', [stamp(d.notWaiting), first(request.action)]);
}

export interface Evaluation {
  x: Exchange;
  request: RequestDecision;
  response: ResponseDecision;
}

export function evaluate(
  registry: ProfileRegistry,
  req: HttpRequestInfo,
  res: HttpResponseInfo,
  spec: ProfileSpec,
  now?: number,
): Evaluation {
  const m = moduleFor(registry, spec);
  const options = resolveOptions(m, spec.options as never);
  const x = exchange(req, res, spec.identity, now);
  const d = derived(spec.id);
  const request = m.request(x.q, options);
  const rfc = readRfc(x);
  const fetch = request.action.value === 'pass' ? afterPass(d, request) : withRfcContrast(spec.id, m.response(x, options, rfc), rfc);
  const reuse = deriveReuse(d, request, fetch, x.q.identity);
  const response: ResponseDecision = {
    store: fetch.store,
    rfcClass: rfc.cls,
    ttl: fetch.ttl,
    stale: fetch.stale,
    collapse: collapseFor(d, request, fetch),
    reuse,
    varyOn: fetch.varyOn,
  };
  return { x, request, response };
}

export function verdict(registry: ProfileRegistry, req: HttpRequestInfo, res: HttpResponseInfo, spec: ProfileSpec, now?: number): Verdict {
  const { x, request, response } = evaluate(registry, req, res, spec, now);
  return {
    profile: spec.id,
    request,
    response,
    sharedAcrossIdentities: deriveShared(derived(spec.id), request, response, x.q.identity),
  };
}
