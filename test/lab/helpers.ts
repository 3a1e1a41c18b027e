/**
 * Shared helpers for the lab tests.
 *
 * Engine availability: tests that need nginx or Varnish skip with a one-line reason when the
 * binary is missing — except in CI (`CI` set), where a missing engine must fail the run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingBinaries } from '../../lab/run.ts';
import type { LabLogRecord } from '../../lab/engines/logs.ts';
import type { EngineName } from '../../lab/engines/types.ts';
import { findLogEvidence } from '../../lab/scenarios/evidence.ts';
import { SCENARIO_IDS, getScenario } from '../../lab/scenarios/registry.ts';
import type { ScenarioId } from '../../lab/scenarios/registry.ts';
import { startScenario } from '../../lab/scenarios/run.ts';
import type { ScenarioLab } from '../../lab/scenarios/run.ts';
import { runTraffic } from '../../lab/traffic/run.ts';
import { startEmulatedScenario } from '../../lab/emulator/run.ts';
import type { TrafficOptions, TrafficResult } from '../../lab/traffic/types.ts';

const missing = (engine: EngineName) => missingBinaries(engine);

/**
 * For `test(name, { skip: engineSkip('nginx') }, ...)`: a one-line skip reason when the engine
 * is not installed, `false` otherwise. In CI it never skips (the test then fails in
 * `requireEngine`).
 */
export function engineSkip(engine: EngineName): string | false {
  const gone = missing(engine);
  if (gone.length === 0 || process.env.CI) return false;
  return `${gone.join(', ')} not installed (set CI=1 to make this a failure)`;
}

/** Call first in a test body: fails with a clear message when the engine is not installed. */
export function requireEngine(engine: EngineName): void {
  const gone = missing(engine);
  assert.equal(gone.length, 0, `${engine} is required${process.env.CI ? ' in CI' : ''} but ${gone.join(', ')} is not installed`);
}

export interface ScenarioRun {
  lab: ScenarioLab;
  result: TrafficResult;
  log: LabLogRecord[];
}

/** Start a scenario on an engine, run its traffic, read the engine's log, stop everything. */
export async function runScenario(id: ScenarioId, engine: EngineName, traffic: Partial<TrafficOptions> = {}): Promise<ScenarioRun> {
  const lab = await startScenario(id, engine);
  try {
    const result = await runTraffic(lab.trafficOptions({ durationMs: lab.scenario.traffic.durationMs ?? 2500, seed: 7, ...traffic }));
    const answered = result.observations.filter((o) => o.status > 0).length;
    await lab.engine.syncLog({ minLines: answered });
    const log = lab.engine.readLog();
    return { lab, result, log };
  } finally {
    await lab.stop();
  }
}

/** The assertions every leaking scenario shares (see test/lab/*-scenarios.test.ts). */
export function assertLeakScenario(run: ScenarioRun): void {
  const { lab, result, log } = run;
  const scenario = getScenario(lab.scenario.id);
  const support = scenario.engines[lab.engineName];
  assert.ok(support.supported);

  // Healthy run: every client logged in, no transport errors.
  const loggedIn = result.clients.filter((c) => c.auth !== 'anon').length;
  assert.deepEqual(result.stats.logins, { ok: loggedIn, failed: 0 });
  assert.equal(result.stats.errors, 0);

  // The engine logged exactly the responses the clients got, in the documented format.
  const answered = result.observations.filter((o) => o.status > 0);
  assert.equal(log.length, answered.length);
  for (const rec of log) assert.equal(rec.edge, lab.engine.edge);

  // Owner tag and body agree wherever both exist.
  for (const o of result.observations) {
    if (o.owner !== null && o.ownerTag !== undefined) assert.equal(o.ownerTagUser, o.owner, `${o.url}: owner tag vs body`);
  }

  // Somebody received somebody else's personalized data.
  const personalLeaks = result.observations.filter((o) => o.leak && (o.routeClass === 'personalized' || o.routeClass === 'deception'));
  assert.ok(personalLeaks.length > 0, `${scenario.id}/${lab.engineName}: no cross-user personalized response`);
  assert.ok(result.leaks.length > 0);

  const ownerOf = (tag: string) => lab.origin.userForOwnerTag(tag);
  if (support.evidence === 'set-cookie-handover') {
    assert.ok(result.sessionHandovers.length > 0, 'no session was handed over');
    assert.ok(personalLeaks.some((o) => o.via === 'session'), 'no exposure through a handed-over session');
    const ev = findLogEvidence(log, { kind: 'set-cookie-handover', outcomes: support.leakOutcomes, identities: result.identities, ownerOf });
    const joined = result.sessionHandovers.some((h) => ev.some((e) => e.record.uri === h.url && e.owner === h.from && e.viewer !== h.from));
    assert.ok(joined, 'the access log shows no cached Set-Cookie handing over the sessions the clients received');
  } else {
    const viaOutcome = personalLeaks.filter((o) => o.via === 'cache' && support.leakOutcomes.includes(o.outcome));
    assert.ok(viaOutcome.length > 0, `no leak through ${support.leakOutcomes.join('/')}`);
    const ev = findLogEvidence(log, { kind: 'owner-mismatch', outcomes: support.leakOutcomes, identities: result.identities, ownerOf });
    const joined = viaOutcome.some((o) => ev.some((e) => e.record.uri === o.url && e.viewer === o.user && e.owner === o.owner));
    assert.ok(joined, `the access log shows no ${support.leakOutcomes.join('/')} line for a leaked URL with the leak's viewer and owner`);
  }
}

export function assertSafeScenario(run: ScenarioRun): void {
  const { lab, result, log } = run;
  const loggedIn = result.clients.filter((c) => c.auth !== 'anon').length;
  assert.deepEqual(result.stats.logins, { ok: loggedIn, failed: 0 });
  assert.equal(result.stats.errors, 0);
  assert.equal(log.length, result.observations.filter((o) => o.status > 0).length);

  assert.equal(result.stats.leakResponses, 0);
  assert.deepEqual(result.leaks, []);
  assert.deepEqual(result.sessionHandovers, []);
  assert.equal(result.stats.byClass.personalized.hits, 0);
  assert.equal(result.stats.byClass.deception.hits, 0);
  const ownerOf = (tag: string) => lab.origin.userForOwnerTag(tag);
  const all = ['HIT', 'MISS', 'EXPIRED', 'REVALIDATED', 'STALE', 'UPDATING', 'COLLAPSED', 'PASS', 'BYPASS', 'ERROR', 'UNKNOWN'] as const;
  assert.deepEqual(findLogEvidence(log, { kind: 'owner-mismatch', outcomes: all, identities: result.identities, ownerOf }), []);
  assert.deepEqual(findLogEvidence(log, { kind: 'set-cookie-handover', outcomes: all, identities: result.identities, ownerOf }), []);
  // The cache still earns its keep on the catalogue.
  assert.ok(result.stats.byClass.public.requests > 0);
  assert.ok(result.stats.publicHitRate > (lab.scenario.expect.minPublicHitRate ?? 0.5), `public hit rate ${result.stats.publicHitRate}`);
}

/** Run a scenario's traffic behind the CDN emulator, translated from `engine`'s config. */
export async function runEmulatedScenario(id: ScenarioId, engine: EngineName, traffic: Partial<TrafficOptions> = {}): Promise<TrafficResult> {
  const lab = await startEmulatedScenario(id, engine);
  try {
    return await runTraffic(lab.trafficOptions({ durationMs: lab.scenario.traffic.durationMs ?? 2500, seed: 7, ...traffic }));
  } finally {
    await lab.stop();
  }
}

/** What a run says about a scenario: does it leak personalized data, and through which channels. */
export function verdict(result: TrafficResult): { leaks: boolean; via: string[] } {
  const personal = result.observations.filter((o) => o.leak && (o.routeClass === 'personalized' || o.routeClass === 'deception'));
  return { leaks: personal.length > 0, via: [...new Set(personal.map((o) => o.via ?? 'cache'))].sort() };
}

/**
 * The emulator must agree with the real engine under the same traffic: same verdict (leaks or
 * not) and the same channels (cache, handed-over session). Public-page caching must still work.
 */
export function assertEmulatorAgrees(real: TrafficResult, emulated: TrafficResult, label: string): void {
  assert.equal(emulated.stats.errors, 0, `${label}: emulator run had transport errors`);
  assert.deepEqual(verdict(emulated), verdict(real), `${label}: emulator verdict differs from the real engine`);
  if (real.stats.byClass.public.hits > 0) assert.ok(emulated.stats.byClass.public.hits > 0, `${label}: emulator never served a public page from cache`);
}

/**
 * Every scenario through one real engine: the leaking ones must hand one user's personalized
 * data to another and the engine's own access log must show it; SAFE must not leak and must keep
 * a good public-page hit rate. Each run is repeated behind the CDN emulator (translated from this
 * engine's config) and must reach the same verdict.
 */
export function defineScenarioTests(engine: EngineName): void {
  const skip = engineSkip(engine);
  for (const id of SCENARIO_IDS) {
    const scenario = getScenario(id);
    const support = scenario.engines[engine];
    if (!support.supported) {
      test(`${id} on ${engine}: not expressible`, { skip: support.reason }, () => {});
      continue;
    }
    const what = scenario.expect.leaks ? 'leaks, the access log shows it, the emulator agrees' : 'never leaks, good public hit rate, the emulator agrees';
    test(`${id} (${scenario.title}) on ${engine}: ${what}`, { skip }, async () => {
      requireEngine(engine);
      const run = await runScenario(id, engine);
      if (scenario.expect.leaks) assertLeakScenario(run);
      else assertSafeScenario(run);
      const emulated = await runEmulatedScenario(id, engine);
      assertEmulatorAgrees(run.result, emulated, `${id}/${engine}`);
    });
  }
}
