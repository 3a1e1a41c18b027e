/**
 * scope end to end on 10 million nginx JSON lines (the lab's log format): merge, parse, HMAC
 * identities, the detection engine, the person table and the report. The log is generated to a
 * temporary file (streamed): 100,000 people, personalized and public routes, hits and misses, a
 * few owner-tagged leaks and personalized fills the cache kept, with slight disorder. The replay
 * runs in a child process so its peak RSS is its own. Named baseline, in that same child: reading
 * the same file with the same line reader and a plain `JSON.parse` of every line.
 *
 * BENCH_SCOPE_LINES sets the line count (default 10,000,000). The bar: 10 M lines in ≤ 60 s on the
 * 2-core bench machine with bounded memory.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityHasher } from '../src/core/identity.ts';
import { compare, type BenchResult, type Measurement } from './harness.ts';

const KEY = 'bench-identity-key-0123456789';
const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
const PEOPLE = 100_000;

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `n` lines; about 2,000 lines per second of log time (10 M lines ≈ 83 minutes of traffic). */
export async function generate(file: string, n: number): Promise<void> {
  const r = rng(2017);
  const hasher = new IdentityHasher(KEY);
  const sids = Array.from({ length: PEOPLE }, (_, i) => `${(i * 2654435761 + 12345).toString(16).padStart(8, '0')}${i.toString(36).padStart(8, '0')}`.repeat(2));
  const tags = new Map<number, string>();
  const tag = (i: number) => {
    let t = tags.get(i);
    if (t === undefined) {
      t = hasher.hash(sids[i]!)!;
      if (tags.size > 50_000) tags.clear();
      tags.set(i, t);
    }
    return t;
  };
  const edges = ['edge-tyo-1', 'edge-tyo-2', 'edge-osa-1', 'edge-osa-2'];
  const out = createWriteStream(file, { highWaterMark: 1 << 22 });
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    // Slight disorder: one line in 20 finishes up to 200 ms later than its position says.
    const time = T0 + i / 2 + (r() < 0.05 ? r() * 200 : 0);
    const x = r();
    const viewer = Math.floor(r() * PEOPLE);
    const loggedIn = r() < 0.7;
    const edge = edges[i & 3]!;
    let uri: string;
    let status = 200;
    let cache: string;
    let owner = '';
    let cc: string;
    if (x < 0.4) {
      uri = `/static/app.${Math.floor(r() * 200)}.css`;
      cache = r() < 0.95 ? 'HIT' : 'MISS';
      cc = 'public, max-age=86400';
    } else if (x < 0.7) {
      uri = `/items/i${Math.floor(r() * 5000)}`;
      cache = r() < 0.8 ? 'HIT' : 'MISS';
      cc = 'public, max-age=60';
    } else {
      uri = ['/mypage', '/orders', '/api/me', `/transactions/t${Math.floor(r() * 50_000)}`][Math.floor(r() * 4)]!;
      cc = 'private, no-store';
      if (!loggedIn) {
        status = 302;
        cache = '-';
      } else if (r() < 0.004) {
        // A leak: a hit carrying someone else's owner tag.
        cache = 'HIT';
        owner = tag((viewer + 1 + Math.floor(r() * 1000)) % PEOPLE);
      } else {
        // Mostly passed; on one edge, /orders is being stored (fills).
        cache = edge === 'edge-osa-2' && uri === '/orders' ? 'MISS' : '-';
        owner = tag(viewer);
      }
    }
    buf.push(
      JSON.stringify({
        time: new Date(time).toISOString().slice(0, 19) + '+00:00',
        msec: Math.round(time) / 1000,
        edge,
        host: 'shop.example.test',
        method: 'GET',
        uri,
        status,
        cache,
        identity: loggedIn ? sids[viewer] : '',
        identity_kind: loggedIn ? 'cookie' : '',
        owner,
        set_cookie: '',
        cache_control: cc,
        expires: '',
        vary: '',
        age: '',
        bytes: 1800,
        request_time: Number((0.001 + r() * 0.05).toFixed(3)),
        upstream_response_time: '',
        upstream_status: '',
        request_id: (i * 7919).toString(16),
      }),
    );
    if (buf.length === 10_000) {
      if (!out.write(`${buf.join('\n')}\n`)) await once(out, 'drain');
      buf = [];
    }
  }
  if (buf.length > 0) out.write(`${buf.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}

interface ChildResult {
  scope: { seconds: number; lines: number; events: number; maxRssMiB: number; heapMiB: number; people: number; shown: number; possibly: number; pairs: number; rejected: number };
  baseline: { seconds: number; lines: number };
}

/** The replay and the baseline in a fresh process (so the peak RSS is the replay's). */
function child(file: string): ChildResult {
  const src = (p: string) => new URL(p, import.meta.url).href;
  const script = `
    import { runScope } from '${src('../src/respond/scope/index.ts')}';
    import { LineReader } from '${src('../src/respond/scope/read.ts')}';
    import { RespondSchema, WatchSchema } from '${src('../src/config/schema.ts')}';
    const w = WatchSchema.parse({});
    let t = performance.now();
    const r = await runScope({
      inputs: [${JSON.stringify(file)}], format: 'nginx-json',
      personalized: ['/mypage*', '/orders*', '/transactions/*', '/api/me*'],
      identity: { key: ${JSON.stringify(KEY)}, cookies: ['sid'] },
      watch: { lateness: w.lateness, objectLife: w.objectLife, joinTolerance: w.joinTolerance, maxKeys: w.maxKeys },
      respond: RespondSchema.parse({ routes: { '/mypage*': ['name', 'email', 'address'], '/orders*': ['name', 'history'] } }),
    });
    const seconds = (performance.now() - t) / 1000;
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    t = performance.now();
    const reader = new LineReader(${JSON.stringify(file)});
    let lines = 0;
    for (;;) { const batch = await reader.next(); if (batch.length === 0 && reader.done) break; for (const l of batch) { JSON.parse(l); lines++; } }
    const base = (performance.now() - t) / 1000;
    console.log(JSON.stringify({
      scope: { seconds, lines: r.inputs.lines, events: r.inputs.events, maxRssMiB, heapMiB, people: r.people.length, shown: r.summary.shown, possibly: r.summary.possibly, pairs: r.summary.pairs, rejected: Object.values(r.inputs.rejected).reduce((a, b) => a + b, 0) },
      baseline: { seconds: base, lines },
    }));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`scope bench child failed: ${res.stderr.split('\n').slice(0, 8).join(' ')}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as ChildResult;
}

export async function run(): Promise<BenchResult[]> {
  const n = Number(process.env['BENCH_SCOPE_LINES'] ?? 10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-scope-'));
  try {
    const file = join(dir, 'access.log');
    const g = performance.now();
    await generate(file, n);
    const genSeconds = (performance.now() - g) / 1000;
    const size = statSync(file).size;
    const c = child(file);
    if (c.scope.lines !== n || c.baseline.lines !== n) throw new Error(`read ${c.scope.lines} / ${c.baseline.lines} of ${n} lines`);
    const subject: Measurement = { name: 'cachewarden scope (merge, parse, HMAC identities, detection engine, person table, report)', ops: n, seconds: c.scope.seconds, opsPerSec: n / c.scope.seconds };
    const baseline: Measurement = { name: 'same line reader + plain JSON.parse of every line', ops: n, seconds: c.baseline.seconds, opsPerSec: n / c.baseline.seconds };
    const per10M = (c.scope.seconds * 10_000_000) / n;
    return [
      compare('scope: nginx-json lines per second, end to end', subject, baseline, [
        `${n.toLocaleString('en-US')} lines (${(size / 2 ** 30).toFixed(2)} GiB, generated in ${genSeconds.toFixed(0)} s), ${c.scope.people.toLocaleString('en-US')} people in the report: ${c.scope.shown} shown, ${c.scope.possibly} possibly, ${c.scope.pairs} pairs, ${c.scope.rejected} rejected`,
        `wall ${c.scope.seconds.toFixed(1)} s (${per10M.toFixed(1)} s per 10 M lines; bar ≤ 60 s); peak RSS ${c.scope.maxRssMiB.toFixed(0)} MiB, heap after ${c.scope.heapMiB.toFixed(0)} MiB`,
      ]),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
