/**
 * Leak checks for the integration tests: a captured log must hold no card number (by the engine,
 * and by a plain digit regex for the exact published test numbers used, separators allowed), no
 * masked value may show more than BIN + last four, and every line must be valid JSON.
 * Failure messages name the test card by brand and the line by number, never the number itself.
 */
import assert from 'node:assert/strict';
import { findInText } from '../../../src/scrub/engine.ts';

/** Published test card numbers (Stripe / brand test ranges). */
export const TEST_CARDS = {
  visa: '4111111111111111',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  discover: '6011111111111117',
  jcb: '3530111333300000',
} as const;

/** A regex for `pan` with an optional space, dash, `+` or `%20` between any two digits. */
function digitsRegex(pan: string): RegExp {
  return new RegExp(pan.split('').join('(?:[\\s+-]|%20)?'));
}

/** Asserts `text` leaks none of the test cards and masks at most BIN + last four. */
export function assertNoCard(text: string, what: string): void {
  const cards = findInText(text, { types: ['card-number'] });
  assert.equal(cards.length, 0, `${what}: the engine still finds ${cards.length} card number(s): ${cards.map((f) => f.masked).join(', ')}`);
  for (const [brand, pan] of Object.entries(TEST_CARDS)) {
    assert.equal(digitsRegex(pan).test(text), false, `${what}: the ${brand} test number appears in full`);
  }
  // A masked value: digits, separators and mask characters with at least one mask character.
  for (const m of text.matchAll(/[0-9][0-9 \-*•xX#]{9,}[0-9]/g)) {
    if (!/[*•xX#]/.test(m[0])) continue;
    const digits = m[0].replace(/\D/g, '').length;
    assert.ok(digits <= 10, `${what}: a masked value shows ${digits} digits (more than BIN + last four)`);
  }
}

/** Splits a captured log into lines and asserts each is a JSON object; returns them parsed. */
export function jsonLines(text: string, what: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((line, i) => {
    let parsed: unknown;
    assert.doesNotThrow(() => (parsed = JSON.parse(line)), `${what}: line ${i + 1} is not valid JSON`);
    assert.equal(typeof parsed, 'object', `${what}: line ${i + 1} is not a JSON object`);
    return parsed as Record<string, unknown>;
  });
}
