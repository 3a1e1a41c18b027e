/**
 * Shared pieces of the line sources: counters, the byte-level line splitter (bounded memory for
 * huge lines, CRLF tolerant, UTF-8 with replacement), batch delivery, and input errors.
 */
import { CwError } from '../../core/errors.ts';
import type { SourceBatch, SourceStats } from './types.ts';

/** Default `maxLineBytes`: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export function emptyStats(): SourceStats {
  return { lines: 0, bytes: 0, batches: 0, rotations: 0, truncations: 0, oversized: 0, rejected: 0, errors: 0 };
}

export function resolveMaxLineBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_LINE_BYTES;
  if (!Number.isInteger(value) || value < 1) {
    throw new CwError('CW_INPUT_UNREADABLE', `maxLineBytes must be a positive whole number of bytes, got ${String(value)}; the default is ${DEFAULT_MAX_LINE_BYTES}`);
  }
  return value;
}

/** A CW_INPUT_UNREADABLE error for `input`, with the reason and what to do. */
export function inputError(input: string, reason: string, fix: string, cause?: unknown): CwError {
  return new CwError('CW_INPUT_UNREADABLE', `input ${input}: ${reason}; ${fix}`, cause === undefined ? undefined : { cause });
}

/** A short reason for a Node system error (`ENOENT` → "no such file or directory"). */
export function describeSystemError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    default:
      return err?.code ? `${err.code}` : String((e as Error)?.message ?? e);
  }
}

/** A promise with its resolve function exposed. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * Delivers batches to the consumer and keeps the line/batch counters. A consumer that throws is
 * counted under `errors` and never stops the source.
 */
export class BatchSink {
  readonly #name: string;
  readonly #stats: SourceStats;
  #onBatch: ((batch: SourceBatch) => void) | undefined;

  constructor(name: string, stats: SourceStats) {
    this.#name = name;
    this.#stats = stats;
  }

  attach(onBatch: (batch: SourceBatch) => void): void {
    this.#onBatch = onBatch;
  }

  detach(): void {
    this.#onBatch = undefined;
  }

  deliver(lines: string[]): void {
    if (lines.length === 0 || this.#onBatch === undefined) return;
    this.#stats.lines += lines.length;
    this.#stats.batches += 1;
    try {
      this.#onBatch({ source: this.#name, lines, receivedAt: Date.now() });
    } catch {
      this.#stats.errors += 1;
    }
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines. A line is complete when its `\n` arrives; a trailing `\r` is
 * dropped; empty lines are skipped (they carry no log record). Lines longer than `maxLineBytes`
 * are delivered cut to their first `maxLineBytes` bytes and counted in `stats.oversized`; the rest
 * of such a line is skipped without being buffered, so memory stays bounded whatever the input.
 * Bytes are decoded as UTF-8; invalid sequences become U+FFFD (never an exception).
 */
export class LineSplitter {
  readonly #max: number;
  readonly #stats: SourceStats;
  /** Bytes of the unfinished line (capped at #max + 1). */
  #parts: Buffer[] = [];
  #partLen = 0;
  /** Dropping bytes until the next newline. */
  #skipping = false;
  /** The unfinished line exceeded #max: deliver its head at the newline and count it. */
  #cut = false;

  constructor(maxLineBytes: number, stats: SourceStats) {
    this.#max = maxLineBytes;
    this.#stats = stats;
  }

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.#partLen;
  }

  /** Discard everything up to and including the next newline (used when starting mid-line). */
  skipToNextLine(): void {
    this.reset();
    this.#skipping = true;
  }

  /** Forget any unfinished line. */
  reset(): void {
    this.#parts = [];
    this.#partLen = 0;
    this.#skipping = false;
    this.#cut = false;
  }

  /**
   * Append `chunk` and push every line it completes onto `out`. `chunk` may be reused by the
   * caller afterwards: unfinished bytes are copied.
   */
  push(chunk: Buffer, out: string[]): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      const nl = chunk.indexOf(LF, pos);
      if (nl === -1) {
        this.#hold(chunk, pos, end);
        return;
      }
      if (this.#skipping) {
        if (this.#cut) this.#emitHeld(out);
        else this.reset();
      } else if (this.#partLen > 0) {
        this.#hold(chunk, pos, nl);
        this.#emitHeld(out);
      } else {
        let lineEnd = nl;
        if (lineEnd > pos && chunk[lineEnd - 1] === CR) lineEnd -= 1;
        const len = lineEnd - pos;
        if (len > this.#max) {
          this.#stats.oversized += 1;
          out.push(chunk.toString('utf8', pos, pos + this.#max));
        } else if (len > 0) {
          out.push(chunk.toString('utf8', pos, lineEnd));
        }
      }
      pos = nl + 1;
    }
  }

  /** End of input: an unfinished last line is delivered as it is. */
  flush(out: string[]): void {
    if (this.#partLen > 0) this.#emitHeld(out);
    this.reset();
  }

  #hold(chunk: Buffer, from: number, to: number): void {
    if (this.#skipping) return;
    // Hold up to one byte more than the cap: a CR right before the newline is not line content.
    const room = this.#max + 1 - this.#partLen;
    const len = to - from;
    const take = Math.min(len, room);
    if (take > 0) {
      this.#parts.push(Buffer.from(chunk.subarray(from, from + take)));
      this.#partLen += take;
    }
    if (len > take) {
      this.#cut = true;
      this.#skipping = true;
    }
  }

  #emitHeld(out: string[]): void {
    let buf = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#partLen);
    if (!this.#cut && buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    if (buf.length > this.#max) {
      this.#stats.oversized += 1;
      buf = buf.subarray(0, this.#max);
    }
    if (buf.length > 0) out.push(buf.toString('utf8'));
    this.reset();
  }
}
