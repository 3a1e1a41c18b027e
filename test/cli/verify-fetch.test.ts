/**
 * `cachewarden verify --fetch` and `--every` through the real launcher against a local server that
 * speaks the Cloudflare API v4 wire format: the live zone is downloaded with the token from the
 * environment, kept as a snapshot, verified (a cache rule that overrides the origin on the account
 * pages is flagged), the next round prints the diff; on a schedule a change that introduces a
 * finding opens an alert (NDJSON sink) whose details are the diff, and the token appears nowhere.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { BIN, cli } from '../helpers/cli.ts';

const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
const TOKEN = 'cf-test-token-3c9d0e1f2a3b4c5d6e7f';
const dir = mkdtempSync(join(tmpdir(), 'cw-verify-fetch-'));
let app: FastifyInstance;
let base = '';
/** What the zone's account rule does: `safe` (cache: false) or `leaky` (cache everything, override the origin). */
let accountRule: 'safe' | 'leaky' = 'leaky';

const envelope = (result: unknown) => ({ success: true, errors: [], messages: [], result });
function ruleset() {
  return {
    id: '2c0fc9fa937b11eaa1b71c4d701ab86e',
    name: 'default',
    kind: 'zone',
    phase: 'http_request_cache_settings',
    version: accountRule === 'safe' ? '4' : '5',
    rules: [
      {
        id: '3a03d665bac047339bb530ecb439a90d',
        ref: '3a03d665bac047339bb530ecb439a90d',
        enabled: true,
        description: 'static assets',
        expression: '(starts_with(http.request.uri.path, "/static/"))',
        action: 'set_cache_settings',
        action_parameters: { cache: true, edge_ttl: { mode: 'respect_origin' } },
      },
      accountRule === 'safe'
        ? { id: '5e1b1c1c4b6c4d2f9a8e7d6c5b4a3f2e', ref: '5e1b1c1c4b6c4d2f9a8e7d6c5b4a3f2e', enabled: true, description: 'account', expression: '(starts_with(http.request.uri.path, "/account"))', action: 'set_cache_settings', action_parameters: { cache: false } }
        : { id: '5e1b1c1c4b6c4d2f9a8e7d6c5b4a3f2e', ref: '5e1b1c1c4b6c4d2f9a8e7d6c5b4a3f2e', enabled: true, description: 'account', expression: '(starts_with(http.request.uri.path, "/account"))', action: 'set_cache_settings', action_parameters: { cache: true, edge_ttl: { mode: 'override_origin', default: 300 } } },
    ],
  };
}

before(async () => {
  app = Fastify();
  app.addHook('preHandler', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply.code(403).send({ success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [], result: null });
    return undefined;
  });
  app.get(`/client/v4/zones/${ZONE}/rulesets/phases/http_request_cache_settings/entrypoint`, async () => envelope(ruleset()));
  app.get(`/client/v4/zones/${ZONE}/pagerules`, async () => envelope([]));
  app.get(`/client/v4/zones/${ZONE}/settings`, async () => envelope([{ id: 'cache_level', value: 'aggressive' }]));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string, extra = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `personalized: ["/account*"]
identity: { cookies: [session] }
verify:
  snapshots: ${join(dir, `${name}-snapshots`)}
  fetch:
    cloudflare: { zoneId: ${ZONE}, endpoint: "${base}/client/v4" }
${extra}`,
  );
  return file;
}

describe('cachewarden verify --fetch cloudflare', () => {
  it('downloads, keeps a snapshot, flags the override on /account, then shows the diff after a fix', async () => {
    accountRule = 'leaky';
    const cfg = config('once');
    const first = await cli(['verify', '--fetch', 'cloudflare', '--config', cfg], { env: { CLOUDFLARE_API_TOKEN: TOKEN } });
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, new RegExp(`^cloudflare ${ZONE} version 5: snapshot .*cloudflare-${ZONE}`, 'm'));
    assert.match(first.stdout, /^critical \(\d+\)$/m);
    assert.match(first.stdout, /cache_rules\.json:\d+:\d+ {2}verify\/route\/personalized-shared/);
    assert.ok(!first.stdout.includes(TOKEN) && !first.stderr.includes(TOKEN), 'the token is never printed');
    const snapRoot = join(dir, 'once-snapshots', `cloudflare-${ZONE}`);
    assert.equal(readdirSync(snapRoot).length, 1);
    const kept = readdirSync(snapRoot)[0]!;
    assert.ok(!readFileSync(join(snapRoot, kept, 'cache_rules.json'), 'utf8').includes(TOKEN));

    accountRule = 'safe';
    await sleep(5); // distinct snapshot time
    const second = await cli(['verify', '--fetch', 'cloudflare', '--config', cfg], { env: { CLOUDFLARE_API_TOKEN: TOKEN } });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^[-+].*override_origin/m, 'the diff shows the rule that changed');
    assert.match(second.stdout, /cachewarden verify: 0 finding\(s\)/);
    assert.equal(readdirSync(snapRoot).length, 2);
  });

  it('without the token: exit 2, one line naming the variable', async () => {
    const r = await cli(['verify', '--fetch', 'cloudflare', '--config', config('notoken')], { env: { CLOUDFLARE_API_TOKEN: '' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim(), /^cachewarden: .*CLOUDFLARE_API_TOKEN.*\(CW_VERIFY_FETCH\)$/);
  });

  it('--every: a change that introduces a finding opens an alert with the diff as its details', async () => {
    accountRule = 'safe';
    const alerts = join(dir, 'alerts.ndjson');
    const cfg = config('every', `alerts:\n  - type: ndjson\n    path: ${alerts}\n`);
    const child = spawn(BIN, ['verify', '--fetch', 'cloudflare', '--every', '300ms', '--config', cfg], { env: { ...process.env, CLOUDFLARE_API_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const waitFor = async (re: RegExp, ms = 20_000) => {
      const end = Date.now() + ms;
      while (!re.test(out) && Date.now() < end) await sleep(50);
      assert.match(out, re);
    };
    try {
      await waitFor(/cachewarden verify: 0 finding/);
      accountRule = 'leaky';
      await waitFor(/OPENED/);
      await waitFor(/cachewarden verify: [1-9]\d* finding/);
      const deadline = Date.now() + 10_000;
      while ((!existsSync(alerts) || readFileSync(alerts, 'utf8').trim() === '') && Date.now() < deadline) await sleep(50);
      const lines = readFileSync(alerts, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; job: string; incident: { rule: string; details?: string; severity: string } });
      const opened = lines.filter((a) => a.kind === 'opened');
      assert.ok(opened.length > 0, JSON.stringify(lines));
      assert.ok(opened.every((a) => a.job === 'verify'));
      assert.ok(opened.some((a) => a.incident.rule === 'verify/route/personalized-shared'));
      assert.match(opened[0]!.incident.details ?? '', /What changed since the previous snapshot/);
      assert.match(opened[0]!.incident.details ?? '', /override_origin/);
      assert.ok(!readFileSync(alerts, 'utf8').includes(TOKEN));
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
    }
  });
});
