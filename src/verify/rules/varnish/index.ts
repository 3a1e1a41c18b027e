/** The varnish verify rules, sorted by id (one file per rule in this folder; shared helpers in lib/). */
import type { VerifyRuleDefinition } from '../define.ts';
import builtinBypassed from './builtin-bypassed.ts';
import cookieForwardedNotHashed from './cookie-forwarded-not-hashed.ts';
import setCookieStripped from './set-cookie-stripped.ts';
import surrogateControlMasksPrivate from './surrogate-control-masks-private.ts';
import ttl0Deliver from './ttl0-deliver.ts';
import varyUnset from './vary-unset.ts';

export const VARNISH_RULES: readonly VerifyRuleDefinition[] = [
  builtinBypassed,
  cookieForwardedNotHashed,
  setCookieStripped,
  surrogateControlMasksPrivate,
  ttl0Deliver,
  varyUnset,
] as VerifyRuleDefinition[];
