/**
 * scope against the lab, through real nginx: S1 and S2a (owner tags on) leak under simulated
 * traffic; `runScope` then replays the engine's access log with a sessions map (the traffic's
 * credential → user) and a relations file (the population's transactions: whose data each page
 * shows). The report must equal the traffic generator's ground truth exactly:
 * - confirmed pairs (owner user → viewer user or anonymous): every leaked pair, none invented;
 * - derived pairs (person → via owner → viewer, URL): exactly the generator's `exposures`;
 * - per-category person counts: as computed from the ground truth with the same respond config.
 * SAFE under the same traffic: nobody shown, nobody derived. And the report is the same when the
 * log is split into three files named in shuffled order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RespondSchema, WatchSchema } from '../../src/config/schema.ts';
import { IdentityHasher } from '../../src/core/identity.ts';
import { globToRegExp, routePath } from '../../src/core/glob.ts';
import { runScope, type ScopeOptions } from '../../src/respond/scope/index.ts';
import type { ScopeReport } from '../../src/respond/types.ts';
import { LAB_IDENTITY_KEY } from '../../lab/origin/owner-tag.ts';
import { LAB_PERSONALIZED_GLOBS } from '../../lab/origin/index.ts';
import { LAB_RESPOND_ROUTES, relationsCsv, sellersWithBuyerData, sessionsCsv } from '../../lab/incident.ts';
import type { Transaction } from '../../lab/people.ts';
import type { ScenarioId } from '../../lab/scenarios/registry.ts';
import { startScenario } from '../../lab/scenarios/run.ts';
import { runTraffic, type TrafficResult } from '../../lab/traffic/index.ts';
import { engineSkip, requireEngine } from '../lab/helpers.ts';

const ROUTES = LAB_RESPOND_ROUTES;
const RESPOND = RespondSchema.parse({ routes: { ...ROUTES } });
/** A longer, seed-fixed run than the watch tests. */
const TRAFFIC = { durationMs: 5000, seed: 11 };
const USERS = 8;

interface LabRun {
  traffic: TrafficResult;
  log: string[];
  transactions: readonly Transaction[];
}

async function runLab(id: ScenarioId): Promise<LabRun> {
  const lab = await startScenario(id, 'nginx', { origin: { ownerTag: true } });
  try {
    // Logged-in users are sellers whose page shows a buyer's name and address (a trade awaiting
    // shipment, no anonymous shipping): whichever page the cache keeps, a leak carries a buyer's data.
    const sellers = sellersWithBuyerData(lab.origin);
    assert.ok(sellers.length >= USERS, 'enough sellers in the lab population');
    const traffic = await runTraffic(lab.trafficOptions({ ...TRAFFIC, userIds: sellers.slice(0, USERS) }));
    const answered = traffic.observations.filter((o) => o.status > 0).length;
    await lab.engine.syncLog({ minLines: answered });
    const log = readFileSync(lab.engine.accessLog, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(log.length, answered, `${id}: one log line per answered request`);
    return { traffic, log, transactions: lab.origin.transactions };
  } finally {
    await lab.stop();
  }
}

async function scope(run: LabRun, dir: string, inputs: string[]): Promise<ScopeReport> {
  const sessions = join(dir, 'sessions.csv');
  writeFileSync(sessions, sessionsCsv(run.traffic));
  const relations = join(dir, 'relations.csv');
  writeFileSync(relations, relationsCsv(run.transactions));
  const w = WatchSchema.parse({});
  const opts: ScopeOptions = {
    inputs,
    format: 'nginx-json',
    personalized: LAB_PERSONALIZED_GLOBS,
    identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] },
    watch: { lateness: w.lateness, objectLife: w.objectLife, joinTolerance: w.joinTolerance, maxKeys: w.maxKeys },
    respond: RESPOND,
    sessions,
    relations,
  };
  return runScope(opts);
}

function namer(t: TrafficResult, txs: readonly Transaction[]): (h: string) => string {
  const hasher = new IdentityHasher(LAB_IDENTITY_KEY);
  const users = new Set([...Object.values(t.identities), ...txs.flatMap((tx) => [tx.sellerId, tx.buyerId])]);
  const byHash = new Map<string, string>([...users].map((u) => [hasher.hash(u)!, u]));
  return (h) => (h === 'anonymous' ? 'anon' : (byHash.get(h) ?? `unknown ${h}`));
}

function routeFields(url: string): readonly string[] {
  const p = routePath(url);
  const g = Object.keys(ROUTES).find((glob) => globToRegExp(glob).test(p));
  return g === undefined ? ['page'] : ROUTES[g]!;
}

interface Truth {
  pairs: string[];
  derived: string[];
  perCategory: Record<string, number>;
  shown: number;
  derivedPeople: number;
}

function groundTruth(t: TrafficResult): Truth {
  const pairs = new Set<string>();
  const fields = new Map<string, Set<string>>();
  const add = (person: string, fs: readonly string[]) => {
    const s = fields.get(person) ?? new Set();
    for (const f of fs) s.add(f);
    fields.set(person, s);
  };
  const shown = new Set<string>();
  for (const o of t.observations) {
    if (!o.leak || o.via !== 'cache' || o.owner === null) continue;
    const viewer = o.session ?? 'anon';
    if (viewer === o.owner) continue;
    pairs.add(`${o.owner} → ${viewer}`);
    shown.add(o.owner);
    // The respond config must cover what the page really showed of its owner.
    for (const f of o.ownerFields) assert.ok(routeFields(o.url).includes(f), `${o.url} shows ${f}: add it to ROUTES`);
    add(o.owner, routeFields(o.url));
  }
  const derived = new Set<string>();
  const derivedPeople = new Set<string>();
  for (const e of t.exposures) {
    derived.add(`${e.person} via ${e.owner} → ${e.viewer} ${e.url}`);
    if (!shown.has(e.person)) derivedPeople.add(e.person);
    add(e.person, e.fields);
  }
  const perCategory: Record<string, number> = {};
  for (const [name, c] of Object.entries(RESPOND.categories)) {
    perCategory[name] = [...fields.values()].filter((fs) => c.fields.some((f) => fs.has(f))).length;
  }
  return { pairs: [...pairs].sort(), derived: [...derived].sort(), perCategory, shown: shown.size, derivedPeople: derivedPeople.size };
}

function fromReport(r: ScopeReport, name: (h: string) => string): Truth {
  return {
    pairs: [...new Set(r.pairs.map((p) => `${name(p.owner)} → ${name(p.viewer)}`))].sort(),
    derived: [...new Set(r.derivedPairs.map((d) => `${name(d.person)} via ${name(d.owner)} → ${name(d.viewer)} ${d.url}`))].sort(),
    perCategory: r.summary.perCategory,
    shown: r.summary.shown,
    derivedPeople: r.summary.derived,
  };
}

const comparable = (r: ScopeReport) => {
  const { generatedAt: _g, inputs, ...rest } = r;
  const { files: _f, sessions: _s, relations: _r, ...inp } = inputs;
  return JSON.stringify({ ...rest, inputs: inp });
};

const skip = engineSkip('nginx');
for (const id of ['S1', 'S2a'] as const) {
  test(`scope on nginx ${id}: confirmed pairs, derived exposures and category counts equal the ground truth`, { skip }, async () => {
    requireEngine('nginx');
    const run = await runLab(id);
    const dir = mkdtempSync(join(tmpdir(), `cw-scope-lab-${id}-`));
    try {
      const file = join(dir, 'access.log');
      writeFileSync(file, `${run.log.join('\n')}\n`);
      const report = await scope(run, dir, [file]);
      const truth = groundTruth(run.traffic);
      assert.ok(truth.pairs.length > 0, `${id}: the scenario leaked (precondition)`);
      assert.ok(truth.derived.length > 0, `${id}: a page with someone else's address leaked (precondition)`);
      assert.deepEqual(report.inputs.rejected, {}, 'every log line parsed');
      assert.deepEqual(fromReport(report, namer(run.traffic, run.transactions)), truth);
      assert.equal(report.identity.kind, 'user');
      console.log(`# ${id}: ${report.inputs.lines} lines, ${truth.pairs.length} confirmed pairs, ${truth.derived.length} derived pairs, shown ${report.summary.shown}, derived ${report.summary.derived}, possibly ${report.summary.possibly}, not affected ${report.summary.notAffected}, per category ${JSON.stringify(report.summary.perCategory)}`);

      // The same lines in three files, named in shuffled order: the same report.
      const third = Math.ceil(run.log.length / 3);
      const parts = [0, 1, 2].map((i) => {
        const p = join(dir, `part-${i}.log`);
        writeFileSync(p, `${run.log.slice(i * third, (i + 1) * third).join('\n')}\n`);
        return p;
      });
      const split = await scope(run, dir, [parts[2]!, parts[0]!, parts[1]!]);
      assert.equal(comparable(split), comparable(report));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('scope on nginx SAFE under the same traffic: nobody shown, nobody derived', { skip }, async () => {
  requireEngine('nginx');
  const run = await runLab('SAFE');
  const dir = mkdtempSync(join(tmpdir(), 'cw-scope-lab-SAFE-'));
  try {
    const file = join(dir, 'access.log');
    writeFileSync(file, `${run.log.join('\n')}\n`);
    const report = await scope(run, dir, [file]);
    assert.ok(report.inputs.events > 100, 'traffic was seen');
    assert.deepEqual(report.inputs.rejected, {});
    assert.deepEqual([report.summary.shown, report.summary.derived, report.summary.possibly, report.pairs.length, report.derivedPairs.length], [0, 0, 0, 0, 0]);
    assert.equal(report.summary.notAffected, report.summary.active);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
