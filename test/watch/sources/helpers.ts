/** Shared test helpers for the line sources: a batch collector, waiting on conditions, temp dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceBatch } from '../../../src/watch/sources/types.ts';

export interface Collector {
  onBatch: (batch: SourceBatch) => void;
  batches: SourceBatch[];
  /** Every delivered line, in delivery order. */
  lines: string[];
  /** Resolves once at least `n` lines have arrived; rejects after `timeoutMs`. */
  waitForLines(n: number, timeoutMs?: number): Promise<void>;
}

export function collector(): Collector {
  const batches: SourceBatch[] = [];
  const lines: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  return {
    batches,
    lines,
    onBatch(batch) {
      batches.push(batch);
      lines.push(...batch.lines);
      for (const w of [...waiters]) {
        if (lines.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    waitForLines(n, timeoutMs = 5000) {
      if (lines.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(entry), 1);
          reject(new Error(`timed out waiting for ${n} lines; got ${lines.length}: ${JSON.stringify(lines.slice(-5))}`));
        }, timeoutMs);
        const entry = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(entry);
      });
    },
  };
}

/** Polls `cond` every 10 ms until it holds; rejects after `timeoutMs` with `what`. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves after `ms` (only to let a follower see "nothing more happens", never for timing asserts). */
export function settle(ms = 300): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A private temp directory, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `cw-${prefix}-`));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resource types a source may hold; after stop() none of them may remain beyond the baseline. */
const HANDLE_TYPES = new Set(['FSEventWrap', 'FileHandle', 'FSReqPromise', 'UDPWrap', 'TCPServerWrap', 'TCPWrap', 'Timeout', 'Immediate', 'StatWatcher']);

export function handleCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (HANDLE_TYPES.has(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Handle types whose count grew since `before`. */
export function leakedSince(before: Map<string, number>): string[] {
  const leaked: string[] = [];
  for (const [type, n] of handleCounts()) if (n > (before.get(type) ?? 0)) leaked.push(`${type}×${n - (before.get(type) ?? 0)}`);
  return leaked;
}
