/**
 * probe: one full cycle (every technique) over 50 personalized URLs × 2 canary accounts against
 * the lab, at the default concurrency (32 in flight) and rate (100 requests/s) per edge. The bar is
 * 30 s. Measured behind real nginx with the SAFE config (every personalized request reaches the
 * origin, which takes 250 ms to render a page) and behind the CDN emulator with the fastly profile
 * and the 2017 headers (leaks everywhere). No baseline tool exists (no scanner races two accounts).
 */
import { ProbeSchema } from '../src/config/schema.ts';
import { createProber } from '../src/probe/runner.ts';
import { startEmulator } from '../lab/emulator/proxy.ts';
import { FASTLY_DEFAULT } from '../lab/emulator/scenarios.ts';
import { canaryAccounts, LAB_IDENTITY_KEY, LAB_PERSONALIZED_GLOBS, startOrigin, type Origin } from '../lab/origin/index.ts';
import { startScenario } from '../lab/scenarios/run.ts';
import { missingBinaries } from '../lab/run.ts';
import type { BenchResult } from './harness.ts';

const PATHS = [...Array.from({ length: 25 }, (_, i) => `/mypage?v=${i + 1}`), ...Array.from({ length: 25 }, (_, i) => `/orders?v=${i + 1}`)];

async function cycle(label: string, target: string, origin: Origin, profile: 'nginx' | 'fastly'): Promise<BenchResult> {
  const accounts = canaryAccounts(origin);
  const settings = ProbeSchema.parse({ target, accounts, paths: PATHS, publicPaths: ['/', '/items/i01'], state: ':memory:' });
  const prober = await createProber({ settings, personalized: LAB_PERSONALIZED_GLOBS, profile, identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] } });
  try {
    const requestsBefore = origin.counters().total;
    const c = await prober.cycle();
    const seconds = (c.endedAt - c.startedAt) / 1000;
    const n = (v: string) => c.findings.filter((f) => f.verdict === v).length;
    const risks = new Map<string, number>();
    for (const f of c.findings) if (f.verdict === 'risk') risks.set(`${f.technique} ${f.severity}`, (risks.get(`${f.technique} ${f.severity}`) ?? 0) + 1);
    const riskText = [...risks].map(([k, v]) => `${k} ×${v}`).join(', ');
    return {
      bench: `probe: one cycle, ${PATHS.length} personalized URLs × 2 accounts, all ${prober.techniques.length} techniques, ${label}`,
      subject: { name: 'cycle', ops: 1, seconds, opsPerSec: 1 / seconds },
      summary: `${seconds.toFixed(1)} s (bar: 30 s); ${c.findings.length} results: ${n('leak')} leak, ${n('risk')} risk${riskText ? ` (${riskText})` : ''}, ${n('ok')} ok; ${origin.counters().total - requestsBefore} requests reached the origin`,
      notes: ['default concurrency 32 and rate 100/s per edge; lab origin renders personalized pages in 250 ms'],
    };
  } finally {
    await prober.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (missingBinaries('nginx').length === 0) {
    const lab = await startScenario('SAFE', 'nginx');
    try {
      results.push(await cycle('real nginx, SAFE config', lab.engine.url, lab.origin, 'nginx'));
    } finally {
      await lab.stop();
    }
  }
  const origin = await startOrigin({ personalizedHeaders: 'incident2017' });
  const edge = await startEmulator({ origin: origin.url, routes: FASTLY_DEFAULT });
  try {
    results.push(await cycle('emulator, fastly profile, 2017 headers', edge.url, origin, 'fastly'));
  } finally {
    await edge.stop();
    await origin.close();
  }
  return results;
}
