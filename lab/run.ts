/**
 * One entry point for running a lab scenario on any engine: real nginx, real Varnish, or the
 * CDN emulator (translated from one of those configs). Used by `cachewarden lab`.
 */
import { findBinary, type EngineBinary } from './engines/binaries.ts';
import type { EngineName } from './engines/types.ts';
import { startEmulatedScenario } from './emulator/run.ts';
import type { EmulatedEngine } from './emulator/scenarios.ts';
import type { Origin } from './origin/index.ts';
import { getScenario, type Scenario, type ScenarioId } from './scenarios/registry.ts';
import { startScenario } from './scenarios/run.ts';
import type { TrafficOptions } from './traffic/types.ts';

export const LAB_ENGINES = ['nginx', 'varnish', 'emulator'] as const;
export type LabEngine = (typeof LAB_ENGINES)[number];

export interface LabSession {
  scenario: Scenario;
  engine: LabEngine;
  /** For the emulator: which engine's config it was translated from. */
  emulates?: EmulatedEngine;
  /** The cache's base URL (send traffic here). */
  url: string;
  edge: string;
  /** Access log path; for real engines it lives in the run's temp dir and goes away on stop(). */
  accessLog: string | undefined;
  origin: Origin;
  trafficOptions(overrides?: Partial<TrafficOptions>): TrafficOptions;
  stop(): Promise<void>;
}

/** The binaries each real engine needs. */
export const ENGINE_NEEDS: Readonly<Record<EngineName, readonly EngineBinary[]>> = {
  nginx: ['nginx'],
  varnish: ['varnishd', 'varnishncsa'],
};

/** Binaries an engine needs that are not installed (empty when it can run). */
export function missingBinaries(engine: LabEngine): EngineBinary[] {
  if (engine === 'emulator') return [];
  return ENGINE_NEEDS[engine].filter((b) => findBinary(b) === undefined);
}

export async function startLab(id: ScenarioId, engine: LabEngine, opts: { emulate?: EmulatedEngine; accessLog?: string } = {}): Promise<LabSession> {
  if (engine === 'emulator') {
    const as = opts.emulate ?? 'nginx';
    const lab = await startEmulatedScenario(id, as, opts.accessLog ? { emulator: { accessLog: opts.accessLog } } : {});
    return {
      scenario: lab.scenario,
      engine,
      emulates: as,
      url: lab.emulator.url,
      edge: lab.emulator.edge,
      accessLog: lab.emulator.accessLog,
      origin: lab.origin,
      trafficOptions: lab.trafficOptions,
      stop: lab.stop,
    };
  }
  getScenario(id);
  const lab = await startScenario(id, engine, opts.accessLog ? { engine: { accessLog: opts.accessLog } } : {});
  return {
    scenario: lab.scenario,
    engine,
    url: lab.engine.url,
    edge: lab.engine.edge,
    accessLog: lab.engine.accessLog,
    origin: lab.origin,
    trafficOptions: lab.trafficOptions,
    stop: lab.stop,
  };
}
