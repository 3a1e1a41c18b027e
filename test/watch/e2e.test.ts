/**
 * watch, end to end through the real caches: the lab's nginx and Varnish run a leak scenario,
 * simulated users browse, and `runWatch` follows the engine's live access log. The (owner, viewer)
 * pairs in the cross-identity incidents must equal the traffic generator's ground truth exactly:
 * every leaked pair reported, none invented. With owner tags off, the inferred rule must still
 * find S1 and S2a, invent no pair, and name every leaked pair, except where the fill behind a hit
 * is ambiguous (concurrent misses without a cache lock): then the incident must list the viewer.
 * SAFE under the same traffic: zero incidents.
 *
 * Viewers are compared as the identity the request carried (the session cookie or token the cache
 * logged), which after a cached Set-Cookie handover is the session that was handed over.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchSchema } from '../../src/config/schema.ts';
import type { Alert, IncidentSnapshot } from '../../src/core/incident.ts';
import { IdentityHasher } from '../../src/core/identity.ts';
import { runWatch, type WatchStatus } from '../../src/watch/pipeline.ts';
import { LAB_IDENTITY_KEY } from '../../lab/origin/owner-tag.ts';
import { LAB_PERSONALIZED_GLOBS } from '../../lab/origin/index.ts';
import type { EngineName } from '../../lab/engines/types.ts';
import type { ScenarioId } from '../../lab/scenarios/registry.ts';
import { startScenario } from '../../lab/scenarios/run.ts';
import { runTraffic, type TrafficResult } from '../../lab/traffic/index.ts';
import { engineSkip, requireEngine } from '../lab/helpers.ts';

const PERSONALIZED = LAB_PERSONALIZED_GLOBS;
const CROSS_IDENTITY = new Set(['watch/owner-mismatch', 'watch/cross-identity-inferred', 'watch/cached-set-cookie']);
const FORMAT: Record<EngineName, 'nginx-json' | 'varnishncsa'> = { nginx: 'nginx-json', varnish: 'varnishncsa' };

interface WatchRun {
  traffic: TrafficResult;
  incidents: IncidentSnapshot[];
  alerts: Alert[];
  status: WatchStatus;
}

async function until(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function watchScenario(id: ScenarioId, engine: EngineName, opts: { ownerTag: boolean }): Promise<WatchRun> {
  const lab = await startScenario(id, engine, { origin: { ownerTag: opts.ownerTag } });
  const alerts: Alert[] = [];
  const controller = new AbortController();
  let status: WatchStatus | undefined;
  const settings = WatchSchema.parse({ incidents: { listed: 100_000 } });
  try {
    const watching = runWatch({
      inputs: [{ spec: { input: lab.engine.accessLog, start: 'beginning' }, format: FORMAT[engine] }],
      personalized: PERSONALIZED,
      identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] },
      settings,
      once: false,
      onAlert: (a) => alerts.push(a),
      onStatus: (s) => (status = s),
      statusIntervalMs: 50,
      signal: controller.signal,
    });
    const traffic = await runTraffic(lab.trafficOptions({ durationMs: lab.scenario.traffic.durationMs ?? 2500, seed: 7 }));
    const answered = traffic.observations.filter((o) => o.status > 0).length;
    await lab.engine.syncLog({ minLines: answered });
    const inFile = lab.engine.readLog().length;
    await until(() => (status?.lines ?? 0) >= inFile, `watch to read all ${inFile} lines`);
    controller.abort(); // stopping decides every pending join
    const result = await watching;
    return { traffic, incidents: result.incidents, alerts, status: result.status };
  } finally {
    controller.abort();
    await lab.stop();
  }
}

function pairKey(owner: string, viewer: string): string {
  return `${owner} → ${viewer}`;
}

/** Ground truth: who was shown whose data through the cache, and whose session a cached Set-Cookie handed to whom. */
function expectedPairs(t: TrafficResult, personalizedOnly: boolean): Set<string> {
  const out = new Set<string>();
  for (const o of t.observations) {
    if (!o.leak || o.via !== 'cache' || o.owner === null) continue;
    if (personalizedOnly && o.routeClass !== 'personalized' && o.routeClass !== 'deception') continue;
    const viewer = o.session ?? 'anon';
    if (viewer !== o.owner) out.add(pairKey(o.owner, viewer));
  }
  if (!personalizedOnly) {
    for (const h of t.sessionHandovers) if (h.from !== h.session) out.add(pairKey(h.from, h.session ?? 'anon'));
  }
  return out;
}

function reportedPairs(incidents: IncidentSnapshot[], t: TrafficResult): Set<string> {
  const name = userNames(t);
  const out = new Set<string>();
  for (const inc of incidents) {
    if (!CROSS_IDENTITY.has(inc.rule)) continue;
    assert.equal(inc.pairs.length, inc.pairsTotal, `${inc.id}: every pair listed`);
    for (const p of inc.pairs) out.add(pairKey(name(p.owner), name(p.viewer)));
  }
  return out;
}

function leakedUrls(t: TrafficResult): Set<string> {
  const urls = new Set<string>();
  for (const o of t.observations) if (o.leak && o.via === 'cache') urls.add(o.url);
  for (const h of t.sessionHandovers) urls.add(h.url);
  return urls;
}

function userNames(t: TrafficResult): (hash: string) => string {
  const hasher = new IdentityHasher(LAB_IDENTITY_KEY);
  const userOf = new Map<string, string>();
  for (const [raw, user] of Object.entries(t.identities)) userOf.set(hasher.hash(raw)!, user);
  return (h) => (h === 'anonymous' ? 'anon' : (userOf.get(h) ?? `unknown ${h}`));
}

function assertMatchesGroundTruth(run: WatchRun, label: string, personalizedOnly: boolean): void {
  const expected = expectedPairs(run.traffic, personalizedOnly);
  assert.ok(expected.size > 0, `${label}: the scenario leaked (precondition)`);
  const reported = reportedPairs(run.incidents, run.traffic);
  const invented = [...reported].filter((p) => !expected.has(p));
  let missing = [...expected].filter((p) => !reported.has(p));
  if (personalizedOnly) {
    // Inferred: a hit whose fill is ambiguous is reported with its viewer and no owner.
    const name = userNames(run.traffic);
    const listed = new Set(run.incidents.filter((i) => i.rule === 'watch/cross-identity-inferred').flatMap((i) => [...i.viewers.map(name), ...(i.anonymous > 0 ? ['anon'] : [])]));
    missing = missing.filter((p) => !listed.has(p.split(' → ')[1]!));
  }
  assert.deepEqual({ missing, invented }, { missing: [], invented: [] }, `${label}: incident pairs vs ground truth`);
  const named = new Set(run.incidents.map((i) => i.url));
  for (const url of leakedUrls(run.traffic)) {
    if (personalizedOnly && !PERSONALIZED.some((g) => url.startsWith(g.replace(/\*.*$/, '')))) continue;
    assert.ok(named.has(url), `${label}: an incident names the leaked URL ${url}`);
  }
  assert.equal(Object.values(run.status.rejected).reduce((a, b) => a + (b ?? 0), 0), 0, `${label}: every log line parsed`);
  assert.ok(run.alerts.some((a) => a.kind === 'opened' && CROSS_IDENTITY.has(a.incident.rule)), `${label}: a cross-identity incident alerted`);
}

for (const engine of ['nginx', 'varnish'] as const) {
  const skip = engineSkip(engine);
  for (const id of ['S1', 'S2a', 'S2b', 'S4', 'S6'] as const) {
    test(`watch on ${engine} ${id}: incidents name the leaked URLs and exactly the ground-truth owner/viewer pairs`, { skip }, async () => {
      requireEngine(engine);
      assertMatchesGroundTruth(await watchScenario(id, engine, { ownerTag: true }), `${engine}/${id}`, false);
    });
  }
  for (const id of ['S1', 'S2a'] as const) {
    test(`watch on ${engine} ${id} without owner tags: the inferred rule invents no pair and accounts for every leaked one`, { skip }, async () => {
      requireEngine(engine);
      const run = await watchScenario(id, engine, { ownerTag: false });
      assert.ok(run.incidents.some((i) => i.rule === 'watch/cross-identity-inferred'));
      assert.ok(!run.incidents.some((i) => i.rule === 'watch/owner-mismatch'), 'no owner tags, no exact rule');
      assertMatchesGroundTruth(run, `${engine}/${id} (inferred)`, true);
    });
  }
  test(`watch on ${engine} SAFE: zero incidents under the same traffic`, { skip }, async () => {
    requireEngine(engine);
    const run = await watchScenario('SAFE', engine, { ownerTag: true });
    assert.ok(run.status.events > 100, 'traffic was seen');
    assert.deepEqual(run.incidents.map((i) => `${i.rule} ${i.url}`), []);
  });
}
