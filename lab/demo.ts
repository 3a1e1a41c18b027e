/**
 * `npm run demo`: the 2017 incident, reproduced, and caught.
 *
 * The lab origin answers personal pages with `Cache-Control: no-cache` + an `Expires` in the
 * past (what nginx `expires -1` sends) and takes a few hundred milliseconds to render them. In
 * front of it runs the CDN emulator with the `fastly` profile: such a response is a cacheable
 * object with TTL 0, and every request that waited on the fetch is handed the same page. The
 * traffic generator logs users in and lets them browse, with bursts of users opening the same
 * page at once. Every second the demo prints what users saw; meanwhile `watch` follows the edge's
 * live access log and prints each incident as it opens, with the time from the leaked response to
 * the alert. Stops after --duration (20 s) or Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WatchSchema } from '../src/config/schema.ts';
import type { Alert } from '../src/core/incident.ts';
import { runWatch } from '../src/watch/pipeline.ts';
import { ProbeSchema } from '../src/config/schema.ts';
import { createProber } from '../src/probe/runner.ts';
import type { ProbeFinding } from '../src/probe/types.ts';
import { canaryAccounts, LAB_IDENTITY_KEY, LAB_PERSONALIZED_GLOBS, startOrigin } from './origin/index.ts';
import { ANON, runTraffic, type Observation, type TrafficResult } from './traffic/index.ts';
import { startEmulator } from './emulator/proxy.ts';
import { FASTLY_DEFAULT } from './emulator/scenarios.ts';

export interface DemoOptions {
  durationMs: number;
  users: number;
  delayMs: number;
  write: (line: string) => void;
  signal?: AbortSignal;
}

const who = (user: string) => (user === ANON ? 'an anonymous visitor' : `user ${user}`);

const HOW: Partial<Record<Observation['outcome'], string>> = {
  COLLAPSED: 'waited behind their request and got its response (collapsed)',
  HIT: 'served from cache (HIT)',
  STALE: 'served a stale copy (STALE)',
  UPDATING: 'served a stale copy while it was refreshed (UPDATING)',
};

export function describeLeak(o: Observation): string {
  const fields = o.ownerFields.length > 0 ? ` [${o.ownerFields.join(', ')}]` : '';
  const how = o.via === 'session' ? 'through a handed-over session' : (HOW[o.outcome] ?? `served as ${o.outcome}`);
  return `${who(o.user)} was shown user ${o.owner}'s ${o.url}${fields}: ${how}`;
}

export interface DemoResult {
  /** What the probe's two canary accounts found. */
  probe: ProbeFinding[];
  traffic: TrafficResult;
  /** Opening alerts, in order. */
  alerts: Alert[];
  /** Seconds from the first leaked response to the first alert. */
  firstDetectionSec: number | undefined;
}

function describeAlert(a: Alert): string {
  const i = a.incident;
  return `  ALERT ${i.severity} ${i.rule}: ${i.title} (${(i.detectionDelaySec ?? 0).toFixed(3)} s after the line)\n`;
}

/** `cachewarden probe` with two canary accounts against the same edge: sequential checks pass, the race does not. */
async function probeDemo(target: string, origin: Awaited<ReturnType<typeof startOrigin>>, write: (line: string) => void): Promise<ProbeFinding[]> {
  const accounts = canaryAccounts(origin);
  const settings = ProbeSchema.parse({ target, accounts, paths: ['/mypage', '/orders'], publicPaths: [], state: ':memory:' });
  const prober = await createProber({
    settings,
    personalized: LAB_PERSONALIZED_GLOBS,
    profile: 'fastly',
    identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] },
    techniques: ['probe/storability', 'probe/cross-identity-replay', 'probe/concurrent-race'],
  });
  try {
    write('\ncachewarden probe --once (canary accounts alice and bob, from outside):\n');
    const { findings } = await prober.cycle();
    for (const f of findings) {
      const mark = f.verdict === 'leak' ? 'LEAK' : f.verdict === 'risk' ? 'RISK' : 'ok  ';
      write(`  ${mark} ${f.technique.padEnd(28)} ${f.target.padEnd(8)} ${f.message}\n`);
    }
    return findings;
  } finally {
    await prober.close();
  }
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const { write } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'cachewarden-demo-'));
  const accessLog = join(dir, 'edge-tyo-1.log');
  const origin = await startOrigin({ personalizedHeaders: 'incident2017', delayMs: opts.delayMs });
  const edge = await startEmulator({
    origin: origin.url,
    edge: 'edge-tyo-1',
    routes: FASTLY_DEFAULT,
    accessLog,
  });
  const alerts: Alert[] = [];
  const stopWatch = new AbortController();
  const watching = runWatch({
    inputs: [{ spec: { input: accessLog, start: 'beginning' }, format: 'nginx-json' }],
    personalized: LAB_PERSONALIZED_GLOBS,
    identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] },
    settings: WatchSchema.parse({}),
    once: false,
    onAlert: (a) => {
      if (a.kind !== 'opened') return;
      alerts.push(a);
      if (alerts.length <= 12) write(describeAlert(a));
      else if (alerts.length === 13) write('  ... further alerts are counted in the summary\n');
    },
    signal: stopWatch.signal,
  });
  try {
    write('cachewarden demo: the 2017 CDN switch, reproduced on the built-in CDN emulator\n\n');
    write(`  origin  ${origin.url}  personal pages answer "Cache-Control: no-cache" + "Expires: Thu, 01 Jan 1970 00:00:01 GMT", ${opts.delayMs} ms to render\n`);
    write(`  edge    ${edge.url}  profile fastly: that pair is a cacheable object with TTL 0, handed to every collapsed request\n`);
    write(`  traffic ${opts.users} logged-in users and a few anonymous visitors; bursts of users open the same page at once\n`);
    write(`  watch   cachewarden watch --format nginx-json --input ${accessLog}\n\n`);

    let second: Observation[] = [];
    let requests = 0;
    const started = Date.now();
    const flush = () => {
      const t = Math.round((Date.now() - started) / 1000);
      const leaks = second.filter((o) => o.leak);
      const hits = second.filter((o) => o.outcome === 'HIT').length;
      const collapsed = second.filter((o) => o.outcome === 'COLLAPSED').length;
      write(
        `t=${String(t).padStart(2)}s  ${String(second.length).padStart(4)} responses: ${String(hits).padStart(3)} cache hits, ${String(collapsed).padStart(3)} collapsed; ${String(leaks.length).padStart(3)} showed someone else's data\n`,
      );
      for (const o of leaks.slice(0, 4)) write(`         ${describeLeak(o)}\n`);
      if (leaks.length > 4) write(`         ... and ${leaks.length - 4} more\n`);
      second = [];
    };
    const timer = setInterval(flush, 1000);
    let result: TrafficResult;
    try {
      result = await runTraffic({
        target: edge.url,
        directory: origin,
        users: opts.users,
        anonymousShare: 0.15,
        durationMs: opts.durationMs,
        burst: { intervalMs: 500, size: 4 },
        ...(opts.signal ? { signal: opts.signal } : {}),
        onObservation: (o) => {
          requests++;
          second.push(o);
        },
      });
    } finally {
      clearInterval(timer);
    }
    if (second.some((o) => o.leak)) flush(); // the last partial second, when it still showed something

    const victims = new Set(result.leaks.map((l) => l.owner));
    const viewers = new Set(result.leaks.map((l) => l.viewer));
    const derived = new Set(result.exposures.map((e) => e.person));
    write('\n');
    write(`${requests} responses in ${((result.endedAt - result.startedAt) / 1000).toFixed(1)} s; ${result.stats.leakResponses} of them showed someone else's personal data.\n`);
    const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);
    write(`${people(victims.size)}'s pages reached ${viewers.size} other users or visitors`);
    const more = derived.size === 1 ? '1 more person was' : `${derived.size} more people were`;
    write(derived.size > 0 ? `; ${more} exposed through a transaction page (a buyer's address on the seller's page).\n` : '.\n');
    const byRoute = new Map<string, number>();
    for (const l of result.leaks) byRoute.set(l.route, (byRoute.get(l.route) ?? 0) + l.count);
    write(`By route: ${[...byRoute].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}\n`);
    write('Sequential clicking never shows this: each leak came from a request that arrived while another user\'s page was being fetched.\n');
    await edge.flushLog();
    stopWatch.abort();
    const watched = await watching;
    const firstLeak = result.observations.find((o) => o.leak)?.t;
    const firstAlert = alerts[0];
    const firstDetectionSec = firstAlert?.incident.detectionDelaySec;
    write(`\ncachewarden watch opened ${watched.incidents.length} incident(s) from ${watched.status.events} log lines:\n`);
    for (const i of watched.incidents) {
      const who = i.pairsTotal > 0 ? `, ${i.pairsTotal} owner → viewer pairs (${i.ownersTotal} owners, ${i.viewersTotal} viewers${i.anonymous > 0 ? ' + anonymous' : ''})` : '';
      write(`  ${i.severity.padEnd(8)} ${i.rule.padEnd(26)} ${i.url.padEnd(20)} ${i.count} findings${who}\n`);
    }
    if (firstLeak !== undefined && firstAlert) {
      write(`The first leaked response went out at t=${((firstLeak - result.startedAt) / 1000).toFixed(1)} s; its alert followed ${(firstDetectionSec ?? 0).toFixed(3)} s later (in 2017 a customer reported it after 5 hours).\n`);
    }
    const probe = await probeDemo(edge.url, origin, write);
    write('See `cachewarden explain --profile all -H "Cache-Control: no-cache" -H "Expires: Thu, 01 Jan 1970 00:00:01 GMT"` for why.\n');
    return { traffic: result, alerts, firstDetectionSec, probe };
  } finally {
    stopWatch.abort();
    await watching.catch(() => undefined);
    await edge.stop();
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      users: { type: 'string', default: '16' },
      delay: { type: 'string', default: '300' },
    },
  });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  await runDemo({
    durationMs: Number(values.duration) * 1000,
    users: Number(values.users),
    delayMs: Number(values.delay),
    write: (l) => void process.stdout.write(l),
    signal: controller.signal,
  });
}
