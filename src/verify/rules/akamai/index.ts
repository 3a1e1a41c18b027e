/** The akamai verify rules, sorted by id (one file per rule in this folder; shared helpers in lib/). */
import type { VerifyRuleDefinition } from '../define.ts';
import fixedTtlOnDynamic from './fixed-ttl-on-dynamic.ts';
import honorPrivateFalse from './honor-private-false.ts';

export const AKAMAI_RULES: readonly VerifyRuleDefinition[] = [fixedTtlOnDynamic, honorPrivateFalse] as VerifyRuleDefinition[];
