export { runTraffic, classifyPath } from './run.ts';
export { createAttributor } from './attribution.ts';
export type { Attribution, Attributor } from './attribution.ts';
export { ANON, AUTH_MODES, ROUTE_CLASSES } from './types.ts';
export type {
  AuthMode,
  BurstOptions,
  ClassStats,
  DeceptionOptions,
  Exposure,
  LeakPair,
  Observation,
  RouteClass,
  SessionHandover,
  TrafficClientInfo,
  TrafficOptions,
  TrafficResult,
  TrafficStats,
} from './types.ts';
