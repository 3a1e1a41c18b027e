/**
 * Findings fold into incidents keyed by (rule, target, edge). An incident alerts once when it
 * opens, then sends updates on a back-off schedule while it keeps changing, and resolves after a
 * quiet period. Nothing is dropped silently: every finding is counted into its incident.
 */
import { createHash } from 'node:crypto';
import type { Alert, Evidence, IncidentSnapshot } from './incident.ts';
import type { IdentityHash } from './identity.ts';
import { severityRank, type Severity } from './severity.ts';

/** What an incident is made of (a watch Finding, a probe result...). */
export interface IncidentInput {
  rule: string;
  severity: Severity;
  crossIdentity: boolean;
  message: string;
  /** Event time, ms. */
  time: number;
  target: string;
  key?: string;
  edge: string;
  owner?: IdentityHash;
  viewer?: IdentityHash | 'anonymous';
  evidence: Evidence[];
}

export interface IncidentPolicy {
  /** Resolve after this long without a new finding (engine clock), ms. */
  quietMs: number;
  /** Minimum time between alerts for one incident: after the opening alert, then after each update, ms. The last entry repeats. */
  backoffMs: readonly number[];
  /** Evidence lines kept per incident (half the first ones, half the latest). */
  samples: number;
  /** Hashes listed per incident (owners, viewers, pairs); totals are always exact. */
  maxListed: number;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  quietMs: 300_000,
  backoffMs: [30_000, 120_000, 600_000, 3_600_000],
  samples: 6,
  maxListed: 50,
};

export interface RuleDescription {
  title: string;
  fix: string;
  docs: string;
}

interface Tracked {
  snap: IncidentSnapshot;
  owners: Set<string>;
  viewers: Set<string>;
  pairs: Set<string>;
  latest: Evidence[];
  /** Engine-clock times. */
  lastFindingAt: number;
  lastAlertAt: number;
  updatesSent: number;
  dirty: boolean;
}

export function incidentId(rule: string, target: string, edge: string): string {
  return `cw-${createHash('sha256').update(`${rule}\u0000${target}\u0000${edge}`).digest('hex').slice(0, 16)}`;
}

export class IncidentTracker {
  readonly #open = new Map<string, Tracked>();
  readonly #resolved: IncidentSnapshot[] = [];
  readonly #policy: IncidentPolicy;
  readonly #job: Alert['job'];
  readonly #emit: (a: Alert) => void;
  readonly #clock: () => number;
  readonly #describe: (rule: string) => RuleDescription;
  readonly #wall: () => number;
  readonly #measureDelay: boolean;
  #findings = 0;

  constructor(opts: {
    policy?: Partial<IncidentPolicy>;
    job: Alert['job'];
    emit: (a: Alert) => void;
    /** Engine clock (wall time live, event time in replay): drives back-off and quiet periods. */
    clock: () => number;
    describe: (rule: string) => RuleDescription;
    /** Wall clock, for alert timestamps and detection delay. */
    wall?: () => number;
    /** Record how long after its first line each incident opened (live only: a replay reads old lines). */
    measureDelay?: boolean;
  }) {
    this.#policy = { ...DEFAULT_INCIDENT_POLICY, ...opts.policy };
    this.#job = opts.job;
    this.#emit = opts.emit;
    this.#clock = opts.clock;
    this.#describe = opts.describe;
    this.#wall = opts.wall ?? Date.now;
    this.#measureDelay = opts.measureDelay ?? true;
  }

  get findings(): number {
    return this.#findings;
  }

  add(f: IncidentInput): void {
    this.#findings++;
    const id = incidentId(f.rule, f.target, f.edge);
    const now = this.#clock();
    let t = this.#open.get(id);
    if (!t) {
      const d = this.#describe(f.rule);
      t = {
        snap: {
          id,
          rule: f.rule,
          severity: f.severity,
          title: f.message,
          fix: d.fix,
          docs: d.docs,
          url: f.target,
          ...(f.key !== undefined ? { key: f.key } : {}),
          edge: f.edge,
          state: 'open',
          firstSeen: f.time,
          lastSeen: f.time,
          count: 0,
          owners: [],
          viewers: [],
          ownersTotal: 0,
          viewersTotal: 0,
          anonymous: 0,
          pairs: [],
          pairsTotal: 0,
          samples: [],
        },
        owners: new Set(),
        viewers: new Set(),
        pairs: new Set(),
        latest: [],
        lastFindingAt: now,
        lastAlertAt: now,
        updatesSent: 0,
        dirty: false,
      };
      this.#open.set(id, t);
      this.#fold(t, f);
      if (this.#measureDelay) t.snap.detectionDelaySec = Math.max(0, (this.#wall() - f.time) / 1000);
      this.#send('opened', t);
      return;
    }
    t.lastFindingAt = now;
    this.#fold(t, f);
    t.dirty = true;
  }

  /** Send due updates and resolve quiet incidents. */
  tick(): void {
    const now = this.#clock();
    for (const [id, t] of this.#open) {
      if (now - t.lastFindingAt >= this.#policy.quietMs) {
        t.snap.state = 'resolved';
        this.#send('resolved', t);
        this.#resolved.push(structuredClone(t.snap));
        this.#open.delete(id);
        continue;
      }
      const wait = this.#policy.backoffMs[Math.min(t.updatesSent, this.#policy.backoffMs.length - 1)] ?? 0;
      if (t.dirty && now - t.lastAlertAt >= wait) {
        t.updatesSent++;
        this.#send('updated', t);
      }
    }
  }

  /** End of a replay: one last update for every incident that changed since its last alert. */
  flush(): void {
    for (const t of this.#open.values()) {
      if (t.dirty) this.#send('updated', t);
    }
  }

  /** Every incident seen: the open ones and those already resolved. */
  all(): IncidentSnapshot[] {
    return [...this.#resolved, ...[...this.#open.values()].map((t) => structuredClone(t.snap))];
  }

  openCount(): number {
    return this.#open.size;
  }

  #fold(t: Tracked, f: IncidentInput): void {
    const s = t.snap;
    const cap = this.#policy.maxListed;
    s.count++;
    if (f.time < s.firstSeen) s.firstSeen = f.time;
    if (f.time > s.lastSeen) s.lastSeen = f.time;
    if (f.owner !== undefined && !t.owners.has(f.owner)) {
      t.owners.add(f.owner);
      if (s.owners.length < cap) s.owners.push(f.owner);
    }
    if (f.viewer === 'anonymous') s.anonymous++;
    if (f.viewer !== undefined && f.viewer !== 'anonymous' && !t.viewers.has(f.viewer)) {
      t.viewers.add(f.viewer);
      if (s.viewers.length < cap) s.viewers.push(f.viewer);
    }
    if (f.crossIdentity && f.owner !== undefined && f.viewer !== undefined) {
      const pair = `${f.owner} ${f.viewer}`;
      if (!t.pairs.has(pair)) {
        t.pairs.add(pair);
        if (s.pairs.length < cap) s.pairs.push({ owner: f.owner, viewer: f.viewer });
      }
    }
    s.ownersTotal = t.owners.size;
    s.viewersTotal = t.viewers.size;
    s.pairsTotal = t.pairs.size;
    const firstN = Math.ceil(this.#policy.samples / 2);
    const first = s.samples.slice(0, firstN);
    if (first.length < firstN) {
      s.samples = [...first, ...f.evidence].slice(0, firstN);
    } else {
      t.latest = [...t.latest, ...f.evidence].slice(-(this.#policy.samples - firstN));
      s.samples = [...first, ...t.latest];
    }
    if (severityRank(f.severity) > severityRank(s.severity)) s.severity = f.severity;
  }

  #send(kind: Alert['kind'], t: Tracked): void {
    t.lastAlertAt = this.#clock();
    t.dirty = false;
    this.#emit({ kind, at: this.#wall(), job: this.#job, incident: structuredClone(t.snap) });
  }
}
