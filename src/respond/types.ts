/**
 * The scope report: what `cachewarden scope` writes (JSON, schema version 1) and what the HTML
 * report, `lookup` and `notices` read. This file is the contract between them; docs/respond.md
 * documents it field by field. Change it only with a version bump.
 *
 * Privacy: people and viewers appear only as keyed hashes (HMAC-SHA-256 of the user id, or of the
 * session credential when no sessions map was given). No raw identity is ever in a report.
 */
import type { IdentityHash } from '../core/identity.ts';

export const REPORT_VERSION = 1;

/**
 * A person's status, most severe first:
 * - `shown`: their own personalized response was served to at least one other identity (confirmed);
 * - `derived`: their data sat on another person's page that was shown to someone else (the 2017 "case 2");
 * - `possibly`: their response was stored in or collapsed through a shared cache, but the logs show
 *   no other viewer (or cannot tell who received it): the upper bound;
 * - `not-affected`: active in the window, nothing of theirs stored or shown.
 */
export const STATUSES = ['shown', 'derived', 'possibly', 'not-affected'] as const;
export type Status = (typeof STATUSES)[number];

/** ISO 8601 UTC time with milliseconds, e.g. `2026-11-21T09:41:00.250Z`. */
export type IsoTime = string;

export interface TimeRange {
  first: IsoTime;
  last: IsoTime;
}

/** A data category (`respond.categories`): which fields belong to it, and whether it directly identifies a person. */
export interface Category {
  name: string;
  fields: string[];
  /** Counts toward tier B (directly identifying data), like the 2017 notice's 29,396. */
  direct: boolean;
}

/** One person's own page served to other identities. */
export interface ShownDetail extends TimeRange {
  /** URLs (path and query) of the responses that reached others. */
  urls: string[];
  /** Route globs (from `respond.routes`, else `personalized`) those URLs matched. */
  routes: string[];
  /** How many distinct other identities received them (anonymous visitors count as one identity each response: see `anonymousServes`). */
  viewers: number;
  /** Responses served to requests without any identity. */
  anonymousServes: number;
  /** Responses of this person served to someone else. */
  serves: number;
  edges: string[];
}

/** The person's data on other people's pages that were shown to someone else. */
export interface DerivedDetail extends TimeRange {
  /** Whose pages carried the data (their hashes). */
  via: IdentityHash[];
  routes: string[];
  /** Which of this person's fields those pages show (from the relations input). */
  fields: string[];
  serves: number;
}

/** Stored or collapsed, but no other viewer seen. */
export interface PossiblyDetail extends TimeRange {
  urls: string[];
  routes: string[];
  edges: string[];
  /**
   * Why: `stored` (the cache was storing this route on this edge in the window), `collapsed`
   * (one of several concurrent fills a viewer received; the log cannot say whose), `unknown-viewer`
   * (served from cache to a request the log has no identity for).
   */
  reasons: Array<'stored' | 'collapsed' | 'unknown-viewer'>;
}

export interface PersonEntry {
  /** Keyed hash of the person (user id, or session credential without a sessions map). */
  id: IdentityHash;
  status: Status;
  /** Data items exposed (shown + derived; for `possibly` the items at risk), sorted. */
  fields: string[];
  /** Categories of those fields, sorted. */
  categories: string[];
  /** Requests the person made in the window. */
  active: TimeRange & { requests: number };
  shown?: ShownDetail;
  derived?: DerivedDetail;
  possibly?: PossiblyDetail;
}

/** A confirmed exposure: one owner's responses on one URL and edge served to one viewer. */
export interface ExposurePair extends TimeRange {
  owner: IdentityHash;
  viewer: IdentityHash | 'anonymous';
  url: string;
  route: string;
  edge: string;
  /** How many responses. */
  count: number;
  /** Cache outcomes seen (HIT, COLLAPSED, STALE, ...). */
  outcomes: string[];
  /** The detection rule that found it (watch/owner-mismatch, watch/cross-identity-inferred, watch/cached-set-cookie). */
  rule: string;
  /** The owner's fields the route shows. */
  fields: string[];
}

/** A derived exposure: `person`'s fields on `owner`'s page, which `viewer` received. */
export interface DerivedPair extends TimeRange {
  person: IdentityHash;
  owner: IdentityHash;
  viewer: IdentityHash | 'anonymous';
  url: string;
  route: string;
  fields: string[];
  count: number;
}

export interface CountBucket {
  /** Start of the bucket. */
  start: IsoTime;
  /** Responses that reached another identity in the bucket. */
  exposures: number;
  /** Distinct people exposed (shown) in the bucket. */
  people: number;
}

export interface CountByKey {
  key: string;
  exposures: number;
  people: number;
}

export interface ScopeSummary {
  /** People in the report: active in the window, or affected through relations without a request of their own. */
  active: number;
  shown: number;
  derived: number;
  possibly: number;
  notAffected: number;
  /** Tier A: people any of whose data was shown (shown + derived). */
  anyData: number;
  /** Tier B: people whose directly identifying data was shown. */
  directlyIdentifying: number;
  /** Upper bound: shown + derived + possibly. */
  upperBound: number;
  /** People per category (shown or derived with a field of the category). */
  perCategory: Record<string, number>;
  /** Distinct identities that received someone else's data (anonymous counts once). */
  viewers: number;
  pairs: number;
  derivedPairs: number;
  /** Responses that reached another identity. */
  exposures: number;
  /** Findings whose owner the logs could not tell (concurrent fills). */
  unattributed: number;
  firstExposure: IsoTime | null;
  lastExposure: IsoTime | null;
}

/** Operator-supplied incident facts (`respond.incident`), shown in the HTML report and the notices. */
export interface IncidentInfo {
  organisation: string;
  title: string;
  cause: string;
  /** Measures taken; a placeholder until filled. */
  measures: string[];
  /** Whom people contact (a line: desk, e-mail, phone). */
  contact: string;
  /** Link to the lookup page, if any. */
  lookupUrl?: string;
  /** The same facts in other languages (`respond.incident.ja`, `.en`); what a language leaves out falls back to the fields above. */
  translations?: Partial<Record<'en' | 'ja', IncidentText>>;
}

/** The words of an incident that a notice, the lookup page and the HTML report show, in one language. */
export interface IncidentText {
  organisation?: string;
  title?: string;
  cause?: string;
  measures?: string[];
  contact?: string;
}

export interface ScopeInputs {
  files: string[];
  format: string;
  lines: number;
  events: number;
  /** Malformed lines by reason; counted and set aside. */
  rejected: Record<string, number>;
  /** Events outside `--from`/`--to`. */
  outsideWindow: number;
  /** Sessions map and relations file, when given (paths), with row counts. */
  sessions?: { file: string; rows: number };
  relations?: { file: string; rows: number };
}

export interface ScopeReport {
  version: typeof REPORT_VERSION;
  generatedAt: IsoTime;
  /** The requested window (`--from`/`--to`; the data's own bounds when not given). */
  window: { from: IsoTime; to: IsoTime };
  /** First and last event seen in the window. */
  observed: { from: IsoTime; to: IsoTime } | null;
  /**
   * What the person ids hash: `user` (a sessions map or a user-id log field) or `session` (the
   * credential in the log). `keyId` fingerprints the HMAC key (HMAC(key, "cachewarden key id"),
   * 8 hex), so lookup can refuse a report made with another key.
   */
  identity: { kind: 'user' | 'session'; keyId: string };
  inputs: ScopeInputs;
  incident: IncidentInfo;
  categories: Category[];
  summary: ScopeSummary;
  /** Exposures over time (bucket size chosen to give ≤ 120 buckets, at least 1 s). */
  timeline: { bucketMs: number; buckets: CountBucket[] };
  byRoute: CountByKey[];
  byEdge: CountByKey[];
  /** Every active person, sorted by status (most severe first), then id. */
  people: PersonEntry[];
  pairs: ExposurePair[];
  derivedPairs: DerivedPair[];
}
