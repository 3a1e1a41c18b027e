/**
 * The one event model: everything a cache did with one request, whatever wrote the
 * log line (nginx, Varnish, a CDN) or whichever probe observed it.
 *
 * Identities are never raw here: `viewer` and `owner` are keyed hashes made by
 * `IdentityHasher` at the boundary where the raw value was read.
 */
import type { IdentityHash } from './identity.ts';

/**
 * Normalized cache outcomes. Vendor words map onto these (see
 * `src/semantics/cache-status.ts`):
 * - `HIT`: served from a stored, fresh object.
 * - `MISS`: forwarded to the origin; the response may have been stored (a fill).
 * - `EXPIRED`: a stored object was stale and the origin was asked again (nginx EXPIRED);
 *   like MISS, this response is a fill.
 * - `REVALIDATED`: a stale object was validated with the origin (304) and served.
 * - `STALE`: a stale object was served without asking the origin first.
 * - `UPDATING`: a stale object was served while another request refreshes it.
 * - `COLLAPSED`: this request waited behind another request's origin fetch and got its
 *   response (request collapsing / cache lock / waiting list).
 * - `PASS`: the cache deliberately did not look up or store (hit-for-pass, bypass rules).
 * - `BYPASS`: the request skipped the cache lookup by configuration but its response
 *   may still be stored (nginx `proxy_cache_bypass`).
 * - `ERROR`, `UNKNOWN`: no usable cache outcome.
 */
export const OUTCOMES = [
  'HIT',
  'MISS',
  'EXPIRED',
  'REVALIDATED',
  'STALE',
  'UPDATING',
  'COLLAPSED',
  'PASS',
  'BYPASS',
  'ERROR',
  'UNKNOWN',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes whose response body came from a stored or in-flight object made for another request. */
export const SHARED_OUTCOMES: ReadonlySet<Outcome> = new Set(['HIT', 'REVALIDATED', 'STALE', 'UPDATING', 'COLLAPSED']);

/** Outcomes whose response came fresh from the origin for this request and may have filled the cache. */
export const FILL_OUTCOMES: ReadonlySet<Outcome> = new Set(['MISS', 'EXPIRED', 'BYPASS']);

export interface CacheEvent {
  /** Event time: when the cache finished the response, milliseconds since the epoch. */
  time: number;
  /** Which cache server or POP handled it (e.g. `edge-nginx-1`, `cache-tyo-1234`). */
  edge: string;
  host?: string;
  method: string;
  /** Path and query as requested. */
  url: string;
  /** The cache key when the log carries it; otherwise consumers derive one from host + url. */
  key?: string;
  outcome: Outcome;
  status: number;
  /** Keyed hash of the requester's identity (session cookie, user id, token). */
  viewer?: IdentityHash;
  /** Keyed hash of the identity the response body was rendered for (owner tag). */
  owner?: IdentityHash;
  /** The response carried Set-Cookie. */
  setCookie?: boolean;
  /**
   * Keyed hash of the identity cookie value a Set-Cookie in the response carried (a session being
   * handed out). On a cache hit this is someone's session replayed to this viewer.
   */
  setCookieOwner?: IdentityHash;
  cacheControl?: string;
  /** Age header in seconds, when logged. */
  age?: number;
  /** How long the cache took to answer, ms (request_time); the request started at `time - durationMs`. */
  durationMs?: number;
  /** The cache's request id (for evidence and joins), when logged. */
  requestId?: string;
}
