/**
 * File access for `scan` and `redact`: walking files and directories (recursively, sorted, symlink
 * loops skipped), opening a file as plain or gzip (recognised by its magic bytes, not its name),
 * telling binary content from text by its first 8 KiB, and decoding UTF-8 in chunks while noticing
 * invalid bytes (they become U+FFFD and the text is still used).
 */
import { closeSync, createReadStream, openSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { CwError } from '../core/errors.ts';
import { isGzipFile } from '../core/gzip.ts';

export { isGzipFile };

/** How much of a file's (decompressed) start decides whether it is binary. */
export const SNIFF_BYTES = 8 * 1024;

/** Why a path could not be read, in a few words. */
export function whyNot(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return 'gzip data is damaged or cut short';
  return code ?? String((e as Error).message).split('\n')[0] ?? 'unknown error';
}

export interface WalkProblem {
  path: string;
  why: string;
}

export interface WalkResult {
  /** Regular files to read, in walk order (each directory sorted by name). */
  files: string[];
  /** Entries inside directories that could not be read (the walk goes on). */
  problems: WalkProblem[];
  /** Directories reached again through a symbolic link and not entered twice. */
  loops: string[];
}

/**
 * The files named by `paths`: files as given, directories walked recursively (sorted, symbolic
 * links followed, a directory already entered is skipped, so link loops end). A named path that
 * does not exist or cannot be read throws a one-line CwError (exit 2); `-` stands for stdin.
 */
export function walkPaths(paths: readonly string[]): WalkResult {
  if (paths.length === 0) throw new CwError('CW_USAGE_BAD_FLAG', 'scan: no input; name files or directories to scan (or - for stdin)');
  const result: WalkResult = { files: [], problems: [], loops: [] };
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const addFile = (p: string) => {
    let real = p;
    try {
      real = realpathSync(p);
    } catch {
      /* keep p */
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    result.files.push(p);
  };
  const walkDir = (dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (e) {
      result.problems.push({ path: dir, why: whyNot(e) });
      return;
    }
    if (seenDirs.has(real)) {
      result.loops.push(dir);
      return;
    }
    seenDirs.add(real);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      result.problems.push({ path: dir, why: whyNot(e) });
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st;
      try {
        st = statSync(p);
      } catch (e) {
        result.problems.push({ path: p, why: whyNot(e) });
        continue;
      }
      if (st.isDirectory()) walkDir(p);
      else if (st.isFile()) addFile(p);
    }
  };
  for (const p of paths) {
    if (p === '-') {
      result.files.push('-');
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new CwError('CW_INPUT_UNREADABLE', `scan: cannot read ${p}: ${whyNot(e)}; check the path`);
    }
    if (st.isDirectory()) {
      try {
        readdirSync(p);
      } catch (e) {
        throw new CwError('CW_INPUT_UNREADABLE', `scan: cannot read directory ${p}: ${whyNot(e)}; check its permissions`);
      }
      walkDir(p);
    } else if (st.isFile()) {
      try {
        closeSync(openSync(p, 'r'));
      } catch (e) {
        throw new CwError('CW_INPUT_UNREADABLE', `scan: cannot read ${p}: ${whyNot(e)}; check its permissions`);
      }
      addFile(p);
    } else {
      throw new CwError('CW_INPUT_UNREADABLE', `scan: cannot read ${p}: not a regular file or directory; name log files or directories`);
    }
  }
  return result;
}


export interface OpenedFile {
  gzip: boolean;
  /** The file's bytes, decompressed when gzip. */
  stream: Readable;
}

/** Opens a file for reading, decompressing gzip (by magic bytes). Errors surface on the stream. */
export function openFile(file: string, highWaterMark = 64 * 1024): OpenedFile {
  const gzip = isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark });
  if (!gzip) return { gzip, stream: raw };
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  raw.on('error', (e) => gunzip.destroy(e));
  return { gzip, stream: raw.pipe(gunzip) };
}

/**
 * Whether `head` (the first bytes of a file) looks binary: a NUL byte, or more than 10 % control
 * bytes other than tab, newline, carriage return, form feed, vertical tab and escape (ANSI colours).
 */
export function looksBinary(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number;
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) control++;
  }
  return control * 10 > head.length;
}

const REPLACEMENT = '\uFFFD';
const REPLACEMENT_BYTES = Buffer.from([0xef, 0xbf, 0xbd]);

function countOf(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

function countBytes(b: Buffer, pat: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(pat); i >= 0; i = b.indexOf(pat, i + 1)) n++;
  return n;
}

/**
 * Streaming UTF-8 decoding (characters split across chunks are joined) that keeps every byte
 * sequence it can and turns invalid ones into U+FFFD, and says whether that happened: a U+FFFD in
 * the text that the bytes did not spell (EF BF BD) means invalid input.
 */
export class Utf8Decoder {
  readonly #decoder = new StringDecoder('utf8');
  #tail: Buffer = Buffer.alloc(0);
  #decoded = 0;
  #spelled = 0;

  /** Whether invalid UTF-8 was replaced so far. */
  get invalid(): boolean {
    return this.#decoded > this.#spelled;
  }

  write(chunk: Buffer): string {
    const text = this.#decoder.write(chunk);
    if (text.includes(REPLACEMENT)) {
      this.#decoded += countOf(text, REPLACEMENT);
      this.#spelled += countBytes(this.#tail.length ? Buffer.concat([this.#tail, chunk]) : chunk, REPLACEMENT_BYTES);
    }
    this.#tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 2)));
    return text;
  }

  end(): string {
    const text = this.#decoder.end();
    this.#decoded += countOf(text, REPLACEMENT);
    return text;
  }
}
