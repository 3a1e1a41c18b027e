/** The cloudflare verify rules, sorted by id (one file per rule in this folder; shared helpers in lib/). */
import type { VerifyRuleDefinition } from '../define.ts';
import cacheEverythingNoSessionBypass from './cache-everything-no-session-bypass.ts';
import customKeyDropsIdentity from './custom-key-drops-identity.ts';
import deceptionArmorOff from './deception-armor-off.ts';
import edgeTtlOverride from './edge-ttl-override.ts';
import originCacheControlOff from './origin-cache-control-off.ts';
import revalidateOnlyOnPersonalized from './revalidate-only-on-personalized.ts';
import varyNotConfigured from './vary-not-configured.ts';

export const CLOUDFLARE_RULES: readonly VerifyRuleDefinition[] = [
  cacheEverythingNoSessionBypass,
  customKeyDropsIdentity,
  deceptionArmorOff,
  edgeTtlOverride,
  originCacheControlOff,
  revalidateOnlyOnPersonalized,
  varyNotConfigured,
] as VerifyRuleDefinition[];
