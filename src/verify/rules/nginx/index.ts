/** The nginx verify rules, sorted by id (one file per rule in this folder; shared helpers in lib/). */
import type { VerifyRuleDefinition } from '../define.ts';
import addHeaderDropped from './add-header-dropped.ts';
import bypassWithoutNoCache from './bypass-without-no-cache.ts';
import cacheValidCatchesHeaderless from './cache-valid-catches-headerless.ts';
import expiresRewritesCacheControl from './expires-rewrites-cache-control.ts';
import hideAndReplaceCacheControl from './hide-and-replace-cache-control.ts';
import ignoreCacheControl from './ignore-cache-control.ts';
import ignoreSetCookie from './ignore-set-cookie.ts';
import ignoreVary from './ignore-vary.ts';
import keyMissingHost from './key-missing-host.ts';
import sessionNotExcluded from './session-not-excluded.ts';
import staleOnPersonalized from './stale-on-personalized.ts';
import untrustedXAccelExpires from './untrusted-x-accel-expires.ts';

export const NGINX_RULES: readonly VerifyRuleDefinition[] = [
  addHeaderDropped,
  bypassWithoutNoCache,
  cacheValidCatchesHeaderless,
  expiresRewritesCacheControl,
  hideAndReplaceCacheControl,
  ignoreCacheControl,
  ignoreSetCookie,
  ignoreVary,
  keyMissingHost,
  sessionNotExcluded,
  staleOnPersonalized,
  untrustedXAccelExpires,
] as VerifyRuleDefinition[];
