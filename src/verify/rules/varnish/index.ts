/** The varnish verify rules, sorted by id (one file per rule in this folder). */
import type { VerifyRuleDefinition } from '../define.ts';

export const VARNISH_RULES: readonly VerifyRuleDefinition[] = [] as VerifyRuleDefinition[];
