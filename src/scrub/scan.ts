/**
 * Scanning files for personal data: every line of every file (plain or gzip, directories walked)
 * goes through the engine's `findInText`; each finding is reported with file, line and column
 * (1-based, columns in characters) and the engine's masked value, never the raw one. Binary files
 * are skipped and counted, invalid UTF-8 is decoded with U+FFFD and noted, and a line longer than
 * the cap is scanned in overlapping windows so memory stays bounded; a finding is reported by the
 * window whose share of the line holds its start, so none is reported twice.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { findInText } from './engine.ts';
import { looksBinary, openFile, SNIFF_BYTES, Utf8Decoder, walkPaths, whyNot } from './files.ts';
import { LineSplitter, MAX_LINE, type LineSink } from './stream.ts';
import { CONFIDENCES, type Confidence, type Finding, type FindingType, type ScanOptions } from './types.ts';

/** One finding in one file. `masked` is the engine's masked value (card numbers: BIN + last four at most). */
export interface FileFinding {
  file: string;
  /** 1-based line number. */
  line: number;
  /** 1-based column, in characters (code points) from the start of the line. */
  column: number;
  type: FindingType;
  confidence: Confidence;
  rule: string;
  masked: string;
  brand?: string;
  reason: string;
}

export type FileStatus = 'scanned' | 'binary' | 'unreadable';

export interface FileSummary {
  file: string;
  status: FileStatus;
  gzip: boolean;
  /** Invalid UTF-8 was replaced by U+FFFD (the file was still scanned). */
  invalidUtf8: boolean;
  lines: number;
  /** Bytes read (after gunzip). */
  bytes: number;
  /** Lines longer than the cap, scanned in windows. */
  longLines: number;
  findings: number;
  byType: Partial<Record<FindingType, number>>;
  /** Why the file could not be read (status `unreadable`; findings before the error are kept). */
  why?: string;
}

export interface TypeSummary {
  total: number;
  high: number;
  medium: number;
  low: number;
}

export interface ScanSummary {
  /** Files scanned as text (including those with invalid UTF-8 and those cut short by a read error). */
  scanned: number;
  binary: number;
  unreadable: number;
  invalidUtf8: number;
  /** Directories reached again through a symbolic link (not walked twice). */
  loops: number;
  lines: number;
  bytes: number;
  findings: number;
  byConfidence: Record<Confidence, number>;
  byType: Partial<Record<FindingType, TypeSummary>>;
  files: FileSummary[];
}

export interface ScanResult {
  /** Findings in file and line order (at most `keep`). */
  findings: FileFinding[];
  /** Findings not kept because of `keep` (they are still in the summary). */
  dropped: number;
  summary: ScanSummary;
}

export interface ScanFilesOptions extends ScanOptions {
  /** Called for every finding as it is found (also those beyond `keep`). */
  onFinding?: (f: FileFinding) => void;
  /** How many findings to keep in the result (default: all). */
  keep?: number;
  /** Lines longer than this (UTF-16 units) are scanned in windows (default 1 Mi). */
  maxLine?: number;
  /** What `-` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** Units each window of a long line shares with the next: a finding up to 1,024 long near a window edge is seen whole, with 1,024 units of context either side. */
export const OVERLAP = 2048;

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points in text[from, to): a surrogate pair counts once. */
export function codePoints(text: string, from: number, to: number): number {
  let n = to - from;
  if (n <= 0 || !SURROGATE.test(from === 0 && to === text.length ? text : text.slice(from, to))) return Math.max(0, n);
  for (let i = from + 1; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && isHigh(text.charCodeAt(i - 1))) n--;
  }
  return n;
}

/** Runs the engine on each line (or window) of one input and hands back findings with positions. */
class LineScanner implements LineSink {
  readonly #file: string;
  readonly #opts: ScanOptions;
  readonly #report: (f: FileFinding) => void;
  readonly #overlap: number;
  longLines = 0;
  /** Windowed lines: findings starting before this (line offset) were already reported. */
  #lo = 0;
  #until = 0;
  /** Code points in the line before `#cpAt` (the current window's offset). */
  #cp = 0;
  #cpAt = 0;

  constructor(file: string, opts: ScanOptions, report: (f: FileFinding) => void, maxLine: number) {
    this.#file = file;
    this.#opts = opts;
    this.#report = report;
    this.#overlap = Math.min(OVERLAP, Math.floor(maxLine / 4));
  }

  line(text: string, lineNo: number, offset: number): void {
    const found = findInText(text, this.#opts);
    if (offset === 0) {
      if (found.length > 0) this.#emit(text, found, lineNo, 0, 0, Infinity);
      return;
    }
    this.#emit(text, found, lineNo, offset, this.#lo, Infinity);
    this.#lo = 0;
    this.#until = 0;
  }

  window(text: string, lineNo: number, offset: number): number {
    if (offset === 0) {
      this.longLines++;
      this.#lo = 0;
      this.#until = 0;
      this.#cp = 0;
      this.#cpAt = 0;
    }
    const found = findInText(text, this.#opts);
    const mid = offset + text.length - this.#overlap / 2;
    this.#emit(text, found, lineNo, offset, this.#lo, mid);
    this.#lo = mid;
    let done = text.length - this.#overlap;
    if (isHigh(text.charCodeAt(done - 1))) done--;
    this.#cp += codePoints(text, 0, done);
    this.#cpAt = offset + done;
    return done;
  }

  /** Reports the findings whose start (in the line) is in [lo, hi) and after what was reported. */
  #emit(text: string, found: readonly Finding[], lineNo: number, offset: number, lo: number, hi: number): void {
    const sorted = found.length > 1 ? [...found].sort((a, b) => a.start - b.start) : found;
    const base = offset === 0 ? 0 : this.#cp;
    if (offset !== 0 && offset !== this.#cpAt) throw new Error(`scan: window offset ${offset} does not follow ${this.#cpAt}`);
    let at = 0;
    let cols = 0;
    for (const f of sorted) {
      const start = offset + f.start;
      if (start < lo || start >= hi || start < this.#until) continue;
      cols += codePoints(text, at, f.start);
      at = f.start;
      this.#until = Math.max(this.#until, offset + f.end);
      this.#report({
        file: this.#file,
        line: lineNo,
        column: base + cols + 1,
        type: f.type,
        confidence: f.confidence,
        rule: f.rule,
        masked: f.masked,
        ...(f.brand !== undefined ? { brand: f.brand } : {}),
        reason: f.reason,
      });
    }
    if (offset === 0) this.#until = 0;
  }
}

function emptyFile(file: string): FileSummary {
  return { file, status: 'scanned', gzip: false, invalidUtf8: false, lines: 0, bytes: 0, longLines: 0, findings: 0, byType: {} };
}

/** Bytes of a stream, gunzipped when they start with the gzip magic bytes. */
async function* maybeGunzip(source: AsyncIterable<Buffer | string>, onGzip: () => void): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    onGzip();
    const rest = async function* () {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    };
    const gunzip = createGunzip();
    const raw = Readable.from(rest());
    raw.on('error', (e) => gunzip.destroy(e));
    yield* raw.pipe(gunzip) as AsyncIterable<Buffer>;
    return;
  }
  yield head;
  for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
}

/**
 * Scans one byte source (already gunzipped unless `sniffGzip`) into `summary`: sniffs binary
 * content, decodes UTF-8, splits lines and reports findings. Read errors mark the file unreadable.
 */
export async function scanSource(source: AsyncIterable<Buffer | string>, summary: FileSummary, opts: ScanFilesOptions, report: (f: FileFinding) => void): Promise<void> {
  const maxLine = opts.maxLine ?? MAX_LINE;
  const engineOpts: ScanOptions = {
    ...(opts.types ? { types: opts.types } : {}),
    ...(opts.minConfidence ? { minConfidence: opts.minConfidence } : {}),
  };
  const scanner = new LineScanner(summary.file, engineOpts, report, maxLine);
  const splitter = new LineSplitter(scanner, maxLine);
  const decoder = new Utf8Decoder();
  let head: Buffer[] | undefined = [];
  let headLen = 0;
  const start = (buf: Buffer): boolean => {
    if (looksBinary(buf.subarray(0, SNIFF_BYTES))) {
      summary.status = 'binary';
      return false;
    }
    splitter.push(decoder.write(buf));
    return true;
  };
  try {
    for await (const raw of source) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      summary.bytes += chunk.length;
      if (head) {
        head.push(chunk);
        headLen += chunk.length;
        if (headLen < SNIFF_BYTES) continue;
        const buf = Buffer.concat(head);
        head = undefined;
        if (!start(buf)) return;
        continue;
      }
      splitter.push(decoder.write(chunk));
    }
    if (head && !start(Buffer.concat(head))) return;
    splitter.push(decoder.end());
    splitter.end();
  } catch (e) {
    summary.status = 'unreadable';
    summary.why = whyNot(e);
  } finally {
    summary.lines = splitter.lines;
    summary.invalidUtf8 = decoder.invalid;
    summary.longLines = scanner.longLines;
  }
}

function addFinding(summary: ScanSummary, file: FileSummary, f: FileFinding): void {
  summary.findings++;
  summary.byConfidence[f.confidence]++;
  const t = (summary.byType[f.type] ??= { total: 0, high: 0, medium: 0, low: 0 });
  t.total++;
  t[f.confidence]++;
  file.findings++;
  file.byType[f.type] = (file.byType[f.type] ?? 0) + 1;
}

/**
 * Scans files and directories (walked recursively; `-` is stdin). Throws a one-line CwError when
 * a named path cannot be read; files inside directories that cannot be read are counted as
 * unreadable and the scan goes on.
 */
export async function scanFiles(paths: readonly string[], opts: ScanFilesOptions = {}): Promise<ScanResult> {
  const walk = walkPaths(paths);
  const summary: ScanSummary = {
    scanned: 0,
    binary: 0,
    unreadable: 0,
    invalidUtf8: 0,
    loops: walk.loops.length,
    lines: 0,
    bytes: 0,
    findings: 0,
    byConfidence: { low: 0, medium: 0, high: 0 },
    byType: {},
    files: [],
  };
  const findings: FileFinding[] = [];
  const keep = opts.keep ?? Infinity;
  let dropped = 0;
  const tally = (fs: FileSummary) => {
    summary.files.push(fs);
    if (fs.status === 'binary') summary.binary++;
    else if (fs.status === 'scanned' || fs.bytes > 0) summary.scanned++;
    if (fs.status === 'unreadable') summary.unreadable++;
    if (fs.invalidUtf8) summary.invalidUtf8++;
    summary.lines += fs.lines;
    summary.bytes += fs.bytes;
  };
  for (const p of walk.problems) tally({ ...emptyFile(p.path), status: 'unreadable', why: p.why });
  for (const file of walk.files) {
    const fs = emptyFile(file);
    const report = (f: FileFinding) => {
      addFinding(summary, fs, f);
      if (findings.length < keep) findings.push(f);
      else dropped++;
      opts.onFinding?.(f);
    };
    if (file === '-') {
      fs.file = '(stdin)';
      const stdin = (opts.stdin ?? process.stdin) as AsyncIterable<Buffer | string>;
      await scanSource(maybeGunzip(stdin, () => (fs.gzip = true)), fs, opts, report);
    } else {
      let opened;
      try {
        opened = openFile(file);
      } catch (e) {
        fs.status = 'unreadable';
        fs.why = whyNot(e);
      }
      if (opened) {
        fs.gzip = opened.gzip;
        try {
          await scanSource(opened.stream as AsyncIterable<Buffer>, fs, opts, report);
        } finally {
          opened.stream.destroy();
        }
      }
    }
    tally(fs);
  }
  return { findings, dropped, summary };
}

/** Findings in one text (a log excerpt), as `scan` would report them for a file named `file`. */
export function scanText(text: string, opts: ScanOptions & { file?: string; maxLine?: number } = {}): FileFinding[] {
  const out: FileFinding[] = [];
  const scanner = new LineScanner(opts.file ?? '-', { ...(opts.types ? { types: opts.types } : {}), ...(opts.minConfidence ? { minConfidence: opts.minConfidence } : {}) }, (f) => out.push(f), opts.maxLine ?? MAX_LINE);
  const splitter = new LineSplitter(scanner, opts.maxLine ?? MAX_LINE);
  splitter.push(text);
  splitter.end();
  return out;
}

/** Whether a confidence is at or above a threshold. */
export function atLeast(c: Confidence, threshold: Confidence): boolean {
  return CONFIDENCES.indexOf(c) >= CONFIDENCES.indexOf(threshold);
}
