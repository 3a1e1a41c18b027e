/** The cross-engine route rules (asked of every configuration kind), sorted by id. */
import type { VerifyRuleDefinition } from '../define.ts';
import deception from './deception.ts';
import personalizedShared from './personalized-shared.ts';
import setCookieShared from './set-cookie-shared.ts';

export const ROUTE_RULES: readonly VerifyRuleDefinition[] = [deception, personalizedShared, setCookieShared] as VerifyRuleDefinition[];
