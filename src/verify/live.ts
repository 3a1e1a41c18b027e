/**
 * Verifying live configuration: download a provider's configuration (`--fetch`), store it as a
 * snapshot next to the earlier ones, verify it, and say what changed since the last snapshot. On a
 * schedule (`--every`), a finding that a change introduced opens an alert (with the diff as its
 * details) through the same sinks as watch and probe; a finding that disappears resolves it.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../core/severity.ts';
import type { Alert, IncidentSnapshot } from '../core/incident.ts';
import { diffSnapshots, fetchSnapshot, latestSnapshot, saveSnapshot, type FetchOptionsByProvider, type Provider, type Snapshot, type SnapshotDiff } from './fetch/index.ts';
import { runVerify, type VerifyFinding, type VerifyOptions, type VerifyResult } from './engine.ts';
import { loadTarget, type LoadTargetOptions } from './load.ts';
import type { VerifySettings } from './rules/define.ts';

export interface LiveCheck {
  provider: Provider;
  snapshot: Snapshot;
  /** Where it was saved. */
  dir: string;
  /** The snapshot before it (same provider and target), if any. */
  previous: Snapshot | undefined;
  diff: SnapshotDiff | undefined;
  result: VerifyResult;
}

export interface LiveOptions<P extends Provider = Provider> {
  provider: P;
  fetch: FetchOptionsByProvider[P];
  /** Snapshot root (`verify.snapshots`). */
  root: string;
  settings: VerifySettings;
  verify: VerifyOptions;
  load?: LoadTargetOptions;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The target id inside a provider's fetch options. */
export function targetOf(provider: Provider, o: Record<string, unknown>): string {
  const key = { fastly: 'serviceId', cloudflare: 'zoneId', cloudfront: 'distributionId', akamai: 'propertyId' }[provider];
  return String(o[key]);
}

/** One fetch → save → verify round. */
export async function checkLive<P extends Provider>(o: LiveOptions<P>): Promise<LiveCheck> {
  const snapshot = await fetchSnapshot(o.provider, o.fetch, o.env ?? process.env);
  const previous = await latestSnapshot(o.root, o.provider, snapshot.target);
  const dir = await saveSnapshot(o.root, snapshot);
  const model = loadTarget(dir, o.load ?? {});
  const result = runVerify([model], o.settings, o.verify);
  return { provider: o.provider, snapshot, dir, previous, diff: previous ? diffSnapshots(previous, snapshot) : undefined, result };
}

/** A finding's identity across snapshots: rule, message and file name, with line numbers taken out (a change above shifts them). */
export function fingerprint(f: VerifyFinding): string {
  const file = f.file.split('/').pop() ?? f.file;
  const message = f.message.replace(/:\d+(:\d+)?\b/g, '').replace(/\bline \d+\b/g, 'line');
  return createHash('sha256').update(`${f.rule}\u0000${f.messageId}\u0000${file}\u0000${message}`).digest('hex').slice(0, 24);
}

const MAX_DETAILS = 6000;

function incidentOf(f: VerifyFinding, target: string, at: number, details: string | undefined, state: IncidentSnapshot['state']): IncidentSnapshot {
  const inc: IncidentSnapshot = {
    id: `verify-${fingerprint(f)}`,
    rule: f.rule,
    severity: f.severity as Severity,
    title: f.message.length > 300 ? `${f.message.slice(0, 297)}…` : f.message,
    fix: f.fix,
    docs: f.docs,
    url: `${f.file}:${f.line}`,
    edge: target,
    state,
    firstSeen: at,
    lastSeen: at,
    count: Math.max(1, f.routes.length),
    owners: [],
    viewers: [],
    ownersTotal: 0,
    viewersTotal: 0,
    anonymous: 0,
    pairs: [],
    pairsTotal: 0,
    samples: [],
  };
  if (details !== undefined) inc.details = details.length > MAX_DETAILS ? `${details.slice(0, MAX_DETAILS)}\n… (diff cut; see the snapshot folders)` : details;
  return inc;
}

/**
 * Compares a round with the findings alerted so far: new findings open alerts (details: what
 * changed), findings gone resolve them. `known` is updated in place. The first round alerts on
 * every finding at or above `minSeverity` (there is no earlier state to blame).
 */
export function alertsFor(check: LiveCheck, known: Map<string, VerifyFinding>, minRank: (s: Severity) => boolean, now: number): Alert[] {
  const alerts: Alert[] = [];
  const target = `${check.provider} ${check.snapshot.target}${check.snapshot.version ? ` v${check.snapshot.version}` : ''}`;
  const changed = check.diff && check.diff.files.length > 0 ? check.diff.text() : undefined;
  const current = new Map<string, VerifyFinding>();
  for (const f of check.result.findings) if (minRank(f.severity)) current.set(fingerprint(f), f);
  for (const [fp, f] of current) {
    if (known.has(fp)) continue;
    const details = changed ? `What changed since the previous snapshot:\n${changed}` : check.previous ? undefined : 'First snapshot of this configuration.';
    alerts.push({ kind: 'opened', at: now, job: 'verify', incident: incidentOf(f, target, now, details, 'open') });
    known.set(fp, f);
  }
  for (const [fp, f] of [...known]) {
    if (current.has(fp)) continue;
    alerts.push({ kind: 'resolved', at: now, job: 'verify', incident: incidentOf(f, target, now, changed ? `What changed:\n${changed}` : undefined, 'resolved') });
    known.delete(fp);
  }
  return alerts;
}
