/**
 * Start one scenario end to end: the demo origin with the scenario's options, and the real
 * engine with the scenario's config in front of it.
 */
import { startNginx } from '../engines/nginx.ts';
import type { EngineInstance, EngineName, EngineStartOptions } from '../engines/types.ts';
import { startVarnish } from '../engines/varnish.ts';
import type { VarnishOptions } from '../engines/varnish.ts';
import { startOrigin } from '../origin/server.ts';
import type { Origin, OriginOptions } from '../origin/server.ts';
import type { TrafficOptions } from '../traffic/types.ts';
import { getScenario } from './registry.ts';
import type { Scenario, ScenarioId } from './registry.ts';

export interface StartScenarioOptions {
  /** Overrides merged over the scenario's origin options. */
  origin?: OriginOptions;
  /** Engine options (address, port, edge, access log, Varnish params...). */
  engine?: Omit<EngineStartOptions, 'origin' | 'scenario' | 'configFile'> & Pick<VarnishOptions, 'params' | 'storage'>;
  /** Use an already running origin instead of starting one (its options are then not changed). */
  reuseOrigin?: Origin;
}

export interface ScenarioLab {
  scenario: Scenario;
  engineName: EngineName;
  origin: Origin;
  engine: EngineInstance;
  /** Traffic options for this scenario against this engine, with `overrides` merged in. */
  trafficOptions(overrides?: Partial<TrafficOptions>): TrafficOptions;
  /** Stops the engine, then the origin (unless it was reused). */
  stop(): Promise<void>;
}

/** The scenario's traffic options against `target`, with `overrides` merged in. */
export function scenarioTraffic(scenario: Scenario, target: string, directory: Origin, overrides: Partial<TrafficOptions> = {}): TrafficOptions {
  return { ...scenario.traffic, ...overrides, target: overrides.target ?? target, directory: overrides.directory ?? directory };
}

export async function startScenario(id: ScenarioId, engineName: EngineName, opts: StartScenarioOptions = {}): Promise<ScenarioLab> {
  const scenario = getScenario(id);
  const support = scenario.engines[engineName];
  if (!support.supported) throw new Error(`${engineName} cannot express ${id}: ${support.reason}`);
  const origin = opts.reuseOrigin ?? (await startOrigin({ ...scenario.origin, ...opts.origin }));
  let engine: EngineInstance;
  try {
    const common = { ...opts.engine, origin: origin.url, scenario: id, configFile: support.file };
    engine = engineName === 'nginx' ? await startNginx(common) : await startVarnish(common);
  } catch (err) {
    if (!opts.reuseOrigin) await origin.close();
    throw err;
  }
  return {
    scenario,
    engineName,
    origin,
    engine,
    trafficOptions: (overrides = {}) => scenarioTraffic(scenario, engine.url, origin, overrides),
    async stop() {
      try {
        await engine.stop();
      } finally {
        if (!opts.reuseOrigin) await origin.close();
      }
    },
  };
}
