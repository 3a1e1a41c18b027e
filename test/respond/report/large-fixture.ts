/**
 * Builds test/respond/fixtures/report-large.json: a consistent ScopeReport with 3,000 people
 * (40 shown, 10 derived, 1,150 possibly, 1,800 not affected; upper bound 1,200, so APPI's
 * "more than 1,000 people" case applies), for the people-table cap of the HTML report.
 * Deterministic; a test checks the committed file equals this output.
 * Rewrite the file with: node test/respond/report/large-fixture.ts --write
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IdentityHash } from '../../../src/core/identity.ts';
import type { CountBucket, CountByKey, DerivedPair, ExposurePair, PersonEntry, ScopeReport, Status } from '../../../src/respond/types.ts';
import { STATUSES } from '../../../src/respond/types.ts';

export const LARGE_FIXTURE = new URL('../fixtures/report-large.json', import.meta.url);

const FROM = Date.parse('2026-11-22T12:00:00.000Z');
const TO = Date.parse('2026-11-22T13:00:00.000Z');
const BUCKET = 30_000;
const iso = (t: number) => new Date(t).toISOString();
const id = (i: number) => `h:${createHash('sha256').update(`large:${i}`).digest('base64url').slice(0, 22)}` as IdentityHash;

const CATEGORIES = [
  { name: 'identifying', fields: ['name', 'address', 'email', 'phone'], direct: true },
  { name: 'payment', fields: ['card', 'bank'], direct: false },
  { name: 'other', fields: ['history', 'points', 'balance'], direct: false },
];
const ROUTES: Record<string, string[]> = { '/mypage*': ['address', 'email', 'name', 'points'], '/orders*': ['address', 'history', 'name'] };
const categoriesOf = (fields: string[]) => CATEGORIES.filter((c) => c.fields.some((f) => fields.includes(f))).map((c) => c.name).sort();
const byStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function largeReport(): ScopeReport {
  const N = 3000;
  const status = (i: number): Status => (i < 40 ? 'shown' : i < 50 ? 'derived' : i < 1200 ? 'possibly' : 'not-affected');
  const pairs: ExposurePair[] = [];
  const derivedPairs: DerivedPair[] = [];
  const responses: Array<{ t: number; owner: IdentityHash }> = [];
  for (let k = 0; k < 40; k++) {
    const route = k % 2 ? '/orders*' : '/mypage*';
    const fields = ROUTES[route] ?? [];
    const count = 1 + (k % 3);
    const first = FROM + 300_000 + k * 45_000;
    const last = first + (count - 1) * 10_000;
    for (let n = 0; n < count; n++) responses.push({ t: first + n * 10_000, owner: id(k) });
    const pair: ExposurePair = {
      owner: id(k),
      viewer: id(1200 + k),
      url: k % 2 ? `/orders/${1000 + k}` : '/mypage',
      route,
      edge: `edge-${(k % 3) + 1}`,
      count,
      first: iso(first),
      last: iso(last),
      outcomes: ['HIT'],
      rule: 'watch/owner-mismatch',
      fields,
    };
    pairs.push(pair);
    if (k < 10) {
      derivedPairs.push({ person: id(40 + k), owner: pair.owner, viewer: pair.viewer, url: pair.url, route, fields: [route === '/orders*' ? 'address' : 'points'], count, first: pair.first, last: pair.last });
    }
  }
  const people: PersonEntry[] = [];
  for (let i = 0; i < N; i++) {
    const st = status(i);
    const activeFirst = FROM + (i % 600) * 1000;
    const p: PersonEntry = { id: id(i), status: st, fields: [], categories: [], active: { first: iso(activeFirst), last: iso(activeFirst + 60_000 + (i % 7) * 1000), requests: 1 + (i % 7) } };
    if (st === 'shown') {
      const pair = pairs[i] as ExposurePair;
      p.fields = [...pair.fields].sort();
      p.shown = { first: pair.first, last: pair.last, urls: [pair.url], routes: [pair.route], viewers: 1, anonymousServes: 0, serves: pair.count, edges: [pair.edge] };
    } else if (st === 'derived') {
      const d = derivedPairs[i - 40] as DerivedPair;
      p.fields = [...d.fields];
      p.derived = { first: d.first, last: d.last, via: [d.owner], routes: [d.route], fields: d.fields, serves: d.count };
    } else if (st === 'possibly') {
      const t = iso(FROM + 1_800_000 + (i - 50) * 1000);
      p.fields = [...(ROUTES['/mypage*'] ?? [])].sort();
      p.possibly = { first: t, last: t, urls: ['/mypage'], routes: ['/mypage*'], edges: [`edge-${(i % 3) + 1}`], reasons: ['stored'] };
    }
    p.categories = categoriesOf(p.fields);
    people.push(p);
  }
  const rank = (s: Status) => STATUSES.indexOf(s);
  people.sort((a, b) => rank(a.status) - rank(b.status) || byStr(a.id, b.id));
  pairs.sort((a, b) => byStr(a.first, b.first) || byStr(a.owner, b.owner));
  derivedPairs.sort((a, b) => byStr(a.first, b.first) || byStr(a.person, b.person));

  const buckets: CountBucket[] = [];
  for (let t = FROM; t < TO; t += BUCKET) {
    const inB = responses.filter((r) => r.t >= t && r.t < t + BUCKET);
    buckets.push({ start: iso(t), exposures: inB.length, people: new Set(inB.map((r) => r.owner)).size });
  }
  const countBy = (field: 'route' | 'edge'): CountByKey[] =>
    [...new Set(pairs.map((p) => p[field]))]
      .map((key) => {
        const ps = pairs.filter((p) => p[field] === key);
        return { key, exposures: ps.reduce((a, p) => a + p.count, 0), people: new Set(ps.map((p) => p.owner)).size };
      })
      .sort((a, b) => b.exposures - a.exposures || byStr(a.key, b.key));
  const exposed = people.filter((p) => p.status === 'shown' || p.status === 'derived');
  const n = (s: Status) => people.filter((p) => p.status === s).length;
  const times = responses.map((r) => r.t).sort((a, b) => a - b);
  return {
    version: 1,
    generatedAt: '2026-11-22T14:00:00.000Z',
    window: { from: iso(FROM), to: iso(TO) },
    observed: { from: iso(FROM), to: iso(TO - 1000) },
    identity: { kind: 'user', keyId: '5be0d7a9' },
    inputs: { files: ['logs/2026-11-22-12.log.gz'], format: 'fastly-json', lines: 250_000, events: 249_990, rejected: { bad_json: 10 }, outsideWindow: 0, sessions: { file: 'incident/sessions.csv', rows: 3100 } },
    incident: {
      organisation: 'Example Co.',
      title: 'Personal pages shown to other customers',
      cause: "A cache setting let a shared cache hand one customer's page to another.",
      measures: ['(measures taken: fill in before sending)'],
      contact: 'Customer desk: privacy@example.com, 0120-000-000',
    },
    categories: CATEGORIES,
    summary: {
      active: N,
      shown: n('shown'),
      derived: n('derived'),
      possibly: n('possibly'),
      notAffected: n('not-affected'),
      anyData: exposed.length,
      directlyIdentifying: exposed.filter((p) => p.categories.includes('identifying')).length,
      upperBound: n('shown') + n('derived') + n('possibly'),
      perCategory: Object.fromEntries(CATEGORIES.map((c) => [c.name, exposed.filter((p) => p.categories.includes(c.name)).length])),
      viewers: new Set(pairs.map((p) => p.viewer)).size,
      pairs: pairs.length,
      derivedPairs: derivedPairs.length,
      exposures: responses.length,
      unattributed: 0,
      firstExposure: iso(times[0] ?? FROM),
      lastExposure: iso(times.at(-1) ?? FROM),
    },
    timeline: { bucketMs: BUCKET, buckets },
    byRoute: countBy('route'),
    byEdge: countBy('edge'),
    people,
    pairs,
    derivedPairs,
  };
}

/** The file's text: two-space JSON, one person, pair or bucket per line, to keep it small and diffable. */
export function largeFixtureText(): string {
  const r = largeReport();
  const lines = (xs: unknown[]) => xs.map((x) => `    ${JSON.stringify(x)}`).join(',\n');
  const { people, pairs, derivedPairs, timeline, ...head } = r;
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return (
    `${headText},\n` +
    `  "timeline": {\n    "bucketMs": ${timeline.bucketMs},\n    "buckets": [\n${lines(timeline.buckets).replace(/^ {4}/gm, '      ')}\n    ]\n  },\n` +
    `  "people": [\n${lines(people)}\n  ],\n` +
    `  "pairs": [\n${lines(pairs)}\n  ],\n` +
    `  "derivedPairs": [\n${lines(derivedPairs)}\n  ]\n}\n`
  );
}

if (import.meta.main && process.argv.includes('--write')) {
  writeFileSync(LARGE_FIXTURE, largeFixtureText());
  console.log(`wrote ${LARGE_FIXTURE.pathname}`);
}
