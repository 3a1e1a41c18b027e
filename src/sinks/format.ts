/**
 * One place that turns an Alert into words. Console, e-mail, Slack and Teams all render from
 * `describeAlert`, so every channel says the same thing: what happened, where, when, how many
 * identities (as keyed hashes), what to do, and a few evidence lines.
 *
 * Incidents carry identities as keyed hashes only. As a second line of defence, any owner or
 * viewer value that is not shaped like a hash is withheld rather than printed.
 */
import type { Alert, AlertKind, Evidence, IncidentSnapshot } from '../core/incident.ts';
import { isIdentityHash } from '../core/identity.ts';

export interface FormatOptions {
  /** Print identity hashes in full (`h:` + 22 characters) instead of the first 8 characters. Default true. */
  fullHashes?: boolean;
  /** Evidence lines to include. Default 5. */
  maxSamples?: number;
  /** Hashes listed per owners/viewers/pairs line before "and N more". Default 5. */
  maxHashes?: number;
}

/** What an alert says, in pieces each channel lays out its own way. */
export interface AlertView {
  /** One line: `[critical] opened: /mypage served across identities on edge-tyo-1`. */
  title: string;
  /** One sentence on the state change: opened / updated / resolved, and when. */
  headline: string;
  /** Label/value pairs in reading order (What, Rule, Where, When, Counts, ...). */
  facts: Array<{ label: string; value: string }>;
  owners: string;
  viewers: string;
  pairs: string;
  fix: string;
  docs: string;
  /** Sample evidence lines, identities hashed. */
  evidence: string[];
  /** The incident's details block (verify: what changed), if any. */
  details: string | undefined;
  /** `Incident <id> · state open · raised by watch`. */
  footer: string;
}

const KIND_WORD: Record<AlertKind, string> = { opened: 'opened', updated: 'updated', resolved: 'resolved' };

/** Placeholder printed where a value that should be an identity hash is not one. */
export const WITHHELD = 'h:?(withheld: not a keyed hash)';

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'unknown time';
}

/** An owner or viewer as it may be shown: the hash (full or shortened), `anonymous`, or withheld. */
export function showIdentity(value: string | undefined, full = true): string {
  if (value === undefined || value === 'anonymous') return 'anonymous';
  if (!isIdentityHash(value)) return WITHHELD;
  return full ? value : `${value.slice(0, 10)}…`;
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return 'unknown';
  if (sec < 60) return `${Number(sec.toFixed(1))} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
  return `${Math.floor(sec / 3600)} h ${Math.round((sec % 3600) / 60)} min`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function listHashes(values: readonly string[], total: number, full: boolean, max: number): string {
  if (total === 0 && values.length === 0) return 'none';
  const shown = values.slice(0, max).map((v) => showIdentity(v, full));
  const more = Math.max(total, values.length) - shown.length;
  if (shown.length === 0) return `${total} (not listed)`;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

export function evidenceLine(e: Evidence, full = true): string {
  const who = `owner ${showIdentity(e.owner, full)} viewer ${showIdentity(e.viewer, full)}`;
  const src = e.source ? ` via ${e.source}` : '';
  return `${iso(e.time)} ${e.edge} ${e.method} ${e.url} ${e.status} ${e.outcome} ${who}${src}: ${e.note}`;
}

export function alertTitle(alert: Alert): string {
  return `[${alert.incident.severity}] ${KIND_WORD[alert.kind]}: ${alert.incident.title}`;
}

function headlineOf(alert: Alert): string {
  const inc = alert.incident;
  switch (alert.kind) {
    case 'opened':
      return `Incident opened by ${alert.job} at ${iso(alert.at)}.`;
    case 'updated':
      return `Incident updated at ${iso(alert.at)}: ${plural(inc.count, 'finding')} so far, last at ${iso(inc.lastSeen)}.`;
    case 'resolved':
      return `Incident resolved at ${iso(alert.at)}: no new findings since ${iso(inc.lastSeen)}.`;
  }
}

export function countsLine(inc: IncidentSnapshot): string {
  return [
    plural(inc.count, 'finding'),
    `${plural(inc.ownersTotal, 'owner')} (whose data)`,
    `${plural(inc.viewersTotal, 'viewer')} (who received it)`,
    plural(inc.pairsTotal, 'owner/viewer pair'),
  ].join('; ');
}

export function describeAlert(alert: Alert, opts: FormatOptions = {}): AlertView {
  const full = opts.fullHashes ?? true;
  const maxSamples = opts.maxSamples ?? 5;
  const maxHashes = opts.maxHashes ?? 5;
  const inc = alert.incident;
  const facts: AlertView['facts'] = [
    { label: 'What', value: inc.title },
    { label: 'Rule', value: `${inc.rule} (${inc.severity})` },
    { label: 'Where', value: `${inc.url} on edge ${inc.edge}` },
  ];
  if (inc.key !== undefined && inc.key !== inc.url) facts.push({ label: 'Cache key', value: inc.key });
  facts.push({ label: 'When', value: `first seen ${iso(inc.firstSeen)}, last seen ${iso(inc.lastSeen)}` });
  if (inc.detectionDelaySec !== undefined) {
    facts.push({ label: 'Detected', value: `${formatDuration(inc.detectionDelaySec)} after the first leaking line` });
  }
  facts.push({ label: 'Counts', value: countsLine(inc) });
  const pairs = inc.pairs.slice(0, maxHashes).map((p) => `${showIdentity(p.owner, full)} -> ${showIdentity(p.viewer, full)}`);
  const morePairs = Math.max(inc.pairsTotal, inc.pairs.length) - pairs.length;
  return {
    title: alertTitle(alert),
    headline: headlineOf(alert),
    facts,
    owners: listHashes(inc.owners, inc.ownersTotal, full, maxHashes),
    viewers: listHashes(inc.viewers, inc.viewersTotal, full, maxHashes),
    pairs: pairs.length === 0 ? 'none' : morePairs > 0 ? `${pairs.join(', ')} and ${morePairs} more` : pairs.join(', '),
    fix: inc.fix,
    docs: inc.docs,
    evidence: inc.samples.slice(0, maxSamples).map((e) => evidenceLine(e, full)),
    details: inc.details,
    footer: `Incident ${inc.id} · state ${inc.state} · raised by ${alert.job}`,
  };
}

/** The plain-text rendering shared by console and e-mail: a title line and a short body. */
export function formatText(alert: Alert, opts: FormatOptions = {}): { title: string; body: string } {
  const v = describeAlert(alert, opts);
  const rows: Array<[string, string]> = [
    ...v.facts.map((f): [string, string] => [f.label, f.value]),
    ['Owners', v.owners],
    ['Viewers', v.viewers],
    ['Pairs', v.pairs],
    ['Fix', v.fix],
    ['Docs', v.docs],
  ];
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [v.headline, '', ...rows.map(([l, val]) => `${`${l}:`.padEnd(width)}${val}`)];
  if (v.evidence.length > 0) {
    lines.push('', 'Evidence (identities are keyed hashes):', ...v.evidence.map((e) => `  ${e}`));
  }
  if (v.details) lines.push('', 'Details:', ...v.details.split('\n').map((l) => `  ${l}`));
  lines.push('', v.footer);
  return { title: v.title, body: lines.join('\n') };
}

/** Cut text to at most `max` characters (UTF-16 units), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return text.slice(0, Math.max(0, max));
  let cut = text.slice(0, max - 1);
  // Do not leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * A copy of the incident fit for machine-readable sinks (webhook, NDJSON, PagerDuty details):
 * every identity field is either a keyed hash, `anonymous`, or the withheld marker.
 */
export function safeIncident(inc: IncidentSnapshot): IncidentSnapshot {
  const id = (v: string) => (v === 'anonymous' || isIdentityHash(v) ? v : WITHHELD);
  const opt = (v: string | undefined) => (v === undefined ? undefined : id(v));
  return {
    ...inc,
    owners: inc.owners.map(id) as IncidentSnapshot['owners'],
    viewers: inc.viewers.map(id) as IncidentSnapshot['viewers'],
    pairs: inc.pairs.map((p) => ({ owner: id(p.owner), viewer: id(p.viewer) })) as IncidentSnapshot['pairs'],
    samples: inc.samples.map((e) => {
      const out = { ...e, owner: opt(e.owner), viewer: opt(e.viewer) };
      if (out.owner === undefined) delete out.owner;
      if (out.viewer === undefined) delete out.viewer;
      return out as Evidence;
    }),
  };
}

export function safeAlert(alert: Alert): Alert {
  return { ...alert, incident: safeIncident(alert.incident) };
}
