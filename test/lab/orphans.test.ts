/**
 * No orphans, ever: not after stop(), not when the test process is terminated, not even when
 * it is killed outright (watchdog; sweeper).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { startNginx } from '../../lab/engines/nginx.ts';
import { listProcesses, sweepLabLeftovers } from '../../lab/engines/process.ts';
import { startVarnish } from '../../lab/engines/varnish.ts';
import { startOrigin } from '../../lab/origin/server.ts';
import type { Origin } from '../../lab/origin/server.ts';
import { engineSkip, requireEngine } from './helpers.ts';

const FIXTURE = new URL('./fixtures/spawn-lab.ts', import.meta.url).pathname;
const skip = engineSkip('nginx') || engineSkip('varnish');

interface Spawned {
  pid: number;
  groups: number[];
  tmpDirs: string[];
  urls: string[];
}

/** Live (non-zombie) processes that belong to the run: in one of its groups, or naming its temp dirs. */
function leftovers(run: Pick<Spawned, 'groups' | 'tmpDirs'>): string[] {
  return listProcesses()
    .filter((p) => p.state !== 'Z' && (run.groups.includes(p.pgid) || run.tmpDirs.some((d) => p.cmdline.includes(d))))
    .map((p) => `${p.pid} ${p.comm} ${p.cmdline}`);
}

function engineProcesses(run: Pick<Spawned, 'groups' | 'tmpDirs'>): string[] {
  return leftovers(run).filter((l) => /nginx|varnishd|varnishncsa|cache-main/.test(l));
}

async function spawnLab(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const rl = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    void exited.then(({ code, signal }) => reject(new Error(`fixture exited early (${code ?? signal})`)));
  });
  rl.close();
  return { child, exited, info: JSON.parse(first) as Spawned };
}

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

let origin: Origin;
before(async () => {
  origin = await startOrigin({ delayMs: 0 });
});
after(async () => {
  await origin.close();
});

test('stop() kills the whole process tree and removes the temp dir', { skip }, async () => {
  requireEngine('nginx');
  requireEngine('varnish');
  const n = await startNginx({ origin: origin.url, scenario: 'S6' });
  const v = await startVarnish({ origin: origin.url, scenario: 'S6' });
  const run = { groups: [...n.pids, ...v.pids], tmpDirs: [n.tmpDir, v.tmpDir] };
  // nginx: master, worker, cache manager, cache loader; varnishd: manager + child; varnishncsa.
  assert.ok(engineProcesses(run).length >= 5, engineProcesses(run).join('\n'));
  await Promise.all([n.stop(), v.stop()]);
  assert.deepEqual(leftovers(run), []);
  for (const d of run.tmpDirs) assert.equal(existsSync(d), false, d);
  await n.stop(); // idempotent
});

test('SIGTERM to a Node process running engines leaves no process and no temp dir', { skip }, async () => {
  requireEngine('nginx');
  requireEngine('varnish');
  const { child, exited, info } = await spawnLab();
  assert.ok(engineProcesses(info).length >= 5);
  child.kill('SIGTERM');
  const how = await exited;
  assert.deepEqual(how, { code: null, signal: 'SIGTERM' });
  assert.deepEqual(leftovers(info), []);
  for (const d of info.tmpDirs) assert.equal(existsSync(d), false, d);
});

test('SIGKILL: the watchdog cleans up after the dead process', { skip }, async () => {
  requireEngine('nginx');
  requireEngine('varnish');
  const { child, exited, info } = await spawnLab();
  child.kill('SIGKILL');
  await exited;
  await until('watchdog cleanup', () => leftovers(info).length === 0 && info.tmpDirs.every((d) => !existsSync(d)));
});

test('SIGKILL without watchdog: the sweeper kills the leftovers of dead runs', { skip }, async () => {
  requireEngine('nginx');
  requireEngine('varnish');
  const stateDir = mkdtempSync(join(tmpdir(), 'cw-lab-state-test-'));
  try {
    const { child, exited, info } = await spawnLab({ CACHEWARDEN_LAB_NO_WATCHDOG: '1', CACHEWARDEN_LAB_STATE_DIR: stateDir });
    assert.equal(readdirSync(stateDir).filter((f) => f.endsWith('.json')).length, 2);
    child.kill('SIGKILL');
    await exited;
    // Nothing cleaned up behind the killed process: the engines are orphans now.
    assert.ok(engineProcesses(info).length >= 5);
    const report = sweepLabLeftovers({ stateDir });
    assert.equal(report.swept.length, 2);
    assert.deepEqual([...report.removed].sort(), [...info.tmpDirs].sort());
    await until('killed processes to exit', () => leftovers(info).length === 0);
    for (const d of info.tmpDirs) assert.equal(existsSync(d), false, d);
    assert.deepEqual(readdirSync(stateDir), []);
    // Runs of live processes are left alone.
    assert.deepEqual(sweepLabLeftovers(), { swept: [], killed: [], removed: [] });
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
