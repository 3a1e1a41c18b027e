/**
 * scrub/phone: Japanese phone numbers (mobile 070/080/090/060, IP 050, free-dial 0120/0800,
 * landlines 0X…, 10 or 11 digits, dashed or spaced) and E.164 `+81…`. A separated Japanese form
 * or `+81` is medium; a phone key or word (`tel`, `電話`, `携帯`) makes it high; an unseparated
 * digit run is only reported with such context, and a negative key makes it low.
 */
import { K_NEG, K_PHONE, phoneWordsNear } from '../context.ts';
import { DIG, SEP_SPACE, SEP_DASH, SEP_WIDE_SPACE, SEPK, run, digitsOf, glued, gluedAfter } from '../normalize.ts';
import type { Confidence } from '../types.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/phone',
  type: 'phone',
  docs: {
    title: 'Phone number in a log',
    description:
      'Japanese numbers (090-1234-5678, 03-1234-5678, 0120-123-456) and E.164 `+81 90 1234 5678`. Unseparated digit runs count only under a phone key or word, since ids look the same.',
    fix: 'Log a user id instead, or redact (`cachewarden redact` keeps the last two digits).',
    references: ['MIC numbering plan (電気通信番号)', 'ITU-T E.164'],
  },
  examples: {
    bad: [
      { text: 'tel=090-1234-5678', expect: [{ type: 'phone', confidence: 'high', masked: '*********78' }] },
      { text: 'call +81 3 1234 5678 today', expect: [{ type: 'phone', confidence: 'medium', masked: '*********78' }] },
    ],
    good: [{ text: 'ts=1732181660 order=09012345678' }, { text: 'v=0.1234567890' }],
  },
});

function separatorsOk(): boolean {
  for (let k = 1; k < run.n; k++) {
    const s = SEPK[k]!;
    if (s !== 0 && s !== SEP_DASH && s !== SEP_SPACE && s !== SEP_WIDE_SPACE) return false;
  }
  return true;
}

function plusBefore(text: string, s: number): number {
  const c = text.charCodeAt(s - 1);
  if (c === 43 || c === 0xff0b) return s - 1;
  if (c === 66 || c === 98) return text.charCodeAt(s - 2) === 50 && text.charCodeAt(s - 3) === 37 ? s - 3 : -1; // %2B
  return -1;
}

/** Reports the current run as a phone number when it is one; `cls` is the key class before it. */
export function detectPhone(text: string, cls: number): boolean {
  const n = run.n;
  if (n < 10 || n > 12 || run.overflow || !separatorsOk() || glued(text, run.start) || gluedAfter(text, run.end)) return false;
  let start = run.start;
  let form = '';
  const plus = plusBefore(text, start);
  if (plus >= 0 && DIG[0] === 8 && DIG[1] === 1 && DIG[2] !== 0 && (n === 11 || n === 12)) {
    start = plus;
    form = 'E.164 +81';
  } else if (DIG[0] === 0 && DIG[1] !== 0 && plus < 0) {
    const mobile = (DIG[1] === 5 || DIG[1] === 6 || DIG[1] === 7 || DIG[1] === 8 || DIG[1] === 9) && DIG[2] === 0;
    const freeDial = DIG[1] === 1 && DIG[2] === 2 && DIG[3] === 0;
    if (n === 11 && (mobile || (DIG[1] === 8 && DIG[2] === 0 && DIG[3] === 0))) form = 'Japanese mobile/IP number';
    else if (n === 10 && !mobile) form = freeDial ? 'Japanese free-dial number' : 'Japanese landline number';
    else return false;
  } else return false;
  const worded = cls === K_PHONE || phoneWordsNear(text, start);
  let confidence: Confidence;
  if (cls === K_NEG) confidence = 'low';
  else if (worded) confidence = 'high';
  else if (run.separated || form.startsWith('E.164')) confidence = 'medium';
  else return false;
  emit({ type: 'phone', confidence, start, end: run.end, value: digitsOf(0, n), reason: `${form}${worded ? '; phone key or word' : ''}` });
  return true;
}
