/**
 * Start a lab scenario behind the CDN emulator instead of a real engine: the same origin
 * options, the emulator configured with the scenario's translation for one engine.
 */
import { getScenario, type Scenario, type ScenarioId } from '../scenarios/registry.ts';
import { scenarioTraffic } from '../scenarios/run.ts';
import { startOrigin, type Origin, type OriginOptions } from '../origin/index.ts';
import type { TrafficOptions } from '../traffic/types.ts';
import { startEmulator, type Emulator, type EmulatorOptions, type EmulatorRoute } from './proxy.ts';
import { EMULATED_SCENARIOS, type EmulatedEngine } from './scenarios.ts';

export interface EmulatedLab {
  scenario: Scenario;
  /** Which engine's config the emulator was translated from. */
  as: EmulatedEngine;
  origin: Origin;
  emulator: Emulator;
  trafficOptions(overrides?: Partial<TrafficOptions>): TrafficOptions;
  stop(): Promise<void>;
}

export async function startEmulatedScenario(
  id: ScenarioId,
  as: EmulatedEngine,
  opts: { origin?: OriginOptions; emulator?: Partial<Omit<EmulatorOptions, 'origin' | 'routes'>>; routes?: readonly EmulatorRoute[] } = {},
): Promise<EmulatedLab> {
  const scenario = getScenario(id);
  const origin = await startOrigin({ ...scenario.origin, ...opts.origin });
  let emulator: Emulator;
  try {
    emulator = await startEmulator({ edge: `edge-emulator-${as}`, ...opts.emulator, origin: origin.url, routes: opts.routes ?? EMULATED_SCENARIOS[id][as] });
  } catch (e) {
    await origin.close();
    throw e;
  }
  return {
    scenario,
    as,
    origin,
    emulator,
    trafficOptions: (overrides = {}) => scenarioTraffic(scenario, emulator.url, origin, overrides),
    async stop() {
      try {
        await emulator.stop();
      } finally {
        await origin.close();
      }
    },
  };
}
