/**
 * verify: a 10,000-line nginx configuration (146 files) and a 5,000-line VCL (17 files) verified with
 * every rule, against the engines' own configuration checks in the same process: `nginx -t` (parse
 * and check, on the same configuration with TLS and process directives removed so it loads here) and
 * `varnishd -C` (compile the VCL to C). The bar is ≤ 1 s per configuration. Reported: the first run in
 * the process (modules loaded, code cold), the steady state, and the whole CLI (`cachewarden verify`,
 * Node start-up included) as a user runs it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigNginxConfig } from './fixtures/nginx.ts';
import { bigVcl } from './fixtures/vcl.ts';
import { measure, type BenchResult, type Measurement } from './harness.ts';
import { runVerify } from '../src/verify/engine.ts';
import { loadTarget } from '../src/verify/load.ts';
import { buildNginx, expandIncludes, readNginxConfig } from '../src/verify/nginx/index.ts';
import { rewriteNginx } from '../src/verify/prove.ts';
import { VERIFY_RULES } from '../src/verify/rules/index.ts';
import { makeSettings } from '../src/verify/settings.ts';

const BIN = fileURLToPath(new URL('../bin/cachewarden', import.meta.url));
const GLOBS = ['/account*', '/orders*', '/api/me*', '/api/orders*'];

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

function lineCount(files: Record<string, string>): number {
  return Object.values(files).reduce((n, t) => n + t.split('\n').length, 0);
}

function verifyOnce(file: string): { findings: number; ms: number } {
  const t0 = performance.now();
  const settings = makeSettings({ personalized: GLOBS, identity: { cookies: ['session'] } });
  const model = loadTarget(file, { identity: settings.identity });
  const r = runVerify([model], settings, { rules: VERIFY_RULES });
  return { findings: r.findings.length, ms: performance.now() - t0 };
}

function cliWall(file: string): number {
  const t0 = performance.now();
  // From a folder without cachewarden.yaml, with the compile cache warm (the first of the three runs fills it).
  const r = spawnSync(BIN, ['verify', '--personalized', '/account*', '--personalized', '/api/me*', '--format', 'json', file], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, cwd: dirname(file) });
  if (r.status !== 0 && r.status !== 1) throw new Error(`cachewarden verify failed: ${r.stderr}`);
  return performance.now() - t0;
}

function timed(name: string, fn: () => void, runs: number): Measurement {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  const seconds = (performance.now() - t0) / 1000;
  return { name, ops: runs, seconds, opsPerSec: runs / seconds };
}

function oneCase(label: string, file: string, lines: number, files: number, baselineName: string, baseline: (() => void) | undefined, ms: number): Promise<BenchResult> {
  const first = verifyOnce(file);
  return measure(`cachewarden verify (${label})`, () => (verifyOnce(file), 1), ms, 300).then((subject) => {
    const base = baseline ? timed(baselineName, baseline, 5) : undefined;
    const cli = [cliWall(file), cliWall(file), cliWall(file)].sort((a, b) => a - b)[1]!;
    const perRun = 1000 / subject.opsPerSec;
    return {
      bench: `verify: ${label}, ${lines.toLocaleString('en-US')} lines in ${files} files, every rule, ${GLOBS.length} personalized globs × 3 request variants`,
      subject,
      ...(base ? { baseline: base, ratio: subject.opsPerSec / base.opsPerSec } : {}),
      summary: `first run ${first.ms.toFixed(0)} ms, steady ${perRun.toFixed(0)} ms per verify (bar: 1000 ms); CLI end to end ${cli.toFixed(0)} ms (median of 3, Node start-up and module loading included); ${first.findings} finding(s)${base ? `; ${baselineName}: ${(1000 / base.opsPerSec).toFixed(0)} ms` : ''}`,
      notes: base ? [] : [`${baselineName} not installed: no baseline`],
    } satisfies BenchResult;
  });
}

export async function run(ms: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-verify-bench-'));
  try {
    const results: BenchResult[] = [];
    // nginx
    const ng = bigNginxConfig(10_000);
    const ngDir = join(dir, 'nginx');
    writeTree(ngDir, ng.files);
    const ngMain = join(ngDir, ng.main);
    const checkDir = join(dir, 'nginx-check');
    mkdirSync(checkDir, { recursive: true });
    const checkable = buildNginx(rewriteNginx(expandIncludes(readNginxConfig(ngMain)), []))
      .replaceAll('{{LISTEN}}', '127.0.0.1:18080')
      .replaceAll('{{ORIGIN}}', '127.0.0.1:18081')
      .replaceAll('{{TMP}}', checkDir)
      .replaceAll('{{ACCESS_LOG}}', join(checkDir, 'access.log'));
    writeFileSync(join(checkDir, 'nginx.conf'), checkable);
    const hasNginx = spawnSync('nginx', ['-v']).status === 0;
    const nginxT = () => {
      const r = spawnSync('nginx', ['-t', '-q', '-p', `${checkDir}/`, '-c', join(checkDir, 'nginx.conf'), '-e', join(checkDir, 'error.log'), '-g', `pid ${join(checkDir, 'nginx.pid')};`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nginx -t failed: ${r.stderr}`);
    };
    results.push(await oneCase('nginx', ngMain, lineCount(ng.files), Object.keys(ng.files).length, 'nginx -t (same configuration)', hasNginx ? nginxT : undefined, ms));
    // VCL
    const vc = bigVcl(5_000);
    const vcDir = join(dir, 'vcl');
    writeTree(vcDir, { ...vc.files, 'main.vcl': vc.main });
    const vcMain = join(vcDir, 'main.vcl');
    // varnishd reads the VCL as its unprivileged user: the folder must be world-readable.
    for (const d of [dir, vcDir]) chmodSync(d, 0o755);
    for (const f of readdirSync(vcDir)) chmodSync(join(vcDir, f), 0o644);
    const hasVarnish = spawnSync('varnishd', ['-V']).status === 0;
    const varnishC = () => {
      const r = spawnSync('varnishd', ['-C', '-n', join(dir, 'vwork'), '-p', `vcl_path=${vcDir}:/usr/share/varnish/vcl`, '-f', vcMain], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
      if (r.status !== 0) throw new Error(`varnishd -C failed: ${r.stderr.slice(0, 500)}`);
    };
    results.push(await oneCase('VCL', vcMain, lineCount({ ...vc.files, main: vc.main }), Object.keys(vc.files).length + 1, 'varnishd -C (compile the same VCL)', hasVarnish ? varnishC : undefined, ms));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
