/**
 * The client is capable of the collapse race (P05): two accounts, each on a fresh connection,
 * released together at one URL on one edge. Through the lab emulator with the Fastly profile in
 * front of the 2017 origin (`Cache-Control: no-cache` + a past `Expires`), the second request waits
 * behind the first one's origin fetch and is handed the first account's page.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { startEmulator } from '../../../lab/emulator/proxy.ts';
import { canaryAccounts, startOrigin, SESSION_COOKIE } from '../../../lab/origin/index.ts';
import { createSessions } from '../../../src/probe/accounts.ts';
import { createEdgeClient } from '../../../src/probe/client.ts';
import { resolveEdges } from '../../../src/probe/edges.ts';
import { hasher, settingsFor, until } from './helpers.ts';

test('a race pair on fresh connections through a collapsing cache: the second account receives the first one\'s page', async (t) => {
  // A long origin delay makes the collapsing window wide: B is sent well inside A's origin fetch.
  const origin = await startOrigin({ personalizedHeaders: 'incident2017', delayMs: 1000 });
  t.after(() => origin.close());
  // A TCP tap between the cache and the origin, to know when A's fetch has reached the origin.
  let upstream = '';
  const sockets = new Set<Socket>();
  const tap = createServer((down) => {
    const up = connect(origin.port, origin.host);
    sockets.add(down).add(up);
    down.on('data', (d: Buffer) => (upstream += d.toString('latin1')));
    down.pipe(up).pipe(down);
    up.on('error', () => down.destroy());
    down.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => tap.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const sock of sockets) sock.destroy();
    return new Promise<void>((r) => tap.close(() => r()));
  });
  const tapUrl = `http://127.0.0.1:${(tap.address() as AddressInfo).port}`;
  const edge = await startEmulator({ origin: tapUrl, routes: [{ match: '/*', profile: { id: 'fastly' } }] });
  t.after(() => edge.stop());
  const port = Number(new URL(edge.url).port);

  const accounts = canaryAccounts(origin, { nameOnly: true });
  const settings = settingsFor(`http://shop.example.test:${port}`, accounts, { concurrency: 2 });
  const [pinned] = await resolveEdges(settings);
  const sessions = createSessions(accounts, settings, [SESSION_COOKIE], hasher(), { edge: pinned! });
  await sessions.ready(); // logins pass through the emulator (POST is never cached)
  const client = createEdgeClient(pinned!, settings, sessions);
  t.after(() => client.close());

  // One fresh cache key for both sides, so nothing stored earlier takes part.
  const url = client.bust('/mypage');
  const [a, b] = await client.prepare([
    { who: 'alice', path: url, opts: { freshConnection: true } },
    { who: 'bob', path: url, opts: { freshConnection: true } },
  ]);
  const first = a!.send();
  // B goes as soon as A's request is at the origin: inside the origin's time to first byte.
  await until(() => upstream.includes(`GET ${url} `), "alice's request reached the origin");
  const second = b!.send();
  const [ra, rb] = await Promise.all([first, second]);

  assert.equal(ra.status, 200);
  assert.deepEqual(ra.markersOf, ['alice']);
  assert.equal(ra.ownerIs, 'alice');
  assert.equal(ra.outcome, 'MISS');

  // Bob asked for his page and received Alice's: by marker, by owner tag, and by body hash.
  assert.equal(rb.who, 'bob');
  assert.deepEqual(rb.markersOf, ['alice']);
  assert.equal(rb.ownerIs, 'alice');
  assert.equal(rb.outcome, 'COLLAPSED');
  assert.equal(rb.bodySha256, ra.bodySha256);
  assert.equal(rb.url, ra.url);
  assert.deepEqual(rb.strangerFields, ['email', 'phone', 'postal-code', 'card-last4', 'card-expiry', 'bank-account'], 'the kinds of Alice\'s data Bob saw');
  assert.ok(!JSON.stringify(rb).includes(origin.person('u01')!.email), 'the data itself is not kept');
  assert.equal(rb.headers['cache-control'], 'no-cache');
  assert.equal(rb.headers['expires'], 'Thu, 01 Jan 1970 00:00:01 GMT');

  // Sequentially, the same URL is not a leak on this cache (TTL 0): only the race shows it.
  const later = await client.fetch('bob', url);
  assert.deepEqual(later.markersOf, ['bob']);
});
