/**
 * The pinned client against a real nginx on 127.0.0.2 (scenario S2a: account pages cached for
 * 10 minutes by URL only): logins pass through it, and a sequential cross-identity request shows
 * the first account's page to the second, with nginx's own cache status.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startNginx } from '../../../lab/engines/nginx.ts';
import { canaryAccounts, startOrigin, SESSION_COOKIE } from '../../../lab/origin/index.ts';
import { createSessions } from '../../../src/probe/accounts.ts';
import { createEdgeClient } from '../../../src/probe/client.ts';
import { resolveEdges } from '../../../src/probe/edges.ts';
import { engineSkip, requireEngine } from '../../lab/helpers.ts';
import { hasher, settingsFor } from './helpers.ts';

test('real nginx pinned on 127.0.0.2: Host kept, login through the edge, a cached account page reaches the other account', { skip: engineSkip('nginx') }, async (t) => {
  requireEngine('nginx');
  const origin = await startOrigin({ delayMs: 0 });
  t.after(() => origin.close());
  const nginx = await startNginx({ origin: origin.url, scenario: 'S2a', address: '127.0.0.2' });
  t.after(() => nginx.stop());

  const accounts = canaryAccounts(origin, { nameOnly: true });
  const settings = settingsFor(`http://shop.example.test:${nginx.port}`, accounts, { edges: ['127.0.0.2'] });
  const [edge] = await resolveEdges(settings);
  const sessions = createSessions(accounts, settings, [SESSION_COOKIE], hasher(), { edge: edge! });
  await sessions.ready();
  const client = createEdgeClient(edge!, settings, sessions);
  t.after(() => client.close());

  const url = client.bust('/mypage');
  const a = await client.fetch('alice', url);
  const b = await client.fetch('bob', url);
  assert.equal(a.edge, '127.0.0.2');
  assert.deepEqual(a.markersOf, ['alice']);
  assert.equal(a.outcome, 'MISS');
  assert.deepEqual(b.markersOf, ['alice'], 'bob received alice\'s cached page');
  assert.equal(b.ownerIs, 'alice');
  assert.equal(b.outcome, 'HIT');
  assert.deepEqual(b.pops, [nginx.edge]);

  await nginx.syncLog({ minLines: 4 });
  const hosts = new Set(nginx.readLog().map((r) => r.host));
  assert.deepEqual([...hosts], ['shop.example.test'], 'nginx saw the target Host on every request');
});
