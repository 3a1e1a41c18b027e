/**
 * The scrub engine: find personal data in one text (`findInText`) and mask it in place without
 * breaking the text's structure (`redactText`). One cheap pass over the characters looks up each
 * in a class table and stops only at candidates: digit units (ASCII, full-width, `\u003X`), `@` /
 * `＠` / `%40`, `\`, `〒`. A digit run (with single separators, read by normalize.ts) goes to the
 * detectors in order: track data, keyed values (CVV, expiry, postal, bank, My Number), card number,
 * phone. Header credentials are found with three `indexOf` calls. Findings are sorted and
 * non-overlapping, with offsets into the original text.
 *
 * Speed: the walk runs on a byte copy with a sentinel after it; a digit run is dropped on the bytes
 * when it cannot be anything (no key form before a short run, no IIN + length + Luhn on a long one,
 * a date/time or a word-glued IBAN as a separated run) before any context is read.
 */
import { K_BANK, K_CVV, K_EXPIRY, K_EXP_MONTH, K_EXP_YEAR, K_MYNUMBER, K_POSTAL, keyClassAt, resetKeyMemo, shortKeyPossible } from './context.ts';
import { bankFromKey } from './detectors/bank-account.ts';
import { cvvAt, cvvFromKey } from './detectors/card-cvv.ts';
import { expiryAt, expiryFromKey } from './detectors/card-expiry.ts';
import { brandOf, cardInRun, emitCard, found } from './detectors/card-number.ts';
import { detectCredentials } from './detectors/credential.ts';
import { hits, scanState, type Hit } from './detectors/define.ts';
import { detectEmail } from './detectors/email.ts';
import { detectMyNumber } from './detectors/my-number.ts';
import { detectPhone } from './detectors/phone.ts';
import { postalFromKey, postalFromMark } from './detectors/postal-code-jp.ts';
import { detectTrack } from './detectors/track-data.ts';
import { checkKey, maskValue } from './mask.ts';
import { DEND, DIG, DPOS, MAX_RUN, SEPK, digitUnitAt, glued, run, scanRun, source } from './normalize.ts';
import { RULE_OF_TYPE } from './rules.ts';
import type { Confidence, Finding, FindingType, MaskMode, RedactOptions, RedactResult, ScanOptions } from './types.ts';

const RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };

function isDelim(c: number): boolean {
  return c === 32 || c === 9 || c === 44 || c === 59 || c === 124 || c === 0x3000;
}

function skipDelims(text: string, p: number): number {
  let k = 0;
  while (k < 3 && isDelim(text.charCodeAt(p))) {
    p++;
    k++;
  }
  return p;
}

/** Expiry and CVV in free text right after a card number (`4111 … 1111 12/27 123`). */
function afterCard(text: string, p: number): void {
  p = skipDelims(text, p);
  const e = expiryAt(text, p);
  cvvAt(text, e >= 0 ? skipDelims(text, e) : p);
}

/** Short runs (1–9 digits) count only as the value of a known key. */
function shortRun(text: string): void {
  keyedShort(text, keyClassAt(text, run.start));
}

function keyedShort(text: string, cls: number): void {
  switch (cls) {
    case K_CVV:
      cvvFromKey(text);
      return;
    case K_EXPIRY:
    case K_EXP_MONTH:
    case K_EXP_YEAR:
      expiryFromKey(text, cls);
      return;
    case K_POSTAL:
      postalFromKey('postal key');
      return;
    case K_BANK:
      bankFromKey();
      return;
    default:
  }
}

function longRun(text: string): void {
  if (run.overflow) return;
  if (detectTrack(text)) return;
  const cls = keyClassAt(text, run.start);
  if (cls === K_MYNUMBER && detectMyNumber(text, cls)) return;
  if (cls === K_BANK && bankFromKey()) return;
  if (cardInRun(text)) {
    const end = DEND[found.b - 1]!;
    if (emitCard(text) !== 'low') afterCard(text, end);
    return;
  }
  if (detectPhone(text, cls)) return;
  if (run.n === 12) detectMyNumber(text, cls);
}

/** Whether the separator-or-not at `j` (just after ASCII digits) may join another digit unit. */
function mayContinue(text: string, j: number): boolean {
  if (j + 1 >= text.length) return false;
  const c = text.charCodeAt(j);
  if (c === 92 || (c >= 0xff10 && c <= 0xff19)) return true;
  if (c === 32 || c === 45 || c === 43 || c === 0xff0d || c === 0x30fc || c === 0x2010 || c === 0x3000 || c === 37) {
    const q = c === 37 ? j + 3 : j + 1;
    if (q >= text.length) return false;
    const d = text.charCodeAt(q);
    return (d >= 48 && d <= 57) || d === 92 || (d >= 0xff10 && d <= 0xff19);
  }
  return false;
}

/**
 * What the byte after an ASCII digit run says about its continuing: 0 it cannot (`.`, `"`, `,` …),
 * 1 the string decides (`\`, full-width digit), 2 a separator when a digit unit follows it
 * (space, `-`, `+`, and the low bytes of `－`, `ー`, the ideographic space), 3 `%` (`%20`, `%2D`).
 */
const AFTER = new Uint8Array(256);
AFTER[92] = 1;
for (let c = 0x10; c <= 0x19; c++) AFTER[c] = 1;
for (const c of [32, 45, 43, 0x0d, 0xfc, 0]) AFTER[c] = 2;
AFTER[37] = 3;
/** Bytes that may start a digit unit: ASCII digit, `\`, the low byte of a full-width digit. */
const UNIT = new Uint8Array(256);
for (let c = 48; c <= 57; c++) UNIT[c] = 1;
UNIT[92] = 1;
for (let c = 0x10; c <= 0x19; c++) UNIT[c] = 1;

/** `mayContinue` on the byte copy first: most runs end at a byte that cannot continue them. */
function mayContinueB(text: string, buf: Uint8Array, j: number): boolean {
  const a = AFTER[buf[j]!]!;
  if (a === 0 || j + 1 >= text.length) return false;
  if (a === 1) return mayContinue(text, j);
  const q = a === 2 ? j + 1 : j + 3;
  return q < buf.length && UNIT[buf[q]!] === 1 && mayContinue(text, j);
}

/** Digits after the first group of a separated ASCII run, and its longest later group (set by `separatedEnd`). */
let sepDigits = 0;
let sepMaxGroup = 0;

/**
 * The end of an ASCII run continuing at `j` with single separators (space, `-`, `+`, `%20`,
 * `%2D`), counting its further digits in `sepDigits`; -1 when a non-ASCII byte or an escape
 * is involved (the string path decides).
 */
function separatedEnd(buf: Uint8Array, j: number, n: number): number {
  let count = 0;
  let maxGroup = 0;
  let p = j;
  while (p < n) {
    const c = buf[p]!;
    let sl = 0;
    if (c === 32 || c === 45 || c === 43) sl = 1;
    else if (c === 37 && buf[p + 1] === 50 && (buf[p + 2] === 48 || (buf[p + 2]! | 32) === 100)) sl = 3;
    else if (c === 92 || c < 32 || c >= 128) return -1;
    if (sl === 0) break;
    let q = p + sl;
    let d = q < n ? buf[q]! : 0;
    if (d < 48 || d > 57) {
      if (d === 92 || d < 32 || d >= 128) return -1;
      break;
    }
    const g0 = q;
    while (d >= 48 && d <= 57) {
      count++;
      d = ++q < n ? buf[q]! : 0;
    }
    if (q - g0 > maxGroup) maxGroup = q - g0;
    p = q;
  }
  sepDigits = count;
  sepMaxGroup = maxGroup;
  return p;
}

/**
 * Whether a separated ASCII run [i, e) of `total` digits may be anything without a key: 12+ digits
 * (card, My Number), or 10–11 that may be a phone (`0…`, or `+`, `%2B`, `＋` before). A date and
 * time (`2026-11-21 00:41`) stops here, once its characters are checked to be what the bytes say.
 */
function separatedMatters(text: string, buf: Uint8Array, i: number, e: number, total: number): boolean {
  if (total < 10) return false;
  if (total >= 12) {
    // Glued to a word on the left (`DE89 3704 0044 0532 0130 00`), with no later group of 12+
    // digits: no card (the whole run and its prefixes need a free left edge), no phone (glued),
    // and no My Number unless it has 12 digits.
    if (total === 12 || sepMaxGroup >= 12 || !glued(text, i)) return true;
  } else {
    if (buf[i] === 48) return true;
    const p = i > 0 ? buf[i - 1]! : 0;
    if (p === 43 || p === 0x0b || p === 66 || p === 98) return true;
  }
  for (let k = i; k < e; k++) if (text.charCodeAt(k) !== buf[k]) return true;
  return false;
}

function onRun(text: string, i: number): number {
  const end = scanRun(text, i);
  if (run.n >= 10) longRun(text);
  else shortRun(text);
  return end > i ? end : i + 1;
}

/**
 * Byte classes for the walk. The text is copied into a reused byte buffer with `latin1Write`
 * (one byte per UTF-16 unit: ASCII stays itself, other characters keep their low byte), because
 * walking bytes is several times faster than `charCodeAt`. A byte only proposes a candidate; the
 * code unit in the string decides. Full-width digits (U+FF10–FF19) and 〒 (U+3012) land on the
 * control bytes 0x10–0x19, which real log text does not use, so they are checked there.
 */
const B_DIGIT = 1;
const B_PERCENT = 2;
const B_BACKSLASH = 3;
const B_AT = 4;
const B_WIDE = 5;
const B_LETTER = 6;
const CLS8 = new Uint8Array(256);
for (let c = 48; c <= 57; c++) CLS8[c] = B_DIGIT;
CLS8[37] = B_PERCENT;
CLS8[92] = B_BACKSLASH;
CLS8[64] = B_AT;
for (let c = 0x10; c <= 0x19; c++) CLS8[c] = B_WIDE;
for (const c of 'zZkK') CLS8[c.charCodeAt(0)] = B_LETTER;

/** `authori[z]ation` or `coo[k]ie` (any case) around the letter at `i`: header credentials to look at. */
function headerWordAt(buf: Uint8Array, i: number, n: number): boolean {
  const w = (buf[i]! | 32) === 122 ? 'authorization' : 'cookie';
  const s = i - (w === 'cookie' ? 3 : 7);
  if (s < 0 || s + w.length > n) return false;
  for (let k = 0; k < w.length; k++) if ((buf[s + k]! | 32) !== w.charCodeAt(k)) return false;
  return true;
}
/** `@`: stops the skip loop, ends a digit run; read only at `n`, where the walk ends. */
const SENTINEL = 64;
let BUF = Buffer.allocUnsafe(1 << 16);
/** Node's Buffer#latin1Write skips the argument handling of Buffer#write (measurably faster per line). */
interface Latin1Writer {
  latin1Write(s: string, offset: number, length: number): number;
}
const fastLatin1 = typeof (BUF as unknown as Partial<Latin1Writer>).latin1Write === 'function';
/** The same memory as a plain Uint8Array (element reads on it are faster than on a Buffer). */
let BYTES = new Uint8Array(BUF.buffer, BUF.byteOffset, BUF.length);

/**
 * Whether a plain run of 10+ ASCII digits [i, j) may be anything: track data (`=`, `^`, `D`
 * after), a phone (`0…` of 10–11, `+81…`), a My Number (12), a keyed account, or a card (IIN,
 * length and Luhn, checked here on the bytes). Timestamps and most ids stop here.
 */
function longMayMatter(text: string, buf: Uint8Array, i: number, j: number): boolean {
  const n = j - i;
  if (text.charCodeAt(i) !== buf[i] || text.charCodeAt(j - 1) !== buf[j - 1]) return true;
  const after = buf[j];
  if (after === 61 || after === 94 || after === 68) return true;
  if (n === 12) return true;
  const d0 = buf[i]!;
  if (d0 === 48 && n <= 11) return true;
  if (i > 0 && (buf[i - 1] === 43 || buf[i - 1] === 66) && d0 === 56) return true;
  if (n <= 14 && shortKeyPossible(text, buf, i)) return true;
  if (n < 12 || n > 19 || d0 < 50 || d0 > 54) return false;
  for (let k = 0; k < 6; k++) DIG[k] = buf[i + k]! - 48; // brandOf reads the first six
  return brandOf(0, n) !== '' && luhnBytes(buf, i, j);
}

/** Luhn doubled digit values (2d, minus 9 when above 9). */
const DOUBLED = new Uint8Array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]);

/** The Luhn check over the ASCII digit bytes [i, j). */
function luhnBytes(buf: Uint8Array, i: number, j: number): boolean {
  let sum = 0;
  let k = j - 1;
  while (k > i) {
    sum += buf[k]! - 48 + DOUBLED[buf[k - 1]! - 48]!;
    k -= 2;
  }
  if (k === i) sum += buf[k]! - 48;
  return sum % 10 === 0;
}

/**
 * A plain run of digit bytes [i, j) through the short or long detectors, after checking it against
 * the string; when a byte was only the low half of another character, the string decides
 * (`onRun` from the first real digit). Returns where scanning resumes.
 */
function shortOrLong(text: string, i: number, j: number): number {
  const n = j - i;
  if (n >= MAX_RUN) return j;
  for (let k = 0; k < n; k++) {
    const d = text.charCodeAt(i + k) - 48;
    if (d < 0 || d > 9) {
      for (let q = i; q < j; q++) {
        const c = text.charCodeAt(q);
        if (c >= 48 && c <= 57) return onRun(text, q);
      }
      return j;
    }
    DIG[k] = d;
    DPOS[k] = i + k;
    DEND[k] = i + k + 1;
    SEPK[k] = 0;
  }
  run.n = n;
  run.start = i;
  run.end = j;
  run.overflow = false;
  run.separated = false;
  if (n >= 10) longRun(text);
  else keyedShort(text, keyClassAt(text, i));
  return j;
}

/** Every hit in `text` at or above `minRank`, unsorted, into the shared `hits` array. */
function scan(text: string, minRank: number): void {
  if (hits.length !== 0) hits.length = 0;
  scanState.minRank = minRank;
  source.text = text;
  resetKeyMemo();
  const n = text.length;
  if (n >= BUF.length) {
    BUF = Buffer.allocUnsafe(Math.max(n + 1, BUF.length * 2));
    BYTES = new Uint8Array(BUF.buffer, BUF.byteOffset, BUF.length);
  }
  if (fastLatin1) (BUF as unknown as Latin1Writer).latin1Write(text, 0, n);
  else BUF.write(text, 0, n, 'latin1');
  const buf = BYTES;
  // A sentinel after the text: a byte of a class (so the skip loop stops) that is not a digit (so
  // a digit run stops), which spares both loops their bounds test.
  buf[n] = SENTINEL;
  let creds = false;
  let i = 0;
  while (i < n) {
    let b = buf[i]!;
    if (CLS8[b] === 0) {
      // The hot loop: skip bytes that start nothing.
      // Two bytes a step; the sentinel at `n` stops it (the pair test never reads past `n`).
      i++;
      while (CLS8[buf[i]!] === 0 && CLS8[buf[i + 1]!] === 0) i += 2;
      if (CLS8[buf[i]!] === 0) i++;
      if (i >= n) break;
      b = buf[i]!;
    }
    const k = CLS8[b]!;
    if (k === B_DIGIT) {
      // Bytes are not verified against the string here: a run that matters is (shortOrLong).
      let j = i + 1;
      let c = buf[j]!;
      while (c >= 48 && c <= 57) c = buf[++j]!;
      if (mayContinueB(text, buf, j)) {
        // A separated run (dates, `200 1834`): count its digits on the bytes first; short ones
        // without a key are skipped without building the run.
        const e = separatedEnd(buf, j, n);
        if (e < 0 || separatedMatters(text, buf, i, e, sepDigits + (j - i)) || shortKeyPossible(text, buf, i)) i = onRun(text, i);
        else i = e;
      } else if (j - i < 10 ? shortKeyPossible(text, buf, i) : longMayMatter(text, buf, i, j)) i = shortOrLong(text, i, j);
      else i = j;
      continue;
    }
    if (k === B_LETTER) {
      if (!creds) creds = headerWordAt(buf, i, n);
      i++;
      continue;
    }
    if (text.charCodeAt(i) !== b) {
      // A non-ASCII character: full-width digit, 〒, or nothing.
      const c = text.charCodeAt(i);
      if (c >= 0xff10 && c <= 0xff19) i = onRun(text, i);
      else if (c === 0x3012) i = postalFromMark(text, i);
      else i++;
      continue;
    }
    switch (k) {
      case B_PERCENT:
        i = buf[i + 1] === 52 && buf[i + 2] === 48 ? detectEmail(text, i, 3) : i + 1;
        break;
      case B_BACKSLASH:
        i = digitUnitAt(text, i) > 0 ? onRun(text, i) : i + 2;
        break;
      case B_AT:
        i = detectEmail(text, i, 1);
        break;
      default:
        i++;
    }
  }
  if (creds) detectCredentials(text);
}

function wantedHit(h: Hit, min: number, types: readonly FindingType[] | undefined): boolean {
  return RANK[h.confidence] >= min && (types === undefined || types.includes(h.type));
}

/** Whether `h` sorts before `g`: by start, then higher confidence, then longer. */
function before(h: Hit, g: Hit): boolean {
  if (h.start !== g.start) return h.start < g.start;
  const r = RANK[h.confidence] - RANK[g.confidence];
  return r !== 0 ? r > 0 : h.end > g.end;
}

/** Sorted, non-overlapping hits at or above `min` of the wanted types (the best of overlapping ones wins). */
function select(min: number, types: readonly FindingType[] | undefined): Hit[] {
  const m = hits.length;
  if (m === 0) return [];
  if (m === 1) {
    const h = hits[0]!;
    return wantedHit(h, min, types) ? [h] : [];
  }
  // Few hits per text: an insertion sort (stable, like Array#sort) without callbacks.
  const list: Hit[] = [];
  for (let k = 0; k < m; k++) {
    const h = hits[k]!;
    if (!wantedHit(h, min, types)) continue;
    let q = list.length;
    list.push(h);
    while (q > 0 && before(h, list[q - 1]!)) {
      list[q] = list[q - 1]!;
      q--;
    }
    list[q] = h;
  }
  const out: Hit[] = [];
  for (let k = 0; k < list.length; k++) {
    const h = list[k]!;
    const last = out.length > 0 ? out[out.length - 1]! : undefined;
    if (last !== undefined && h.start < last.end) {
      const better = RANK[h.confidence] > RANK[last.confidence] || (RANK[h.confidence] === RANK[last.confidence] && h.end - h.start > last.end - last.start);
      if (better) out[out.length - 1] = h;
      continue;
    }
    out.push(h);
  }
  return out;
}

function toFinding(h: Hit, masked: string): Finding {
  const f: Finding = { rule: RULE_OF_TYPE[h.type], type: h.type, confidence: h.confidence, start: h.start, end: h.end, masked, reason: h.reason };
  if (h.brand) f.brand = h.brand;
  return f;
}

function maskOf(h: Hit, mode: MaskMode, key: string | undefined): string {
  return h.prefix === undefined ? maskValue(h.type, h.value, mode, key) : h.prefix + maskValue(h.type, h.value, mode, key);
}

/** Findings in `text`, sorted by start, non-overlapping; offsets into `text`. */
export function findInText(text: string, opts?: ScanOptions): Finding[] {
  const min = RANK[opts?.minConfidence ?? 'low'];
  scan(text, min);
  if (hits.length === 0) return [];
  const chosen = select(min, opts?.types);
  const out: Finding[] = [];
  for (let k = 0; k < chosen.length; k++) {
    const h = chosen[k]!;
    out.push(toFinding(h, maskOf(h, 'bin-last4', undefined)));
  }
  return out;
}

/** Whether [s, e) is a bare JSON number (`"k":4111…,`) on a JSON line, outside any string. */
function bareJsonNumber(text: string, s: number, e: number): boolean {
  let p = s - 1;
  while (p >= 0 && text.charCodeAt(p) === 32) p--;
  const b = text.charCodeAt(p);
  if (b !== 58 && b !== 44 && b !== 91) return false;
  let q = e;
  while (text.charCodeAt(q) === 32) q++;
  const a = text.charCodeAt(q);
  if (!(q >= text.length || a === 44 || a === 125 || a === 93 || a === 10 || a === 13)) return false;
  let ls = text.lastIndexOf('\n', s) + 1;
  while (text.charCodeAt(ls) === 32 || text.charCodeAt(ls) === 9) ls++;
  const first = text.charCodeAt(ls);
  if (first !== 123 && first !== 91) return false;
  let inString = false;
  for (let k = ls; k < s; k++) {
    const c = text.charCodeAt(k);
    if (c === 92 && inString) k++;
    else if (c === 34) inString = !inString;
  }
  return !inString;
}

/**
 * `text` with every finding at or above `redactFrom` (default `medium`) masked in place: card
 * numbers per `mask` (default `bin-last4`), other types by their own short mask (all types hashed
 * in `hash` mode). A bare JSON number is replaced by a quoted string so the JSON stays valid.
 */
export function redactText(text: string, opts?: RedactOptions): RedactResult {
  const mode = opts?.mask ?? 'bin-last4';
  if (mode === 'hash') checkKey(opts?.key);
  const min = Math.max(RANK[opts?.minConfidence ?? 'low'], RANK[opts?.redactFrom ?? 'medium']);
  scan(text, min);
  if (hits.length === 0) return { text, findings: [] };
  const chosen = select(min, opts?.types);
  if (chosen.length === 0) return { text, findings: [] };
  let out = '';
  let at = 0;
  const findings: Finding[] = [];
  for (const h of chosen) {
    const masked = maskOf(h, mode, opts?.key);
    out += text.slice(at, h.start);
    out += bareJsonNumber(text, h.start, h.end) ? `"${masked}"` : masked;
    at = h.end;
    findings.push(toFinding(h, masked));
  }
  out += text.slice(at);
  return { text: out, findings };
}
