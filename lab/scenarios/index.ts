/**
 * Scenario registry, launcher and log-evidence helpers. See registry.ts and docs/lab.md.
 */
export { SCENARIO_IDS, SCENARIOS, LOG_EVIDENCE_KINDS, getScenario, listScenarios } from './registry.ts';
export type { EngineScenario, LogEvidenceKind, Scenario, ScenarioId, ScenarioOriginOptions, ScenarioTrafficOptions } from './registry.ts';
export { startScenario } from './run.ts';
export type { ScenarioLab, StartScenarioOptions } from './run.ts';
export { findLogEvidence } from './evidence.ts';
export type { LogEvidence, LogEvidenceOptions } from './evidence.ts';
