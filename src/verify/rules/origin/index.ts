/** The origin verify rules (declared origin headers under the CDN profile), sorted by id. */
import type { VerifyRuleDefinition } from '../define.ts';
import varyCookieOnly from './vary-cookie-only.ts';
import zeroTtlIsNotPrivate from './zero-ttl-is-not-private.ts';

export const ORIGIN_RULES: readonly VerifyRuleDefinition[] = [varyCookieOnly, zeroTtlIsNotPrivate] as VerifyRuleDefinition[];
