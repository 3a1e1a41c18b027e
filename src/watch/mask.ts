/**
 * Dead-letter excerpts must not keep what the pipeline would have hashed: cookie and token values,
 * e-mail addresses, long opaque strings. The excerpt keeps the line's shape (keys, punctuation,
 * short words, numbers) so an operator can see why it failed, and the original file still has
 * the full line under the operator's own control.
 */
const MAX_EXCERPT = 240;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // name=value pairs in cookies and query strings: keep the name
  [/([A-Za-z0-9_.-]{1,40}=)[^;&\s"',}]+/g, '$1***'],
  // Authorization-style credentials
  [/\b(Bearer|Basic|Digest)\s+[^\s"',}]+/gi, '$1 ***'],
  // e-mail addresses
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '***@***'],
  // long opaque tokens (ids, hashes, session values)
  [/[A-Za-z0-9+/_-]{16,}={0,2}/g, '***'],
  // long digit runs (card-like numbers, phone numbers)
  [/\d[\d -]{9,}\d/g, '***'],
];

export function maskExcerpt(line: string): string {
  let out = line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT)}…` : line;
  // Control and non-printable bytes (binary input) become dots.
  out = out.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/g, '.');
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}
