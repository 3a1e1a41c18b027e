/**
 * The CDN emulator's mechanics, request by request: collapsing hands a TTL-0 object to the
 * waiting requests (fastly), hit-for-pass sends them to the origin (fastly + private), Varnish
 * 7 serializes TTL-0 waiters, nginx without a lock never collapses, Vary keeps variants apart,
 * and every response is one access-log line in the lab's JSON format.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import { startOrigin, type Origin, type PersonalizedHeaderMode } from '../../lab/origin/index.ts';
import { startEmulator, type AccessRecord, type Emulator, type EmulatorRoute } from '../../lab/emulator/proxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-emu-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Fetched {
  status: number;
  cache: string;
  cacheStatus: string;
  owner: string | undefined;
  body: string;
}

async function login(origin: Origin, userId: string): Promise<string> {
  const cred = origin.credentialsFor(userId);
  const r = await request(`${origin.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user: cred.user, password: cred.password }).toString(),
  });
  await r.body.dump();
  const cookies = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const sid = cookies.map((c) => /^sid=([^;]+)/.exec(c)?.[1]).find(Boolean);
  assert.ok(sid, `login of ${userId} gave no session`);
  return sid;
}

async function get(edge: Emulator, path: string, sid?: string, headers: Record<string, string> = {}): Promise<Fetched> {
  const r = await request(`${edge.url}${path}`, { headers: { ...(sid ? { cookie: `sid=${sid}` } : {}), ...headers } });
  const body = await r.body.text();
  const tag = r.headers['x-cachewarden-owner'];
  return { status: r.statusCode, cache: String(r.headers['x-cache']), cacheStatus: String(r.headers['cache-status']), owner: typeof tag === 'string' ? tag : undefined, body };
}

async function withLab(
  mode: PersonalizedHeaderMode,
  routes: readonly EmulatorRoute[],
  fn: (ctx: { origin: Origin; edge: Emulator; sids: string[]; log: () => Promise<AccessRecord[]> }) => Promise<void>,
): Promise<void> {
  const origin = await startOrigin({ personalizedHeaders: mode, delayMs: 300 });
  const accessLog = join(dir, `${mode}-${Math.random().toString(36).slice(2)}.log`);
  const edge = await startEmulator({ origin: origin.url, routes, accessLog });
  try {
    const sids = await Promise.all(['u01', 'u02', 'u03', 'u04'].map((u) => login(origin, u)));
    await fn({
      origin,
      edge,
      sids,
      log: async () => {
        await edge.flushLog();
        return readFileSync(accessLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AccessRecord);
      },
    });
  } finally {
    await edge.stop();
    await origin.close();
  }
}

const owners = (origin: Origin, rs: Fetched[]) => rs.map((r) => origin.userForOwnerTag(r.owner));

describe('CDN emulator', () => {
  it('fastly: a TTL-0 page (no-cache + past Expires) is handed to every collapsed request, then not reused', async () => {
    await withLab('incident2017', [{ match: '/*', profile: { id: 'fastly' } }], async ({ origin, edge, sids, log }) => {
      const rs = await Promise.all(sids.map((sid) => get(edge, '/mypage', sid)));
      const seen = owners(origin, rs);
      assert.equal(new Set(seen).size, 1, `all four got one person's page: ${seen.join(',')}`);
      assert.deepEqual(rs.map((r) => r.cache).sort(), ['HIT', 'HIT', 'HIT', 'MISS']);
      // RFC 9211 says what X-Cache cannot: the three HITs were collapsed onto the one fetch.
      assert.deepEqual(rs.map((r) => r.cacheStatus).sort(), [
        'edge-emulator-1; fwd=miss',
        'edge-emulator-1; fwd=miss; collapsed',
        'edge-emulator-1; fwd=miss; collapsed',
        'edge-emulator-1; fwd=miss; collapsed',
      ]);
      const later = await get(edge, '/mypage', sids[1]);
      assert.equal(later.cache, 'MISS', 'a TTL-0 object is not reused by a later request');
      assert.equal(origin.userForOwnerTag(later.owner), 'u02');
      const lines = (await log()).filter((l) => l.uri === '/mypage');
      assert.equal(lines.filter((l) => l.cache_detail === 'collapsed').length, 3);
    });
  });

  it('fastly: a private page becomes hit-for-pass and the waiters fetch their own pages', async () => {
    await withLab('private', [{ match: '/*', profile: { id: 'fastly' } }], async ({ origin, edge, sids }) => {
      const rs = await Promise.all(sids.map((sid) => get(edge, '/mypage', sid)));
      assert.deepEqual(owners(origin, rs), ['u01', 'u02', 'u03', 'u04']);
      const again = await get(edge, '/mypage', sids[2]);
      assert.equal(again.cache, 'PASS', 'the hit-for-pass marker sends later requests to the origin');
      assert.equal(origin.userForOwnerTag(again.owner), 'u03');
    });
  });

  it('varnish7: a TTL-0 object stored by custom VCL is not shared with waiters (serialized), unlike fastly', async () => {
    const routes: EmulatorRoute[] = [{ match: '/*', profile: { id: 'varnish7', options: { recv: 'hash', backendResponse: { ttl: 0, grace: 0, skipBuiltin: true } } } }];
    await withLab('incident2017', routes, async ({ origin, edge, sids, log }) => {
      const rs = await Promise.all(sids.map((sid) => get(edge, '/mypage', sid)));
      assert.deepEqual(owners(origin, rs), ['u01', 'u02', 'u03', 'u04']);
      // Each waiter was released to fetch its own page: four fills, nothing collapsed.
      const lines = (await log()).filter((l) => l.uri === '/mypage');
      assert.deepEqual(lines.map((l) => `${l.cache}${l.cache_detail}`), ['MISS', 'MISS', 'MISS', 'MISS']);
    });
  });

  it('varnish8: the same TTL-0 object is shared with the waiting requests', async () => {
    const routes: EmulatorRoute[] = [{ match: '/*', profile: { id: 'varnish8', options: { recv: 'hash', backendResponse: { ttl: 0, grace: 0, skipBuiltin: true } } } }];
    await withLab('incident2017', routes, async ({ origin, edge, sids }) => {
      const rs = await Promise.all(sids.map((sid) => get(edge, '/mypage', sid)));
      assert.equal(new Set(owners(origin, rs)).size, 1);
    });
  });

  it('nginx without proxy_cache_lock never collapses: concurrent misses each reach the origin', async () => {
    const routes: EmulatorRoute[] = [{ match: '/*', profile: { id: 'nginx', options: { ignoreHeaders: ['Cache-Control', 'Expires'], valid: [{ codes: [200], seconds: 60 }] } } }];
    await withLab('incident2017', routes, async ({ origin, edge, sids }) => {
      const rs = await Promise.all(sids.map((sid) => get(edge, '/mypage', sid)));
      assert.deepEqual(owners(origin, rs), ['u01', 'u02', 'u03', 'u04']);
      assert.deepEqual(rs.map((r) => r.cache), ['MISS', 'MISS', 'MISS', 'MISS']);
      const later = await get(edge, '/mypage'); // an anonymous visitor
      assert.equal(later.cache, 'HIT');
      assert.ok(['u01', 'u02', 'u03', 'u04'].includes(origin.userForOwnerTag(later.owner) ?? ''), 'the anonymous visitor got a stored account page');
    });
  });

  it('honours Vary: Cookie with variants per cookie, and leaks once Vary is ignored', async () => {
    const honour: EmulatorRoute[] = [{ match: '/*', profile: { id: 'nginx' } }];
    await withLab('public-vary-cookie', honour, async ({ origin, edge, sids }) => {
      const first = [await get(edge, '/mypage', sids[0]), await get(edge, '/mypage', sids[1])];
      assert.deepEqual(owners(origin, first), ['u01', 'u02']);
      const again = await get(edge, '/mypage', sids[0]);
      assert.equal(again.cache, 'HIT');
      assert.equal(origin.userForOwnerTag(again.owner), 'u01');
    });
    const ignore: EmulatorRoute[] = [{ match: '/*', profile: { id: 'nginx', options: { ignoreHeaders: ['Vary'] } } }];
    await withLab('public-vary-cookie', ignore, async ({ origin, edge, sids }) => {
      await get(edge, '/mypage', sids[0]);
      const other = await get(edge, '/mypage', sids[1]);
      assert.equal(other.cache, 'HIT');
      assert.equal(origin.userForOwnerTag(other.owner), 'u01');
    });
  });

  it('writes one JSON access-log line per response with edge, outcome, raw identity and owner tag', async () => {
    await withLab('private', [{ match: '/static/*', profile: { id: 'nginx' } }], async ({ origin, edge, sids, log }) => {
      await get(edge, '/static/app.css', sids[0]);
      await get(edge, '/static/app.css', sids[1]);
      await get(edge, '/mypage', sids[0]);
      const lines = await log();
      assert.equal(lines.length, 3);
      assert.deepEqual(lines.map((l) => [l.uri, l.cache]), [
        ['/static/app.css', 'MISS'],
        ['/static/app.css', 'HIT'],
        ['/mypage', 'PASS'],
      ]);
      for (const l of lines) {
        assert.equal(l.edge, edge.edge);
        assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.equal(typeof l.msec, 'number');
      }
      assert.equal(lines[0]!.identity, sids[0]);
      assert.equal(origin.userForOwnerTag(lines[2]!.owner), 'u01');
    });
  });

  it('passes requests no route covers, and answers 502 with an ERROR line when the origin is down', async () => {
    const origin = await startOrigin({});
    const accessLog = join(dir, 'down.log');
    const edge = await startEmulator({ origin: origin.url, routes: [], accessLog });
    try {
      assert.equal((await get(edge, '/about')).cache, 'PASS');
      await origin.close();
      const down = await get(edge, '/about');
      assert.equal(down.status, 502);
      assert.equal(down.cache, 'ERROR');
    } finally {
      await edge.stop();
    }
  });
});
