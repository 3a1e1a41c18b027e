/**
 * scrub/card-expiry: card expiry dates in context. A date alone is not card data, so it counts only
 * under an expiry key (`exp`, `expiry`, `exp_month`, `有効期限` …; forms MM/YY, MM/YYYY, MMYY, YYMM,
 * YYYY-MM, a month or a year) → high, or as MM/YY(YY) right after a card number → medium.
 */
import { DIG, SEPK, run, digitsOf } from '../normalize.ts';
import { K_EXPIRY, K_EXP_MONTH, K_EXP_YEAR } from '../context.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/card-expiry',
  type: 'card-expiry',
  docs: {
    title: 'Card expiry date in a log',
    description:
      'An expiry date under an expiry key (`exp`, `expiry`, `exp_month`, `exp_year`, `有効期限`), or MM/YY right after a card number. With the PAN it completes the data a card-not-present fraudster needs.',
    fix: 'Do not log expiry dates with card data; redact them (`cachewarden redact` writes `****`).',
    references: ['PCI DSS v4.0.1 3.2.1 (account data)'],
  },
  examples: {
    bad: [
      { text: 'exp=12/27', expect: [{ type: 'card-expiry', confidence: 'high', masked: '****' }] },
      { text: '{"exp_month":12,"exp_year":2027}', expect: [{ type: 'card-expiry', confidence: 'high' }, { type: 'card-expiry', confidence: 'high' }] },
      { text: 'card 4111 1111 1111 1111 12/27', expect: [{ type: 'card-number', confidence: 'high' }, { type: 'card-expiry', confidence: 'medium' }] },
    ],
    good: [{ text: 'expires=0 exp=1732181660' }, { text: 'date 12/27 ok' }],
  },
});

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function month(v: number): boolean {
  return v >= 1 && v <= 12;
}

function num(a: number, b: number): number {
  let v = 0;
  for (let k = a; k < b; k++) v = v * 10 + DIG[k]!;
  return v;
}

/** Digits at `p`: how many (up to 5). */
function digitsAt(text: string, p: number): number {
  let n = 0;
  while (n < 5 && isDigit(text.charCodeAt(p + n))) n++;
  return n;
}

function report(start: number, end: number, value: string, confidence: 'high' | 'medium', reason: string): true {
  emit({ type: 'card-expiry', confidence, start, end, value, reason });
  return true;
}

/** The current run is the value of an expiry key of class `cls`. */
export function expiryFromKey(text: string, cls: number): boolean {
  const n = run.n;
  const s = run.start;
  const e = run.end;
  if (isDigit(text.charCodeAt(e)) || run.overflow) return false;
  if (cls === K_EXP_MONTH) return !run.separated && n <= 2 && month(num(0, n)) && report(s, e, digitsOf(0, n), 'high', 'expiry-month key');
  if (cls === K_EXP_YEAR) {
    if (run.separated || (n !== 2 && n !== 4)) return false;
    const y = num(0, n);
    return (n === 2 || (y >= 1990 && y <= 2099)) && report(s, e, digitsOf(0, n), 'high', 'expiry-year key');
  }
  if (cls !== K_EXPIRY) return false;
  const slash = text.charCodeAt(e) === 47 || text.charCodeAt(e) === 0xff0f;
  if (slash && (n === 2 || n === 4) && !run.separated) {
    const m = digitsAt(text, e + 1);
    if (n === 2 && (m === 2 || m === 4) && month(num(0, 2))) return report(s, e + 1 + m, digitsOf(0, 2) + text.slice(e + 1, e + 1 + m), 'high', 'expiry key, MM/YY');
    if (n === 4 && m === 2 && month(Number(text.slice(e + 1, e + 3)))) return report(s, e + 3, digitsOf(0, 4) + text.slice(e + 1, e + 3), 'high', 'expiry key, YYYY/MM');
    return false;
  }
  if (n === 4 && (!run.separated || SEPK[2] !== 0)) {
    if (month(num(0, 2)) || month(num(2, 4))) return report(s, e, digitsOf(0, 4), 'high', 'expiry key, MMYY');
    return false;
  }
  if (n === 6 && (!run.separated || SEPK[2] !== 0 || SEPK[4] !== 0)) {
    if (month(num(0, 2)) || month(num(4, 6))) return report(s, e, digitsOf(0, 6), 'high', 'expiry key, MM/YYYY');
  }
  return false;
}

/** MM/YY or MM/YYYY at `p` (after a card number): reports and returns the end, else -1. */
export function expiryAt(text: string, p: number): number {
  if (digitsAt(text, p) !== 2) return -1;
  const sep = text.charCodeAt(p + 2);
  if (sep !== 47 && sep !== 45) return -1;
  const m = digitsAt(text, p + 3);
  if (m !== 2 && m !== 4) return -1;
  if (!month(Number(text.slice(p, p + 2)))) return -1;
  const end = p + 3 + m;
  report(p, end, text.slice(p, p + 2) + text.slice(p + 3, end), 'medium', 'MM/YY right after a card number');
  return end;
}
