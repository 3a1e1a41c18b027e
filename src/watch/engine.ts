/**
 * The detection engine: one instance per watch run (live) or replay (scope). Events go to every
 * enabled detector in arrival order; `tick` advances the event-time watermark so detectors can
 * decide joins that waited for late lines. Findings come out stamped with rule id, severity and
 * message. The engine never sees a raw identity: events carry keyed hashes only.
 */
import type { CacheEvent } from '../core/event.ts';
import type { RouteMatcher } from '../core/glob.ts';
import type { Evidence } from '../core/incident.ts';
import type { IdentityHash } from '../core/identity.ts';
import type { Severity } from '../core/severity.ts';
import { formatMessage, keyOf, type DetectionOptions, type DetectorDefinition, type DetectorHandlers, type FindingInput } from './detectors/define.ts';

export interface Finding {
  rule: string;
  severity: Severity;
  crossIdentity: boolean;
  /** Which of the detector's message templates. */
  messageId: string;
  message: string;
  /** Event time of the event that completed the finding, ms. */
  time: number;
  /** Incident target: the URL, or a detector-chosen label (drift). */
  target: string;
  key: string;
  edge: string;
  owner?: IdentityHash;
  viewer?: IdentityHash | 'anonymous';
  evidence: Evidence[];
}

export interface EngineOptions {
  personalized: RouteMatcher;
  detection: DetectionOptions;
  detectors: ReadonlyArray<DetectorDefinition>;
  /** Per-rule severity overrides from config. */
  severities?: Readonly<Record<string, Severity>>;
  /**
   * `live`: the engine clock is the wall clock (a join waits at most the lateness allowance in real
   * time). `replay`: the engine clock is the newest event time seen, so a replay decides exactly as
   * live monitoring would have, however fast it reads.
   */
  mode: 'live' | 'replay';
  onFinding(f: Finding): void;
  /** Wall clock (tests inject one). */
  now?: () => number;
}

function evidence(e: CacheEvent, note: string, source?: string): Evidence {
  return {
    time: e.time,
    ...(source !== undefined ? { source } : {}),
    edge: e.edge,
    method: e.method,
    url: e.url,
    status: e.status,
    outcome: e.outcome,
    ...(e.viewer !== undefined ? { viewer: e.viewer } : {}),
    ...(e.owner !== undefined ? { owner: e.owner } : {}),
    note,
  };
}

export class DetectionEngine {
  readonly #opts: EngineOptions;
  readonly #detectors: Array<{ def: DetectorDefinition; handlers: DetectorHandlers }>;
  readonly #counters = new Map<string, number>();
  #maxEventTime = -Infinity;
  #events = 0;
  #currentSource: string | undefined;

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    this.#detectors = opts.detectors.map((def) => {
      const handlers = def.create({
        personalized: opts.personalized,
        options: opts.detection,
        count: (counter, n = 1) => this.#count(`${def.id}:${counter}`, n),
        report: (f: FindingInput) => this.#report(def, f),
      });
      return { def, handlers };
    });
  }

  /** The engine clock: wall time live, newest event time in replay. */
  clock(): number {
    return this.#opts.mode === 'live' ? (this.#opts.now ?? Date.now)() : this.#maxEventTime;
  }

  /** Events older than this are late. */
  get watermark(): number {
    return this.#maxEventTime - this.#opts.detection.latenessMs;
  }

  get events(): number {
    return this.#events;
  }

  push(e: CacheEvent, source?: string): void {
    this.#events++;
    if (e.time > this.#maxEventTime) this.#maxEventTime = e.time;
    const arrivedAt = this.clock();
    this.#currentSource = source;
    for (const d of this.#detectors) d.handlers.event(e, arrivedAt);
    this.#currentSource = undefined;
  }

  /** Let detectors decide what waited long enough; `final` decides everything (end of a replay). */
  tick(final = false): void {
    const now = this.clock();
    for (const d of this.#detectors) d.handlers.tick?.(final ? Infinity : this.watermark, final ? Infinity : now, final);
  }

  counters(): Record<string, number> {
    return Object.fromEntries(this.#counters);
  }

  #count(name: string, n: number): void {
    this.#counters.set(name, (this.#counters.get(name) ?? 0) + n);
  }

  #report(def: DetectorDefinition, f: FindingInput): void {
    const e = f.event;
    const message = formatMessage(def.messages[f.messageId] ?? f.messageId, f.data);
    const ev = [evidence(e, message, this.#currentSource), ...(f.related ?? []).map((r) => evidence(r, 'the fill this response was joined to'))];
    this.#count(`${def.id}:findings`, 1);
    this.#opts.onFinding({
      rule: def.id,
      severity: this.#opts.severities?.[def.id] ?? def.severity,
      crossIdentity: def.crossIdentity,
      messageId: f.messageId,
      message,
      time: e.time,
      target: f.target ?? e.url,
      key: keyOf(e),
      edge: e.edge,
      ...(f.owner !== undefined ? { owner: f.owner } : {}),
      ...(f.viewer !== undefined ? { viewer: f.viewer } : {}),
      evidence: ev,
    });
  }
}
