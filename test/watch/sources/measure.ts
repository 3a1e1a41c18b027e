/**
 * Measures the file follower on this machine (not a test; run by hand):
 *   node test/watch/sources/measure.ts [appends=1000] [replayMB=1024]
 * 1. Delivery latency: append one line, time until the batch callback sees it (p50/p95/p99/max),
 *    with fs.watch and with the poll fallback alone.
 * 2. Replay throughput: lines/s and MB/s reading a large file with `once`, and peak RSS growth.
 */
import { appendFileSync, closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { createFileSource } from '../../../src/watch/sources/file.ts';
import { tempDir } from './helpers.ts';

const appends = Number(process.argv[2] ?? 1000);
const replayMB = Number(process.argv[3] ?? 1024);
const tmp = tempDir('measure');

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function latency(useWatch: boolean, count: number): Promise<string> {
  const path = tmp.path(`latency-${useWatch ? 'watch' : 'poll'}.log`);
  writeFileSync(path, '');
  let pending: { t0: number; resolve: () => void } | undefined;
  const samples: number[] = [];
  const src = createFileSource({ input: path }, { useWatch });
  await src.start(() => {
    const now = performance.now();
    if (pending) {
      samples.push(now - pending.t0);
      const p = pending;
      pending = undefined;
      p.resolve();
    }
  });
  const line = `{"msec":"1498092107.412","host":"www.example.jp","uri":"/mypage","status":200,"ucs":"HIT","owner":"h1:8c0a44d1f620","viewer":"h1:2d1f9a0c7b3e"}\n`;
  for (let i = 0; i < count; i++) {
    // Random phase against the poll timer, so the poll-only figures are not synchronized with it.
    await new Promise((r) => setTimeout(r, Math.random() * (useWatch ? 5 : 250)));
    const delivered = new Promise<void>((resolve) => (pending = { t0: performance.now(), resolve }));
    appendFileSync(path, line);
    await delivered;
  }
  await src.stop();
  samples.sort((a, b) => a - b);
  const f = (x: number) => `${x.toFixed(2)} ms`;
  return `${useWatch ? 'fs.watch + poll' : 'poll only (200 ms)'}: n=${samples.length} p50 ${f(pct(samples, 50))}  p95 ${f(pct(samples, 95))}  p99 ${f(pct(samples, 99))}  max ${f(samples[samples.length - 1]!)}`;
}

async function throughput(mb: number, gzip = false): Promise<string> {
  const path = tmp.path(gzip ? 'replay.log.gz' : 'replay.log');
  const line = `{"msec":"1498092107.412","req_id":"6f0c3a5e9d2b4c71a8e0f1d2c3b4a596","host":"www.example.jp","uri":"/mypage","status":200,"ucs":"HIT","cc":"private, no-store","owner":"h1:8c0a44d1f620","sid":"h1:2d1f9a0c7b3e","rt":0.001,"node":"edge-tyo-03"}\n`;
  const chunk = Buffer.from(line.repeat(4096));
  const chunks = Math.ceil((mb * 1024 * 1024) / chunk.length);
  const fd = openSync(path, 'w');
  if (gzip) {
    const z = createGzip({ level: 1 });
    const done = new Promise<void>((resolve) => z.on('end', resolve));
    z.on('data', (d: Buffer) => writeSync(fd, d));
    for (let i = 0; i < chunks; i++) if (!z.write(chunk)) await new Promise((r) => z.once('drain', r));
    z.end();
    await done;
  } else {
    for (let i = 0; i < chunks; i++) writeSync(fd, chunk);
  }
  closeSync(fd);
  const bytes = chunks * chunk.length;
  const rss0 = process.memoryUsage().rss;
  let peakRss = rss0;
  let lines = 0;
  let batches = 0;
  const src = createFileSource({ input: path, once: true });
  const t0 = performance.now();
  await src.start((b) => {
    lines += b.lines.length;
    if (++batches % 64 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  });
  await src.done;
  const s = (performance.now() - t0) / 1000;
  rmSync(path);
  return `${gzip ? 'gzip ' : ''}replay (once) of ${(bytes / 1024 / 1024).toFixed(0)} MB, ${lines} lines of ${line.length} B: ${(lines / s / 1000).toFixed(0)} k lines/s, ${(bytes / 1024 / 1024 / s).toFixed(0)} MB/s, ${s.toFixed(2)} s; RSS growth ${((peakRss - rss0) / 1024 / 1024).toFixed(1)} MB`;
}

try {
  console.log(`node ${process.version}`);
  console.log(await latency(true, appends));
  console.log(await latency(false, Math.min(appends, 200)));
  console.log(await throughput(replayMB));
  console.log(await throughput(Math.min(replayMB, 256), true));
} finally {
  tmp.cleanup();
}
