/** The cloudfront verify rules, sorted by id (one file per rule in this folder; shared helpers in lib/). */
import type { VerifyRuleDefinition } from '../define.ts';
import collapsingOnPersonalized from './collapsing-on-personalized.ts';
import defaultTtlOnHeaderless from './default-ttl-on-headerless.ts';
import edgeCodeOnPersonalized from './edge-code-on-personalized.ts';
import identityForwardedNotKeyed from './identity-forwarded-not-keyed.ts';
import legacyForwardedCookies from './legacy-forwarded-cookies.ts';
import minTtlOverridesPrivate from './min-ttl-overrides-private.ts';

export const CLOUDFRONT_RULES: readonly VerifyRuleDefinition[] = [
  collapsingOnPersonalized,
  defaultTtlOnHeaderless,
  edgeCodeOnPersonalized,
  identityForwardedNotKeyed,
  legacyForwardedCookies,
  minTtlOverridesPrivate,
] as VerifyRuleDefinition[];
