/**
 * scrub/card-cvv: card verification codes (CVV2/CVC2/CID, 3 or 4 digits). Three digits mean
 * nothing alone, so only two contexts count: a CVV key (`cvv`, `cvc`, `security_code`,
 * `セキュリティコード` …) → high, or 3–4 digits right after a card number (and its expiry) → medium.
 * Storing it after authorisation breaks PCI DSS 3.3.1.2.
 */
import { run, digitsOf } from '../normalize.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/card-cvv',
  type: 'card-cvv',
  docs: {
    title: 'Card verification code (CVV/CVC) in a log',
    description:
      'Three or four digits under a CVV key (`cvv`, `cvc`, `cvv2`, `csc`, `security_code`, `セキュリティコード`) or right after a card number. The code is sensitive authentication data and may not be kept after authorisation (PCI DSS 3.3.1.2).',
    fix: 'Never log the card code; drop it from request logging, or redact it (`cachewarden redact` writes `***`).',
    references: ['PCI DSS v4.0.1 3.3.1.2'],
  },
  examples: {
    bad: [
      { text: 'pan=4111111111111111 cvv=123', expect: [{ type: 'card-number', confidence: 'high' }, { type: 'card-cvv', confidence: 'high', masked: '***' }] },
      { text: '{"securityCode":"1234"}', expect: [{ type: 'card-cvv', confidence: 'high', masked: '***' }] },
    ],
    good: [{ text: 'status=123 bytes=1234' }, { text: '{"cvv_enabled":true}' }],
  },
});

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The current run is the value of a CVV key. */
export function cvvFromKey(text: string): boolean {
  if (run.separated || run.n < 3 || run.n > 4) return false;
  const c = text.charCodeAt(run.end);
  if (isDigit(c) || c === 46 /* . */) return false;
  emit({ type: 'card-cvv', confidence: 'high', start: run.start, end: run.end, value: digitsOf(0, run.n), reason: 'CVV key' });
  return true;
}

/** 3–4 standalone digits at `p` (after a card number): reports and returns the end, else -1. */
export function cvvAt(text: string, p: number): number {
  let e = p;
  while (e < text.length && e - p < 5 && isDigit(text.charCodeAt(e))) e++;
  const n = e - p;
  if (n < 3 || n > 4) return -1;
  const c = text.charCodeAt(e);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 47 || c === 45 || c === 58) return -1;
  emit({ type: 'card-cvv', confidence: 'medium', start: p, end: e, value: text.slice(p, e), reason: 'digits right after a card number' });
  return e;
}
