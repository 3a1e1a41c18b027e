/**
 * pino integration: card numbers and personal data are masked wherever they appear in a log
 * record (message, nested objects, arrays, numbers, `err` stacks, child bindings), not only at
 * fixed paths as pino's own `redact` does. Two ways in:
 *
 *   import pino from 'pino';
 *   import { scrubPinoOptions, scrubDestination } from 'cachewarden/scrub';
 *
 *   // (a) a hook on the serialized line, inside the logger:
 *   const log = pino({ level: 'info', ...scrubPinoOptions() });
 *
 *   // (b) a wrapped destination, for a logger you do not build yourself:
 *   const log2 = pino(scrubDestination(pino.destination('/var/log/app.log')));
 *
 * Both run the engine over each finished JSON line; the line stays valid JSON (see line.ts).
 * With `pino.transport(...)` use (a): the hook runs in the calling thread, before the line is
 * handed to the worker.
 */
import type { DestinationStream, LoggerOptions } from 'pino';
import { scrubJsonLine, type ScrubOptions } from './line.ts';

/** The `hooks.streamWrite` function: one serialized line in, the scrubbed line out. */
export function scrubStreamWrite(opts?: ScrubOptions): (line: string) => string {
  return (line) => scrubJsonLine(line, opts);
}

/**
 * pino options that scrub every line the logger writes, through `hooks.streamWrite`. Spread into
 * `pino({...})`, or pass your options as `base` to keep a `streamWrite` hook of your own (it runs
 * first; the scrub sees its output).
 */
export function scrubPinoOptions<T extends LoggerOptions = LoggerOptions>(opts?: ScrubOptions, base?: T): T & LoggerOptions {
  const scrub = scrubStreamWrite(opts);
  const own = base?.hooks?.streamWrite;
  const streamWrite = own ? (line: string) => scrub(own(line)) : scrub;
  return { ...(base as T), hooks: { ...base?.hooks, streamWrite } };
}

/**
 * `dest` with every write scrubbed; everything else (flush, end, reopen, events, pino's metadata
 * symbols) reaches `dest` unchanged. pino writes one line per call; a chunk holding several lines
 * is scrubbed line by line. For byte streams cut anywhere, use `createRedactStream` instead.
 */
export function scrubDestination<T extends DestinationStream>(dest: T, opts?: ScrubOptions): T {
  const scrubChunk = (chunk: unknown): unknown => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
    if (typeof text !== 'string') return chunk;
    const nl = text.indexOf('\n');
    if (nl < 0 || nl === text.length - 1) return scrubJsonLine(text, opts);
    return text
      .split('\n')
      .map((line) => (line === '' ? line : scrubJsonLine(line, opts)))
      .join('\n');
  };
  const write = (chunk: unknown, ...rest: unknown[]): unknown =>
    (dest.write as (...args: unknown[]) => unknown).call(dest, scrubChunk(chunk), ...rest);
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(dest, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // Methods run with the real destination as `this` (sonic-boom and streams keep state there).
      let fn = bound.get(prop);
      if (fn === undefined || (fn as { original?: unknown }).original !== value) {
        const b = (value as (...args: unknown[]) => unknown).bind(target);
        fn = Object.assign(b, { original: value });
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}
