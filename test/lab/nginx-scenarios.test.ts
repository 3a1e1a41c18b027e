/**
 * Every scenario through the real nginx: the leaking ones must hand one user's personalized
 * data to another and the engine's own access log must show it; SAFE must not leak and must
 * keep a good public-page hit rate.
 */
import { test } from 'node:test';
import { SCENARIO_IDS, getScenario } from '../../lab/scenarios/registry.ts';
import { assertLeakScenario, assertSafeScenario, engineSkip, requireEngine, runScenario } from './helpers.ts';

const ENGINE = 'nginx' as const;
const skip = engineSkip(ENGINE);

for (const id of SCENARIO_IDS) {
  const scenario = getScenario(id);
  const support = scenario.engines[ENGINE];
  if (!support.supported) {
    test(`${id} on ${ENGINE}: not expressible`, { skip: support.reason }, () => {});
    continue;
  }
  const what = scenario.expect.leaks ? 'leaks, and the access log shows it' : 'never leaks, good public hit rate';
  test(`${id} (${scenario.title}) on ${ENGINE}: ${what}`, { skip }, async () => {
    requireEngine(ENGINE);
    const run = await runScenario(id, ENGINE);
    if (scenario.expect.leaks) assertLeakScenario(run);
    else assertSafeScenario(run);
  });
}
