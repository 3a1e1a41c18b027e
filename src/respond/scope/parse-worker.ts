/**
 * Worker thread of the parse pool: reads and parses scope's inputs for the main thread, which
 * merges and runs the detection engine. Two kinds of request: the next batch of a whole input
 * (gzip, or small files; the worker prepares the following batch ahead), or one byte range of a
 * large plain file (ranges of one file are dealt across workers and put back in order by the pool).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isCwError } from '../../core/errors.ts';
import { IdentityHasher } from '../../core/identity.ts';
import type { FormatId } from '../../watch/adapters/types.ts';
import { InputParser, rangeSource, type Batch, type BatchError, type ParseConfig } from './parse-input.ts';

export interface WorkerInit {
  cfg: ParseConfig;
}

export type WorkerRequest =
  | { type: 'next'; id: number; input: number; file: string }
  | { type: 'range'; id: number; file: string; start: number; end: number; format: FormatId | 'auto'; probe: boolean };
export type WorkerReply = { type: 'batch'; id: number; batch: Batch } | { type: 'error'; id: number; error: BatchError };

const { cfg } = workerData as WorkerInit;
const port = parentPort!;
const hasher = new IdentityHasher(cfg.key, { memo: cfg.memo });
const parsers = new Map<number, InputParser>();
/** Whole inputs: the batch prepared ahead (at most one per input, never dropped). */
const ahead = new Map<number, Promise<Batch>>();

function failure(e: unknown, file: string): BatchError {
  return isCwError(e) ? { code: e.code, message: e.message } : { code: 'CW_INPUT_UNREADABLE', message: `input ${file}: ${(e as Error).message}` };
}

async function handle(msg: WorkerRequest): Promise<WorkerReply> {
  try {
    if (msg.type === 'range') {
      const parser = new InputParser(msg.file, { ...cfg, format: msg.format }, { hasher, lines: rangeSource(msg.file, msg.start, msg.end), probe: msg.probe });
      return { type: 'batch', id: msg.id, batch: await parser.next() };
    }
    let parser = parsers.get(msg.input);
    if (parser === undefined) {
      parser = new InputParser(msg.file, cfg, { hasher });
      parsers.set(msg.input, parser);
    }
    const pending = ahead.get(msg.input) ?? parser.next();
    ahead.delete(msg.input);
    const batch = await pending;
    if (!batch.done) {
      const next = parser.next();
      next.catch(() => undefined); // reported when asked for
      ahead.set(msg.input, next);
    }
    return { type: 'batch', id: msg.id, batch };
  } catch (e) {
    return { type: 'error', id: msg.id, error: failure(e, msg.file) };
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: WorkerRequest) => {
  queue = queue.then(async () => port.postMessage(await handle(msg)));
});
