/**
 * A normalising view of digits in raw text, without copying it: ASCII digits, full-width digits
 * (０-９, the NFKC mapping), JSON escapes `\u0030`-`\u0039`, and single separators between digits
 * (space, `-`, `+`, `%20`, `%2D`, full-width `－`, `ー`, ideographic space). `scanRun` reads one run
 * into module-level typed arrays, so a scan allocates nothing per character; every digit keeps its
 * offsets in the ORIGINAL text, which is what findings report.
 */

/** Character classes for the engine's pre-pass (0 = nothing to do). */
export const C_DIGIT = 1;
export const C_WIDE_DIGIT = 2;
export const C_PERCENT = 3;
export const C_BACKSLASH = 4;
export const C_AT = 5;
export const C_POSTMARK = 6;

export const CLS = new Uint8Array(65536);
for (let c = 48; c <= 57; c++) CLS[c] = C_DIGIT;
for (let c = 0xff10; c <= 0xff19; c++) CLS[c] = C_WIDE_DIGIT;
CLS[37] = C_PERCENT; // %
CLS[92] = C_BACKSLASH; // \
CLS[64] = C_AT; // @
CLS[0xff20] = C_AT; // ＠
CLS[0x3012] = C_POSTMARK; // 〒

/** Separator kinds between two digits (0 = adjacent). */
export const SEP_NONE = 0;
export const SEP_SPACE = 1;
export const SEP_DASH = 2;
export const SEP_PLUS = 3;
export const SEP_PCT20 = 4;
export const SEP_WIDE_SPACE = 5;

/** Most digits one run keeps; longer runs are marked overflowed and not analysed. */
export const MAX_RUN = 96;

/** Digit values of the current run. */
export const DIG = new Uint8Array(MAX_RUN);
/** Offset of each digit unit in the original text (start, end exclusive). */
export const DPOS = new Int32Array(MAX_RUN);
export const DEND = new Int32Array(MAX_RUN);
/** Separator kind before each digit (0 for the first digit and adjacent digits). */
export const SEPK = new Uint8Array(MAX_RUN);

/** The run `scanRun` read last. */
export const run = { n: 0, start: 0, end: 0, overflow: false, separated: false };

/** Length of the digit unit at `i` (and its value in `unitValue`), or 0 when there is none. */
export let unitValue = 0;
export function digitUnitAt(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    unitValue = c - 48;
    return 1;
  }
  if (c >= 0xff10 && c <= 0xff19) {
    unitValue = c - 0xff10;
    return 1;
  }
  if (
    c === 92 &&
    text.charCodeAt(i + 1) === 117 && // u
    text.charCodeAt(i + 2) === 48 &&
    text.charCodeAt(i + 3) === 48 &&
    text.charCodeAt(i + 4) === 51
  ) {
    const d = text.charCodeAt(i + 5);
    if (d >= 48 && d <= 57) {
      unitValue = d - 48;
      return 6;
    }
  }
  return 0;
}

/** Separator at `i`: its length (0 when none) and kind in `sepKind`. */
export let sepKind = 0;
function separatorAt(text: string, i: number): number {
  if (i + 1 >= text.length) return 0;
  const c = text.charCodeAt(i);
  switch (c) {
    case 32:
      sepKind = SEP_SPACE;
      return 1;
    case 45: // -
    case 0xff0d: // －
    case 0x30fc: // ー (often typed for a dash in Japanese text)
    case 0x2010: // ‐
      sepKind = SEP_DASH;
      return 1;
    case 43:
      sepKind = SEP_PLUS;
      return 1;
    case 0x3000:
      sepKind = SEP_WIDE_SPACE;
      return 1;
    case 37: {
      if (text.charCodeAt(i + 1) !== 50) return 0;
      const d = text.charCodeAt(i + 2);
      if (d === 48) {
        sepKind = SEP_PCT20;
        return 3;
      }
      if (d === 68 || d === 100) {
        sepKind = SEP_DASH;
        return 3;
      }
      return 0;
    }
    default:
      return 0;
  }
}

/**
 * Reads the run of digit units starting at `i` (which must start a digit unit) joined by single
 * separators. Fills DIG/DPOS/DEND/SEPK and `run`; returns the offset just past the last digit unit.
 */
export function scanRun(text: string, i: number): number {
  let n = 0;
  let pos = i;
  let sep = 0;
  let overflow = false;
  let separated = false;
  const len = text.length;
  for (;;) {
    // Fast path: ASCII digits.
    let c = pos < len ? text.charCodeAt(pos) : -1;
    while (c >= 48 && c <= 57) {
      if (n < MAX_RUN) {
        DIG[n] = c - 48;
        DPOS[n] = pos;
        DEND[n] = pos + 1;
        SEPK[n] = sep;
        n++;
      } else overflow = true;
      sep = 0;
      pos++;
      c = pos < len ? text.charCodeAt(pos) : -1;
    }
    const ul = digitUnitAt(text, pos);
    if (ul > 0) {
      if (n < MAX_RUN) {
        DIG[n] = unitValue;
        DPOS[n] = pos;
        DEND[n] = pos + ul;
        SEPK[n] = sep;
        n++;
      } else overflow = true;
      sep = 0;
      pos += ul;
      continue;
    }
    if (pos >= len || n === 0) break;
    const sl = separatorAt(text, pos);
    if (sl === 0 || digitUnitAt(text, pos + sl) === 0) break;
    sep = sepKind;
    separated = true;
    pos += sl;
  }
  run.n = n;
  run.start = i;
  run.end = pos;
  run.overflow = overflow;
  run.separated = separated;
  return pos;
}

/** The text the current run was read from (set by the engine), for `digitsOf`'s fast path. */
export const source = { text: '' };

/** The digits of run positions [a, b) as a string (allocates; only for validated candidates). */
export function digitsOf(a: number, b: number): string {
  if (b > a && DEND[b - 1]! - DPOS[a]! === b - a) {
    const t = source.text;
    const from = DPOS[a]!;
    let ascii = true;
    for (let k = 0; k < b - a && ascii; k++) ascii = t.charCodeAt(from + k) < 128;
    if (ascii) return t.slice(from, from + b - a);
  }
  let s = '';
  for (let k = a; k < b; k++) s += String.fromCharCode(48 + DIG[k]!);
  return s;
}

/** Digits of `text[start, end)` read through the same normalisation (for re-masking a span). */
export function digitsInSpan(text: string, start: number, end: number): string {
  let s = '';
  let i = start;
  while (i < end) {
    const ul = digitUnitAt(text, i);
    if (ul > 0) {
      s += String.fromCharCode(48 + unitValue);
      i += ul;
    } else i++;
  }
  return s;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Whether the character just before `start` ends a word-like token (so a number cannot begin here). */
export function glued(text: string, start: number): boolean {
  const p = text.charCodeAt(start - 1);
  if (!(isAsciiLetter(p) || p === 95)) return false;
  // `\n4111…` (a JSON escape) and `%3D4111…` (a URL escape) end right before the number.
  if (text.charCodeAt(start - 2) === 92) return false;
  if (text.charCodeAt(start - 3) === 37 && isHex(p) && isHex(text.charCodeAt(start - 2))) return false;
  return true;
}

/** Whether the character at `end` continues a word-like token. */
export function gluedAfter(text: string, end: number): boolean {
  if (end >= text.length) return false;
  const c = text.charCodeAt(end);
  return isAsciiLetter(c) || c === 95;
}
