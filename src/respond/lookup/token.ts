/**
 * The signed token a person arrives with: an HS256 JWT made by the operator's own login service
 * with the shared key. `sub` is the user id, `iat` and `exp` are required, `iat` may be at most
 * `maxAgeMs` old, and a token that names an audience must name `cachewarden-lookup`.
 *
 * Only HS256 is accepted (no `none`, no other HMAC or key type). A failure gives a short reason
 * for the operator's log; the client only ever sees one generic message. Neither the token nor
 * its claims are put in the reason.
 */
import { errors, jwtVerify } from 'jose';
import { isIdentityHash } from '../../core/identity.ts';

export const TOKEN_AUDIENCE = 'cachewarden-lookup';
/** Clock skew allowed between the login service and lookup, seconds. */
export const CLOCK_TOLERANCE_S = 30;
/** Longest token and user id accepted; longer ones are refused before any crypto. */
const MAX_TOKEN_CHARS = 4096;
const MAX_SUB_CHARS = 512;

export interface TokenCheck {
  key: Uint8Array;
  maxAgeMs: number;
  /** Require the `aud` claim (else it is checked only when present). */
  requireAudience: boolean;
  now: () => number;
}

export type TokenResult =
  | { ok: true; sub: string; /** When the token stops being accepted (ms): the earlier of exp and iat + maxAge. */ until: number }
  | { ok: false; reason: string };

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return e.claim === 'iat' ? 'too old (iat older than the maximum age)' : 'expired (exp)';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'iat' && e.reason === 'check_failed') return 'iat in the future';
    return `claim ${e.claim} ${e.reason === 'missing' ? 'missing' : 'invalid'}`;
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) return 'algorithm not allowed (only HS256)';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (e instanceof errors.JOSEError) return `malformed (${e.code})`;
  return 'malformed';
}

export async function verifyLookupToken(token: string, check: TokenCheck): Promise<TokenResult> {
  if (token === '') return { ok: false, reason: 'no token' };
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'token too long' };
  let payload: { sub?: unknown; exp?: unknown; iat?: unknown; aud?: unknown };
  try {
    const r = await jwtVerify(token, check.key, {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp', 'iat'],
      maxTokenAge: Math.max(1, Math.floor(check.maxAgeMs / 1000)),
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(check.now()),
      ...(check.requireAudience ? { audience: TOKEN_AUDIENCE } : {}),
    });
    payload = r.payload;
  } catch (e) {
    return { ok: false, reason: describe(e) };
  }
  const { sub, aud, exp, iat } = payload;
  if (aud !== undefined) {
    const list = Array.isArray(aud) ? aud : [aud];
    if (!list.includes(TOKEN_AUDIENCE)) return { ok: false, reason: 'claim aud names another audience' };
  }
  if (typeof sub !== 'string' || sub === '') return { ok: false, reason: 'claim sub missing' };
  if (sub.length > MAX_SUB_CHARS) return { ok: false, reason: 'claim sub too long' };
  // The identity hasher passes hashes through unchanged; a user id that looks like one would
  // select that person's entry directly, so it is refused.
  if (isIdentityHash(sub)) return { ok: false, reason: 'claim sub has the form of an identity hash' };
  if (typeof exp !== 'number' || typeof iat !== 'number') return { ok: false, reason: 'claim exp or iat invalid' };
  const until = Math.min(exp * 1000, iat * 1000 + check.maxAgeMs);
  return { ok: true, sub, until };
}
