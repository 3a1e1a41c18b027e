import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { createSessions } from '../../../src/probe/accounts.ts';
import { BUST_PARAM, bustPath, createEdgeClient, type EdgeClientDeps, type PinnedEdgeClient } from '../../../src/probe/client.ts';
import type { LimiterClock } from '../../../src/probe/limiter.ts';
import type { AccountConfig, ProbeSettings } from '../../../src/probe/types.ts';
import { fastify, hasher, listen, settingsFor, until } from './helpers.ts';

const ACCOUNTS: AccountConfig[] = [
  { name: 'alice', headers: { Cookie: 'sid=alice-sid-0123456789' }, markers: ['Alice Canary-7Q2'] },
  { name: 'bob', headers: { Authorization: 'Bearer bob-token-0123456789' }, markers: ['Bob Canary-K9X'] },
];

async function setup(
  t: { after: (fn: () => unknown) => void },
  routes: (app: FastifyInstance) => void,
  over: Partial<ProbeSettings> = {},
  deps: EdgeClientDeps = {},
): Promise<{ client: PinnedEdgeClient; port: number }> {
  const app = fastify();
  routes(app);
  const port = await listen(app);
  const settings = settingsFor(`http://shop.example.test:${port}`, ACCOUNTS, over);
  const edge = { address: '127.0.0.1', label: 'shop.example.test (127.0.0.1)' };
  const client = createEdgeClient(edge, settings, createSessions(ACCOUNTS, settings, ['sid'], hasher(), { edge }), deps);
  t.after(async () => {
    await client.close();
    await app.close();
  });
  return { client, port };
}

test('redirects are not followed: a 3xx is a response to analyse', async (t) => {
  let followed = 0;
  const { client } = await setup(t, (app) => {
    app.get('/old', async (_req, reply) => reply.redirect('/new?token=abc', 301));
    app.get('/new', async () => {
      followed++;
      return 'new';
    });
  });
  const r = await client.fetch('alice', '/old');
  assert.equal(r.status, 301);
  assert.equal(r.headers['location'], '/new?…');
  assert.equal(followed, 0);
});

test('GET and HEAD only; bad paths, Host overrides and unknown accounts are refused', async (t) => {
  let hits = 0;
  const { client } = await setup(t, (app) => {
    app.all('/*', async (req) => {
      hits++;
      return req.method;
    });
  });
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    await assert.rejects(client.fetch('alice', '/x', { method: method as 'GET' }), /GET and HEAD only/);
  }
  await assert.rejects(client.fetch('alice', 'x'), /start with "\/"/);
  await assert.rejects(client.fetch('alice', '/caf\u00e9\u4e2d'), /percent-encoded/);
  await assert.rejects(client.fetch('alice', '/x', { headers: { Host: 'evil.example' } }), /keeps the target Host/);
  await assert.rejects(client.fetch('mallory', '/x'), /unknown probe account "mallory"/);
  assert.equal(hits, 0);
  const head = await client.fetch('alice', '/x', { method: 'HEAD' });
  assert.equal(head.method, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.bodyBytes, 0);
  assert.equal(hits, 1);
  assert.equal(client.limiter.stats().inFlight, 0);
});

test('bust() adds a fresh cwprobe parameter each call; fetch({ bust }) sends it; the URL keeps its exact encoding', async (t) => {
  const urls: string[] = [];
  const { client } = await setup(t, (app) => {
    app.get('/*', async (req) => {
      urls.push(req.url);
      return 'ok';
    });
  });
  const a = client.bust('/mypage');
  const b = client.bust('/mypage');
  assert.match(a, new RegExp(`^/mypage\\?${BUST_PARAM}=[0-9a-f]{16}$`));
  assert.notEqual(a, b);
  assert.match(bustPath('/p?x=1'), new RegExp(`^/p\\?x=1&${BUST_PARAM}=`));
  assert.match(bustPath('/p?'), new RegExp(`^/p\\?${BUST_PARAM}=`));
  assert.match(bustPath('/p?x=1&'), new RegExp(`^/p\\?x=1&${BUST_PARAM}=[0-9a-f]+$`));
  const r1 = await client.fetch('alice', '/mypage%2Fx.css', { bust: true });
  const r2 = await client.fetch('alice', '/mypage%2Fx.css', { bust: true });
  assert.notEqual(r1.url, r2.url);
  assert.ok(r1.url.startsWith('/mypage%2Fx.css?cwprobe='));
  assert.deepEqual(urls, [r1.url, r2.url]);
});

test('keep-alive connections per account; freshConnection gets a connection of its own', async (t) => {
  const ports: Array<{ who: string; port: number | undefined }> = [];
  const { client } = await setup(t, (app) => {
    app.get('/*', async (req) => {
      const who = req.headers.cookie ? 'alice' : req.headers.authorization ? 'bob' : 'anonymous';
      ports.push({ who, port: req.socket.remotePort });
      return 'ok';
    });
  });
  for (let i = 0; i < 4; i++) await client.fetch('alice', '/a');
  for (let i = 0; i < 2; i++) await client.fetch('bob', '/a');
  await client.fetch('anonymous', '/a');
  await client.fetch('alice', '/a', { freshConnection: true });
  await client.fetch('alice', '/a', { freshConnection: true });
  assert.deepEqual(
    ports.map((x) => x.who),
    ['alice', 'alice', 'alice', 'alice', 'bob', 'bob', 'anonymous', 'alice', 'alice'],
  );
  const p = ports.map((x) => x.port);
  const alice = new Set(p.slice(0, 4));
  const bob = new Set(p.slice(4, 6));
  assert.ok(alice.size < 4, 'alice\'s requests reuse her keep-alive connections');
  for (const port of bob) assert.ok(!alice.has(port), 'bob never rides on alice\'s connections');
  assert.ok(!alice.has(p[6]) && !bob.has(p[6]), 'anonymous has connections of its own');
  const fresh = p.slice(7);
  assert.equal(new Set(fresh).size, 2);
  for (const port of fresh) assert.ok(!p.slice(0, 7).includes(port), 'each fresh request on a new connection');
});

test('anonymous: no credentials sent; per-request headers replace or add', async (t) => {
  const seen: Array<Record<string, unknown>> = [];
  const { client } = await setup(t, (app) => {
    app.get('/*', async (req) => {
      seen.push({ cookie: req.headers.cookie, authorization: req.headers.authorization, fwd: req.headers['x-forwarded-host'] });
      return 'ok';
    });
  });
  const r = await client.fetch('alice', '/', { anonymous: true });
  assert.equal(r.who, 'anonymous');
  await client.fetch('alice', '/', { headers: { 'X-Forwarded-Host': 'canary.example', Cookie: 'sid=other' } });
  assert.deepEqual(seen, [
    { cookie: undefined, authorization: undefined, fwd: undefined },
    { cookie: 'sid=other', authorization: undefined, fwd: 'canary.example' },
  ]);
});

test('bodies are read fully and dropped: analysed up to the bound, counted and hashed whole; gzip is decoded', async (t) => {
  const big = Buffer.alloc(300_000, 'a');
  big.write('Bob Canary-K9X', 10);
  big.write('Alice Canary-7Q2', 250_000);
  const page = '<p>Alice Canary-7Q2</p>';
  const { client } = await setup(
    t,
    (app) => {
      app.get('/big', async (_req, reply) => reply.type('text/plain').send(big));
      app.get('/gz', async (_req, reply) => reply.header('content-encoding', 'gzip').type('text/html').send(gzipSync(page)));
    },
    {},
    { maxBodyBytes: 100_000 },
  );
  const r = await client.fetch('alice', '/big');
  assert.equal(r.bodyBytes, big.length);
  assert.equal(r.bodySha256, createHash('sha256').update(big).digest('hex'));
  assert.deepEqual(r.markersOf, ['bob'], 'only the first 100,000 bytes are searched');
  const gz = await client.fetch('alice', '/gz');
  assert.deepEqual(gz.markersOf, ['alice']);
  assert.equal(gz.bodyBytes, gzipSync(page).length, 'bytes as received on the wire');
  assert.ok(!JSON.stringify(r).includes('aaaa') && !JSON.stringify(gz).includes('<p>'), 'no body text is kept');
});

test('a request that outlives the timeout is a response with an error, not a hang', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { client } = await setup(
    t,
    (app) => {
      app.get('/slow', async () => {
        await gate;
        return 'late';
      });
    },
    { timeout: 200 },
  );
  t.after(() => release());
  const r = await client.fetch('alice', '/slow');
  assert.equal(r.status, 0);
  assert.equal(r.error, 'timeout after 200 ms');
  assert.equal(client.limiter.stats().inFlight, 0);
});

test('concurrency: the server never sees more requests in flight than the limit', async (t) => {
  let inFlight = 0;
  let max = 0;
  let served = 0;
  const { client } = await setup(
    t,
    (app) => {
      app.get('/*', async () => {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        served++;
        return 'ok';
      });
    },
    { concurrency: 3 },
  );
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => client.fetch(i % 2 ? 'alice' : 'bob', `/p${i}`, { freshConnection: i % 3 === 0 })));
  assert.equal(all.filter((r) => r.status === 200).length, 20);
  assert.equal(served, 20);
  assert.ok(max >= 1 && max <= 3, `max in flight at the server: ${max}`);
  assert.ok(client.limiter.stats().maxInFlight <= 3);
});

test('rate: with a frozen clock only the burst goes out; each token lets one more through', async (t) => {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const clock: LimiterClock = {
    now: () => now,
    setTimer(ms, fn) {
      const timer = { at: now + ms, fn };
      timers.push(timer);
      return () => (timers = timers.filter((x) => x !== timer));
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = timers.filter((x) => x.at <= now);
    timers = timers.filter((x) => x.at > now);
    due.forEach((x) => x.fn());
  };
  let received = 0;
  const { client } = await setup(
    t,
    (app) => {
      app.get('/*', async () => {
        received++;
        return 'ok';
      });
    },
    { rate: 4, concurrency: 10 },
    { clock, burst: 2 },
  );
  const done = Promise.all(Array.from({ length: 6 }, (_, i) => client.fetch('alice', `/r${i}`)));
  await until(() => received === 2 && client.limiter.stats().waiting === 4, 'the burst of 2 sent, 4 waiting');
  advance(250); // one token at 4/s
  await until(() => received === 3, 'one more after a quarter second');
  assert.equal(client.limiter.stats().waiting, 3);
  for (const n of [4, 5, 6]) {
    advance(250);
    await until(() => received === n, `request ${n} after another quarter second`);
  }
  await done;
  assert.equal(client.limiter.stats().maxInFlight <= 10, true);
});

test('prepare(): a pair takes its slots together, opens both connections, and sends on demand', async (t) => {
  const arrived: string[] = [];
  const { client } = await setup(
    t,
    (app) => {
      app.get('/*', async (req) => {
        arrived.push(req.headers.cookie ? 'alice' : 'bob');
        return 'ok';
      });
    },
    { concurrency: 2 },
  );
  const [a, b] = await client.prepare([
    { who: 'alice', path: '/race', opts: { freshConnection: true } },
    { who: 'bob', path: '/race', opts: { freshConnection: true } },
  ]);
  assert.equal(client.limiter.stats().inFlight, 2, 'both slots held before anything is sent');
  assert.deepEqual(arrived, []);
  const [ra, rb] = await Promise.all([a!.send(), b!.send()]);
  assert.equal(ra.status, 200);
  assert.equal(rb.status, 200);
  assert.equal(a!.send(), a!.send(), 'send() is idempotent');
  assert.deepEqual(arrived.sort(), ['alice', 'bob']);
  assert.equal(client.limiter.stats().inFlight, 0);
  const [c] = await client.prepare([{ who: 'alice', path: '/never', opts: { freshConnection: true } }]);
  c!.cancel();
  assert.equal(client.limiter.stats().inFlight, 0);
  assert.equal(arrived.length, 2, 'a cancelled request is never sent');
});
