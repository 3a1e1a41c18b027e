/**
 * watch throughput on one core: nginx JSON and Fastly JSON lines through parse → hash → detect
 * (every detector, incidents folded), read from a file. Named baseline: GoAccess (Debian's 1.7,
 * single-threaded) parsing the same nginx file in the same run. Also: memory for 1 M distinct
 * cache keys held by the detectors.
 *
 * BENCH_WATCH_LINES sets the line count (default 1,000,000).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatchSchema } from '../src/config/schema.ts';
import { IdentityHasher } from '../src/core/identity.ts';
import type { FormatId } from '../src/watch/adapters/types.ts';
import { runWatch } from '../src/watch/pipeline.ts';
import { compare, type BenchResult, type Measurement } from './harness.ts';

const KEY = 'bench-identity-key-0123456789';
const PERSONALIZED = ['/mypage*', '/orders*', '/api/me*'];
const T0 = Date.UTC(2026, 10, 21, 9, 41, 0);

/** A deterministic PRNG (mulberry32). */
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

interface Line {
  time: number;
  edge: string;
  url: string;
  status: number;
  cache: string;
  sid: string;
  owner: string;
  setCookie: string;
  cacheControl: string;
  rt: number;
}

/** A realistic mix: static and public pages mostly hits, personalized pages passed, a few leaks. */
export function generate(n: number): Line[] {
  const r = rng(2017);
  const hasher = new IdentityHasher(KEY);
  const sids = Array.from({ length: 20_000 }, (_, i) => (i * 2654435761).toString(16).padStart(8, '0').repeat(4));
  const tags = sids.map((s) => hasher.hash(s)!);
  const edges = ['edge-tyo-1', 'edge-tyo-2', 'edge-osa-1', 'edge-osa-2'];
  const out: Line[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    const viewer = Math.floor(r() * sids.length);
    const loggedIn = r() < 0.7;
    const base = { time: T0 + i, edge: edges[i & 3]!, sid: loggedIn ? sids[viewer]! : '', setCookie: '', rt: 0.001 + r() * 0.05 };
    if (x < 0.45) {
      out.push({ ...base, url: `/static/app.${Math.floor(r() * 200)}.css`, status: 200, cache: r() < 0.9 ? 'HIT' : 'MISS', owner: '', cacheControl: 'public, max-age=86400' });
    } else if (x < 0.7) {
      out.push({ ...base, url: `/items/i${Math.floor(r() * 5000)}`, status: 200, cache: r() < 0.8 ? 'HIT' : 'MISS', owner: '', cacheControl: 'public, max-age=60' });
    } else {
      const path = ['/mypage', '/orders', '/api/me'][Math.floor(r() * 3)]!;
      if (!loggedIn) {
        out.push({ ...base, url: path, status: 302, cache: '-', owner: '', cacheControl: 'no-store' });
        continue;
      }
      // 0.5 % of personalized responses leak: a hit carrying someone else's owner tag.
      const leak = r() < 0.005;
      const owner = leak ? tags[(viewer + 1) % tags.length]! : tags[viewer]!;
      out.push({ ...base, url: path, status: 200, cache: leak ? 'HIT' : '-', owner, cacheControl: 'private, no-store' });
    }
  }
  return out;
}

export function nginxLine(l: Line): string {
  const iso = new Date(l.time).toISOString().slice(0, 19) + '+00:00';
  return JSON.stringify({
    time: iso,
    msec: l.time / 1000,
    edge: l.edge,
    host: 'shop.example.test',
    method: 'GET',
    uri: l.url,
    status: l.status,
    cache: l.cache,
    identity: l.sid,
    identity_kind: l.sid ? 'cookie' : '',
    owner: l.owner,
    set_cookie: l.setCookie,
    cache_control: l.cacheControl,
    expires: '',
    vary: '',
    age: '',
    bytes: 1800,
    request_time: Number(l.rt.toFixed(3)),
    upstream_response_time: '',
    upstream_status: '',
    request_id: (l.time * 7).toString(16),
  });
}

export function fastlyLine(l: Line): string {
  const state = l.cache === '-' ? 'PASS' : l.cache;
  return JSON.stringify({
    time: l.time,
    node: `cache-${l.edge}`,
    pop: l.edge.slice(5, 8).toUpperCase(),
    host: 'shop.example.test',
    method: 'GET',
    url: l.url,
    status: l.status,
    state,
    digest: (l.url.length * 2654435761).toString(16).padStart(64, '0'),
    viewer: l.sid,
    owner: l.owner,
    set_cookie: l.setCookie,
    cache_control: l.cacheControl,
    age: '0',
    elapsed_us: Math.round(l.rt * 1e6),
    request_id: (l.time * 7).toString(16),
  });
}

/** One replay of the file through the real pipeline: file source, adapter (hashing), detectors, incidents. */
async function pipeline(file: string, format: FormatId): Promise<{ lines: number; findings: number; seconds: number }> {
  const t = performance.now();
  const result = await runWatch({
    inputs: [{ spec: { input: file }, format }],
    personalized: PERSONALIZED,
    identity: { key: KEY, cookies: ['sid'] },
    settings: WatchSchema.parse({}),
    once: true,
    onAlert: () => undefined,
  });
  return { lines: result.status.lines, findings: result.status.findings, seconds: (performance.now() - t) / 1000 };
}

const GOACCESS_FORMAT =
  '{"time":"%dT%t+%^","msec":"%^","edge":"%h","host":"%v","method":"%m","uri":"%U","status":"%s","cache":"%C","identity":"%^","identity_kind":"%^","owner":"%^","set_cookie":"%^","cache_control":"%^","expires":"%^","vary":"%^","age":"%^","bytes":"%b","request_time":"%T","upstream_response_time":"%^","upstream_status":"%^","request_id":"%^"}';

function goaccess(file: string, lines: number, dir: string): Measurement | { error: string } {
  const which = spawnSync('goaccess', ['--version'], { encoding: 'utf8' });
  if (which.error) return { error: 'goaccess not installed (apt-get install goaccess)' };
  const t = performance.now();
  const r = spawnSync(
    'goaccess',
    [file, '--no-ip-validation', `--log-format=${GOACCESS_FORMAT}`, '--date-format=%Y-%m-%d', '--time-format=%H:%M:%S', '--no-progress', '-o', join(dir, 'report.json')],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) return { error: `goaccess failed: ${(r.stderr || r.stdout).split('\n').slice(-3).join(' ')}` };
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { general: { valid_requests: number } };
  if (report.general.valid_requests !== lines) return { error: `goaccess parsed ${report.general.valid_requests} of ${lines} lines` };
  return { name: `GoAccess ${which.stdout.split('\n')[0]?.replace(/^GoAccess - /, '').replace(/\.$/, '')} (same nginx file, report to JSON)`, ops: lines, seconds, opsPerSec: lines / seconds };
}

/** Memory held by the detectors for `keys` distinct personalized cache keys (child process, with GC). */
function memoryForKeys(keys: number): string {
  const script = `
    import { compileRoutes } from '${new URL('../src/core/glob.ts', import.meta.url).href}';
    import { DEFAULT_DETECTION } from '${new URL('../src/watch/detectors/define.ts', import.meta.url).href}';
    import { DETECTORS } from '${new URL('../src/watch/detectors/index.ts', import.meta.url).href}';
    import { DetectionEngine } from '${new URL('../src/watch/engine.ts', import.meta.url).href}';
    const engine = new DetectionEngine({ personalized: compileRoutes(['/mypage*']), detection: { ...DEFAULT_DETECTION, maxKeys: ${keys} * 2 }, detectors: DETECTORS, mode: 'replay', onFinding() {} });
    globalThis.gc(); const before = process.memoryUsage();
    for (let i = 0; i < ${keys}; i++) engine.push({ time: ${T0} + i, edge: 'edge-1', method: 'GET', url: '/mypage?v=' + i, outcome: 'MISS', status: 200, viewer: 'h:' + String(i).padStart(22, 'A') });
    engine.tick();
    globalThis.gc(); const after = process.memoryUsage();
    console.log(JSON.stringify({ heap: after.heapUsed - before.heapUsed, rss: after.rss - before.rss }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) return `memory measurement failed: ${r.stderr.split('\n').slice(0, 3).join(' ')}`;
  const m = JSON.parse(r.stdout) as { heap: number; rss: number };
  return `${keys.toLocaleString('en-US')} distinct personalized cache keys held by the detectors: heap +${(m.heap / 2 ** 20).toFixed(0)} MiB (${Math.round(m.heap / keys)} B/key), RSS +${(m.rss / 2 ** 20).toFixed(0)} MiB; beyond watch.maxKeys the oldest are evicted`;
}

export async function run(): Promise<BenchResult[]> {
  const n = Number(process.env['BENCH_WATCH_LINES'] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-watch-'));
  try {
    const lines = generate(n);
    const nginxFile = join(dir, 'nginx.log');
    const fastlyFile = join(dir, 'fastly.log');
    writeFileSync(nginxFile, `${lines.map(nginxLine).join('\n')}\n`);
    writeFileSync(fastlyFile, `${lines.map(fastlyLine).join('\n')}\n`);
    // Warm the JIT on a slice, then measure full passes.
    writeFileSync(join(dir, 'warm.log'), `${lines.slice(0, 100_000).map(nginxLine).join('\n')}\n`);
    await pipeline(join(dir, 'warm.log'), 'nginx-json');
    const results: BenchResult[] = [];
    // Best of three passes each, subject and baseline alike: the host's noise only ever slows a pass.
    const bases = [0, 1, 2].map(() => goaccess(nginxFile, n, dir));
    const okBases = bases.filter((b): b is Measurement => !('error' in b));
    const base = okBases.sort((a, b) => b.opsPerSec - a.opsPerSec)[0];
    const baseError = bases.find((b): b is { error: string } => 'error' in b)?.error;
    for (const [format, file] of [['nginx-json', nginxFile], ['fastly-json', fastlyFile]] as const) {
      const passes = [];
      for (let i = 0; i < 3; i++) passes.push(await pipeline(file, format));
      for (const p of passes) if (p.lines !== n) throw new Error(`${format}: read ${p.lines} of ${n} lines`);
      passes.sort((a, b) => a.seconds - b.seconds);
      const best = passes[0]!;
      const subject: Measurement = { name: `cachewarden watch --once, ${format} (file source, parse, HMAC identities, 5 detectors, incidents)`, ops: best.lines, seconds: best.seconds, opsPerSec: best.lines / best.seconds };
      const rates = passes.map((p) => Math.round(p.lines / p.seconds).toLocaleString('en-US'));
      const notes = [`${n.toLocaleString('en-US')} lines, ${best.findings.toLocaleString('en-US')} findings, one core; best of 3 (passes: ${rates.join(', ')} /s; GoAccess: ${okBases.map((b) => Math.round(b.opsPerSec).toLocaleString('en-US')).join(', ')} /s)`];
      if (!base && baseError) notes.push(`baseline unavailable: ${baseError}`);
      results.push(compare(`watch: ${format} lines per second`, subject, base, notes));
    }
    results[0]!.notes!.push(memoryForKeys(1_000_000));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
