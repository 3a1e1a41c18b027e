/**
 * Redacting a file in place, atomically: the redacted copy is written next to the file (same
 * directory, so the rename stays on one file system), flushed to disk (fsync), the original is kept
 * as `<file>.bak` (a hard link, or a copy where links are not allowed), and the copy is renamed
 * over the file. A gzip file stays gzip. On any error the original is left as it was and the
 * temporary file is removed.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, link, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { CwError } from '../core/errors.ts';
import { isGzipFile, whyNot } from './files.ts';
import { createRedactStream, type RedactStats, type RedactStreamOptions } from './stream.ts';

export interface InPlaceOptions extends RedactStreamOptions {
  /** Suffix of the backup of the original (default `.bak`); `''` keeps no backup. */
  backupSuffix?: string;
}

export interface InPlaceResult {
  file: string;
  gzip: boolean;
  /** Path of the backup, when one was kept. */
  backup?: string;
  stats: RedactStats;
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fd = await open(dir, 'r');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
  } catch {
    // Some file systems do not allow syncing a directory; the rename is still atomic.
  }
}

/** Redacts `file` in place (see the file comment). Throws a one-line CwError when it cannot. */
export async function redactFileInPlace(file: string, opts: InPlaceOptions = {}): Promise<InPlaceResult> {
  const { backupSuffix = '.bak', ...streamOpts } = opts;
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `redact: cannot read ${file}: ${whyNot(e)}; check the path`);
  }
  if (!st.isFile()) throw new CwError('CW_INPUT_UNREADABLE', `redact: ${file} is not a regular file; --in-place rewrites files only`);
  let gzip: boolean;
  try {
    gzip = isGzipFile(file);
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `redact: cannot read ${file}: ${whyNot(e)}; check its permissions`);
  }
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.cw-redact`);
  const redactor = createRedactStream(streamOpts);
  try {
    const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | Transform> = [createReadStream(file)];
    if (gzip) stages.push(createGunzip());
    stages.push(redactor);
    if (gzip) stages.push(createGzip());
    stages.push(createWriteStream(tmp, { flags: 'wx', mode: st.mode & 0o777 }));
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
    // fsync through a second descriptor: it flushes the file's data whichever descriptor wrote it.
    const fd = await open(tmp, 'r');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    await chmod(tmp, st.mode & 0o7777).catch(() => undefined);
    let backup: string | undefined;
    if (backupSuffix !== '') {
      backup = file + backupSuffix;
      await rm(backup, { force: true });
      try {
        await link(file, backup);
      } catch {
        await copyFile(file, backup);
      }
    }
    await rename(tmp, file);
    await syncDir(dir);
    return { file, gzip, ...(backup !== undefined ? { backup } : {}), stats: redactor.stats };
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    if (e instanceof CwError) throw e;
    const why = whyNot(e);
    throw new CwError('CW_INPUT_UNREADABLE', `redact: ${file} left unchanged: ${why}; ${why.startsWith('gzip') ? 'check the file' : why === 'permission denied' ? '--in-place needs write access to the file and its directory' : 'check the file and free disk space'}`);
  }
}
