/**
 * Turns the person table into the scope report (src/respond/types.ts, version 1). Everything is
 * sorted with plain code-unit comparison, so the same table always gives the same bytes.
 */
import type { IdentityHash } from '../../core/identity.ts';
import {
  REPORT_VERSION,
  STATUSES,
  type Category,
  type CountByKey,
  type CountBucket,
  type DerivedPair,
  type ExposurePair,
  type IncidentInfo,
  type PersonEntry,
  type ScopeInputs,
  type ScopeReport,
  type Status,
} from '../types.ts';
import type { RouteBook } from './routes.ts';
import { PAIR_RULES, type PersonAcc, type Tally } from './tally.ts';

export interface ReportContext {
  generatedAt: number;
  window: { from: number; to: number };
  observed: { from: number; to: number } | null;
  identity: { kind: 'user' | 'session'; keyId: string };
  inputs: ScopeInputs;
  incident: IncidentInfo;
  categories: Category[];
  book: RouteBook;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (s: Iterable<string>): string[] => [...s].sort(cmp);

/** Bucket sizes the timeline picks from (ms): the smallest that gives at most 120 buckets. */
const BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);
export const MAX_BUCKETS = 120;

export function bucketSize(spanMs: number): number {
  for (const b of BUCKETS) if (Math.floor(spanMs / b) + 1 <= MAX_BUCKETS) return b;
  const day = 86_400_000;
  return Math.ceil((spanMs + 1) / (MAX_BUCKETS * day)) * day;
}

function statusOf(p: PersonAcc): Status {
  if (p.shown) return 'shown';
  if (p.derived) return 'derived';
  if (p.possibly) return 'possibly';
  return 'not-affected';
}

function person(p: PersonAcc, book: RouteBook): PersonEntry {
  const status = statusOf(p);
  const fields = new Set<string>();
  if (status === 'possibly') for (const f of p.possibly!.fields) fields.add(f);
  else {
    for (const f of p.shown?.fields ?? []) fields.add(f);
    for (const f of p.derived?.fields ?? []) fields.add(f);
  }
  // Someone exposed without a request of their own in the window: their exposure times stand in.
  const ranges = [p.shown, p.derived, p.possibly].filter((r) => r !== undefined);
  const first = p.requests > 0 ? p.first : Math.min(...ranges.map((r) => r.first));
  const last = p.requests > 0 ? p.last : Math.max(...ranges.map((r) => r.last));
  const entry: PersonEntry = {
    id: p.id,
    status,
    fields: sorted(fields),
    categories: book.categories(fields),
    active: { first: iso(first), last: iso(last), requests: p.requests },
  };
  if (p.shown) {
    const s = p.shown;
    entry.shown = {
      first: iso(s.first),
      last: iso(s.last),
      urls: sorted(s.urls),
      routes: sorted(s.routes),
      viewers: s.viewers.size + s.anonymousServes,
      anonymousServes: s.anonymousServes,
      serves: s.serves,
      edges: sorted(s.edges),
    };
  }
  if (p.derived) {
    const d = p.derived;
    entry.derived = { first: iso(d.first), last: iso(d.last), via: sorted(d.via) as IdentityHash[], routes: sorted(d.routes), fields: sorted(d.fields), serves: d.serves };
  }
  if (p.possibly) {
    const s = p.possibly;
    entry.possibly = {
      first: iso(s.first),
      last: iso(s.last),
      urls: sorted(s.urls),
      routes: sorted(s.routes),
      edges: sorted(s.edges),
      reasons: (['stored', 'collapsed', 'unknown-viewer'] as const).filter((r) => s.reasons.has(r)),
    };
  }
  return entry;
}

function byKey(items: Iterable<{ key: string; count: number; owner: string }>): CountByKey[] {
  const acc = new Map<string, { exposures: number; people: Set<string> }>();
  for (const it of items) {
    let a = acc.get(it.key);
    if (a === undefined) {
      a = { exposures: 0, people: new Set() };
      acc.set(it.key, a);
    }
    a.exposures += it.count;
    a.people.add(it.owner);
  }
  return [...acc]
    .map(([key, a]) => ({ key, exposures: a.exposures, people: a.people.size }))
    .sort((x, y) => y.exposures - x.exposures || cmp(x.key, y.key));
}

function timeline(t: Tally, window: { from: number; to: number }): ScopeReport['timeline'] {
  const bucketMs = bucketSize(Math.max(0, window.to - window.from));
  const n = Math.floor(Math.max(0, window.to - window.from) / bucketMs) + 1;
  const buckets: Array<{ exposures: number; people: Set<string> }> = Array.from({ length: n }, () => ({ exposures: 0, people: new Set() }));
  for (let i = 0; i < t.serveTimes.length; i++) {
    const k = Math.min(n - 1, Math.max(0, Math.floor((t.serveTimes[i]! - window.from) / bucketMs)));
    buckets[k]!.exposures++;
    buckets[k]!.people.add(t.serveOwners[i]!);
  }
  return {
    bucketMs,
    buckets: buckets.map((b, i): CountBucket => ({ start: iso(window.from + i * bucketMs), exposures: b.exposures, people: b.people.size })),
  };
}

export function buildReport(t: Tally, ctx: ReportContext): ScopeReport {
  const rank = (s: Status) => STATUSES.indexOf(s);
  const people = [...t.persons.values()].map((p) => person(p, ctx.book)).sort((a, b) => rank(a.status) - rank(b.status) || cmp(a.id, b.id));

  const pairs: ExposurePair[] = [...t.pairs.values()]
    .sort((a, b) => a.first - b.first || cmp(a.owner, b.owner) || cmp(a.viewer, b.viewer) || cmp(a.url, b.url) || cmp(a.edge, b.edge))
    .map((p) => ({
      first: iso(p.first),
      last: iso(p.last),
      owner: p.owner,
      viewer: p.viewer,
      url: p.url,
      route: p.route,
      edge: p.edge,
      count: p.count,
      outcomes: sorted(p.outcomes),
      rule: PAIR_RULES.find((r) => p.rules.has(r))!,
      fields: sorted(p.fields),
    }));
  const derivedPairs: DerivedPair[] = [...t.derivedPairs.values()]
    .sort((a, b) => a.first - b.first || cmp(a.person, b.person) || cmp(a.owner, b.owner) || cmp(a.viewer, b.viewer) || cmp(a.url, b.url))
    .map((d) => ({ first: iso(d.first), last: iso(d.last), person: d.person, owner: d.owner, viewer: d.viewer, url: d.url, route: d.route, fields: sorted(d.fields), count: d.count }));

  const count = (s: Status) => people.filter((p) => p.status === s).length;
  const exposed = people.filter((p) => p.status === 'shown' || p.status === 'derived');
  const perCategory: Record<string, number> = {};
  for (const c of ctx.categories) perCategory[c.name] = exposed.filter((p) => p.categories.includes(c.name)).length;
  const direct = new Set(ctx.categories.filter((c) => c.direct).map((c) => c.name));
  const rawPairs = [...t.pairs.values()];
  const exposures = rawPairs.reduce((n, p) => n + p.count, 0);
  const shown = count('shown');
  const derived = count('derived');
  const possibly = count('possibly');

  return {
    version: REPORT_VERSION,
    generatedAt: iso(ctx.generatedAt),
    window: { from: iso(ctx.window.from), to: iso(ctx.window.to) },
    observed: ctx.observed ? { from: iso(ctx.observed.from), to: iso(ctx.observed.to) } : null,
    identity: ctx.identity,
    inputs: ctx.inputs,
    incident: ctx.incident,
    categories: ctx.categories,
    summary: {
      active: people.length,
      shown,
      derived,
      possibly,
      notAffected: count('not-affected'),
      anyData: shown + derived,
      directlyIdentifying: exposed.filter((p) => p.categories.some((c) => direct.has(c))).length,
      upperBound: shown + derived + possibly,
      perCategory,
      viewers: new Set(rawPairs.map((p) => p.viewer)).size,
      pairs: pairs.length,
      derivedPairs: derivedPairs.length,
      exposures,
      unattributed: t.unattributed,
      firstExposure: rawPairs.length === 0 ? null : iso(rawPairs.reduce((m, p) => Math.min(m, p.first), Infinity)),
      lastExposure: rawPairs.length === 0 ? null : iso(rawPairs.reduce((m, p) => Math.max(m, p.last), -Infinity)),
    },
    timeline: timeline(t, ctx.window),
    byRoute: byKey(rawPairs.map((p) => ({ key: p.route, count: p.count, owner: p.owner }))),
    byEdge: byKey(rawPairs.map((p) => ({ key: p.edge, count: p.count, owner: p.owner }))),
    people,
    pairs,
    derivedPairs,
  };
}
