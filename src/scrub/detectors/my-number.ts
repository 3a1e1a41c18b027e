/**
 * scrub/my-number: Japanese Individual Number (マイナンバー), 12 digits whose last is the check digit
 * of the MIC ordinance (art. 5). About one random 12-digit string in ten passes, so it is reported
 * only with context: a key or words (`my_number`, `マイナンバー`, `個人番号`).
 */
import { K_MYNUMBER, myNumberWordsNear } from '../context.ts';
import { DIG, run, digitsOf } from '../normalize.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/my-number',
  type: 'my-number',
  docs: {
    title: 'Japanese My Number (個人番号) in a log',
    description:
      'Twelve digits (often 4-4-4) with a valid check digit, under a My Number key or near the words マイナンバー / 個人番号 / my number. Specific personal information under the My Number Act: handling is restricted by law.',
    fix: 'Never log it; redact it (`cachewarden redact` writes twelve `*`).',
    references: ['番号法 (My Number Act)', 'MIC ordinance 85 art. 5 (check digit)'],
  },
  examples: {
    bad: [{ text: 'マイナンバー：1234 5678 9018', expect: [{ type: 'my-number', confidence: 'high', masked: '************' }] }],
    good: [{ text: 'マイナンバー：1234 5678 9012' }, { text: 'value=123456789018' }],
  },
});

/** Check digit of the 11 digits DIG[0..11). */
export function myNumberCheckDigit(): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = DIG[11 - n]!;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** Check digit of a 12-digit string (for tests and generators). */
export function myNumberValid(digits: string): boolean {
  if (!/^\d{12}$/.test(digits)) return false;
  for (let k = 0; k < 12; k++) DIG[k] = digits.charCodeAt(k) - 48;
  return myNumberCheckDigit() === DIG[11];
}

/** Reports the current run as a My Number when it is 12 digits, the check digit holds, and context says so. */
export function detectMyNumber(text: string, cls: number): boolean {
  if (run.n !== 12 || run.overflow) return false;
  if (cls !== K_MYNUMBER && !myNumberWordsNear(text, run.start)) return false;
  if (myNumberCheckDigit() !== DIG[11]) return false;
  emit({ type: 'my-number', confidence: 'high', start: run.start, end: run.end, value: digitsOf(0, 12), reason: '12 digits + check digit; My Number key or word' });
  return true;
}
