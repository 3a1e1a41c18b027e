/**
 * The file source: follows a log file like `tail -F` (appends, rotation, truncation, a file that
 * does not exist yet), or replays it once to the end (`once`, plain or gzip).
 *
 * Following: a directory watch (fs.watch) wakes the reader within milliseconds of a write, and a
 * short poll covers filesystems where fs.watch reports nothing (NFS, some container mounts).
 * Each wake-up reads every file it tracks to its current end. Identity is (dev, inode): when the
 * path names a different file than the one open, the old one is a rotated file; it stays open and
 * is still read (a writer such as nginx keeps writing to it until it reopens its log) until it has
 * been quiet for a grace period, then its unterminated last line, if any, is delivered and it is
 * closed. A file that shrinks below the read position was truncated (copytruncate): reading
 * restarts at 0.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createGunzip } from 'node:zlib';
import { BatchSink, deferred, describeSystemError, emptyStats, inputError, LineSplitter, resolveMaxLineBytes } from './common.ts';
import type { LineSource, SourceBatch, SourceSpec, SourceStats } from './types.ts';

/** Tuning knobs; the defaults suit production, tests shorten them. */
export interface FileSourceOptions {
  /** Poll interval behind fs.watch, ms. Default 200. */
  pollMs?: number;
  /** How long a rotated file must stay quiet before it is closed, ms. Default 5000. */
  rotateGraceMs?: number;
  /** Read size, bytes. Default 64 KiB when following, 256 KiB with `once`. */
  chunkBytes?: number;
  /** Use fs.watch for wake-ups (default true); false relies on the poll alone, as on filesystems without change events. */
  useWatch?: boolean;
}

interface Tracked {
  fh: FileHandle;
  dev: number;
  ino: number;
  pos: number;
  splitter: LineSplitter;
  /** Last time reading found new bytes (for rotated files). */
  lastGrowth: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function createFileSource(spec: SourceSpec, opts: FileSourceOptions = {}): LineSource {
  return new FileSource(spec, opts);
}

class FileSource implements LineSource {
  readonly name: string;
  readonly kind = 'file' as const;
  readonly address = undefined;
  readonly done: Promise<void>;

  readonly #path: string;
  readonly #once: boolean;
  readonly #start: 'beginning' | 'end';
  readonly #max: number;
  readonly #pollMs: number;
  readonly #graceMs: number;
  readonly #useWatch: boolean;
  readonly #buf: Buffer;
  readonly #stats: SourceStats = emptyStats();
  readonly #sink: BatchSink;
  readonly #finished = deferred();

  #started = false;
  #stopped = false;
  #cur: Tracked | null = null;
  #draining: Tracked[] = [];
  #everOpened = false;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  /** The `once` reader, running in the background after start(). */
  #reader: Promise<void> | undefined;
  #abortOnce: (() => void) | undefined;

  constructor(spec: SourceSpec, opts: FileSourceOptions) {
    this.#path = spec.input;
    this.name = spec.name ?? spec.input;
    this.#once = spec.once === true;
    this.#start = spec.start ?? (this.#once ? 'beginning' : 'end');
    this.#max = resolveMaxLineBytes(spec.maxLineBytes);
    this.#pollMs = opts.pollMs ?? 200;
    this.#graceMs = opts.rotateGraceMs ?? 5000;
    this.#useWatch = opts.useWatch ?? true;
    this.#buf = Buffer.allocUnsafe(opts.chunkBytes ?? (this.#once ? 256 * 1024 : 64 * 1024));
    this.#sink = new BatchSink(this.name, this.#stats);
    this.done = this.#finished.promise;
  }

  stats(): Readonly<SourceStats> {
    return { ...this.#stats };
  }

  async start(onBatch: (batch: SourceBatch) => void): Promise<void> {
    if (this.#started) throw new Error(`source ${this.name} was already started`);
    this.#started = true;
    this.#sink.attach(onBatch);
    if (this.#once) await this.#startOnce();
    else await this.#startFollowing();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return this.done;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#abortOnce?.();
    await this.#checking;
    await this.#reader;
    const all = this.#cur ? [this.#cur, ...this.#draining] : this.#draining;
    this.#cur = null;
    this.#draining = [];
    await Promise.all(all.map((t) => t.fh.close().catch(() => undefined)));
    this.#sink.detach();
    this.#finished.resolve();
  }

  // ---- once: read to the end, then finish -------------------------------------------------

  async #startOnce(): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.#path, 'r');
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw inputError(this.#path, `cannot open: ${describeSystemError(e)}`, missing ? 'check the path (without --once the watcher waits for the file to appear)' : 'check the path and its permissions', e);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw inputError(this.#path, 'not a regular file', 'name a log file, or use - to read a pipe from stdin');
      const head = Buffer.alloc(2);
      const { bytesRead } = await fh.read(head, 0, 2, 0);
      const gzip = bytesRead === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
      const fromEnd = this.#start === 'end';
      this.#reader = (gzip ? this.#readGzip(fh, fromEnd) : this.#readPlain(fh, fromEnd ? st.size : 0))
        .catch(() => {
          this.#stats.errors += 1;
        })
        .finally(async () => {
          await fh.close().catch(() => undefined);
          this.#sink.detach();
          this.#finished.resolve();
        });
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  async #readPlain(fh: FileHandle, from: number): Promise<void> {
    const splitter = new LineSplitter(this.#max, this.#stats);
    // Two buffers: the next chunk is read (on the thread pool) while this one is split and delivered.
    const bufs = [this.#buf, Buffer.allocUnsafe(this.#buf.length)] as const;
    let pos = from;
    let which = 0;
    let pending = fh.read(bufs[0], 0, bufs[0].length, pos);
    for (;;) {
      const { bytesRead } = await pending;
      if (this.#stopped) return;
      if (bytesRead === 0) break;
      const chunk = bufs[which]!.subarray(0, bytesRead);
      pos += bytesRead;
      which ^= 1;
      pending = fh.read(bufs[which]!, 0, bufs[which]!.length, pos);
      this.#stats.bytes += bytesRead;
      const out: string[] = [];
      splitter.push(chunk, out);
      this.#sink.deliver(out);
    }
    const out: string[] = [];
    splitter.flush(out);
    this.#sink.deliver(out);
  }

  async #readGzip(fh: FileHandle, skipAll: boolean): Promise<void> {
    if (skipAll) return; // `start: end` on a finished archive: nothing to replay
    const splitter = new LineSplitter(this.#max, this.#stats);
    const raw = fh.createReadStream({ start: 0, autoClose: false, highWaterMark: this.#buf.length });
    const gunzip = createGunzip({ chunkSize: this.#buf.length });
    this.#abortOnce = () => {
      raw.destroy();
      gunzip.destroy();
    };
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        if (this.#stopped) return;
        this.#stats.bytes += chunk.length;
        const out: string[] = [];
        splitter.push(chunk, out);
        this.#sink.deliver(out);
      }
    } catch {
      // A corrupt or cut-off archive: whole lines decompressed so far were delivered; the cut one is dropped.
      if (!this.#stopped) this.#stats.errors += 1;
      return;
    } finally {
      raw.destroy();
    }
    if (this.#stopped) return;
    const out: string[] = [];
    splitter.flush(out);
    this.#sink.deliver(out);
  }

  // ---- following ---------------------------------------------------------------------------

  async #startFollowing(): Promise<void> {
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.#path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw inputError(this.#path, `cannot open: ${describeSystemError(e)}`, 'check the path and its permissions', e);
      }
      // Not there yet: wait for it.
    }
    if (fh) {
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw inputError(this.#path, 'not a regular file', 'name a log file, or use - to read a pipe from stdin');
        const head = Buffer.alloc(2);
        const { bytesRead } = await fh.read(head, 0, 2, 0);
        if (bytesRead === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
          throw inputError(this.#path, 'is gzip-compressed and cannot be followed', 'replay it with --once');
        }
        const splitter = new LineSplitter(this.#max, this.#stats);
        let pos = 0;
        if (this.#start === 'end' && st.size > 0) {
          pos = st.size;
          const last = Buffer.alloc(1);
          await fh.read(last, 0, 1, st.size - 1);
          // Starting in the middle of a line: its head is gone, so skip its tail too.
          if (last[0] !== 0x0a) splitter.skipToNextLine();
        }
        this.#cur = { fh, dev: st.dev, ino: st.ino, pos, splitter, lastGrowth: Date.now() };
        this.#everOpened = true;
      } catch (e) {
        await fh.close().catch(() => undefined);
        throw e;
      }
    }
    this.#ensureWatcher();
    this.#timer = setInterval(() => this.#schedule(), this.#pollMs);
    this.#schedule();
  }

  #ensureWatcher(): void {
    if (this.#watcher || this.#stopped || !this.#useWatch) return;
    const base = basename(this.#path);
    try {
      const w = watch(dirname(this.#path), { persistent: true }, (_event, filename) => {
        // While a rotated file is still being drained, its writes (under its new name) matter too.
        if (filename === null || filename === base || this.#draining.length > 0) this.#schedule();
      });
      w.on('error', () => {
        // The directory went away or the filesystem cannot watch: the poll carries on.
        w.close();
        if (this.#watcher === w) this.#watcher = undefined;
      });
      this.#watcher = w;
    } catch {
      // No watch support here (or no directory yet): the poll alone will do.
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#checking) {
      this.#again = true;
      return;
    }
    this.#checking = this.#runChecks();
  }

  async #runChecks(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#check();
      } catch {
        this.#stats.errors += 1;
      }
    } while (this.#again && !this.#stopped);
    this.#checking = undefined;
  }

  async #check(): Promise<void> {
    const now = Date.now();
    // Rotated files first: their lines are older than the new file's.
    for (const old of [...this.#draining]) {
      if (this.#stopped) return;
      if (await this.#readAvailable(old)) {
        old.lastGrowth = now;
      } else if (now - old.lastGrowth >= this.#graceMs) {
        const out: string[] = [];
        old.splitter.flush(out);
        this.#sink.deliver(out);
        this.#draining = this.#draining.filter((t) => t !== old);
        await old.fh.close().catch(() => undefined);
      }
    }
    const cur = this.#cur;
    if (cur) {
      await this.#readAvailable(cur);
      if (this.#stopped) return;
      const st = await cur.fh.stat();
      if (st.size < cur.pos) {
        this.#stats.truncations += 1;
        cur.pos = 0;
        cur.splitter.reset();
        await this.#readAvailable(cur);
      }
    }
    if (this.#stopped) return;
    if (!this.#watcher) this.#ensureWatcher();

    let pst: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      pst = await stat(this.#path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    if (pst === null || !pst.isFile()) {
      // Renamed away or deleted: keep reading what is open until it goes quiet, wait for a new file.
      if (cur) {
        cur.lastGrowth = now;
        this.#draining.push(cur);
        this.#cur = null;
      }
      return;
    }
    if (cur && pst.ino === cur.ino && pst.dev === cur.dev) return;

    // A (new) file at the path.
    let fh: FileHandle;
    try {
      fh = await open(this.#path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // gone again; next check
      throw e;
    }
    if (this.#stopped) {
      await fh.close().catch(() => undefined);
      return;
    }
    const fst = await fh.stat();
    if (cur) {
      cur.lastGrowth = now;
      this.#draining.push(cur);
    }
    if (this.#everOpened) this.#stats.rotations += 1;
    this.#everOpened = true;
    const next: Tracked = { fh, dev: fst.dev, ino: fst.ino, pos: 0, splitter: new LineSplitter(this.#max, this.#stats), lastGrowth: now };
    this.#cur = next;
    await this.#readAvailable(next);
  }

  /** Reads `t` from its position to the current end; true when there were new bytes. */
  async #readAvailable(t: Tracked): Promise<boolean> {
    let grew = false;
    while (!this.#stopped) {
      const { bytesRead } = await t.fh.read(this.#buf, 0, this.#buf.length, t.pos);
      if (bytesRead === 0) break;
      grew = true;
      t.pos += bytesRead;
      this.#stats.bytes += bytesRead;
      const out: string[] = [];
      t.splitter.push(this.#buf.subarray(0, bytesRead), out);
      this.#sink.deliver(out);
      if (bytesRead < this.#buf.length) break; // at the end for now; the next wake-up reads more
    }
    return grew;
  }
}
