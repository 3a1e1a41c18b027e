/**
 * scrub/email: e-mail addresses, found from their `@` (also full-width `＠` and URL-encoded `%40`).
 * The local part is read leftwards and the domain rightwards; the domain needs a dot and a
 * letters-only top-level label. An e-mail key (`email`, `mail`, `メール`) makes it high.
 */
import { K_EMAIL, keyClassAt } from '../context.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/email',
  type: 'email',
  docs: {
    title: 'E-mail address in a log',
    description: 'An address `local@domain.tld`, also with `＠` or URL-encoded as `%40`. It identifies a person (APPI, GDPR personal data).',
    fix: 'Log a user id or a keyed hash instead of the address (`cachewarden redact --mask hash` keeps equal addresses joinable).',
    references: ['APPI Art. 2', 'GDPR Art. 4(1)'],
  },
  examples: {
    bad: [
      { text: '{"email":"alice@example.com"}', expect: [{ type: 'email', confidence: 'high', masked: 'a***@example.com' }] },
      { text: 'GET /signup?to=bob%40example.jp HTTP/1.1', expect: [{ type: 'email', confidence: 'medium', masked: 'b***@example.jp' }] },
    ],
    good: [{ text: '{"@timestamp":"2026-11-21T09:41:00Z"}' }, { text: 'import @fastify/cors' }],
  },
});

function localChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 43 || c === 45;
}

function domainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

/** Reports the address around the `@` at `at` (`atLen` 1, or 3 for `%40`); returns where scanning resumes. */
export function detectEmail(text: string, at: number, atLen: number): number {
  let s = at;
  while (s > 0 && at - s < 64 && localChar(text.charCodeAt(s - 1))) s--;
  // `%22alice` style: drop an encoded quote glued in front.
  if (s === at || text.charCodeAt(s) === 46) return at + atLen;
  const d = at + atLen;
  let e = d;
  let lastDot = -1;
  const limit = Math.min(text.length, d + 253);
  while (e < limit && domainChar(text.charCodeAt(e))) {
    if (text.charCodeAt(e) === 46) lastDot = e;
    e++;
  }
  while (e > d && text.charCodeAt(e - 1) === 46) e--;
  if (lastDot >= e) {
    lastDot = text.lastIndexOf('.', e - 1);
    if (lastDot < d) lastDot = -1;
  }
  if (lastDot <= d) return d;
  const tld = e - lastDot - 1;
  if (tld < 2 || tld > 24) return d;
  for (let k = lastDot + 1; k < e; k++) {
    const c = text.charCodeAt(k) | 32;
    if (c < 97 || c > 122) return d;
  }
  const local = text.slice(s, at);
  const domain = text.slice(d, e).toLowerCase();
  const keyed = keyClassAt(text, s) === K_EMAIL;
  emit({
    type: 'email',
    confidence: keyed ? 'high' : 'medium',
    start: s,
    end: e,
    value: `${local.toLowerCase()}@${domain}`,
    reason: keyed ? 'address under an e-mail key' : 'address form local@domain.tld',
  });
  return e;
}
