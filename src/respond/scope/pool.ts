/**
 * Where scope's batches come from: worker threads that read and parse the inputs, or, with
 * `workers: 0`, the main thread itself. A large plain file is cut into byte ranges that the
 * workers parse side by side, handed back in file order; gzip files and small files go to one
 * worker each (round-robin). Either way an input yields the same events in the same order:
 * parsing is pure, and the merge orders events by time and fields, never by arrival.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CwError } from '../../core/errors.ts';
import type { FormatId } from '../../watch/adapters/types.ts';
import { InputParser, type Batch, type ParseConfig } from './parse-input.ts';
import { isGzip } from './read.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './parse-worker.ts';

export interface BatchSource {
  next(input: number): Promise<Batch>;
  close(): Promise<void>;
}

/** Byte range size for large plain files. */
export const RANGE_BYTES = 8 << 20;

export function inProcessSource(files: readonly string[], cfg: ParseConfig): BatchSource {
  const parsers = files.map((f) => new InputParser(f, cfg));
  return {
    next: (input) => parsers[input]!.next(),
    close: async () => {
      await Promise.allSettled(parsers.map((p) => p.close()));
    },
  };
}

interface Ranged {
  size: number;
  /** Next range to hand to the merge. */
  next: number;
  /** Next range to request. */
  requested: number;
  pending: Map<number, Promise<Batch>>;
  format: FormatId | 'auto';
}

export function workerSource(files: readonly string[], cfg: ParseConfig, workers: number, rangeBytes = RANGE_BYTES): BatchSource {
  const n = Math.max(1, workers);
  const waiting = new Map<number, { resolve: (b: Batch) => void; reject: (e: Error) => void }>();
  const pool: Worker[] = [];
  let failed: Error | undefined;
  let ids = 0;
  // `--input-type` (a parent run with -e) cannot apply to a worker's file entry point.
  const inputType = process.execArgv.some((a) => a.startsWith('--input-type'));
  const execArgv = inputType ? { execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) } : {};
  const init: WorkerInit = { cfg };
  for (let w = 0; w < n; w++) {
    const worker = new Worker(new URL('./parse-worker.ts', import.meta.url), { workerData: init, ...execArgv });
    worker.on('message', (reply: WorkerReply) => {
      const wait = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.type === 'batch') wait?.resolve(reply.batch);
      else wait?.reject(new CwError(reply.error.code, reply.error.message));
    });
    worker.on('error', (e) => {
      failed = e;
      for (const x of waiting.values()) x.reject(e);
      waiting.clear();
    });
    pool.push(worker);
  }

  function ask(worker: number, req: WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never): Promise<Batch> {
    if (failed) return Promise.reject(failed);
    const id = ++ids;
    const p = new Promise<Batch>((resolve, reject) => waiting.set(id, { resolve, reject }));
    p.catch(() => undefined); // surfaced when awaited
    pool[worker]!.postMessage({ ...req, id } as WorkerRequest);
    return p;
  }

  // Large plain files are parsed by every worker side by side, one range each in turn.
  const ranged = new Map<number, Ranged>();
  if (n > 1) {
    files.forEach((file, input) => {
      const size = statSync(file).size;
      if (size >= 2 * rangeBytes && !isGzip(file)) ranged.set(input, { size, next: 0, requested: 0, pending: new Map(), format: cfg.format });
    });
  }
  const ranges = (r: Ranged) => Math.ceil(r.size / rangeBytes);

  function request(input: number, r: Ranged, k: number): void {
    const start = k * rangeBytes;
    r.pending.set(k, ask(k % n, { type: 'range', file: files[input]!, start, end: Math.min(r.size, start + rangeBytes), format: r.format, probe: k === 0 }));
  }

  async function nextRange(input: number, r: Ranged): Promise<Batch> {
    const k = r.next;
    if (!r.pending.has(k)) request(input, r, k);
    r.requested = Math.max(r.requested, k + 1);
    const batch = await r.pending.get(k)!;
    r.pending.delete(k);
    r.next = k + 1;
    // The first range settles the format (`auto`); later ranges use it and skip the probe.
    if (k === 0 && batch.format !== undefined) r.format = batch.format;
    // Keep every worker busy: up to n ranges in flight.
    while (r.requested < ranges(r) && r.requested < r.next + n) request(input, r, r.requested++);
    const done = r.next >= ranges(r);
    return { ...batch, done, ...(k > 0 ? { notices: [] } : {}) };
  }

  let dealt = 0;
  const home = new Map<number, number>();
  return {
    next(input) {
      const r = ranged.get(input);
      if (r !== undefined) return nextRange(input, r);
      let w = home.get(input);
      if (w === undefined) {
        w = dealt++ % n;
        home.set(input, w);
      }
      return ask(w, { type: 'next', input, file: files[input]! });
    },
    async close() {
      await Promise.allSettled(pool.map((w) => w.terminate()));
    },
  };
}
