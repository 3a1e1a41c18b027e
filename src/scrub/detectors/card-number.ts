/**
 * scrub/card-number: payment card numbers (PANs). A digit run (plain, spaced, dashed, `%20`, `+`,
 * full-width, `\u003X` escapes) is a card only when its brand IIN range and length match AND it
 * passes Luhn; a Luhn-valid run that fits no brand is never a card. Confidence: no context
 * `medium`, a card key or card words nearby `high`, a negative key (`order_id`, `ts`, `id` …) `low`.
 */
import { K_CARD, K_NEG, cardWordsNear, keyClassAt, lastKey, lastKeyText } from '../context.ts';
import { DIG, DPOS, DEND, SEPK, SEP_NONE, SEP_PCT20, SEP_PLUS, SEP_SPACE, SEP_WIDE_SPACE, digitsOf, glued, gluedAfter, run } from '../normalize.ts';
import type { Confidence } from '../types.ts';
import { defineScrubRule, emit, wanted } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/card-number',
  type: 'card-number',
  docs: {
    title: 'Payment card number (PAN) in a log',
    description:
      'A run of 12 to 19 digits whose brand prefix (IIN) and length match a card brand and that passes the Luhn check. Spaces, dashes, `%20`, `+`, full-width digits and JSON escapes are read through. A card key (`card_number`, `pan`, `cc` …) or card words nearby make it high confidence; a negative key (`order_id`, `ts`, `request_id` …) makes it low. PCI DSS 3.5.1 requires a stored PAN to be unreadable everywhere, logs included.',
    fix: 'Do not log card numbers: drop the field before logging, or run the log through `cachewarden redact` (BIN + last four, or a keyed hash for joins).',
    references: ['PCI DSS v4.0.1 3.4.1, 3.5.1', 'ISO/IEC 7812-1 (IIN ranges)'],
  },
  examples: {
    bad: [
      { text: '{"card_number":"4111111111111111"}', expect: [{ type: 'card-number', confidence: 'high', masked: '411111******1111' }] },
      { text: 'charge ok 5555 5555 5555 4444 amount=1200', expect: [{ type: 'card-number', confidence: 'medium', masked: '555555******4444' }] },
      { text: 'pan=3782-822463-10005', expect: [{ type: 'card-number', confidence: 'high', masked: '378282*****0005' }] },
    ],
    good: [
      { text: '{"ts":1732181660123,"status":200}' },
      { text: 'id=4111111111111112' },
      { text: 'iban=DE89 3704 0044 0532 0130 00' },
    ],
  },
});

/** Brand of DIG[a, b) when its IIN and length match one, else ''. */
export function brandOf(a: number, b: number): string {
  const len = b - a;
  if (len < 12 || len > 19) return '';
  const d0 = DIG[a]!;
  const d1 = DIG[a + 1]!;
  const p2 = d0 * 10 + d1;
  const p3 = p2 * 10 + DIG[a + 2]!;
  const p4 = p3 * 10 + DIG[a + 3]!;
  switch (d0) {
    case 4:
      return len === 13 || len === 16 || len === 19 ? 'visa' : '';
    case 2:
      return p4 >= 2221 && p4 <= 2720 && len === 16 ? 'mastercard' : '';
    case 3:
      if (p2 === 34 || p2 === 37) return len === 15 ? 'amex' : '';
      if (p4 >= 3528 && p4 <= 3589) return len >= 16 && len <= 19 ? 'jcb' : '';
      if ((p3 >= 300 && p3 <= 305) || p3 === 309 || p2 === 36 || p2 === 38 || p2 === 39) return len >= 14 && len <= 19 ? 'diners' : '';
      return '';
    case 5:
      if (p2 >= 51 && p2 <= 55) return len === 16 ? 'mastercard' : '';
      if (p2 === 50 || (p2 >= 56 && p2 <= 59)) return 'maestro';
      return '';
    case 6: {
      const p6 = p4 * 100 + DIG[a + 4]! * 10 + DIG[a + 5]!;
      if (p4 === 6011 || (p6 >= 622126 && p6 <= 622925) || (p3 >= 644 && p3 <= 649) || p2 === 65) return len === 16 || len === 19 ? 'discover' : '';
      if (p2 === 62) return len >= 16 ? 'unionpay' : '';
      return 'maestro';
    }
    default:
      return '';
  }
}

/** Luhn check over DIG[a, b). */
export function luhn(a: number, b: number): boolean {
  let sum = 0;
  let dbl = false;
  for (let k = b - 1; k >= a; k--) {
    let d = DIG[k]!;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

function spaceLike(k: number): boolean {
  return k === SEP_SPACE || k === SEP_PCT20 || k === SEP_PLUS || k === SEP_WIDE_SPACE;
}

/** One separator kind throughout DIG[a, b) (or none). */
function consistent(a: number, b: number): boolean {
  let kind = SEP_NONE;
  for (let k = a + 1; k < b; k++) {
    const s = SEPK[k]!;
    if (s === SEP_NONE) continue;
    if (kind === SEP_NONE) kind = s;
    else if (s !== kind) return false;
  }
  return true;
}

/** The card found in the current run: run positions [a, b) and brand, or null. */
export const found = { a: 0, b: 0, brand: '' };

function tryRange(a: number, b: number): boolean {
  if (b - a < 12 || b - a > 19) return false;
  const brand = brandOf(a, b);
  if (brand === '' || !consistent(a, b) || !luhn(a, b)) return false;
  found.a = a;
  found.b = b;
  found.brand = brand;
  return true;
}

/**
 * Finds a card in the current run: the whole run, else the run without trailing groups after a
 * space (`4111 1111 1111 1111 12/27`), else a single unseparated group after a space
 * (`200 4111111111111111`). Word-glued runs (`DE89…`, hex ids) are never cards.
 */
export function cardInRun(text: string): boolean {
  const n = run.n;
  if (n < 12 || run.overflow) return false;
  const leftOk = !glued(text, run.start);
  const rightOk = !gluedAfter(text, run.end);
  if (leftOk && rightOk && tryRange(0, n)) return true;
  if (!run.separated) return false;
  if (leftOk) {
    for (let g = n - 1; g >= 12; g--) if (spaceLike(SEPK[g]!) && tryRange(0, g)) return true;
  }
  // A lone group of 12–19 digits after a space.
  let g = 1;
  while (g < n) {
    if (!spaceLike(SEPK[g]!)) {
      g++;
      continue;
    }
    let e = g + 1;
    while (e < n && SEPK[e] === SEP_NONE) e++;
    const endOk = e < n ? spaceLike(SEPK[e]!) : rightOk;
    if (endOk && tryRange(g, e)) return true;
    g = e;
  }
  return false;
}

/** Confidence from the key and words before the card; `why` says which (for the reason). */
export function cardConfidence(text: string, start: number): Confidence {
  const cls = keyClassAt(text, start);
  if (cls === K_NEG) {
    why = 1;
    return 'low';
  }
  if (cls === K_CARD) {
    why = 2;
    return 'high';
  }
  if (cardWordsNear(text, start)) {
    why = 3;
    return 'high';
  }
  why = 0;
  return 'medium';
}
let why = 0;

/** Reason texts by key (hash of the key read by `keyClassAt`, checked against the text), then by kind. */
interface KeyReasons {
  key: string;
  byKind: Map<number, string>;
}
const reasonCache = new Map<number, KeyReasons>();
const NO_KEY = new Map<number, string>();

function brandCode(brand: string): number {
  switch (brand) {
    case 'visa':
      return 1;
    case 'mastercard':
      return 2;
    case 'amex':
      return 3;
    case 'jcb':
      return 4;
    case 'diners':
      return 5;
    case 'discover':
      return 6;
    case 'unionpay':
      return 7;
    case 'maestro':
      return 8;
    default:
      return 0;
  }
}

function sameKey(text: string, key: string): boolean {
  const s = lastKey.start;
  if (lastKey.end - s !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (text.charCodeAt(s + k) !== key.charCodeAt(k)) return false;
  return true;
}

/** The reason text for a card of `brand` and `len` digits, given `why` (built once per kind and key). */
function cardReason(text: string, brand: string, len: number): string {
  const kind = why * 256 + brandCode(brand) * 32 + len;
  let byKind = NO_KEY;
  if (why === 1 || why === 2) {
    const e = reasonCache.get(lastKey.hash);
    if (e !== undefined && sameKey(text, e.key)) byKind = e.byKind;
    else {
      const key = lastKeyText(text);
      byKind = new Map();
      if (reasonCache.size < 256) reasonCache.set(lastKey.hash, { key, byKind });
    }
  }
  let r = byKind.get(kind);
  if (r === undefined) {
    const base = 'IIN ' + brand + ' + ' + String(len) + ' digits + Luhn';
    r =
      why === 1
        ? base + '; negative key "' + lastKeyText(text) + '"'
        : why === 2
          ? base + '; key "' + lastKeyText(text) + '"'
          : why === 3
            ? base + '; card words nearby'
            : base + '; no card context';
    byKind.set(kind, r);
  }
  return r;
}

/** Reports the card `cardInRun` found; returns its confidence. */
export function emitCard(text: string): Confidence {
  const a = found.a;
  const b = found.b;
  const brand = found.brand;
  const start = DPOS[a]!;
  const end = DEND[b - 1]!;
  const confidence = cardConfidence(text, start);
  if (!wanted(confidence)) return confidence;
  emit({ type: 'card-number', confidence, start, end, value: digitsOf(a, b), brand, reason: cardReason(text, brand, b - a) });
  return confidence;
}
