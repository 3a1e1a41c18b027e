/**
 * How a found value is shown and replaced. Card numbers follow PCI DSS 3.4.1: never more than the
 * BIN (first six) and the last four, and at least five digits hidden (15-digit Amex shows 6 + 4,
 * a 14-digit Diners 5 + 4, a 12-digit Maestro 3 + 4). Other types have short masks of their own.
 * `hash` replaces any value with `[h:<16 chars of base64url HMAC-SHA-256>]`, so equal values stay
 * joinable without being readable (3.5.1.1: keyed). Masks never contain a quote, backslash, `&`,
 * `=`, space, `,`, `;` or `|`, so a JSON string stays a string and a key=value stays parseable.
 */
import { createHmac } from 'node:crypto';
import { CwError } from '../core/errors.ts';
import type { FindingType, MaskMode } from './types.ts';

/** Fewest digits a card mask hides, and most it shows at each end. */
const MIN_HIDDEN = 5;

const STARS = Array.from({ length: 33 }, (_, n) => '*'.repeat(n));

function stars(n: number): string {
  return n <= 0 ? '' : n < STARS.length ? STARS[n]! : '*'.repeat(n);
}

/** How many leading digits a BIN + last-four mask may show for a PAN of `len` digits. */
export function binDigitsShown(len: number): number {
  return Math.max(0, Math.min(6, len - 4 - MIN_HIDDEN));
}

export function maskCard(digits: string, mode: MaskMode, key?: string): string {
  const len = digits.length;
  switch (mode) {
    case 'bin-last4': {
      const head = binDigitsShown(len);
      const tail = len >= 4 + MIN_HIDDEN ? 4 : Math.max(0, len - MIN_HIDDEN);
      return digits.slice(0, head) + stars(len - head - tail) + digits.slice(len - tail);
    }
    case 'last4': {
      const tail = len >= 4 + MIN_HIDDEN ? 4 : Math.max(0, len - MIN_HIDDEN);
      return stars(len - tail) + digits.slice(len - tail);
    }
    case 'full':
      return stars(len);
    case 'hash':
      return hashMask(digits, key);
  }
}

/** `[h:<16 chars>]`: HMAC-SHA-256 of the value with `key`, base64url, first 16 characters. */
export function hashMask(value: string, key: string | undefined): string {
  checkKey(key);
  return `[h:${createHmac('sha256', key!).update(value).digest('base64url').slice(0, 16)}]`;
}

/** A hash key must be at least 16 bytes. */
export function checkKey(key: string | undefined): void {
  if (key === undefined || Buffer.byteLength(key) < 16) {
    throw new CwError('CW_USAGE_BAD_FLAG', 'hash masking needs a key of at least 16 bytes; pass one (e.g. --key-env NAME) or choose another mask.');
  }
}

/** `a***@example.com` (the first character of the local part, then the domain). `at` is `@` or `%40`. */
export function maskEmail(local: string, at: string, domain: string): string {
  return `${local.slice(0, 1)}***${at}${domain}`;
}

/** Phone numbers keep their last two digits. */
export function maskPhone(digits: string): string {
  return stars(digits.length - 2) + digits.slice(-2);
}

/**
 * The display/replacement text of a value of `type` whose normalised form is `value` (digits for
 * numeric types). Card numbers follow `mode`; other types use their own short form unless `mode`
 * is `hash`, which hashes every type.
 */
export function maskValue(type: FindingType, value: string, mode: MaskMode = 'bin-last4', key?: string): string {
  if (mode === 'hash') return hashMask(value, key);
  switch (type) {
    case 'card-number':
      return maskCard(value, mode, key);
    case 'phone':
      return mode === 'full' ? stars(value.length) : maskPhone(value);
    case 'track-data':
      return '[track-data]';
    case 'card-cvv':
      return '***';
    case 'card-expiry':
      return '****';
    case 'credential':
      return '***';
    case 'email': {
      const at = value.lastIndexOf('@');
      return at > 0 ? maskEmail(value.slice(0, at), '@', value.slice(at + 1)) : '***';
    }
    default:
      return stars(value.length || 3);
  }
}
