/**
 * What lookup may tell one person, computed once per person when the server starts: the status,
 * the data items and categories, the times and how many recipients. It holds nothing that names
 * another person (no hashes, no URLs of other people's pages), so an answer built from it cannot
 * reveal anyone else. A lookup is then one Map get.
 */
import type { IdentityHash } from '../../core/identity.ts';
import type { PersonEntry, ScopeReport, Status } from '../types.ts';

export interface Span {
  first: string;
  last: string;
}

export interface PersonView {
  status: Status;
  /** Data items exposed (or at risk, for `possibly`), as in the report. */
  fields: readonly string[];
  categories: readonly string[];
  /** The person's own page served to others: when, and to how many recipients. */
  own: (Span & { viewers: number }) | null;
  /** The person's data on other people's pages served to others: when, and to how many recipients. */
  derived: (Span & { viewers: number }) | null;
  /** Stored or collapsed without a known other viewer; `unknown`: the logs cannot tell who received it. */
  possibly: (Span & { unknown: boolean }) | null;
  /** All of the above together (null when none). */
  first: string | null;
  last: string | null;
  /** The person made requests in the window (appears in the report). */
  active: boolean;
}

/** The answer for a person the report does not list: no visit in the window. */
export const ABSENT: PersonView = Object.freeze({
  status: 'not-affected',
  fields: Object.freeze([]),
  categories: Object.freeze([]),
  own: null,
  derived: null,
  possibly: null,
  first: null,
  last: null,
  active: false,
});

function span(ranges: Array<{ first: string; last: string } | undefined>): { first: string | null; last: string | null } {
  let first: string | null = null;
  let last: string | null = null;
  for (const r of ranges) {
    if (!r) continue;
    if (first === null || r.first < first) first = r.first;
    if (last === null || r.last > last) last = r.last;
  }
  return { first, last };
}

function viewOf(p: PersonEntry, derivedViewers: number): PersonView {
  const own = p.status === 'shown' && p.shown ? { first: p.shown.first, last: p.shown.last, viewers: p.shown.viewers } : null;
  const exposed = p.status === 'shown' || p.status === 'derived';
  const derived = exposed && p.derived ? { first: p.derived.first, last: p.derived.last, viewers: derivedViewers } : null;
  const reasons = p.possibly?.reasons ?? [];
  const possibly =
    p.status === 'possibly' && p.possibly
      ? { first: p.possibly.first, last: p.possibly.last, unknown: reasons.includes('unknown-viewer') || reasons.includes('collapsed') }
      : null;
  return Object.freeze({
    status: p.status,
    fields: Object.freeze([...p.fields]),
    categories: Object.freeze([...p.categories]),
    own,
    derived,
    possibly,
    ...span([own ?? undefined, derived ?? undefined, possibly ?? undefined]),
    active: true,
  });
}

/** Person hash → what they may learn. */
export function buildViews(report: ScopeReport): Map<IdentityHash, PersonView> {
  // Distinct recipients of pages carrying each person's data; anonymous responses count one each.
  const derivedTo = new Map<IdentityHash, { named: Set<string>; anonymous: number }>();
  for (const d of report.derivedPairs) {
    let e = derivedTo.get(d.person);
    if (!e) derivedTo.set(d.person, (e = { named: new Set(), anonymous: 0 }));
    if (d.viewer === 'anonymous') e.anonymous += d.count;
    else e.named.add(d.viewer);
  }
  const views = new Map<IdentityHash, PersonView>();
  for (const p of report.people) {
    const d = derivedTo.get(p.id);
    views.set(p.id, viewOf(p, d ? d.named.size + d.anonymous : 0));
  }
  return views;
}
