/**
 * Micro-benchmark of the format adapters (run by hand, not a test):
 *
 *   npx node test/watch/adapters/bench-adapters.ts [lines-per-format]
 *
 * For each format: a set of realistic lines (1 000 distinct viewers, a mix of hits, misses and
 * passes, a Set-Cookie now and then), parsed in a warm loop; prints lines/s and MB/s, plus a
 * bare `JSON.parse` / `split('\t')` baseline on the same lines. Every parse hashes the viewer (one
 * HMAC-SHA-256 per line), so "parse + hash" is the adapter as the pipeline runs it; two more rows
 * show it with the HMAC key held as a KeyObject (and with a memo of recent values on top), and with
 * no HMAC at all (the adapter's own cost).
 */
import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { cpus } from 'node:os';
import { IdentityHasher, isIdentityHash } from '../../../src/core/identity.ts';
import type { IdentityHash } from '../../../src/core/identity.ts';
import { createAdapter } from '../../../src/watch/adapters/index.ts';
import { FORMAT_IDS } from '../../../src/watch/adapters/types.ts';
import type { FormatId } from '../../../src/watch/adapters/types.ts';

const N = Number(process.argv[2] ?? 300_000);
const KEY = 'bench-identity-key-0123456789';
const hasher = new IdentityHasher(KEY);

/**
 * The same hashes as IdentityHasher, with the HMAC key made a KeyObject once instead of per call
 * (`createHmac(alg, Buffer)` builds a key object every time: ~12.6 µs against ~2.1 µs on the
 * benchmark machine). Bench only: shows what the adapters reach with that change in src/core/identity.ts.
 */
class KeyObjectHasher extends IdentityHasher {
  readonly #k: KeyObject;
  constructor(key: string) {
    super(key);
    this.#k = createSecretKey(Buffer.from(key, 'utf8'));
  }
  override hash(raw: string | undefined | null): IdentityHash | undefined {
    if (raw === undefined || raw === null || raw === '' || raw === '-') return undefined;
    if (isIdentityHash(raw)) return raw;
    return `h:${createHmac('sha256', this.#k).update(raw, 'utf8').digest().subarray(0, 16).toString('base64url')}` as IdentityHash;
  }
}
const fastHasher = new KeyObjectHasher(KEY);

/** KeyObjectHasher plus a bounded map of recent values (the research note's "hash each distinct cookie once"). */
class MemoHasher extends KeyObjectHasher {
  readonly #memo = new Map<string, IdentityHash | undefined>();
  override hash(raw: string | undefined | null): IdentityHash | undefined {
    if (raw === undefined || raw === null) return undefined;
    let h = this.#memo.get(raw);
    if (h === undefined) {
      h = super.hash(raw);
      if (this.#memo.size >= 10_000) this.#memo.clear();
      this.#memo.set(raw, h);
    }
    return h;
  }
}
const memoHasher = new MemoHasher(KEY);
if (fastHasher.hash('check') !== hasher.hash('check')) throw new Error('KeyObjectHasher differs from IdentityHasher');

/** No hashing at all (values passed through as if already hashed): the adapters' own cost. */
class NoHasher extends IdentityHasher {
  override hash(raw: string | undefined | null): IdentityHash | undefined {
    return raw === undefined || raw === null || raw === '' || raw === '-' ? undefined : (raw as IdentityHash);
  }
}
const noHasher = new NoHasher(KEY);

const sid = (i: number) => `s${(i % 1000).toString(16).padStart(31, '0')}`;
const owner = (i: number) => hasher.hash(sid(i + (i % 7 === 0 ? 1 : 0)))!;
const pick = <T>(i: number, xs: readonly T[]): T => xs[i % xs.length]!;
const path = (i: number) => pick(i, ['/mypage', '/api/me', '/products/42?ref=home', '/', '/static/app.js']);
const t0 = 1_795_259_353_000;

const makers: Record<FormatId, (i: number) => string> = {
  'nginx-json': (i) =>
    JSON.stringify({
      time: '2026-11-21T11:09:13+00:00',
      msec: (t0 + i) / 1000,
      edge: 'edge-tyo-1',
      host: 'www.example.jp',
      method: 'GET',
      uri: path(i),
      status: 200,
      cache: pick(i, ['HIT', 'MISS', 'HIT', '-', 'EXPIRED']),
      identity: sid(i),
      identity_kind: 'cookie',
      owner: i % 3 === 0 ? owner(i) : '',
      set_cookie: i % 50 === 0 ? `sid=${sid(i + 1)}; Path=/; HttpOnly` : '',
      cache_control: 'private, no-store',
      expires: '',
      vary: '',
      age: '',
      bytes: 1401,
      request_time: 0.002,
      upstream_response_time: '0.002',
      upstream_status: '200',
      request_id: 'e19b4a937536ac09e283f74d52e1986a',
    }),
  varnishncsa: (i) =>
    JSON.stringify({
      time: '2026-11-21T11:09:15+0000',
      msec: ((t0 + i) / 1000).toFixed(6),
      edge: 'edge-tyo-1',
      host: 'www.example.jp',
      method: 'GET',
      uri: path(i),
      status: 200,
      cache: pick(i, ['HIT', 'MISS', 'PASS']),
      handling: pick(i, ['hit', 'miss', 'pass']),
      waitinglist: i % 40 === 0 ? '1795259355.091' : '',
      identity: sid(i),
      identity_kind: 'cookie',
      owner: i % 3 === 0 ? owner(i) : '',
      set_cookie: '',
      cache_control: 'private, no-store',
      expires: '',
      vary: '',
      age: '0',
      bytes: '1401',
      duration_us: 151,
      ttfb: '0.000069',
      fetch_time: '',
      vxid: String(i),
      hit_vxid: '65539',
    }),
  'fastly-json': (i) =>
    JSON.stringify({
      time: String(t0 + i),
      elapsed_us: 413,
      pop: 'NRT',
      node: 'cache-nrt-rjtf7700047-NRT',
      host: 'www.example.jp',
      method: 'GET',
      url: path(i),
      status: 200,
      state: pick(i, ['HIT', 'MISS', 'HIT-CLUSTER', 'PASS', 'HIT-WAIT']),
      digest: '5c0f3d7e9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293e21a',
      viewer: `0x${'0'.repeat(24)}${(i % 1000).toString(16).padStart(40, '0')}`,
      owner: i % 3 === 0 ? owner(i) : '',
      set_cookie: '',
      cache_control: 'private, no-store',
      age: '0',
      request_id: 'a1b2c3d4',
    }),
  cloudflare: (i) =>
    JSON.stringify({
      RayID: '8f3a1c2b9d7e4a10',
      EdgeStartTimestamp: (t0 + i) * 1e6 - 4e8,
      EdgeEndTimestamp: (t0 + i) * 1e6,
      EdgeColoCode: 'NRT',
      ClientIP: '203.0.113.24',
      ClientRequestHost: 'www.example.jp',
      ClientRequestMethod: 'GET',
      ClientRequestURI: path(i),
      CacheCacheStatus: pick(i, ['hit', 'miss', 'dynamic']),
      OriginResponseStatus: 0,
      EdgeResponseStatus: 200,
      EdgeResponseBytes: 18234,
      EdgeResponseContentType: 'text/html',
      Cookies: { sid: sid(i) },
      ResponseHeaders: { 'x-cachewarden-owner': i % 3 === 0 ? owner(i) : '', 'cache-control': 'private, no-store' },
    }),
  cloudfront: (i) =>
    [
      '2026-11-21', '11:09:13', 'NRT57-P2', '18602', '203.0.113.24', 'GET', 'd111111abcdef8.cloudfront.net', path(i).split('?')[0], '200', '-',
      'Mozilla/5.0%20(iPhone)', path(i).split('?')[1] ?? '-', `sid=${sid(i)};%20theme=dark`, pick(i, ['Hit', 'Miss', 'RefreshHit']),
      'Q1a2b3c4d5e6f7g8h9i0jklmnopqrs==', 'www.example.jp', 'https', '611', '0.412', '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'Hit',
      'HTTP/2.0', '-', '-', '52311', '0.409', 'Hit', 'text/html', '18234', '-', '-',
    ].join('\t'),
  'cloudfront-realtime': (i) =>
    [
      ((t0 + i) / 1000).toFixed(3), '200', 'GET', path(i).split('?')[0], 'NRT57-P2', 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrs==', 'www.example.jp', '0.412',
      `sid=${sid(i)}`, path(i).split('?')[1] ?? '-', 'Hit', pick(i, ['Hit', 'Miss']), 'Hit',
    ].join('\t'),
  'akamai-ds2': (i) =>
    JSON.stringify({
      version: '1',
      cp: '123456',
      reqId: '1a2b3c4d',
      reqTimeSec: ((t0 + i) / 1000).toFixed(3),
      cliIP: '203.0.113.24',
      reqHost: 'www.example.jp',
      reqMethod: 'GET',
      reqPath: path(i).split('?')[0],
      queryStr: path(i).split('?')[1],
      statusCode: '200',
      bytes: '18234',
      cacheStatus: pick(i, ['1', '0']),
      cacheable: '1',
      edgeIP: '198.51.100.17',
      turnAroundTimeMSec: '11',
      transferTimeMSec: '3',
      cookie: `sid=${sid(i)}`,
      customField: i % 3 === 0 ? owner(i) : '',
    }),
};

function bench(label: string, lines: readonly string[], fn: (l: string) => unknown): { rate: number; mbs: number } {
  const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
  for (let r = 0; r < 2; r++) for (let i = 0; i < Math.min(lines.length, 50_000); i++) fn(lines[i]!); // warm up
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) fn(lines[i]!);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  const rate = lines.length / best;
  const mbs = bytes / best / 1e6;
  console.log(`${label.padEnd(52)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} lines/s ${mbs.toFixed(0).padStart(5)} MB/s  (${Math.round(bytes / lines.length)} B/line)`);
  return { rate, mbs };
}

console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${N.toLocaleString('en-US')} lines per format, best of 3\n`);
for (const id of FORMAT_IDS) {
  const lines = Array.from({ length: N }, (_, i) => makers[id](i));
  const adapter = createAdapter(id, { hasher });
  const bad = lines.slice(0, 1000).filter((l) => !adapter.parse(l).ok).length;
  if (bad > 0) throw new Error(`${id}: ${bad} of the first 1000 bench lines were rejected`);
  const json = lines[0]!.startsWith('{');
  bench(`${id}: baseline ${json ? 'JSON.parse' : "split('\\t')"}`, lines, json ? (l) => JSON.parse(l) : (l) => l.split('\t'));
  bench(`${id}: parse + hash`, lines, (l) => adapter.parse(l));
  const fast = createAdapter(id, { hasher: fastHasher });
  bench(`${id}: parse + hash (KeyObject key)`, lines, (l) => fast.parse(l));
  const memo = createAdapter(id, { hasher: memoHasher });
  bench(`${id}: parse + hash (KeyObject + memo)`, lines, (l) => memo.parse(l));
  const bare = createAdapter(id, { hasher: noHasher });
  bench(`${id}: parse only (no HMAC)`, lines, (l) => bare.parse(l));
  console.log('');
}
