/**
 * The detector contract (the rule-module pattern): each detector is one file with a stable id,
 * severity, docs, the event fields it needs, its message templates, bad and good example streams,
 * and `create(ctx)` returning handlers. The engine, not the detector, stamps findings with id,
 * severity and docs link.
 */
import type { CacheEvent } from '../../core/event.ts';
import type { RouteMatcher } from '../../core/glob.ts';
import type { IdentityHash } from '../../core/identity.ts';
import type { Severity } from '../../core/severity.ts';
import type { CanonicalField } from '../adapters/types.ts';

/** Tunables every detector may read; resolved from config (`watch:`) with defaults. */
export interface DetectionOptions {
  /** How long to wait (event time and wall time) for late or out-of-order lines before deciding a join, ms. */
  latenessMs: number;
  /** How long a stored object is assumed to live when joining hits to the fill that made them, ms. */
  objectLifeMs: number;
  /** A hit whose line ends up to this much before its fill's line still counts as a waiter of that fill, ms (clock granularity). */
  joinToleranceMs: number;
  drift: { windowMs: number; threshold: number; minRequests: number };
  /** Per-detector cap on remembered cache keys; the oldest are evicted (and counted) beyond it. */
  maxKeys: number;
}

export const DEFAULT_DETECTION: DetectionOptions = {
  latenessMs: 500,
  objectLifeMs: 600_000,
  joinToleranceMs: 50,
  drift: { windowMs: 10_000, threshold: 0.02, minRequests: 20 },
  maxKeys: 1_000_000,
};

/** What a detector reports; the engine adds rule id, severity and docs. */
export interface FindingInput<M extends string = string> {
  messageId: M;
  data?: Record<string, string | number>;
  /** The event that completed the finding (its time is the finding's time). */
  event: CacheEvent;
  /** Whose data (hashed), when known. */
  owner?: IdentityHash;
  /** Who received it; `anonymous` when the request carried no identity. */
  viewer?: IdentityHash | 'anonymous';
  /** Incident target override (default: the event's URL). */
  target?: string;
  /** Earlier events that are part of the evidence (e.g. the fill a hit was joined to). */
  related?: CacheEvent[];
}

export interface DetectorContext<M extends string = string> {
  readonly personalized: RouteMatcher;
  readonly options: DetectionOptions;
  report(finding: FindingInput<M>): void;
  /** Count something the detector set aside (evicted keys, unattributable hits), by reason. */
  count(counter: string, n?: number): void;
}

export interface DetectorHandlers {
  /** Every parsed event, in arrival order. */
  event(e: CacheEvent, arrivedAt: number): void;
  /**
   * Called regularly with the event-time watermark (events older than it are late) and the wall
   * clock; detectors decide pending joins and close windows here. `final` at the end of a replay.
   */
  tick?(watermark: number, now: number, final: boolean): void;
}

export interface DetectorExample {
  /** What the stream shows. */
  name: string;
  /** Events in arrival order (`time` in ms; identities as `h:` hashes). */
  events: CacheEvent[];
  /** For bad examples: the message ids expected, in order. */
  expect?: string[];
}

export interface DetectorDefinition<M extends string = string> {
  /** `watch/<problem>`; permanent, never reused. */
  id: `watch/${string}`;
  severity: Severity;
  /** Whether findings name an owner and a viewer (cross-identity rules) or only a viewer. */
  crossIdentity: boolean;
  /** Event fields the detector cannot work without (a config error when the format cannot fill them). */
  needs: readonly CanonicalField[];
  docs: {
    title: string;
    /** What it catches and why it matters. */
    description: string;
    fix: string;
    references: readonly string[];
  };
  /** Message templates with `{placeholders}`. */
  messages: Record<M, string>;
  examples: { bad: readonly DetectorExample[]; good: readonly DetectorExample[] };
  create(ctx: DetectorContext<M>): DetectorHandlers;
}

/** Identity function that keeps the message-id type of each detector. */
export function defineDetector<M extends string>(d: DetectorDefinition<M>): DetectorDefinition<M> {
  return d;
}

export { docsUrl, formatMessage } from '../../core/rule-text.ts';

/** The identity of the requester as a finding names it. */
export function viewerOf(e: CacheEvent): IdentityHash | 'anonymous' {
  return e.viewer ?? 'anonymous';
}

/** The cache key a detector joins on: the logged key, else host + URL. */
export function keyOf(e: CacheEvent): string {
  return e.key ?? `${e.host ?? ''}${e.url}`;
}

/** A made-up identity hash for examples and tests (`h:AAAA…`). */
export function exampleIdentity(letter: string): IdentityHash {
  return `h:${letter.repeat(22)}` as IdentityHash;
}
