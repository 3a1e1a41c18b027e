/**
 * scrub/track-data: magnetic-stripe track data. Track 1 `%B<PAN>^<NAME>^<YYMM><service>…?` and
 * track 2 `;<PAN>=<YYMM><service>…?` (also without sentinels, and the EMV tag-57 form with `D`).
 * The whole track is sensitive authentication data (PCI DSS 3.3.1.1): it must never be kept, so the
 * finding covers the whole track, not only the PAN.
 */
import { run, digitsOf } from '../normalize.ts';
import type { Confidence } from '../types.ts';
import { brandOf, luhn } from './card-number.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/track-data',
  type: 'track-data',
  docs: {
    title: 'Magnetic-stripe track data in a log',
    description:
      'Track 1 (`%B` PAN `^` name `^` expiry, service code, discretionary data `?`) or track 2 (`;` PAN `=` expiry, service code … `?`, or the same without sentinels). Track data is sensitive authentication data: it may not be stored after authorisation, even encrypted (PCI DSS 3.3.1.1).',
    fix: 'Never log raw track data or gateway payloads that carry it; redact the whole track (`cachewarden redact` replaces it with `[track-data]`).',
    references: ['PCI DSS v4.0.1 3.3.1.1', 'ISO/IEC 7813 (track formats)'],
  },
  examples: {
    bad: [
      { text: 'track1=%B4111111111111111^DOE/JOHN^2512101000000000000?', expect: [{ type: 'track-data', confidence: 'high', masked: '[track-data]' }] },
      { text: '"track2":";4111111111111111=25121010000000000?"', expect: [{ type: 'track-data', confidence: 'high', masked: '[track-data]' }] },
    ],
    good: [{ text: 'range=4111111111111112=2512' }, { text: 'ratio=12345678=9' }],
  },
});

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Reports track data around the current run (its PAN); returns true when it did. */
export function detectTrack(text: string): boolean {
  if (run.separated || run.overflow || run.n < 12 || run.n > 19) return false;
  const s = run.start;
  const e = run.end;
  const after = text.charCodeAt(e);
  let start = s;
  let end = e;
  let sentinels = 0;
  if (after === 94 /* ^ */ && text.charCodeAt(s - 2) === 37 && (text.charCodeAt(s - 1) | 32) === 98 /* %B */) {
    start = s - 2;
    const name = text.indexOf('^', e + 1);
    if (name < 0 || name - e > 27) return false;
    let p = name + 1;
    const limit = Math.min(text.length, p + 80);
    let digits = 0;
    while (p < limit && isDigit(text.charCodeAt(p))) {
      p++;
      digits++;
    }
    if (digits < 7) return false;
    end = p;
    sentinels = 1;
    if (text.charCodeAt(p) === 63 /* ? */) {
      end = p + 1;
      sentinels = 2;
    }
  } else if (after === 61 /* = */ || after === 68 /* D */) {
    let p = e + 1;
    const limit = Math.min(text.length, p + 40);
    let digits = 0;
    while (p < limit && isDigit(text.charCodeAt(p))) {
      p++;
      digits++;
    }
    if (digits < 7) return false;
    if (text.charCodeAt(s - 1) === 59 /* ; */) {
      start = s - 1;
      sentinels++;
    }
    end = p;
    if (text.charCodeAt(p) === 63) {
      end = p + 1;
      sentinels++;
    }
    if (after === 68 && (text.charCodeAt(p) | 32) === 102) end = p + 1; // EMV padding F
  } else return false;
  const valid = brandOf(0, run.n) !== '' && luhn(0, run.n);
  if (!valid && sentinels < 2) return false;
  const confidence: Confidence = valid ? 'high' : 'medium';
  const form = text.charCodeAt(start) === 37 ? 'track 1' : 'track 2';
  const reason = `${form} layout${valid ? ' + PAN with IIN and Luhn' : ' with both sentinels'}`;
  emit({ type: 'track-data', confidence, start, end, value: digitsOf(0, run.n) + text.slice(e, end).replace(/\D/g, ''), reason });
  return true;
}
