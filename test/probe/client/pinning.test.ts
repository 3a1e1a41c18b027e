import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { test } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { createSessions } from '../../../src/probe/accounts.ts';
import { createEdgeClient } from '../../../src/probe/client.ts';
import { resolveEdges } from '../../../src/probe/edges.ts';
import type { AccountConfig } from '../../../src/probe/types.ts';
import { fastify, hasher, listen, selfSignedCert, settingsFor } from './helpers.ts';

const ACCOUNTS: AccountConfig[] = [{ name: 'alice', headers: { Cookie: 'sid=alice-sid-0123456789' }, markers: ['Alice Canary-7Q2'] }];

test('the client connects to the edge address and sends the target Host', async (t) => {
  const seen: Array<{ host: string | undefined; cookie: string | undefined }> = [];
  const app = fastify();
  app.get('/*', async (req) => {
    seen.push({ host: req.headers.host, cookie: req.headers.cookie });
    return 'hello Alice Canary-7Q2';
  });
  const port = await listen(app);
  t.after(() => app.close());

  const settings = settingsFor(`http://shop.example.test:${port}`, ACCOUNTS);
  const [edge] = await resolveEdges(settings);
  const client = createEdgeClient(edge!, settings, createSessions(ACCOUNTS, settings, ['sid'], hasher(), { edge: edge! }));
  t.after(() => client.close());

  const r = await client.fetch('alice', '/mypage');
  assert.equal(r.status, 200);
  assert.equal(r.edge, '127.0.0.1');
  assert.deepEqual(r.markersOf, ['alice']);
  const anon = await client.fetch('anonymous', '/mypage');
  assert.deepEqual(anon.markersOf, ['alice'], 'this test server ignores credentials');
  assert.deepEqual(seen, [
    { host: `shop.example.test:${port}`, cookie: 'sid=alice-sid-0123456789' },
    { host: `shop.example.test:${port}`, cookie: undefined },
  ]);
});

test('two servers on 127.0.0.2 and 127.0.0.3 with the same port: each pinned client reaches its own', async (t) => {
  const hosts: Record<string, string[]> = { '127.0.0.2': [], '127.0.0.3': [] };
  const make = (who: string) => {
    const app = fastify();
    app.get('/*', async (req, reply) => {
      hosts[who]!.push(req.headers.host ?? '');
      reply.header('x-served-by', `cache-${who}`);
      return `served by ${who}`;
    });
    return app;
  };
  const a = make('127.0.0.2');
  const b = make('127.0.0.3');
  let port = await listen(a, '127.0.0.2');
  // The same port on the other address (retry with a new pair if another process holds it there).
  for (let i = 0; ; i++) {
    try {
      await listen(b, '127.0.0.3', port);
      break;
    } catch (e) {
      if (i >= 5) throw e;
      await a.close();
      port = await listen(a, '127.0.0.2');
    }
  }
  t.after(() => Promise.all([a.close(), b.close()]));

  const settings = settingsFor(`http://shop.example.test:${port}`, ACCOUNTS, { edges: ['127.0.0.2', '127.0.0.3'] });
  const edges = await resolveEdges(settings);
  const sessions = createSessions(ACCOUNTS, settings, ['sid'], hasher(), { edge: edges[0]! });
  const clients = edges.map((e) => createEdgeClient(e, settings, sessions));
  t.after(() => Promise.all(clients.map((c) => c.close())));

  const [r2, r3] = await Promise.all(clients.map((c) => c.fetch('alice', '/')));
  assert.deepEqual(r2!.pops, ['cache-127.0.0.2']);
  assert.equal(r2!.edge, '127.0.0.2');
  assert.deepEqual(r3!.pops, ['cache-127.0.0.3']);
  assert.equal(r3!.edge, '127.0.0.3');
  assert.notEqual(r2!.bodySha256, r3!.bodySha256);
  assert.deepEqual(hosts, { '127.0.0.2': [`shop.example.test:${port}`], '127.0.0.3': [`shop.example.test:${port}`] });
});

test('https: SNI and Host are the target name, the certificate is verified against it', async (t) => {
  const { key, cert } = selfSignedCert('shop.example.test');
  const seen: Array<{ host: string | undefined; sni: string | false | null }> = [];
  const server = createHttpsServer({ key, cert }, (req, res) => {
    seen.push({ host: req.headers.host, sni: (req.socket as TLSSocket).servername });
    res.setHeader('cache-control', 'private');
    res.end('<p>Alice Canary-7Q2</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  const settings = settingsFor(`https://shop.example.test:${port}`, ACCOUNTS);
  const [edge] = await resolveEdges(settings);
  const sessions = createSessions(ACCOUNTS, settings, ['sid'], hasher(), { edge: edge! });
  const client = createEdgeClient(edge!, settings, sessions, { tls: { ca: cert } });
  t.after(() => client.close());
  const r = await client.fetch('alice', '/mypage');
  assert.equal(r.status, 200, JSON.stringify(r));
  assert.deepEqual(r.markersOf, ['alice']);
  const fresh = await client.fetch('alice', '/mypage', { freshConnection: true });
  assert.equal(fresh.status, 200);
  assert.deepEqual(seen, [
    { host: `shop.example.test:${port}`, sni: 'shop.example.test' },
    { host: `shop.example.test:${port}`, sni: 'shop.example.test' },
  ]);

  // Another name: the certificate does not cover it; verification fails, with a one-line CwError.
  const wrong = settingsFor(`https://wrong.example.test:${port}`, ACCOUNTS);
  const wrongClient = createEdgeClient(edge!, wrong, createSessions(ACCOUNTS, wrong, ['sid'], hasher(), { edge: edge! }), { tls: { ca: cert } });
  t.after(() => wrongClient.close());
  await assert.rejects(wrongClient.fetch('alice', '/mypage'), (e: unknown) => {
    assert.ok(e instanceof CwError, String(e));
    assert.equal(e.code, 'CW_PROBE_UNREACHABLE');
    assert.match(e.message, /wrong\.example\.test/);
    assert.match(e.message, /ALTNAME/);
    assert.ok(!e.line().includes('\n'));
    return true;
  });
  // Without the test CA, the self-signed certificate is not trusted.
  const untrusted = createEdgeClient(edge!, settings, sessions);
  t.after(() => untrusted.close());
  await assert.rejects(untrusted.fetch('alice', '/mypage'), (e: unknown) => e instanceof CwError && /SELF_SIGNED|UNABLE_TO_VERIFY/.test(e.message));
  assert.equal(seen.length, 2, 'no request reached the server over an unverified connection');
});

test('an unreachable target is a one-line CwError naming the URL and the fix', async (t) => {
  const app = fastify();
  const port = await listen(app);
  await app.close(); // nothing listens there now
  const settings = settingsFor(`http://shop.example.test:${port}`, ACCOUNTS);
  const [edge] = await resolveEdges(settings);
  const client = createEdgeClient(edge!, settings, createSessions(ACCOUNTS, settings, ['sid'], hasher(), { edge: edge! }));
  t.after(() => client.close());
  for (const fresh of [false, true]) {
    await assert.rejects(client.fetch('alice', '/mypage', { freshConnection: fresh }), (e: unknown) => {
      assert.ok(e instanceof CwError, String(e));
      assert.equal(e.code, 'CW_PROBE_UNREACHABLE');
      assert.equal(
        e.line(),
        `cannot reach http://shop.example.test:${port} at edge 127.0.0.1:${port}: connection refused (ECONNREFUSED); check probe.target and probe.edges, and that the site is up (CW_PROBE_UNREACHABLE)`,
      );
      return true;
    });
  }
  assert.equal(client.limiter.stats().inFlight, 0, 'failed requests give their slots back');
});
