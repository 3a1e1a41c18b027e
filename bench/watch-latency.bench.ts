/**
 * watch alert latency, end to end: the real CLI (`cachewarden watch`) follows a log file; each
 * appended line is a leak on its own URL (an owner tag that is not the viewer's), so each opens an
 * incident; the webhook sink posts it to a local receiver. Measured: time from the append to the
 * webhook request arriving. No baseline exists for this (no other tool raises this alert).
 *
 * BENCH_LATENCY_SAMPLES sets the number of leaking lines (default 300), one every 20 ms.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { IdentityHasher } from '../src/core/identity.ts';
import type { BenchResult } from './harness.ts';

const KEY = 'bench-latency-identity-key-0001';
const BIN = new URL('../bin/cachewarden', import.meta.url).pathname;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function run(): Promise<BenchResult[]> {
  return [await measureRule('owner'), await measureRule('inferred')];
}

/**
 * `owner`: each line carries an owner tag that is not the viewer's (watch/owner-mismatch, decided
 * on the line). `inferred`: no owner tags; each leak is a fill for A followed by a hit for B
 * (watch/cross-identity-inferred, decided after the lateness allowance).
 */
async function measureRule(mode: 'owner' | 'inferred'): Promise<BenchResult> {
  const samples = Number(process.env['BENCH_LATENCY_SAMPLES'] ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-latency-'));
  const log = join(dir, 'cache.log');
  writeFileSync(log, '');
  const arrived = new Map<string, number>();
  const receiver = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  receiver.post('/hook', async (req) => {
    const body = req.body as { cachewarden?: { kind: string; incident: { url: string; rule: string } } };
    const c = body.cachewarden;
    if (c?.kind === 'opened' && c.incident.rule !== 'watch/personalized-shared') arrived.set(c.incident.url, performance.now());
    return { ok: true };
  });
  const address = await receiver.listen({ host: '127.0.0.1', port: 0 });
  const config = join(dir, 'cachewarden.yaml');
  writeFileSync(
    config,
    [
      'personalized: ["/mypage*"]',
      'identity:',
      `  key: ${KEY}`,
      '  cookies: [sid]',
      'watch:',
      '  rules: { watch/personalized-shared: off, watch/drift: off }',
      '  objectLife: 1h',
      'alerts:',
      `  - type: webhook`,
      `    url: ${address}/hook`,
      '',
    ].join('\n'),
  );
  const child = spawn(BIN, ['watch', '--config', config, '--format', 'nginx-json', '--input', log, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const hasher = new IdentityHasher(KEY);
  const record = (i: number, cache: string, identity: string, owner: string) =>
    JSON.stringify({
      msec: Date.now() / 1000,
      edge: 'edge-1',
      host: 'shop.example.test',
      method: 'GET',
      uri: `/mypage?probe=${i}`,
      status: 200,
      cache,
      identity,
      owner,
      set_cookie: '',
      cache_control: 'no-cache',
      request_time: 0,
    });
  // The leaking line is the last one written; the alert is timed from it.
  const line = (i: number) =>
    mode === 'owner'
      ? `${record(i, 'HIT', `viewer-session-${i}`, hasher.hash(`owner-session-${i}`)!)}\n`
      : `${record(i, 'MISS', `owner-session-${i}`, '')}\n${record(i, 'HIT', `viewer-session-${i}`, '')}\n`;
  const appended = new Map<string, number>();
  try {
    // Wait until the follower is live: a warm-up leak must come back through the webhook.
    const warmEnd = Date.now() + 15_000;
    while (!arrived.has('/mypage?probe=-1')) {
      if (Date.now() > warmEnd) throw new Error(`watch did not alert on the warm-up line: ${stderr}`);
      appendFileSync(log, line(-1));
      await new Promise((r) => setTimeout(r, 250));
    }
    for (let i = 0; i < samples; i++) {
      appended.set(`/mypage?probe=${i}`, performance.now());
      appendFileSync(log, line(i));
      await new Promise((r) => setTimeout(r, 20));
    }
    const end = Date.now() + 10_000;
    while ([...appended.keys()].some((u) => !arrived.has(u)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const latencies = [...appended].filter(([u]) => arrived.has(u)).map(([u, t]) => arrived.get(u)! - t).sort((a, b) => a - b);
  const lost = samples - latencies.length;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return {
      bench: `watch, ${mode === 'owner' ? 'owner tag (watch/owner-mismatch)' : 'no owner tags (watch/cross-identity-inferred, lateness 500 ms)'}: leaking line appended → webhook alert received`,
      subject: { name: 'alert latency', ops: latencies.length, seconds: latencies.reduce((a, b) => a + b, 0) / 1000, opsPerSec: latencies.length / (latencies.reduce((a, b) => a + b, 0) / 1000) },
      summary: `p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1)!)}`,
      notes: [`real CLI following a file, webhook sink to a local receiver; ${samples} leaks, one every 20 ms, each opening its own incident; ${lost} not alerted within 10 s`, 'no baseline: no other tool raises this alert; the bar is p99 <= 1 s'],
  };
}
