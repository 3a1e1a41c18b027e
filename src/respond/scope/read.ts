/**
 * Reading scope's inputs: `--input` values (files or globs, expanded with Node's own `fs.globSync`,
 * sorted, deduplicated) and a pull-based line reader per file, so the merge decides which input
 * to read next (bounded memory). Gzip is recognised by its magic bytes, not by the file name.
 */
import { closeSync, createReadStream, globSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { CwError } from '../../core/errors.ts';
import { isGzipFile } from '../../core/gzip.ts';

const GLOB_CHARS = /[*?[{]/;

function unreadable(input: string, why: string, fix: string): CwError {
  return new CwError('CW_INPUT_UNREADABLE', `input ${input}: ${why}; ${fix}`);
}

function whyNot(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? String((e as Error).message);
}

/** Files named by `inputs` (paths or globs), sorted and without duplicates. A missing file or an empty glob is an error. */
export function expandInputs(inputs: readonly string[]): string[] {
  if (inputs.length === 0) throw new CwError('CW_INPUT_UNREADABLE', 'scope needs at least one log file; pass --input <file or glob>');
  const out = new Set<string>();
  for (const input of inputs) {
    if (GLOB_CHARS.test(input)) {
      const found = globSync(input).map((p) => resolve(p)).filter((p) => {
        try {
          return statSync(p).isFile();
        } catch {
          return false;
        }
      });
      if (found.length === 0) throw unreadable(input, 'the pattern matches no file', 'check the path and the pattern (quote it so the shell does not expand it)');
      for (const f of found.sort()) out.add(f);
      continue;
    }
    let st;
    try {
      st = statSync(input);
    } catch (e) {
      throw unreadable(input, `cannot open: ${whyNot(e)}`, 'check the path');
    }
    if (!st.isFile()) throw unreadable(input, 'not a regular file', 'name a log file or a glob of log files');
    try {
      closeSync(openSync(input, 'r'));
    } catch (e) {
      throw unreadable(input, `cannot open: ${whyNot(e)}`, 'check its permissions');
    }
    out.add(resolve(input));
  }
  return [...out].sort();
}


/** A line longer than this (characters) is cut off and its rest skipped; the adapter rejects it as too long. */
const MAX_CARRY = 1 << 20;

/** Pulls a file's lines one chunk at a time. Empty lines are skipped. */
export class LineReader {
  readonly file: string;
  readonly gzip: boolean;
  #it: AsyncIterator<Buffer> | undefined;
  readonly #decoder = new StringDecoder('utf8');
  #carry = '';
  #skipping = false;
  #done = false;

  constructor(file: string) {
    this.file = file;
    try {
      this.gzip = isGzipFile(file);
    } catch (e) {
      throw unreadable(file, `cannot open: ${whyNot(e)}`, 'check the path and its permissions');
    }
  }

  get done(): boolean {
    return this.#done;
  }

  /** The next batch of complete lines; an empty array once the file has ended (then `done`). */
  async next(): Promise<string[]> {
    if (this.#done) return [];
    if (this.#it === undefined) {
      const raw = createReadStream(this.file, { highWaterMark: 1 << 20 });
      const stream = this.gzip ? raw.pipe(createGunzip()) : raw;
      if (this.gzip) raw.on('error', (e) => stream.destroy(e));
      this.#it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    }
    const out: string[] = [];
    while (out.length === 0) {
      let r: IteratorResult<Buffer>;
      try {
        r = await this.#it.next();
      } catch (e) {
        throw unreadable(this.file, this.gzip ? `gzip data is damaged or cut short (${whyNot(e)})` : `read failed: ${whyNot(e)}`, 'check the file');
      }
      if (r.done) {
        const rest = this.#carry + this.#decoder.end();
        this.#carry = '';
        if (rest !== '' && !this.#skipping) out.push(rest);
        this.#done = true;
        return out;
      }
      this.#split(this.#carry + this.#decoder.write(r.value), out);
    }
    return out;
  }

  #split(text: string, out: string[]): void {
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      if (this.#skipping) this.#skipping = false;
      else if (nl > pos) out.push(text.slice(pos, nl));
      pos = nl + 1;
    }
    let carry = pos === 0 ? text : text.slice(pos);
    if (carry.length > MAX_CARRY) {
      // An endless line: keep its head (rejected as too long), drop the rest up to the next newline.
      if (!this.#skipping) out.push(carry.slice(0, MAX_CARRY));
      this.#skipping = true;
      carry = '';
    }
    this.#carry = carry;
  }

  async close(): Promise<void> {
    await this.#it?.return?.();
  }
}

/** How far past its end a range reads to finish its last line. */
const RANGE_TAIL_MAX = 1 << 20;

/**
 * The lines that start in bytes [start, end) of a plain file: a line straddling `start` belongs
 * to the range before, one straddling `end` to this one. Lines split on `\n`, which never occurs
 * inside a UTF-8 sequence, so each range decodes on its own.
 */
export async function readRange(file: string, start: number, end: number): Promise<string[]> {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r');
  try {
    const from = start > 0 ? start - 1 : 0;
    let buf = Buffer.allocUnsafe(end - from);
    let len = (await fh.read(buf, 0, buf.length, from)).bytesRead;
    // Finish the last line: read on until a newline (bounded) or the end of the file.
    let scanFrom = Math.max(0, end - from - 1);
    while (len === buf.length && buf.indexOf(0x0a, scanFrom) === -1 && len - (end - from) < RANGE_TAIL_MAX) {
      const more = Buffer.allocUnsafe(64 * 1024);
      const n = (await fh.read(more, 0, more.length, from + len)).bytesRead;
      if (n === 0) break;
      scanFrom = len;
      buf = Buffer.concat([buf.subarray(0, len), more.subarray(0, n)]);
      len = buf.length;
    }
    // The first line of ours starts after the first newline at or after `start - 1` (the very start for range 0).
    let pos = 0;
    if (start > 0) {
      const nl = buf.indexOf(0x0a, 0);
      if (nl === -1 || nl >= len) return [];
      pos = nl + 1;
    }
    const out: string[] = [];
    const limit = end - from; // a line must start before this offset
    while (pos < len && pos < limit) {
      let nl = buf.indexOf(0x0a, pos);
      if (nl === -1 || nl >= len) nl = len;
      if (nl > pos) out.push(buf.toString('utf8', pos, nl));
      pos = nl + 1;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Whether the file is gzip (by its magic bytes). */
export const isGzip = isGzipFile;
