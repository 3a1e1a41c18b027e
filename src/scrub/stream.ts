/**
 * Line-oriented text handling shared by `scan` and `redact`, and the redacting Transform stream.
 *
 * `LineSplitter` cuts decoded text into lines (`\n` or `\r\n`, a last line without one), and hands
 * a line longer than the cap over in windows, so memory stays bounded whatever the input.
 * `createRedactStream` passes every line through the engine's `redactText` and counts what it
 * masked by type; bytes it does not mask come out as they went in (line endings included).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { findInText, redactText } from './engine.ts';
import type { Finding, FindingType, RedactOptions } from './types.ts';

/** Lines longer than this many UTF-16 units are handled in windows (1 Mi). */
export const MAX_LINE = 1 << 20;

export interface LineSink {
  /**
   * A whole line, or the last part of a line that came in windows. `text` has no line ending;
   * `offset` is where `text` starts in the line (UTF-16 units, 0 unless windowed); `eol` is
   * `\n`, `\r\n`, or `''` for a last line without one.
   */
  line(text: string, lineNo: number, offset: number, eol: string): void;
  /**
   * A window of a line longer than the cap (`text.length` is the cap). Returns how many units from
   * the start of `text` are done: the next window (or the last part) starts there, so the rest of
   * this window is seen again. Clamped to [1, cap - 1] and never splits a surrogate pair.
   */
  window(text: string, lineNo: number, offset: number): number;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Splits pushed text into lines for a sink; lines are numbered from 1. */
export class LineSplitter {
  readonly #sink: LineSink;
  readonly #max: number;
  #carry = '';
  #line = 1;
  #offset = 0;

  constructor(sink: LineSink, maxLine: number = MAX_LINE) {
    if (maxLine < 16) throw new RangeError('maxLine must be at least 16');
    this.#sink = sink;
    this.#max = maxLine;
  }

  /** Lines completed so far. */
  get lines(): number {
    return this.#line - 1;
  }

  push(text: string): void {
    if (text === '') return;
    const buf = this.#carry === '' ? text : this.#carry + text;
    // The carry never holds a newline: search only the new text.
    let from = this.#carry.length;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf('\n', Math.max(pos, from));
      from = nl < 0 ? buf.length : nl;
      const end = nl < 0 ? buf.length : nl;
      if (end - pos > this.#max) {
        pos += this.#window(buf, pos);
        continue;
      }
      if (nl < 0) break;
      let eol = '\n';
      let lineEnd = nl;
      if (nl > pos && buf.charCodeAt(nl - 1) === 13) {
        eol = '\r\n';
        lineEnd = nl - 1;
      }
      this.#sink.line(buf.slice(pos, lineEnd), this.#line, this.#offset, eol);
      this.#line++;
      this.#offset = 0;
      pos = nl + 1;
    }
    this.#carry = buf.slice(pos);
  }

  /** Input has ended: a last line without a newline is handed over (an empty one is not). */
  end(): void {
    let buf = this.#carry;
    this.#carry = '';
    let pos = 0;
    while (buf.length - pos > this.#max) pos += this.#window(buf, pos);
    buf = buf.slice(pos);
    if (buf !== '' || this.#offset > 0) {
      this.#sink.line(buf, this.#line, this.#offset, '');
      this.#line++;
      this.#offset = 0;
    }
  }

  #window(buf: string, pos: number): number {
    const text = buf.slice(pos, pos + this.#max);
    let done = Math.trunc(this.#sink.window(text, this.#line, this.#offset));
    if (!(done >= 1)) done = 1;
    if (done > this.#max - 1) done = this.#max - 1;
    if (isHigh(text.charCodeAt(done - 1)) && done > 1) done--;
    this.#offset += done;
    return done;
  }
}

/** Counts of what a redact stream saw and masked. */
export interface RedactStats {
  lines: number;
  /** Masked findings, total and by type. */
  masked: number;
  byType: Partial<Record<FindingType, number>>;
  /** Lines longer than the cap, handled in windows. */
  longLines: number;
}

export interface RedactStreamOptions extends RedactOptions {
  /** Lines longer than this (UTF-16 units) are redacted in windows (default 1 Mi). */
  maxLine?: number;
  /** Called for each masked finding (offsets relative to the piece of text it was found in). */
  onFinding?: (f: Finding) => void;
}

/** Characters of already-written text given to the engine again before a window, as context. */
const CONTEXT = 512;
/** A window is cut this far before its end, and at least this far from any finding. */
const MARGIN = 512;

/** Letters, digits and the characters digit runs are encoded with (`%`, `\\`, full-width digits): a cut avoids them. */
function inWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 37 || c === 92 || (c >= 0xff10 && c <= 0xff19);
}

/**
 * Where to cut a window: about MARGIN before its end, at least MARGIN / 2 away from every finding
 * (of any confidence), and between two characters that are not both part of a word or digit run.
 */
function cutPoint(text: string, findings: readonly Finding[], low: number): number {
  let p = text.length - MARGIN;
  const sorted = [...findings].sort((a, b) => b.start - a.start);
  for (const f of sorted) {
    if (f.end + MARGIN / 2 <= p) break;
    if (f.start - MARGIN / 2 < p) p = f.start - MARGIN / 2;
  }
  if (p <= low) {
    // Dense findings: cut at the edge of the finding that covers the target, or at the target.
    p = text.length - MARGIN;
    const over = findings.find((f) => f.start < p && f.end > p);
    if (over) p = over.start > low ? over.start : over.end;
  } else {
    for (let q = p, steps = 0; q > low + 1 && steps < MARGIN / 4; q--, steps++) {
      if (!inWord(text.charCodeAt(q - 1)) || !inWord(text.charCodeAt(q))) {
        p = q;
        break;
      }
    }
  }
  if (p <= low) p = Math.min(text.length - 1, low + 1);
  if (isHigh(text.charCodeAt(p - 1)) && p - 1 > low) p--;
  return p;
}

/**
 * Redacts lines one by one and keeps the rest of the text as it was. A line over the cap is cut
 * at a point away from any finding (from a scan of the whole window) and each piece is redacted
 * with up to 512 characters of what came before as context; the context is dropped from the
 * output only when the engine left it untouched, otherwise the piece is redacted on its own.
 */
export class LineRedactor implements LineSink {
  readonly stats: RedactStats = { lines: 0, masked: 0, byType: {}, longLines: 0 };
  readonly #opts: RedactOptions;
  readonly #emit: (text: string) => void;
  readonly #onFinding: ((f: Finding) => void) | undefined;
  /** Where in the current line output has been written up to (UTF-16 units; windowed lines only). */
  #written = 0;

  constructor(emit: (text: string) => void, opts: RedactStreamOptions = {}) {
    const { maxLine: _maxLine, onFinding, ...engineOpts } = opts;
    void _maxLine;
    this.#opts = engineOpts;
    this.#emit = emit;
    this.#onFinding = onFinding;
  }

  line(text: string, _lineNo: number, offset: number, eol: string): void {
    this.stats.lines++;
    if (offset === 0) {
      this.#emit(this.#redact(text) + eol);
      return;
    }
    this.#emit(this.#piece(text, this.#written - offset, text.length) + eol);
    this.#written = 0;
  }

  window(text: string, _lineNo: number, offset: number): number {
    if (offset === 0) {
      this.stats.longLines++;
      this.#written = 0;
    }
    const ctx = this.#written - offset;
    const all = findInText(text, this.#opts.types ? { types: this.#opts.types } : {});
    const p = cutPoint(text, all, ctx);
    this.#emit(this.#piece(text, ctx, p));
    this.#written = offset + p;
    return p - Math.min(CONTEXT, p - 1);
  }

  /** The redaction of text[ctx, end), with text[0, ctx) (already written) as context when it stays untouched. */
  #piece(text: string, ctx: number, end: number): string {
    const part = text.slice(0, end);
    if (ctx <= 0) return this.#redact(part);
    const r = redactText(part, this.#opts);
    if (r.findings.every((f) => f.start >= ctx) && r.text.startsWith(part.slice(0, ctx))) {
      this.#count(r.findings);
      return r.text.slice(ctx);
    }
    return this.#redact(part.slice(ctx));
  }

  #redact(text: string): string {
    const r = redactText(text, this.#opts);
    this.#count(r.findings);
    return r.text;
  }

  #count(findings: readonly Finding[]): void {
    for (const f of findings) {
      this.stats.masked++;
      this.stats.byType[f.type] = (this.stats.byType[f.type] ?? 0) + 1;
      this.#onFinding?.(f);
    }
  }
}

export interface RedactStream extends Transform {
  /** Counts so far (complete after 'end'/'finish'). */
  readonly stats: RedactStats;
}

/**
 * A Transform that redacts text line by line: bytes in (UTF-8; a character split across chunks is
 * joined), the same text out with what the engine finds masked. Complete lines are pushed as soon
 * as their chunk arrives, so it can sit in a live pipeline; a last line without a newline is
 * written at the end without one. Memory stays bounded for any line length.
 */
export function createRedactStream(opts: RedactStreamOptions = {}): RedactStream {
  const decoder = new StringDecoder('utf8');
  let out: string[] = [];
  const redactor = new LineRedactor((t) => out.push(t), opts);
  const splitter = new LineSplitter(redactor, opts.maxLine ?? MAX_LINE);
  const drain = (stream: Transform) => {
    if (out.length === 0) return;
    const text = out.length === 1 ? (out[0] as string) : out.join('');
    out = [];
    if (text !== '') stream.push(text, 'utf8');
  };
  const stream = new Transform({
    transform(this: Transform, chunk: Buffer | string, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
        drain(this);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(this: Transform, cb: TransformCallback) {
      try {
        splitter.push(decoder.end());
        splitter.end();
        drain(this);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  Object.defineProperty(stream, 'stats', { get: () => redactor.stats, enumerable: true });
  return stream as RedactStream;
}
