/**
 * Run the real Varnish (varnishd + varnishncsa) in front of the lab origin with a scenario VCL.
 *
 * varnishd runs in the foreground (`-F`) with its own working dir (`-n <tmpDir>/varnishd`),
 * no jail (`-j none`, we are root in the lab), no management port (`-T none`), malloc
 * storage, and `vcl_path` pointing at the temp dir where the scenario and `lab-common.vcl`
 * are rendered. The VCL is compiled with `varnishd -C` first; a rejected VCL throws
 * `EngineConfigError` carrying the VCC compiler's message. varnishncsa (its own process
 * group) writes the access log in the documented JSON format and flushes every line.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { requireBinary } from './binaries.ts';
import { LAB_PROBE_PREFIX, readAccessLog, VARNISHNCSA_FORMAT } from './logs.ts';
import { assertLoopback, createRun, readTail, waitForLog, waitForPort } from './process.ts';
import { renderRun, splitHostPort } from './template.ts';
import { EngineConfigError, EngineStartError } from './types.ts';
import type { EngineInstance, EngineStartOptions } from './types.ts';

export const VARNISH_SCENARIO_DIR = fileURLToPath(new URL('../scenarios/varnish/', import.meta.url));

export interface VarnishOptions extends EngineStartOptions {
  /** Extra `-p name=value` runtime parameters (e.g. `{ default_ttl: '120' }`). */
  params?: Record<string, string>;
  /** `-s` storage. Default `malloc,64m`. */
  storage?: string;
}

export function varnishScenarioFile(scenario: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(scenario)) throw new RangeError(`bad scenario id: ${scenario}`);
  return join(VARNISH_SCENARIO_DIR, `${scenario}.vcl`);
}

export async function startVarnish(opts: VarnishOptions): Promise<EngineInstance> {
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
      if (!(err instanceof EngineStartError && /already in use|Could not get socket/i.test(err.message))) throw err;
    }
  }
  throw lastError;
}

let probeCounter = 0;

async function probe(url: string): Promise<string> {
  const nonce = `${process.pid}-${++probeCounter}-${Date.now()}`;
  try {
    const res = await request(`${url}${LAB_PROBE_PREFIX}sync?n=${nonce}`, { headersTimeout: 2000, bodyTimeout: 2000 });
    await res.body.dump();
  } catch {
    // not up yet
  }
  return nonce;
}

function logHas(file: string, nonce: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(`n=${nonce}`);
  } catch {
    return false;
  }
}

async function startOnce(opts: VarnishOptions): Promise<EngineInstance> {
  const address = opts.address ?? '127.0.0.1';
  assertLoopback(address);
  assertLoopback(splitHostPort(opts.origin).host);
  const varnishd = requireBinary('varnishd');
  const varnishncsa = requireBinary('varnishncsa');
  const template = opts.configFile ?? (opts.scenario ? varnishScenarioFile(opts.scenario) : undefined);
  if (!template) throw new TypeError('startVarnish: give a scenario or a configFile');

  const run = await createRun('varnish');
  try {
    const tmp = run.tmpDir;
    const { port, edge, accessLog, configPath } = await renderRun({
      engine: 'varnish',
      start: opts,
      template,
      tmp,
      sharedDir: VARNISH_SCENARIO_DIR,
      ext: '.vcl',
      configName: basename(template),
    });
    const workdir = join(tmp, 'varnishd');
    const outFile = join(tmp, 'varnishd.out');
    const ncsaOut = join(tmp, 'varnishncsa.out');

    const params = ['-p', `vcl_path=${tmp}:/usr/share/varnish/vcl:/etc/varnish`];
    for (const [k, v] of Object.entries(opts.params ?? {})) params.push('-p', `${k}=${v}`);

    const check = spawnSync(varnishd, ['-C', '-n', workdir, ...params, '-f', configPath], {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (check.status !== 0) {
      const msg = (check.stderr ?? '').split('\n').slice(-60).join('\n').trim() || `exit ${check.status}`;
      throw new EngineConfigError('varnish', template, msg);
    }

    const child = run.spawn(
      varnishd,
      [
        '-F',
        '-j', 'none',
        '-n', workdir,
        '-a', `${address}:${port}`,
        '-T', 'none',
        '-s', opts.storage ?? 'malloc,64m',
        '-P', join(tmp, 'varnishd.pid'),
        ...params,
        '-f', configPath,
      ],
      outFile,
    );
    run.startWatchdog();
    const state = await waitForPort(address, port, child, opts.startTimeoutMs ?? 30_000);
    if (state !== 'ready') {
      const msg = readTail(outFile).trim();
      throw new EngineStartError('varnish', `${state} before accepting connections on ${address}:${port}${msg ? `:\n${msg}` : ''}`);
    }

    const ncsa = run.spawn(varnishncsa, ['-n', workdir, '-t', '10', '-j', '-F', VARNISHNCSA_FORMAT, '-w', accessLog], ncsaOut);
    const url = `http://${address}:${port}`;

    // varnishncsa starts reading at the tail of the shared log: probe until a probe line
    // shows up, which proves it is attached and writing.
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    let attached = false;
    while (!attached && Date.now() < deadline) {
      if (ncsa.exitCode !== null || ncsa.signalCode !== null) {
        throw new EngineStartError('varnish', `varnishncsa exited:\n${readTail(ncsaOut)}`);
      }
      const nonce = await probe(url);
      for (let i = 0; i < 10 && !attached; i++) {
        await sleep(30);
        attached = logHas(accessLog, nonce);
      }
    }
    if (!attached) throw new EngineStartError('varnish', `varnishncsa wrote nothing to ${accessLog}:\n${readTail(ncsaOut)}`);

    const instance: EngineInstance = {
      engine: 'varnish',
      scenario: opts.scenario,
      url,
      address,
      port,
      edge,
      accessLog,
      logFormat: 'varnishncsa-json',
      pid: child.pid as number,
      pids: [child.pid as number, ncsa.pid as number],
      tmpDir: tmp,
      configPath,
      async syncLog(o = {}) {
        const timeoutMs = o.timeoutMs ?? 10_000;
        const end = Date.now() + timeoutMs;
        // varnishncsa logs transactions in the order they end: once a probe sent now is
        // logged, everything answered before it is too.
        const nonce = await probe(url);
        while (!logHas(accessLog, nonce)) {
          if (Date.now() > end) throw new Error(`varnishncsa did not log the sync probe within ${timeoutMs} ms`);
          await sleep(10);
        }
        if (o.minLines !== undefined) await waitForLog(accessLog, { minLines: o.minLines, timeoutMs: Math.max(0, end - Date.now()), quietMs: 0 });
      },
      readLog: () => readAccessLog(accessLog, 'varnishncsa-json'),
      errorOutput: () => `${readTail(outFile)}${readTail(ncsaOut)}`,
      stop: () => run.stop(),
    };
    return instance;
  } catch (err) {
    await run.stop(1000);
    throw err;
  }
}
