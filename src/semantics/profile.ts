/**
 * What a profile module provides. A profile answers the engine-specific parts (request action and
 * key; store, TTL, stale, collapse and Vary for a response); the shared engine (`engine.ts`) adds
 * the RFC 9111 class, derives reuse and the cross-identity bottom line, and applies the RFC contrast.
 */
import type { Exchange, RequestCtx } from './exchange.ts';
import type { RuleEntry } from './rules.ts';
import type { RfcReading } from './rfc9111.ts';
import type {
  Answer,
  CollapseValue,
  ProfileId,
  ProfileOptionsMap,
  Reason,
  RequestDecision,
  StaleAllowance,
  StoreValue,
} from './types.ts';

export interface ProfileFetch {
  store: Answer<StoreValue>;
  ttl: Answer<number>;
  stale: Answer<StaleAllowance>;
  /** What waiters on this fetch receive (the engine turns it into `none` when the request did not wait). */
  collapse: Answer<CollapseValue>;
  varyOn: Answer<string[]>;
  /** Set when the stored object must be validated with the origin before every reuse. */
  validateBeforeReuse?: Reason;
  /** Set when a stored object without freshness is dropped rather than revalidated (Varnish with keep 0). */
  noRevalidation?: Reason;
}

/** One option as shown by `explain` and the docs. */
export interface OptionDoc {
  name: string;
  /** The default, rendered (`3600`, `'2022'`, `off`). */
  default: string;
  meaning: string;
}

export interface ProfileModule<P extends ProfileId> {
  id: P;
  /** Short display name (`Fastly (VCL boilerplate)`). */
  title: string;
  /** One paragraph: what this profile models and its most important deviation from RFC 9111. */
  summary: string;
  /** Resolved default options (every knob at the engine's documented default). */
  defaults: Readonly<ProfileOptionsMap[P]>;
  options: readonly OptionDoc[];
  /** The profile's rule table, in decision order. */
  rules: readonly RuleEntry[];
  request(q: RequestCtx, o: ProfileOptionsMap[P]): RequestDecision;
  response(x: Exchange, o: ProfileOptionsMap[P], rfc: RfcReading): ProfileFetch;
}

export const NO_STALE: StaleAllowance = Object.freeze({ whileRevalidate: 0, ifError: 0, whileUpdating: false });
