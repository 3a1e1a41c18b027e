/**
 * Line sources for `watch`: `createSource(spec)` picks the module for the input (file, stdin,
 * HTTP receiver, syslog UDP/TCP); `mergeSources` runs several as one; `describeInput` names an
 * input for people. See docs/watch-sources.md.
 */
import { CwError } from '../../core/errors.ts';
import { emptyStats } from './common.ts';
import { createFileSource } from './file.ts';
import { createHttpSource } from './http.ts';
import { parseInput } from './input.ts';
import { createStdinSource } from './stdin.ts';
import { createSyslogSource } from './syslog.ts';
import type { LineSource, SourceBatch, SourceSpec, SourceStats } from './types.ts';

export { describeInput, parseInput, type InputDescription, type ParsedInput } from './input.ts';
export { DEFAULT_MAX_LINE_BYTES } from './common.ts';
export { createFileSource, type FileSourceOptions } from './file.ts';
export { createStdinSource, type StdinSourceOptions } from './stdin.ts';
export { createHttpSource, signBody, SECRET_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, SIGNATURE_TOLERANCE_S } from './http.ts';
export { createSyslogSource } from './syslog.ts';
export { parseSyslog, SyslogTcpFramer } from './syslog-parse.ts';

/** A source for `spec.input`. Throws CW_INPUT_UNREADABLE for a malformed input or option. */
export function createSource(spec: SourceSpec): LineSource {
  const p = parseInput(spec.input);
  if (spec.once && p.kind !== 'file' && p.kind !== 'stdin') {
    throw new CwError('CW_INPUT_UNREADABLE', `input ${spec.input}: once (replay) applies to files and stdin only; a listener runs until stopped`);
  }
  if (spec.secret !== undefined && p.kind !== 'http') {
    throw new CwError('CW_INPUT_UNREADABLE', `input ${spec.input}: a secret applies to the HTTP receiver only; remove it from this input`);
  }
  switch (p.kind) {
    case 'file':
      return createFileSource(spec);
    case 'stdin':
      return createStdinSource(spec);
    case 'http':
      return createHttpSource(spec);
    case 'syslog-udp':
    case 'syslog-tcp':
      return createSyslogSource(spec);
  }
}

/** Several sources run as one: started together, stopped together. */
export interface SourceGroup {
  readonly sources: readonly LineSource[];
  /** Starts every source; if one cannot start, the ones already started are stopped and its error is thrown. */
  start(onBatch: (batch: SourceBatch) => void): Promise<void>;
  /** Resolves when every source is done (finite sources at their end, the others once stopped). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /** Counters per source name, plus their sum under `total`. */
  stats(): { bySource: Record<string, Readonly<SourceStats>>; total: SourceStats };
}

export function mergeSources(sources: readonly LineSource[]): SourceGroup {
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) throw new CwError('CW_INPUT_UNREADABLE', `two inputs are both named "${s.name}"; give each input a distinct name`);
    seen.add(s.name);
  }
  const list = [...sources];
  return {
    sources: list,
    done: Promise.all(list.map((s) => s.done)).then(() => undefined),
    async start(onBatch) {
      try {
        for (const s of list) await s.start(onBatch);
      } catch (e) {
        await Promise.all(list.map((s) => s.stop().catch(() => undefined)));
        throw e;
      }
    },
    async stop() {
      await Promise.all(list.map((s) => s.stop()));
    },
    stats() {
      const bySource: Record<string, Readonly<SourceStats>> = {};
      const total = emptyStats();
      for (const s of list) {
        const st = s.stats();
        bySource[s.name] = st;
        for (const k of Object.keys(total) as (keyof SourceStats)[]) total[k] += st[k];
      }
      return { bySource, total };
    },
  };
}
