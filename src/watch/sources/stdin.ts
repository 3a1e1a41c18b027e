/**
 * The stdin source (`-`): reads process.stdin, or an injected stream, to its end. A final line
 * without a newline is delivered at EOF. `done` resolves at EOF (or on stop).
 */
import type { Readable } from 'node:stream';
import { BatchSink, deferred, emptyStats, LineSplitter, resolveMaxLineBytes } from './common.ts';
import type { LineSource, SourceBatch, SourceSpec, SourceStats } from './types.ts';

export interface StdinSourceOptions {
  /** Read this stream instead of process.stdin (tests, or a pipe the caller opened). */
  stream?: Readable;
}

function ignore(): void {}

export function createStdinSource(spec: SourceSpec, opts: StdinSourceOptions = {}): LineSource {
  return new StdinSource(spec, opts.stream ?? process.stdin);
}

class StdinSource implements LineSource {
  readonly name: string;
  readonly kind = 'stdin' as const;
  readonly address = undefined;
  readonly done: Promise<void>;

  readonly #stream: Readable;
  readonly #stats: SourceStats = emptyStats();
  readonly #sink: BatchSink;
  readonly #splitter: LineSplitter;
  readonly #finished = deferred();
  #started = false;
  #ended = false;

  readonly #onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.#stats.bytes += buf.length;
    const out: string[] = [];
    this.#splitter.push(buf, out);
    this.#sink.deliver(out);
  };

  readonly #onEnd = (): void => {
    const out: string[] = [];
    this.#splitter.flush(out);
    this.#sink.deliver(out);
    this.#finish();
  };

  readonly #onError = (): void => {
    // A broken pipe ends the input; what arrived was delivered.
    this.#stats.errors += 1;
    this.#onEnd();
  };

  constructor(spec: SourceSpec, stream: Readable) {
    this.name = spec.name ?? 'stdin';
    this.#stream = stream;
    this.#sink = new BatchSink(this.name, this.#stats);
    this.#splitter = new LineSplitter(resolveMaxLineBytes(spec.maxLineBytes), this.#stats);
    this.done = this.#finished.promise;
  }

  stats(): Readonly<SourceStats> {
    return { ...this.#stats };
  }

  async start(onBatch: (batch: SourceBatch) => void): Promise<void> {
    if (this.#started) throw new Error(`source ${this.name} was already started`);
    this.#started = true;
    this.#sink.attach(onBatch);
    this.#stream.on('data', this.#onData);
    this.#stream.once('end', this.#onEnd);
    this.#stream.once('error', this.#onError);
    this.#stream.resume();
  }

  async stop(): Promise<void> {
    this.#finish();
    return this.done;
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('error', this.#onError);
    this.#stream.on('error', ignore); // a late error on a stream we no longer read is not fatal
    // Stop reading so the process can exit; never destroy the caller's stream (or fd 0).
    this.#stream.pause();
    this.#sink.detach();
    this.#finished.resolve();
  }
}
