/**
 * Test helpers for the report fixtures: a strict zod mirror of ScopeReport (src/respond/types.ts),
 * tied to the interface at compile time in both directions, so a JSON fixture parsed with it is a
 * ScopeReport exactly (no missing, extra or mistyped keys); and `inconsistencies(report)`, which
 * recomputes the summary, timeline, by-route and by-edge counts from the people and pairs and
 * lists every figure that disagrees.
 */
import { z } from 'zod';
import { isIdentityHash, type IdentityHash } from '../../../src/core/identity.ts';
import { STATUSES, type ScopeReport } from '../../../src/respond/types.ts';

const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'ISO time with milliseconds, UTC');
const hash = z.string().refine(isIdentityHash, 'an identity hash h:<22 base64url>').transform((s) => s as IdentityHash);
const count = z.number().int().nonnegative();
const strs = z.array(z.string());
const range = { first: iso, last: iso };
const countByKey = z.strictObject({ key: z.string(), exposures: count, people: count });

export const ScopeReportSchema = z.strictObject({
  version: z.literal(1),
  generatedAt: iso,
  window: z.strictObject({ from: iso, to: iso }),
  observed: z.strictObject({ from: iso, to: iso }).nullable(),
  identity: z.strictObject({ kind: z.enum(['user', 'session']), keyId: z.string().regex(/^[0-9a-f]{8}$/) }),
  inputs: z.strictObject({
    files: strs,
    format: z.string(),
    lines: count,
    events: count,
    rejected: z.record(z.string(), count),
    outsideWindow: count,
    sessions: z.strictObject({ file: z.string(), rows: count }).optional(),
    relations: z.strictObject({ file: z.string(), rows: count }).optional(),
  }),
  incident: z.strictObject({
    organisation: z.string(),
    title: z.string(),
    cause: z.string(),
    measures: strs,
    contact: z.string(),
    lookupUrl: z.string().optional(),
  }),
  categories: z.array(z.strictObject({ name: z.string(), fields: strs, direct: z.boolean() })),
  summary: z.strictObject({
    active: count,
    shown: count,
    derived: count,
    possibly: count,
    notAffected: count,
    anyData: count,
    directlyIdentifying: count,
    upperBound: count,
    perCategory: z.record(z.string(), count),
    viewers: count,
    pairs: count,
    derivedPairs: count,
    exposures: count,
    unattributed: count,
    firstExposure: iso.nullable(),
    lastExposure: iso.nullable(),
  }),
  timeline: z.strictObject({
    bucketMs: z.number().int().min(1000),
    buckets: z.array(z.strictObject({ start: iso, exposures: count, people: count })).max(120),
  }),
  byRoute: z.array(countByKey),
  byEdge: z.array(countByKey),
  people: z.array(
    z.strictObject({
      id: hash,
      status: z.enum(STATUSES),
      fields: strs,
      categories: strs,
      active: z.strictObject({ ...range, requests: count }),
      shown: z
        .strictObject({ ...range, urls: strs, routes: strs, viewers: count, anonymousServes: count, serves: count, edges: strs })
        .optional(),
      derived: z.strictObject({ ...range, via: z.array(hash), routes: strs, fields: strs, serves: count }).optional(),
      possibly: z
        .strictObject({ ...range, urls: strs, routes: strs, edges: strs, reasons: z.array(z.enum(['stored', 'collapsed', 'unknown-viewer'])) })
        .optional(),
    }),
  ),
  pairs: z.array(
    z.strictObject({
      ...range,
      owner: hash,
      viewer: z.union([hash, z.literal('anonymous')]),
      url: z.string(),
      route: z.string(),
      edge: z.string(),
      count: count.min(1),
      outcomes: strs,
      rule: z.string(),
      fields: strs,
    }),
  ),
  derivedPairs: z.array(
    z.strictObject({
      ...range,
      person: hash,
      owner: hash,
      viewer: z.union([hash, z.literal('anonymous')]),
      url: z.string(),
      route: z.string(),
      fields: strs,
      count: count.min(1),
    }),
  ),
});

// The mirror and the contract must agree both ways, or this file does not type-check.
type Parsed = z.output<typeof ScopeReportSchema>;
type Extends<A, B> = [A] extends [B] ? true : false;
export const schemaMatchesContract: [Extends<Parsed, ScopeReport>, Extends<ScopeReport, Parsed>] = [true, true];

/** ScopeReport with its brands and literal types widened: what a JSON import's type can match. */
export type Loose<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends null
        ? null
        : T extends Array<infer U>
          ? Array<Loose<U>>
          : T extends object
            ? { [K in keyof T]: Loose<T[K]> }
            : T;

/** Parses a fixture strictly; throws with zod's issue list when it does not conform. */
export function asScopeReport(json: unknown): ScopeReport {
  return ScopeReportSchema.parse(json);
}

const RANK: Record<string, number> = Object.fromEntries(STATUSES.map((s, i) => [s, i]));

/** Every figure of the report that disagrees with its people and pairs, as one line each. */
export function inconsistencies(r: ScopeReport): string[] {
  const out: string[] = [];
  const eq = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${what}: report says ${JSON.stringify(got)}, data gives ${JSON.stringify(want)}`);
  };
  const s = r.summary;
  const by = (st: string) => r.people.filter((p) => p.status === st);
  const exposed = r.people.filter((p) => p.status === 'shown' || p.status === 'derived');
  const direct = new Set(r.categories.filter((c) => c.direct).map((c) => c.name));
  eq('active', s.active, r.people.length);
  eq('shown', s.shown, by('shown').length);
  eq('derived', s.derived, by('derived').length);
  eq('possibly', s.possibly, by('possibly').length);
  eq('notAffected', s.notAffected, by('not-affected').length);
  eq('anyData', s.anyData, exposed.length);
  eq('upperBound', s.upperBound, s.shown + s.derived + s.possibly);
  eq('directlyIdentifying', s.directlyIdentifying, exposed.filter((p) => p.categories.some((c) => direct.has(c))).length);
  eq('perCategory', s.perCategory, Object.fromEntries(r.categories.map((c) => [c.name, exposed.filter((p) => p.categories.includes(c.name)).length])));
  eq('pairs', s.pairs, r.pairs.length);
  eq('derivedPairs', s.derivedPairs, r.derivedPairs.length);
  const exposures = r.pairs.reduce((a, p) => a + p.count, 0);
  eq('exposures', s.exposures, exposures);
  eq('timeline exposures', r.timeline.buckets.reduce((a, b) => a + b.exposures, 0), exposures);
  eq('byRoute exposures', r.byRoute.reduce((a, b) => a + b.exposures, 0), exposures);
  eq('byEdge exposures', r.byEdge.reduce((a, b) => a + b.exposures, 0), exposures);
  eq('viewers', s.viewers, new Set(r.pairs.map((p) => p.viewer)).size);
  eq('firstExposure', s.firstExposure, r.pairs.map((p) => p.first).sort()[0] ?? null);
  eq('lastExposure', s.lastExposure, r.pairs.map((p) => p.last).sort().at(-1) ?? null);
  const sorted = [...r.people].sort((a, b) => (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  eq('people order', r.people.map((p) => p.id), sorted.map((p) => p.id));
  for (const k of ['byRoute', 'byEdge'] as const) {
    const field = k === 'byRoute' ? 'route' : 'edge';
    const want = [...new Set(r.pairs.map((p) => p[field]))]
      .map((key) => {
        const ps = r.pairs.filter((p) => p[field] === key);
        return { key, exposures: ps.reduce((a, p) => a + p.count, 0), people: new Set(ps.map((p) => p.owner)).size };
      })
      .sort((a, b) => b.exposures - a.exposures || (a.key < b.key ? -1 : 1));
    eq(k, r[k], want);
  }
  for (const p of r.people) {
    eq(`${p.id} fields sorted`, p.fields, [...p.fields].sort());
    const cats = r.categories.filter((c) => c.fields.some((f) => p.fields.includes(f))).map((c) => c.name).sort();
    eq(`${p.id} categories`, p.categories, cats);
    const details = { shown: !!p.shown, derived: !!p.derived, possibly: !!p.possibly };
    if (p.status === 'not-affected') eq(`${p.id} details`, details, { shown: false, derived: false, possibly: false });
    else eq(`${p.id} ${p.status} detail present`, details[p.status], true);
    if (p.shown) {
      const ps = r.pairs.filter((x) => x.owner === p.id);
      eq(`${p.id} shown.serves`, p.shown.serves, ps.reduce((a, x) => a + x.count, 0));
      eq(`${p.id} shown.anonymousServes`, p.shown.anonymousServes, ps.filter((x) => x.viewer === 'anonymous').reduce((a, x) => a + x.count, 0));
      eq(`${p.id} shown.edges`, p.shown.edges, [...new Set(ps.map((x) => x.edge))].sort());
      eq(`${p.id} shown range`, [p.shown.first, p.shown.last], [ps.map((x) => x.first).sort()[0], ps.map((x) => x.last).sort().at(-1)]);
    }
    if (p.derived) {
      const ds = r.derivedPairs.filter((x) => x.person === p.id);
      eq(`${p.id} derived.serves`, p.derived.serves, ds.reduce((a, x) => a + x.count, 0));
      eq(`${p.id} derived.via`, p.derived.via, [...new Set(ds.map((x) => x.owner))].sort());
      eq(`${p.id} derived range`, [p.derived.first, p.derived.last], [ds.map((x) => x.first).sort()[0], ds.map((x) => x.last).sort().at(-1)]);
    }
  }
  return out;
}
