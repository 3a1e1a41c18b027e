/**
 * Every verify rule, sorted by id. A meta-test checks this list against the files under
 * src/verify/rules/<target>/<problem>.ts and against docs/rules/.
 */
import type { VerifyRuleDefinition } from './define.ts';
import originVaryCookieOnly from './origin/vary-cookie-only.ts';
import originZeroTtlIsNotPrivate from './origin/zero-ttl-is-not-private.ts';
import routeDeception from './route/deception.ts';
import routePersonalizedShared from './route/personalized-shared.ts';

export const VERIFY_RULES: readonly VerifyRuleDefinition[] = [
  originVaryCookieOnly,
  originZeroTtlIsNotPrivate,
  routeDeception,
  routePersonalizedShared,
] as VerifyRuleDefinition[];
