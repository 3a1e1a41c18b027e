/**
 * The CDN emulator's cache-hit path (requests/s for a stored static asset), with real nginx
 * proxy_cache on the same origin and URL as the named baseline. The emulator runs in its own
 * process; load comes from this process over keep-alive connections.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { startNginx } from '../lab/engines/nginx.ts';
import { missingBinaries } from '../lab/run.ts';
import { compare, measure, type BenchResult, type Measurement } from './harness.ts';

const CONNECTIONS = 32;
const PATH = '/static/app.css';

async function load(name: string, base: string, ms: number): Promise<Measurement> {
  const pool = new Pool(base, { connections: CONNECTIONS });
  try {
    const one = async (expectHit = true) => {
      const r = await pool.request({ path: PATH, method: 'GET' });
      await r.body.dump();
      if (r.statusCode !== 200 || (expectHit && r.headers['x-cache'] !== 'HIT')) throw new Error(`${name}: ${r.statusCode} ${String(r.headers['x-cache'])}`);
    };
    await one(false); // fill
    return await measure(name, async () => {
      await Promise.all(Array.from({ length: CONNECTIONS * 4 }, () => one()));
      return CONNECTIONS * 4;
    }, ms);
  } finally {
    await pool.close();
  }
}

export async function run(ms: number): Promise<BenchResult[]> {
  const child = spawn(process.execPath, [new URL('./emulator-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`emulator server exited ${code}`)));
    });
    const urls = JSON.parse(line) as { origin: string; emulator: string };
    const subject = await load('emulator (nginx profile) HIT path', urls.emulator, ms);
    if (missingBinaries('nginx').length > 0) return [compare('emulator: cache hits per second', subject, undefined, ['nginx not installed: no baseline'])];
    const nginx = await startNginx({ origin: urls.origin, scenario: 'SAFE' });
    try {
      const baseline = await load('nginx 1 worker proxy_cache HIT path (SAFE.conf)', nginx.url, ms);
      return [compare('emulator: cache hits per second', subject, baseline, [`${CONNECTIONS} keep-alive connections, ${PATH}; load generator shares the 2 cores`])];
    } finally {
      await nginx.stop();
    }
  } finally {
    child.kill('SIGTERM');
  }
}
