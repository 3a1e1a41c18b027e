/**
 * Identity hashing. Raw identities (session cookie values, user ids, bearer tokens)
 * become keyed hashes (HMAC-SHA-256) the moment they are read; nothing else in
 * cachewarden ever holds the raw value.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

declare const identityBrand: unique symbol;
/** A keyed hash of an identity: `h:` followed by 22 base64url characters (128 bits). */
export type IdentityHash = string & { readonly [identityBrand]: true };

const HASH_RE = /^h:[A-Za-z0-9_-]{22}$/;

export function isIdentityHash(value: string): value is IdentityHash {
  return HASH_RE.test(value);
}

export interface HasherOptions {
  /**
   * How many recent raw → hash results to remember in memory (sessions repeat across many log
   * lines; HMAC is the costliest step per line). The memo lives only in this process: it is never
   * written, printed or sent. 0 disables it. Default 65,536.
   */
  memo?: number;
}

export class IdentityHasher {
  /** A KeyObject made once: handing createHmac a raw key costs a conversion on every call. */
  readonly #key: KeyObject;
  readonly #memo = new Map<string, IdentityHash>();
  readonly #memoSize: number;

  /** @param key the HMAC key; at least 16 bytes of secret material. */
  constructor(key: string | Uint8Array, opts: HasherOptions = {}) {
    const buf = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
    if (buf.length < 16) throw new RangeError('identity hash key must be at least 16 bytes');
    this.#key = createSecretKey(buf);
    this.#memoSize = opts.memo ?? 65_536;
  }

  /** Hash a raw identity. Empty or missing values give `undefined` (anonymous). */
  hash(raw: string | undefined | null): IdentityHash | undefined {
    if (raw === undefined || raw === null || raw === '' || raw === '-') return undefined;
    // Already hashed upstream (an owner tag, or a value hashed at the edge): cheap checks first.
    if (raw.length === 24 && raw.charCodeAt(0) === 104 && raw.charCodeAt(1) === 58 && isIdentityHash(raw)) return raw;
    const known = this.#memo.get(raw);
    if (known !== undefined) return known;
    const mac = createHmac('sha256', this.#key).update(raw, 'utf8').digest();
    const h = `h:${mac.subarray(0, 16).toString('base64url')}` as IdentityHash;
    if (this.#memoSize > 0) {
      if (this.#memo.size >= this.#memoSize) this.#memo.clear();
      this.#memo.set(raw, h);
    }
    return h;
  }

  /** Constant-time check that `raw` hashes to `hash`. */
  matches(raw: string, hash: IdentityHash): boolean {
    const mine = this.hash(raw);
    if (mine === undefined) return false;
    const a = Buffer.from(mine);
    const b = Buffer.from(hash);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Never let the key leak through logging or JSON. */
  toJSON(): string {
    return '[IdentityHasher]';
  }
}

/**
 * A short fingerprint of an identity key: HMAC-SHA-256(key, "cachewarden key id"), first 8 hex.
 * Reports carry it so `lookup` can refuse a report made with another key; it reveals nothing of the key.
 */
export function identityKeyId(key: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update('cachewarden key id', 'utf8').digest('hex').slice(0, 8);
}
