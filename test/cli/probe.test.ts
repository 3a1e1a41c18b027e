import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startEmulator } from '../../lab/emulator/proxy.ts';
import { FASTLY_DEFAULT } from '../../lab/emulator/scenarios.ts';
import { canaryAccounts, LAB_IDENTITY_KEY, startOrigin, type Origin } from '../../lab/origin/index.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-probe-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, target: string, origin: Origin, extra: Record<string, unknown> = {}): string {
  const accounts = canaryAccounts(origin, { nameOnly: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      personalized: ['/mypage*', '/orders*'],
      profile: 'fastly',
      identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] },
      probe: { target, accounts, paths: ['/mypage'], publicPaths: ['/'], state: join(dir, `${name}.db`), ...extra },
    }),
  );
  return file;
}

describe('cachewarden probe', () => {
  it('--once --json behind a TTL-0 collapsing CDN: exit 1, the race reports the leak with evidence, no password printed', async () => {
    const origin = await startOrigin({ personalizedHeaders: 'incident2017', delayMs: 300 });
    const edge = await startEmulator({ origin: origin.url, routes: FASTLY_DEFAULT });
    try {
      const r = await cli(['probe', '--once', '--json', '--config', config('leaky', edge.url, origin)]);
      assert.equal(r.code, 1, r.stderr);
      const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const f of results) for (const k of ['technique', 'verdict', 'url', 'edge', 'accounts', 'evidence']) assert.ok(k in f, `${k} in every result`);
      const race = results.find((f) => f['technique'] === 'probe/concurrent-race')!;
      assert.equal(race['verdict'], 'leak');
      assert.deepEqual((race['accounts'] as string[]).sort(), ['alice', 'bob']);
      assert.match(String(race['message']), /alice's page reached bob|bob's page reached alice/);
      assert.ok(!r.stdout.includes(origin.credentialsFor('u01').password), 'no password in the output');
      assert.match(r.stderr, /probe: \d+ results in [\d.]+ s: [1-9]\d* leak/);
    } finally {
      await edge.stop();
      await origin.close();
    }
  });

  it('--once on a site that sends private: exit 0, text lists no leak', async () => {
    const origin = await startOrigin({ personalizedHeaders: 'private', delayMs: 50 });
    const edge = await startEmulator({ origin: origin.url, routes: FASTLY_DEFAULT });
    try {
      const r = await cli(['probe', '--once', '--config', config('safe', edge.url, origin)]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^probe: 1 path\(s\) × 1 edge\(s\)/);
      assert.doesNotMatch(r.stdout, /^LEAK/m);
      assert.match(r.stdout, /: 0 leak, /);
    } finally {
      await edge.stop();
      await origin.close();
    }
  });

  it('an unreachable target is exit 2 with one line naming it', async () => {
    const origin = await startOrigin({});
    try {
      const r = await cli(['probe', '--once', '--config', config('down', 'http://127.0.0.1:9', origin)]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /127\.0\.0\.1.*\(CW_PROBE_UNREACHABLE\)\n$/);
    } finally {
      await origin.close();
    }
  });

  it('a config without a probe section, or an unknown technique, is exit 2', async () => {
    const bare = join(dir, 'bare.yaml');
    writeFileSync(bare, 'personalized: ["/mypage*"]\n');
    const a = await cli(['probe', '--once', '--config', bare]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /probe: the config has no probe section/);
    const origin = await startOrigin({});
    try {
      const b = await cli(['probe', '--once', '--technique', 'probe/race', '--config', config('tech', origin.url, origin)]);
      assert.equal(b.code, 2);
      assert.match(b.stderr, /unknown technique "probe\/race"/);
    } finally {
      await origin.close();
    }
  });
});
