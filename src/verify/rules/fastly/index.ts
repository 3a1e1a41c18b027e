/** The fastly verify rules, sorted by id (one file per rule in this folder; Fastly helpers in lib/, shared VCL helpers in ../varnish/lib/). */
import type { VerifyRuleDefinition } from '../define.ts';
import authenticatedLookup from './authenticated-lookup.ts';
import fallbackTtl from './fallback-ttl.ts';
import hashMissingHost from './hash-missing-host.ts';
import missingPrivatePass from './missing-private-pass.ts';
import setCookiePassMissing from './set-cookie-pass-missing.ts';
import ttlZeroDeliver from './ttl-zero-deliver.ts';
import varyOverwritten from './vary-overwritten.ts';
import zeroTtlCached from './zero-ttl-cached.ts';

export const FASTLY_RULES: readonly VerifyRuleDefinition[] = [
  authenticatedLookup,
  fallbackTtl,
  hashMissingHost,
  missingPrivatePass,
  setCookiePassMissing,
  ttlZeroDeliver,
  varyOverwritten,
  zeroTtlCached,
] as VerifyRuleDefinition[];
