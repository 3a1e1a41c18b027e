/**
 * Run the real nginx in front of the lab origin with a scenario configuration.
 *
 * nginx runs in the foreground (`daemon off`) as the leader of its own process group, with
 * `-p <tmpDir>/`, its pid file and error log in the run's private temp dir, and every temp
 * path (cache, proxy_temp, ...) there too. The config is checked with `nginx -t` first; a
 * rejected config throws `EngineConfigError` carrying nginx's own message.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from './binaries.ts';
import { readAccessLog } from './logs.ts';
import { assertLoopback, createRun, readTail, waitForLog, waitForPort } from './process.ts';
import { renderRun, splitHostPort } from './template.ts';
import { EngineConfigError, EngineStartError } from './types.ts';
import type { EngineInstance, EngineStartOptions } from './types.ts';

export const NGINX_SCENARIO_DIR = fileURLToPath(new URL('../scenarios/nginx/', import.meta.url));

export type NginxOptions = EngineStartOptions;

export function nginxScenarioFile(scenario: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(scenario)) throw new RangeError(`bad scenario id: ${scenario}`);
  return join(NGINX_SCENARIO_DIR, `${scenario}.conf`);
}

export async function startNginx(opts: NginxOptions): Promise<EngineInstance> {
  const attempts = opts.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
      if (!(err instanceof EngineStartError && /Address already in use/i.test(err.message))) throw err;
    }
  }
  throw lastError;
}

async function startOnce(opts: NginxOptions): Promise<EngineInstance> {
  const address = opts.address ?? '127.0.0.1';
  assertLoopback(address);
  assertLoopback(splitHostPort(opts.origin).host);
  const bin = requireBinary('nginx');
  const template = opts.configFile ?? (opts.scenario ? nginxScenarioFile(opts.scenario) : undefined);
  if (!template) throw new TypeError('startNginx: give a scenario or a configFile');

  const run = await createRun('nginx');
  try {
    const tmp = run.tmpDir;
    const { port, edge, accessLog, configPath } = await renderRun({
      engine: 'nginx',
      start: opts,
      template,
      tmp,
      sharedDir: NGINX_SCENARIO_DIR,
      ext: '.conf',
      configName: 'nginx.conf',
    });
    const errorLog = join(tmp, 'error.log');
    const outFile = join(tmp, 'nginx.out');

    const globals = `daemon off; pid ${join(tmp, 'nginx.pid')}; error_log ${errorLog} notice;`;
    const baseArgs = ['-p', `${tmp}/`, '-c', configPath, '-e', errorLog, '-g', globals];

    const check = spawnSync(bin, ['-t', '-q', ...baseArgs], { encoding: 'utf8', timeout: 15_000 });
    if (check.status !== 0) {
      const msg = `${check.stderr ?? ''}${check.stdout ?? ''}${readTail(errorLog)}`.trim() || `exit ${check.status}`;
      if (/Address already in use/i.test(msg)) throw new EngineStartError('nginx', msg);
      throw new EngineConfigError('nginx', template, msg);
    }

    const child = run.spawn(bin, baseArgs, outFile);
    run.startWatchdog();
    const state = await waitForPort(address, port, child, opts.startTimeoutMs ?? 15_000);
    if (state !== 'ready') {
      const msg = `${readTail(errorLog)}${readTail(outFile)}`.trim();
      throw new EngineStartError('nginx', `${state} before accepting connections on ${address}:${port}${msg ? `:\n${msg}` : ''}`);
    }

    const instance: EngineInstance = {
      engine: 'nginx',
      scenario: opts.scenario,
      url: `http://${address}:${port}`,
      address,
      port,
      edge,
      accessLog,
      logFormat: 'nginx-json',
      pid: child.pid as number,
      pids: [child.pid as number],
      tmpDir: tmp,
      configPath,
      // nginx writes a request's line when it finalizes the request, which can be a moment
      // after the client has the last byte (e.g. while a MISS is still being stored).
      syncLog: (o = {}) => waitForLog(accessLog, o),
      readLog: () => readAccessLog(accessLog, 'nginx-json'),
      errorOutput: () => `${readTail(errorLog)}${readTail(outFile)}`,
      stop: () => run.stop(),
    };
    return instance;
  } catch (err) {
    await run.stop(1000);
    throw err;
  }
}
