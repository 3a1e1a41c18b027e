/**
 * scrub/postal-code-jp: Japanese postal codes (NNN-NNNN or 7 digits) after `〒` or under a postal
 * key (`zip`, `postal_code`, `郵便番号`). Seven digits alone are far too common to report.
 */
import { C_WIDE_DIGIT, C_DIGIT, CLS, SEPK, run, digitsOf, scanRun } from '../normalize.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/postal-code-jp',
  type: 'postal-code-jp',
  docs: {
    title: 'Japanese postal code in a log',
    description: 'A postal code (100-0001, 〒100-0001, full-width too) after 〒 or under a postal key. With a name or address it narrows a person down.',
    fix: 'Log the prefecture at most; redact the code (`cachewarden redact` writes `*******`).',
    references: ['APPI Art. 2'],
  },
  examples: {
    bad: [
      { text: '〒100-0001 東京都千代田区', expect: [{ type: 'postal-code-jp', confidence: 'high', masked: '*******' }] },
      { text: '{"zip":"1500001"}', expect: [{ type: 'postal-code-jp', confidence: 'high' }] },
    ],
    good: [{ text: 'bytes=1000001' }, { text: 'ref 100-0001' }],
  },
});

/** The current run is the value of a postal key (or follows 〒). */
export function postalFromKey(reason: string): boolean {
  if (run.n !== 7 || run.overflow) return false;
  if (run.separated && SEPK[3] === 0) return false;
  for (let k = 1; k < 7; k++) if (k !== 3 && SEPK[k] !== 0) return false;
  emit({ type: 'postal-code-jp', confidence: 'high', start: run.start, end: run.end, value: digitsOf(0, 7), reason });
  return true;
}

/** `〒` at `p`: reports the code after it; returns where scanning resumes. */
export function postalFromMark(text: string, p: number): number {
  let q = p + 1;
  while (q < text.length && q - p < 3 && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 0x3000)) q++;
  const k = CLS[text.charCodeAt(q)];
  if (k !== C_DIGIT && k !== C_WIDE_DIGIT) return p + 1;
  const end = scanRun(text, q);
  postalFromKey('after 〒');
  return end;
}
