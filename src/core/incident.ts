/**
 * The incident model shared by watch (and later probe and verify): findings fold into incidents
 * keyed by (rule, URL or cache key, edge); sinks receive state changes of incidents, never single
 * log lines. Identities in incidents are keyed hashes only.
 */
import type { Outcome } from './event.ts';
import type { IdentityHash } from './identity.ts';
import type { Severity } from './severity.ts';

/** One piece of evidence: a log line as the engine understood it, identities hashed. */
export interface Evidence {
  /** Event time, ms since the epoch. */
  time: number;
  source?: string;
  edge: string;
  method: string;
  url: string;
  status: number;
  outcome: Outcome;
  viewer?: IdentityHash;
  owner?: IdentityHash;
  /** Why this line is evidence, in one sentence. */
  note: string;
}

export const INCIDENT_STATES = ['open', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface IncidentSnapshot {
  /** Stable id derived from the key (rule, target, edge): the dedup key on every channel. */
  id: string;
  rule: string;
  severity: Severity;
  /** One line: what happened, e.g. "/mypage served across identities on edge-tyo-1". */
  title: string;
  /** What to do about it (from the rule's docs). */
  fix: string;
  /** Link to the rule's documentation page. */
  docs: string;
  url: string;
  key?: string;
  edge: string;
  state: IncidentState;
  /** Event times, ms since the epoch. */
  firstSeen: number;
  lastSeen: number;
  /** Findings folded into this incident. */
  count: number;
  /** Distinct owners (whose data) and viewers (who received it), hashed; capped lists, full counts. */
  owners: IdentityHash[];
  viewers: IdentityHash[];
  ownersTotal: number;
  viewersTotal: number;
  /** Findings whose requester carried no identity (anonymous visitors are not in `viewers`). */
  anonymous: number;
  /** Distinct (owner, viewer) pairs, capped; `pairsTotal` counts them all. */
  pairs: Array<{ owner: IdentityHash; viewer: IdentityHash | 'anonymous' }>;
  pairsTotal: number;
  /** A few evidence lines (first ones, then the latest). */
  samples: Evidence[];
  /** Seconds from the first leaking line's event time to when the incident was opened (detection delay). */
  detectionDelaySec?: number;
  /** Free text the job attaches, shown as a preformatted block (verify: the diff of what changed in the configuration). */
  details?: string;
}

export const ALERT_KINDS = ['opened', 'updated', 'resolved'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** A state change of an incident, as handed to every sink. */
export interface Alert {
  kind: AlertKind;
  /** When the change was decided, ms since the epoch (wall clock). */
  at: number;
  incident: IncidentSnapshot;
  /** Which job raised it. */
  job: 'watch' | 'probe' | 'verify';
}
