/**
 * One input file → batches of parsed events: the line reader, the format adapter (identities
 * hashed here, as everywhere), `--format auto`, and the check that the first lines really are the
 * declared format. Pure apart from reading its file, so it runs the same in a worker thread
 * (parse-worker.ts) as in the main thread.
 */
import { CwError, type ErrorCode } from '../../core/errors.ts';
import type { CacheEvent } from '../../core/event.ts';
import { IdentityHasher } from '../../core/identity.ts';
import { createAdapter, sniffFormat } from '../../watch/adapters/index.ts';
import type { FieldMap, FormatAdapter, FormatId, RejectReason } from '../../watch/adapters/types.ts';
import { LineReader, readRange } from './read.ts';

export interface ParseConfig {
  format: FormatId | 'auto';
  fields?: FieldMap;
  columns?: readonly string[];
  key: string;
  cookies: readonly string[];
  /** Raw identity → hash results remembered by the hasher. */
  memo: number;
}

export interface Batch {
  /** Parsed events, in file order. */
  events: CacheEvent[];
  /** Non-blank lines read in this batch. */
  read: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** The input has ended (this is its last batch). */
  done: boolean;
  /** Set on the first batch: the format in use and what its lines can tell. */
  format?: FormatId;
  noIdentity?: boolean;
  notices: string[];
}

/** A failure to hand back across a thread: rebuilt as a CwError by the receiver. */
export interface BatchError {
  code: ErrorCode;
  message: string;
}

const PROBE_LINES = 20;
const FORMAT_REJECTS: ReadonlySet<RejectReason> = new Set(['bad_json', 'wrong_format', 'bad_line', 'missing_field', 'binary']);

/** Where an InputParser gets its lines: a whole file (LineReader) or one byte range of it. */
export interface LineSource {
  readonly file: string;
  readonly done: boolean;
  next(): Promise<string[]>;
  close(): Promise<void>;
}

/** One byte range of a plain file as a line source (one batch). */
export function rangeSource(file: string, start: number, end: number): LineSource {
  let done = false;
  return {
    file,
    get done() {
      return done;
    },
    async next() {
      if (done) return [];
      const lines = await readRange(file, start, end);
      done = true;
      return lines;
    },
    close: async () => undefined,
  };
}

export interface ParserOptions {
  /** Share one hasher (and its memo) between parsers. */
  hasher?: IdentityHasher;
  lines?: LineSource;
  /** Check that the first lines are the declared format (default true; off for ranges after the first). */
  probe?: boolean;
}

export class InputParser {
  readonly #reader: LineSource;
  readonly #cfg: ParseConfig;
  readonly #hasher: IdentityHasher;
  #adapter: FormatAdapter | undefined;
  #format: FormatId | undefined;
  #probed = 0;
  #probeRejects = 0;

  constructor(file: string, cfg: ParseConfig, opts: ParserOptions = {}) {
    this.#reader = opts.lines ?? new LineReader(file);
    this.#cfg = cfg;
    this.#hasher = opts.hasher ?? new IdentityHasher(cfg.key, { memo: cfg.memo });
    if (opts.probe === false) this.#probed = PROBE_LINES;
  }

  get file(): string {
    return this.#reader.file;
  }

  async next(): Promise<Batch> {
    const raw = await this.#reader.next();
    const batch: Batch = { events: [], read: 0, rejected: {}, done: this.#reader.done, notices: [] };
    if (raw.length > 0 && this.#adapter === undefined) this.#choose(raw, batch);
    if (this.#adapter !== undefined) this.#parse(raw, batch);
    if (batch.done && this.#probed > 0 && this.#probed < PROBE_LINES) this.#check();
    return batch;
  }

  close(): Promise<void> {
    return this.#reader.close();
  }

  #choose(sample: readonly string[], batch: Batch): void {
    let format = this.#cfg.format;
    const file = this.#reader.file;
    if (format === 'auto') {
      const sniffed = sniffFormat(sample.slice(0, PROBE_LINES * 5));
      if (!sniffed) throw new CwError('CW_INPUT_UNREADABLE', `input ${file}: cannot tell the log format from the first lines; pass --format`);
      format = sniffed.format;
      batch.notices.push(`${file}: format auto → ${format} (confidence ${sniffed.confidence.toFixed(2)})`);
    }
    try {
      this.#adapter = createAdapter(format, {
        hasher: this.#hasher,
        identityCookies: this.#cfg.cookies,
        // Formats whose lines name no edge: every input counts as one cache, so splitting a log
        // across files cannot change which hits join which fills.
        defaultEdge: 'default',
        ...(this.#cfg.fields ? { fields: this.#cfg.fields } : {}),
        ...(this.#cfg.columns ? { columns: this.#cfg.columns } : {}),
      });
    } catch (e) {
      throw new CwError('CW_INPUT_UNREADABLE', `input ${file}: ${(e as Error).message}`);
    }
    this.#format = format;
    batch.format = format;
    batch.noIdentity = !this.#adapter.fills.has('identity');
    if (batch.noIdentity) batch.notices.push(`${file}: format ${format} fills no identity here, so nobody's requests can be told apart: pages served from cache count as possibly exposed (unknown viewer); map one with --field identity=<name> if the log has it`);
    if (!this.#adapter.fills.has('owner')) batch.notices.push(`${file}: no owner tag in ${format} lines: whose page a hit carried is inferred from the fill before it (watch/cross-identity-inferred)`);
  }

  #check(): void {
    if (this.#probed === 0 || this.#probeRejects / this.#probed < 0.8) return;
    throw new CwError('CW_INPUT_UNREADABLE', `input ${this.#reader.file}: ${this.#probeRejects} of the first ${this.#probed} lines are not ${this.#format}; check --format and --field`);
  }

  #parse(raw: readonly string[], batch: Batch): void {
    const adapter = this.#adapter!;
    const { events, rejected } = batch;
    let read = 0;
    for (const line of raw) {
      const r = adapter.parse(line);
      if (this.#probed < PROBE_LINES && !(r.ok === false && r.reason === 'empty')) {
        this.#probed++;
        if (!r.ok && FORMAT_REJECTS.has(r.reason)) this.#probeRejects++;
        if (this.#probed === PROBE_LINES || (this.#probed >= 5 && this.#probeRejects === this.#probed)) this.#check();
      }
      if (r.ok) {
        read++;
        events.push(r.event);
      } else if (r.reason !== 'empty') {
        read++;
        rejected[r.reason] = (rejected[r.reason] ?? 0) + 1;
      }
    }
    batch.read = read;
  }
}

