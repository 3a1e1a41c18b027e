/**
 * Every scenario through the real varnish: the leaking ones must hand one user's personalized
 * data to another and the engine's own access log must show it; SAFE must not leak and must
 * keep a good public-page hit rate. Each run is repeated behind the CDN emulator (translated
 * from this engine's config) and must reach the same verdict.
 */
import { test } from 'node:test';
import { SCENARIO_IDS, getScenario } from '../../lab/scenarios/registry.ts';
import { assertEmulatorAgrees, assertLeakScenario, assertSafeScenario, engineSkip, requireEngine, runEmulatedScenario, runScenario } from './helpers.ts';

const ENGINE = 'varnish' as const;
const skip = engineSkip(ENGINE);

for (const id of SCENARIO_IDS) {
  const scenario = getScenario(id);
  const support = scenario.engines[ENGINE];
  if (!support.supported) {
    test(`${id} on ${ENGINE}: not expressible`, { skip: support.reason }, () => {});
    continue;
  }
  const what = scenario.expect.leaks ? 'leaks, the access log shows it, the emulator agrees' : 'never leaks, good public hit rate, the emulator agrees';
  test(`${id} (${scenario.title}) on ${ENGINE}: ${what}`, { skip }, async () => {
    requireEngine(ENGINE);
    const run = await runScenario(id, ENGINE);
    if (scenario.expect.leaks) assertLeakScenario(run);
    else assertSafeScenario(run);
    // The same traffic behind the emulator, configured with this engine's translation.
    const emulated = await runEmulatedScenario(id, ENGINE);
    assertEmulatorAgrees(run.result, emulated, `${id}/${ENGINE}`);
  });
}
