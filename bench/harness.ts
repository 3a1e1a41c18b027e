/**
 * A tiny benchmark harness: run a function for a fixed time after a warm-up, report
 * operations per second, and compare against a named baseline measured in the same process.
 */
export interface Measurement {
  name: string;
  ops: number;
  seconds: number;
  opsPerSec: number;
}

export interface BenchResult {
  bench: string;
  subject: Measurement;
  baseline?: Measurement;
  /** subject ops/s ÷ baseline ops/s */
  ratio?: number;
  notes?: string[];
  /** For benchmarks that are not a rate (latency distributions): printed instead of ops/s. */
  summary?: string;
}

/** Calls `fn` in batches for about `ms` milliseconds (after `warmupMs`), counting the ops it returns. */
export async function measure(name: string, fn: () => number | Promise<number>, ms = 2000, warmupMs = 500): Promise<Measurement> {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) await fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    ops += await fn();
    now = performance.now();
  }
  const seconds = (now - start) / 1000;
  return { name, ops, seconds, opsPerSec: ops / seconds };
}

export function compare(bench: string, subject: Measurement, baseline?: Measurement, notes?: string[]): BenchResult {
  return {
    bench,
    subject,
    ...(baseline ? { baseline, ratio: subject.opsPerSec / baseline.opsPerSec } : {}),
    ...(notes ? { notes } : {}),
  };
}

export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}
