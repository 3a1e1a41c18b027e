import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { startOrigin, SESSION_COOKIE } from '../../../lab/origin/index.ts';
import type { Origin } from '../../../lab/origin/index.ts';
import { atJsonPath, createSessions, validateAccounts } from '../../../src/probe/accounts.ts';
import { createEdgeClient } from '../../../src/probe/client.ts';
import type { AccountConfig } from '../../../src/probe/types.ts';
import { fastify, hasher, listen, settingsFor } from './helpers.ts';

const EDGE = { address: '127.0.0.1', label: 'shop.example.test (127.0.0.1)' };

function rejectsConfig(accounts: AccountConfig[], pattern: RegExp): void {
  assert.throws(
    () => validateAccounts(accounts),
    (e: unknown) => e instanceof CwError && e.code === 'CW_CONFIG_INVALID_VALUE' && pattern.test(e.message) && !e.line().includes('\n'),
  );
}

test('account configs: at least one, unique names, markers, credentials; one-line errors', () => {
  const ok: AccountConfig = { name: 'alice', headers: { Cookie: 'sid=1' }, markers: ['Alice Canary-7Q2'] };
  rejectsConfig([], /at least one canary account/);
  rejectsConfig([ok, { ...ok, markers: ['Other Marker'] }], /"alice" is used twice/);
  rejectsConfig([{ ...ok, markers: [] }], /no markers/);
  rejectsConfig([{ ...ok, markers: [''] }], /no markers/);
  rejectsConfig([{ ...ok, name: 'anonymous' }], /reserved/);
  rejectsConfig([{ name: 'bob', markers: ['Bob Canary'] }], /no credentials/);
  rejectsConfig([ok, { name: 'bob', headers: { Cookie: 'sid=2' }, markers: ['Alice Canary-7Q2 junior'] }], /marker of alice also occurs in a marker of bob/);
  assert.doesNotThrow(() => validateAccounts([ok]));
});

test('token paths', () => {
  const doc = { token: 't1', data: { access_token: 't2', list: [{ v: 't3' }] } };
  assert.equal(atJsonPath(doc, 'token'), 't1');
  assert.equal(atJsonPath(doc, 'data.access_token'), 't2');
  assert.equal(atJsonPath(doc, '$.data.list[0].v'), 't3');
  assert.equal(atJsonPath(doc, 'data.missing.x'), undefined);
});

async function labAccounts(origin: Origin): Promise<AccountConfig[]> {
  const [p1, p2] = origin.people;
  const c1 = origin.credentialsFor(p1!.id);
  const c2 = origin.credentialsFor(p2!.id);
  return [
    { name: 'alice', login: { url: '/login', form: { user: c1.user, password: c1.password } }, markers: [p1!.name, p1!.email] },
    { name: 'bob', login: { url: '/api/login', json: { user: c2.user, password: c2.password }, session: 'token:token' }, markers: [p2!.name] },
  ];
}

test('login recipes against the lab origin: form → session cookie, JSON → bearer token; owner tags name the account', async (t) => {
  const origin = await startOrigin({ delayMs: 0 });
  t.after(() => origin.close());
  const accounts = await labAccounts(origin);
  const settings = settingsFor(`http://shop.example.test:${origin.port}`, accounts);
  const sessions = createSessions(accounts, settings, [SESSION_COOKIE], hasher(), { edge: EDGE });
  assert.equal(sessions.view.allCredentialsKnown(), false, 'nobody has logged in yet');
  await sessions.ready();
  assert.equal(origin.counters().logins, 2);
  assert.equal(sessions.view.allCredentialsKnown(), true);
  const alice = await sessions.headersFor('alice');
  assert.match(alice.headers['cookie'] ?? '', /^sid=[0-9a-f]+$/);
  const bob = await sessions.headersFor('bob');
  assert.match(bob.headers['authorization'] ?? '', /^Bearer \S+$/);
  assert.equal(origin.userForSession(alice.headers['cookie']!.slice(4)), origin.people[0]!.id);

  const client = createEdgeClient(EDGE, settings, sessions);
  t.after(() => client.close());
  const page = await client.fetch('alice', '/mypage');
  assert.equal(page.status, 200);
  assert.deepEqual(page.markersOf, ['alice']);
  assert.equal(page.ownerIs, 'alice');
  assert.equal(page.ownerTag, origin.ownerTagFor(origin.people[0]!.id));
  assert.equal(page.strangerFields, undefined);
  const me = await client.fetch('bob', '/api/me');
  assert.deepEqual(me.markersOf, ['bob']);
  assert.equal(me.ownerIs, 'bob');
  const anon = await client.fetch('anonymous', '/api/me');
  assert.equal(anon.status, 401);
  assert.equal(anon.error, undefined, 'a 401 for anonymous is an answer, not an expired session');
  assert.equal(origin.counters().logins, 2, 'sessions are reused');
  assert.equal(JSON.stringify(sessions), '"[Sessions]"');
});

test('re-login after the origin forgets its sessions (a restart on the same port), once per account', async (t) => {
  let origin = await startOrigin({ delayMs: 0 });
  const port = origin.port;
  t.after(() => origin.close());
  const accounts = await labAccounts(origin);
  const settings = settingsFor(`http://shop.example.test:${port}`, accounts);
  const sessions = createSessions(accounts, settings, [SESSION_COOKIE], hasher(), { edge: EDGE });
  const client = createEdgeClient(EDGE, settings, sessions);
  t.after(() => client.close());
  assert.equal((await client.fetch('alice', '/mypage')).ownerIs, 'alice');
  assert.equal((await client.fetch('bob', '/api/me')).ownerIs, 'bob');
  const before = (await sessions.headersFor('alice')).generation;

  await origin.close();
  origin = await startOrigin({ delayMs: 0, port });
  // Alice's page now redirects to /login (expired); Bob's API answers 401 (expired).
  const [a1, a2, b1] = await Promise.all([client.fetch('alice', '/mypage'), client.fetch('alice', '/orders'), client.fetch('bob', '/api/me')]);
  for (const r of [a1, a2]) {
    assert.equal(r.status, 200, JSON.stringify(r));
    assert.deepEqual(r.markersOf, ['alice']);
    assert.equal(r.ownerIs, 'alice', 'the new session\'s tag is known');
  }
  assert.equal(b1.status, 200);
  assert.equal(b1.ownerIs, 'bob');
  assert.equal(origin.counters().logins, 2, 'one login per account, although two of alice\'s requests saw the expiry');
  assert.equal((await sessions.headersFor('alice')).generation, before + 1);
});

test('a fastify site that expires tokens: login through the edge with Host kept, JSON token path, 401 → re-login → retry', async (t) => {
  const tokens = new Set<string>();
  const seen: Array<{ method: string; url: string; host: string | undefined }> = [];
  let logins = 0;
  const app = fastify();
  app.addHook('onRequest', async (req) => {
    seen.push({ method: req.method, url: req.url, host: req.headers.host });
  });
  app.post('/auth', async (req, reply) => {
    const body = req.body as { user?: string; password?: string };
    if (body.user !== 'canary-1' || body.password !== 'pw-s3cret-value') return reply.code(403).send({ error: 'no' });
    logins++;
    const token = randomBytes(12).toString('hex');
    tokens.add(token);
    return { data: { access_token: token } };
  });
  app.get('/api/me', async (req, reply) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !tokens.has(token)) return reply.code(401).send({ error: 'expired' });
    return { name: 'Canary One Q7' };
  });
  const port = await listen(app);
  t.after(() => app.close());

  const accounts: AccountConfig[] = [
    { name: 'one', login: { url: '/auth', json: { user: 'canary-1', password: 'pw-s3cret-value' }, session: 'token:data.access_token' }, markers: ['Canary One Q7'] },
    { name: 'two', headers: { Authorization: 'Bearer static-token-0123456789' }, markers: ['Canary Two K2'] },
  ];
  const settings = settingsFor(`http://shop.example.test:${port}`, accounts);
  const client = createEdgeClient(EDGE, settings, createSessions(accounts, settings, ['sid'], hasher(), { edge: EDGE }));
  t.after(() => client.close());

  assert.deepEqual((await client.fetch('one', '/api/me')).markersOf, ['one']);
  tokens.clear(); // the site forgets every token
  const again = await client.fetch('one', '/api/me');
  assert.equal(again.status, 200);
  assert.deepEqual(again.markersOf, ['one']);
  assert.equal(logins, 2);
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url} ${s.host}`),
    [
      `POST /auth shop.example.test:${port}`,
      `GET /api/me shop.example.test:${port}`,
      `GET /api/me shop.example.test:${port}`,
      `POST /auth shop.example.test:${port}`,
      `GET /api/me shop.example.test:${port}`,
    ],
  );
  // Configured headers cannot be renewed: the response says so, without the secret.
  const two = await client.fetch('two', '/api/me');
  assert.equal(two.status, 401);
  assert.match(two.error ?? '', /account two: the site no longer accepts its session \(401\); renew its headers/);
  assert.ok(!JSON.stringify(two).includes('static-token'));
});

test('a failed login is a one-line CwError that names the account and URL, never the secret', async (t) => {
  const origin = await startOrigin({ delayMs: 0 });
  t.after(() => origin.close());
  const p = origin.people[0]!;
  const bad: AccountConfig[] = [{ name: 'alice', login: { url: '/login?x=1', form: { user: p.id, password: 'wrong-pass-zz9' } }, markers: [p.name] }];
  const settings = settingsFor(`http://shop.example.test:${origin.port}`, bad);
  await assert.rejects(createSessions(bad, settings, [SESSION_COOKIE], hasher(), { edge: EDGE }).ready(), (e: unknown) => {
    assert.ok(e instanceof CwError);
    assert.equal(e.code, 'CW_PROBE_LOGIN_FAILED');
    assert.equal(
      e.line(),
      `probe account alice: login at http://shop.example.test:${origin.port}/login answered 401; check its login recipe (url, fields, session) and credentials (CW_PROBE_LOGIN_FAILED)`,
    );
    assert.ok(!e.message.includes('wrong-pass'));
    return true;
  });
  const noToken: AccountConfig[] = [
    { name: 'bob', login: { url: '/api/login', json: { user: p.id, password: origin.credentialsFor(p.id).password }, session: 'token:access_token' }, markers: [p.name] },
  ];
  await assert.rejects(
    createSessions(noToken, settings, [SESSION_COOKIE], hasher(), { edge: EDGE }).ready(),
    (e: unknown) => e instanceof CwError && /without a token at access_token/.test(e.message),
  );
});
