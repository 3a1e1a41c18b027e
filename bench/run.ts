/**
 * `npm run bench`: every benchmark under bench/, each against its named baseline in the same
 * process. Prints a table and writes bench/results/latest.json. Not part of CI's pass/fail.
 *
 *   npm run bench                 # all, 3 s per measurement
 *   npm run bench -- semantics    # only benchmarks whose file name contains "semantics"
 *   BENCH_MS=10000 npm run bench  # longer measurements
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fmt, type BenchResult } from './harness.ts';

const ms = Number(process.env['BENCH_MS'] ?? 3000);
const filter = process.argv[2];
const dir = new URL('./', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();

const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
console.log(`machine: ${machine}\nmeasurement: ${ms} ms each\n`);
const all: BenchResult[] = [];
for (const f of files) {
  const mod = (await import(new URL(f, dir).href)) as { run: (ms: number) => Promise<BenchResult[]> };
  for (const r of await mod.run(ms)) {
    all.push(r);
    console.log(r.bench);
    console.log(r.summary ? `  ${r.summary}` : `  ${r.subject.name}: ${fmt(r.subject.opsPerSec)} /s`);
    if (r.baseline) console.log(`  ${r.baseline.name}: ${fmt(r.baseline.opsPerSec)} /s`);
    if (r.ratio !== undefined) console.log(`  ratio: ${r.ratio.toFixed(2)}x the baseline`);
    for (const n of r.notes ?? []) console.log(`  note: ${n}`);
    console.log('');
  }
}
mkdirSync(new URL('./results/', dir), { recursive: true });
writeFileSync(new URL('./results/latest.json', dir), `${JSON.stringify({ machine, ms, at: new Date().toISOString(), results: all }, null, 2)}\n`);
