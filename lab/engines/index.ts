export { startNginx, nginxScenarioFile, NGINX_SCENARIO_DIR } from './nginx.ts';
export type { NginxOptions } from './nginx.ts';
export { startVarnish, varnishScenarioFile, VARNISH_SCENARIO_DIR } from './varnish.ts';
export type { VarnishOptions } from './varnish.ts';
export { ENGINES, EngineConfigError, EngineStartError } from './types.ts';
export type { EngineInstance, EngineName, EngineStartOptions, SyncLogOptions } from './types.ts';
export {
  LOG_FORMATS,
  LAB_PROBE_PREFIX,
  VARNISHNCSA_FORMAT,
  outcomeFromCacheWord,
  parseLogLine,
  parseNginxLine,
  parseVarnishLine,
  readAccessLog,
} from './logs.ts';
export type { LabLogRecord, LogFormat } from './logs.ts';
export { findBinary, requireBinary, ENGINE_BINARIES } from './binaries.ts';
export type { EngineBinary } from './binaries.ts';
export { sweepLabLeftovers, labStateDir, listProcesses, groupMembers, LAB_TMP_PREFIX } from './process.ts';
export type { SweepReport, ProcInfo } from './process.ts';
export { renderTemplate, TEMPLATE_PLACEHOLDERS } from './template.ts';
export type { TemplatePlaceholder } from './template.ts';
