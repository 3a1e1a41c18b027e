/**
 * Join the engine's own access log to ground truth: which log lines show one user's
 * personalized response going to another?
 */
import type { Outcome } from '../../src/core/event.ts';
import type { LabLogRecord } from '../engines/logs.ts';
import { ANON } from '../traffic/types.ts';
import type { LogEvidenceKind } from './registry.ts';

export interface LogEvidence {
  kind: Exclude<LogEvidenceKind, 'none'>;
  record: LabLogRecord;
  /** Account whose credentials the request carried (from the raw identity), or `anon`. */
  viewer: string;
  /** `owner-mismatch`: the owner tag's account; `set-cookie-handover`: whose session was sent. */
  owner: string;
}

export interface LogEvidenceOptions {
  kind: Exclude<LogEvidenceKind, 'none'>;
  /** Only lines with one of these outcomes (COLLAPSED counts as HIT). Default: any shared outcome. */
  outcomes?: readonly Outcome[];
  /** Raw session id / token → account (`TrafficResult.identities`). */
  identities: Readonly<Record<string, string>>;
  /** Owner tag → account (e.g. `origin.userForOwnerTag`). */
  ownerOf: (tag: string) => string | undefined;
  /** Only this URI. */
  uri?: string;
}

const SHARED: readonly Outcome[] = ['HIT', 'STALE', 'UPDATING', 'REVALIDATED', 'COLLAPSED'];

function outcomeMatches(o: Outcome, wanted: readonly Outcome[]): boolean {
  return wanted.includes(o) || (o === 'COLLAPSED' && wanted.includes('HIT'));
}

export function findLogEvidence(records: readonly LabLogRecord[], opts: LogEvidenceOptions): LogEvidence[] {
  const wanted = opts.outcomes ?? SHARED;
  const out: LogEvidence[] = [];
  for (const r of records) {
    if (r.probe || !outcomeMatches(r.outcome, wanted)) continue;
    if (opts.uri !== undefined && r.uri !== opts.uri) continue;
    const viewer = r.identity === undefined ? ANON : (opts.identities[r.identity] ?? `unknown:${r.identity.slice(0, 6)}`);
    if (opts.kind === 'owner-mismatch') {
      if (r.owner === undefined) continue;
      const owner = opts.ownerOf(r.owner);
      if (owner !== undefined && owner !== viewer) out.push({ kind: opts.kind, record: r, viewer, owner });
    } else {
      // A login answers with a fresh session of its own: only GET/HEAD responses can be replayed.
      if (r.method !== 'GET' && r.method !== 'HEAD') continue;
      const sid = r.setCookie === undefined ? undefined : /(?:^|[;,]\s*)sid=([^;,\s]+)/.exec(r.setCookie)?.[1];
      if (sid === undefined) continue;
      const owner = opts.identities[sid];
      if (owner !== undefined && owner !== viewer) out.push({ kind: opts.kind, record: r, viewer, owner });
    }
  }
  return out;
}
