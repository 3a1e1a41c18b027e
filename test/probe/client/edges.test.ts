import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { parseTarget, resolveEdges } from '../../../src/probe/edges.ts';

test('explicit edges: IP addresses, deduplicated, labelled with the target name', async () => {
  const edges = await resolveEdges({ target: 'https://shop.example.test', edges: ['127.0.0.2', '127.0.0.3', '127.0.0.2', '[::1]'] });
  assert.deepEqual(edges, [
    { address: '127.0.0.2', label: 'shop.example.test (127.0.0.2)' },
    { address: '127.0.0.3', label: 'shop.example.test (127.0.0.3)' },
    { address: '::1', label: 'shop.example.test (::1)' },
  ]);
});

test('explicit edges must be IP addresses', async () => {
  await assert.rejects(
    resolveEdges({ target: 'https://shop.example.test', edges: ['edge.example.net'] }),
    (e: unknown) => e instanceof CwError && e.code === 'CW_CONFIG_INVALID_VALUE' && /edge\.example\.net/.test(e.message) && !e.line().includes('\n'),
  );
});

test('without edges: every address the name resolves to, or the IP literal itself', async () => {
  const lookup = async (host: string) => {
    assert.equal(host, 'shop.example.test');
    return [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.3', family: 4 },
    ];
  };
  assert.deepEqual(
    (await resolveEdges({ target: 'http://shop.example.test:8080' }, { lookup })).map((e) => e.address),
    ['127.0.0.2', '127.0.0.3'],
  );
  assert.deepEqual(await resolveEdges({ target: 'http://127.0.0.1:8080' }), [{ address: '127.0.0.1', label: '127.0.0.1' }]);
  assert.deepEqual(await resolveEdges({ target: 'http://[::1]:8080' }), [{ address: '::1', label: '::1' }]);
  // The real resolver, on a name every machine has.
  const local = await resolveEdges({ target: 'http://localhost:8080' });
  assert.ok(local.length >= 1);
});

test('a name that does not resolve is a one-line CwError naming the host and probe.edges', async () => {
  await assert.rejects(resolveEdges({ target: 'https://no-such-host.invalid' }), (e: unknown) => {
    assert.ok(e instanceof CwError);
    assert.equal(e.code, 'CW_PROBE_UNREACHABLE');
    assert.match(e.message, /no-such-host\.invalid/);
    assert.match(e.message, /probe\.edges/);
    assert.ok(!e.line().includes('\n'));
    return true;
  });
});

test('parseTarget: Host header keeps a non-default port; credentials in the URL are refused without echoing them', () => {
  assert.deepEqual(parseTarget('https://shop.example.test:8443/base'), {
    protocol: 'https:',
    hostname: 'shop.example.test',
    port: 8443,
    hostHeader: 'shop.example.test:8443',
    origin: 'https://shop.example.test:8443',
  });
  assert.equal(parseTarget('http://shop.example.test').hostHeader, 'shop.example.test');
  assert.equal(parseTarget('http://shop.example.test').port, 80);
  assert.throws(
    () => parseTarget('https://user:hunter2secret@shop.example.test'),
    (e: unknown) => e instanceof CwError && !e.message.includes('hunter2secret'),
  );
});
