/**
 * `cachewarden lab`: run a leak scenario through real nginx, real Varnish or the CDN emulator
 * in front of the lab's demo shop, drive simulated users through it, and report who was shown
 * whose data (the ground truth), or keep it running for exploration with --serve.
 */
import { CwError } from '../../core/errors.ts';
import { LAB_ENGINES, missingBinaries, startLab, type LabEngine, type LabSession } from '../../../lab/run.ts';
import { SCENARIO_IDS, listScenarios, type ScenarioId } from '../../../lab/scenarios/registry.ts';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runTraffic, type TrafficResult } from '../../../lab/traffic/index.ts';
import { sellersWithBuyerData, waitForLog, writeIncident } from '../../../lab/incident.ts';
import type { EmulatedEngine } from '../../../lab/emulator/scenarios.ts';
import { defineCommand, type Output } from '../command.ts';

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/s$/, ''));
  if (!Number.isFinite(n) || n <= 0) throw new CwError('CW_USAGE_BAD_FLAG', `lab: --${flag} "${value}" must be a positive number`);
  return n;
}

function pick<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CwError('CW_USAGE_BAD_FLAG', `lab: --${flag} "${value}" is not one of ${allowed.join(', ')}`);
}

function summary(lab: LabSession, r: TrafficResult) {
  return {
    scenario: lab.scenario.id,
    title: lab.scenario.title,
    engine: lab.engine,
    ...(lab.emulates ? { emulates: lab.emulates } : {}),
    edge: lab.edge,
    seconds: Number(((r.endedAt - r.startedAt) / 1000).toFixed(1)),
    requests: r.stats.requests,
    leakResponses: r.stats.leakResponses,
    publicHitRate: Number(r.stats.publicHitRate.toFixed(3)),
    leaks: r.leaks.map((l) => ({ viewer: l.viewer, owner: l.owner, url: l.url, count: l.count, outcomes: l.outcomes, via: l.via, fields: l.fields })),
    exposures: r.exposures.map((e) => ({ person: e.person, viewer: e.viewer, owner: e.owner, url: e.url, fields: e.fields })),
    sessionHandovers: r.sessionHandovers.length,
  };
}

function printText(out: Output, s: ReturnType<typeof summary>): void {
  const engine = s.engine === 'emulator' ? `the CDN emulator (as ${s.emulates})` : `real ${s.engine}`;
  out.stdout(`${s.scenario} ${s.title} — ${engine}, edge ${s.edge}\n`);
  out.stdout(`${s.requests} responses in ${s.seconds} s; public-page hit rate ${(s.publicHitRate * 100).toFixed(0)} %\n`);
  if (s.leaks.length === 0) {
    out.stdout('No user received another user\'s personal data.\n');
    return;
  }
  out.stdout(`${s.leakResponses} responses showed someone else's personal data:\n`);
  for (const l of s.leaks.slice(0, 20)) {
    const viewer = l.viewer === 'anon' ? 'an anonymous visitor' : `user ${l.viewer}`;
    const via = l.via.includes('session') ? ' (through a handed-over session)' : '';
    out.stdout(`  ${viewer} was shown user ${l.owner}'s ${l.url} ×${l.count} [${l.outcomes.join('/')}]${via}: ${l.fields.join(', ')}\n`);
  }
  if (s.leaks.length > 20) out.stdout(`  ... and ${s.leaks.length - 20} more viewer/owner pairs\n`);
  if (s.sessionHandovers > 0) out.stdout(`${s.sessionHandovers} sessions were handed to other browsers by a cached Set-Cookie.\n`);
  if (s.exposures.length > 0) {
    const people = new Set(s.exposures.map((e) => e.person));
    out.stdout(`${people.size} more people were exposed through someone else's page (a buyer's address on the seller's page).\n`);
  }
}

async function serve(lab: LabSession, out: Output, signal: AbortSignal): Promise<number> {
  const people = lab.origin.people.slice(0, 3).map((p) => ({ ...lab.origin.credentialsFor(p.id), name: p.name, email: p.email }));
  out.stdout(`${lab.scenario.id} ${lab.scenario.title} is running (Ctrl-C to stop)\n`);
  out.stdout(`  cache   ${lab.url}  (${lab.engine}${lab.emulates ? ` as ${lab.emulates}` : ''}, edge ${lab.edge})\n`);
  out.stdout(`  origin  ${lab.origin.url}\n`);
  if (lab.accessLog) out.stdout(`  log     ${lab.accessLog}\n`);
  out.stdout('  synthetic test accounts (lab only; name and e-mail make good probe markers):\n');
  for (const c of people) out.stdout(`    ${c.user} / ${c.password}   ${c.name} <${c.email}>\n`);
  out.stdout(`  try: curl -si -c jar -d 'user=${people[0]?.user}&password=${people[0]?.password}' ${lab.url}/login && curl -si -b jar ${lab.url}/mypage\n`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  out.stderr('stopping...\n');
  return 0;
}

export default defineCommand({
  name: 'lab',
  summary: 'run a leak scenario (S1–S6, SAFE) through real nginx, Varnish or the emulator and show who saw whose data',
  usage: 'lab [--scenario <id>] [--engine nginx|varnish|emulator] [--emulate nginx|varnish] [--duration <s>] [--users <n>] [--incident <dir>] [--serve] [--list]',
  description: `
Starts the lab's demo shop (synthetic people), a cache in front of it configured the way a real
incident was, and simulated users who log in and browse (with bursts of users opening the same
page at once). Prints the ground truth: every user who was shown another user's personal data,
through which cache outcome, and which data. The engine writes its access log in the lab's
documented format (docs/lab.md).

Scenarios: ${SCENARIO_IDS.join(', ')} (--list describes them). Engines: real nginx and Varnish
(installed from your distribution), or the built-in CDN emulator, which runs the scenario as
translated from the nginx or Varnish config (--emulate). --serve keeps everything running for
manual exploration. Exit code 1 means the scenario leaked.`,
  flags: {
    scenario: { type: 'string', value: '<id>', default: 'S1', description: `scenario: ${SCENARIO_IDS.join(', ')}` },
    engine: { type: 'string', value: '<engine>', default: 'emulator', description: 'nginx, varnish or emulator' },
    emulate: { type: 'string', value: '<engine>', default: 'nginx', description: 'with --engine emulator: whose config to emulate (nginx or varnish)' },
    duration: { type: 'string', value: '<seconds>', default: '5', description: 'how long the simulated users browse' },
    users: { type: 'string', value: '<n>', default: '8', description: 'logged-in simulated users' },
    seed: { type: 'string', value: '<n>', description: 'traffic seed (default: the scenario\'s)' },
    serve: { type: 'boolean', description: 'keep origin and cache running until Ctrl-C instead of sending traffic' },
    list: { type: 'boolean', description: 'list the scenarios and exit' },
    incident: { type: 'string', value: '<dir>', description: 'also write an incident folder for `scope` (access log, sessions and relations maps, config, ground truth); users are sellers whose pages show a buyer\'s address' },
  },
  config: 'none',
  exitCodes: { 0: 'no user was shown another user\'s data', 1: 'the scenario leaked', 2: 'usage error, or the engine is not installed' },
  examples: ['cachewarden lab --scenario S1 --engine nginx', 'cachewarden lab --scenario SAFE --engine varnish --json', 'cachewarden lab --scenario S2b --engine emulator --serve'],
  async run({ flags, out, signal }) {
    if (flags.list) {
      const rows = listScenarios().map((s) => ({ id: s.id, title: s.title, incidents: s.incidents, leaks: s.expect.leaks }));
      if (flags.json) out.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      else for (const s of rows) out.stdout(`${s.id.padEnd(5)} ${s.title}\n${s.incidents.length > 0 ? `      ${s.incidents.join('; ')}\n` : ''}`);
      return 0;
    }
    const id = pick<ScenarioId>('scenario', flags.scenario ?? 'S1', SCENARIO_IDS);
    const engine = pick<LabEngine>('engine', flags.engine ?? 'emulator', LAB_ENGINES);
    const emulate = pick<EmulatedEngine>('emulate', flags.emulate ?? 'nginx', ['nginx', 'varnish']);
    const durationMs = positiveNumber('duration', flags.duration, 5) * 1000;
    const users = Math.round(positiveNumber('users', flags.users, 8));
    const missing = missingBinaries(engine);
    if (missing.length > 0) {
      throw new CwError('CW_LAB_ENGINE_MISSING', `lab: ${engine} needs ${missing.join(', ')}, which is not installed; apt-get install ${engine}, or use --engine emulator`);
    }
    const incident = flags.incident ? resolve(flags.incident) : undefined;
    if (incident) {
      mkdirSync(incident, { recursive: true });
      if (readdirSync(incident).length > 0) throw new CwError('CW_USAGE_BAD_FLAG', `lab: --incident ${flags.incident} is not empty; name a new folder`);
    }
    let lab: LabSession;
    try {
      lab = await startLab(id, engine, { emulate, ...(incident ? { accessLog: join(incident, 'access.log') } : {}) });
    } catch (e) {
      throw new CwError('CW_LAB_ENGINE_FAILED', `lab: ${engine} did not start for ${id}: ${(e as Error).message.split('\n')[0]}`);
    }
    try {
      if (flags.serve) return await serve(lab, out, signal);
      const userIds = incident ? sellersWithBuyerData(lab.origin).slice(0, users) : undefined;
      const result = await runTraffic(
        lab.trafficOptions({ durationMs, users, signal, ...(userIds ? { userIds } : {}), ...(flags.seed !== undefined ? { seed: Math.round(positiveNumber('seed', flags.seed, 1)) } : {}) }),
      );
      if (incident) {
        await waitForLog(join(incident, 'access.log'), result.observations.filter((o) => o.status > 0).length);
        const files = writeIncident(incident, result, lab.origin.transactions);
        out.stderr(`cachewarden: lab: wrote ${files.join(', ')} to ${flags.incident}\n`);
      }
      const s = summary(lab, result);
      if (flags.json) out.stdout(`${JSON.stringify(s, null, 2)}\n`);
      else printText(out, s);
      return s.leakResponses > 0 ? 1 : 0;
    } finally {
      await lab.stop();
    }
  },
});
