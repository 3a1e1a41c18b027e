/** The akamai verify rules, sorted by id (one file per rule in this folder). */
import type { VerifyRuleDefinition } from '../define.ts';

export const AKAMAI_RULES: readonly VerifyRuleDefinition[] = [] as VerifyRuleDefinition[];
