/**
 * `cachewarden probe`: request the site from outside as canary accounts, one after another and
 * concurrently, and report leaks (another account's marker or owner tag in a response), risks and
 * what is fine. `--once` runs one cycle; otherwise cycles run on `probe.every` and leaks and risks
 * alert through the same incident model and sinks as `watch`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CwError } from '../../core/errors.ts';
import type { Alert, Evidence } from '../../core/incident.ts';
import { IncidentTracker } from '../../core/incidents.ts';
import { createProber } from '../../probe/runner.ts';
import { techniqueById } from '../../probe/techniques/index.ts';
import type { ProbeFinding } from '../../probe/types.ts';
import { createSinks, Dispatcher } from '../../sinks/index.ts';
import { defineCommand, type Output } from '../command.ts';
import { alertJson, alertText } from './watch.ts';

const MARK: Record<ProbeFinding['verdict'], string> = { leak: 'LEAK', risk: 'RISK', ok: 'ok' };

/** The JSON line printed per finding (`--json`). */
export function findingJson(f: ProbeFinding): Record<string, unknown> {
  return {
    technique: f.technique,
    verdict: f.verdict,
    severity: f.severity,
    url: f.url,
    target: f.target,
    edge: f.edge,
    pops: f.pops,
    accounts: f.accounts,
    message: f.message,
    time: new Date(f.time).toISOString(),
    evidence: f.evidence,
  };
}

function findingText(f: ProbeFinding): string {
  const pop = f.pops.length > 0 ? ` [${f.pops.join(', ')}]` : '';
  return `${MARK[f.verdict].padEnd(4)} ${f.severity.padEnd(8)} ${f.technique.padEnd(27)} ${f.target} @ ${f.edge}${pop}: ${f.message}\n`;
}

function summary(out: Output, findings: readonly ProbeFinding[], ms: number, json: boolean): void {
  const n = (v: ProbeFinding['verdict']) => findings.filter((f) => f.verdict === v).length;
  const line = `probe: ${findings.length} results in ${(ms / 1000).toFixed(1)} s: ${n('leak')} leak, ${n('risk')} risk, ${n('ok')} ok`;
  if (json) out.stderr(`cachewarden: ${line}\n`);
  else out.stdout(`${line}\n`);
}

function evidenceOf(f: ProbeFinding): Evidence[] {
  return f.evidence.responses.slice(0, 4).map((r) => ({
    time: r.sentAt,
    edge: f.edge,
    method: r.method,
    url: r.url,
    status: r.status,
    outcome: r.outcome,
    note: `${r.who}${r.markersOf.length > 0 ? ` (markers of ${r.markersOf.join(', ')})` : ''}`,
  }));
}

export default defineCommand({
  name: 'probe',
  summary: 'request the site as canary accounts, sequentially and concurrently, to catch collapsing, cross-user and deception leaks',
  usage: 'probe [--once] [--json] [--technique <id>]... [--config <file>]',
  description: `
Logs in the canary accounts under \`probe.accounts\` and, on every edge (\`probe.edges\`, or every
address the target resolves to; Host and TLS SNI kept), runs the techniques on each personalized
path: the storability lint (RFC 9111 and the CDN profile), the cache-status oracle, a repeat by the
same account, a sequential replay (A, then B and anonymous), the concurrent collapse race (A and
B released from one barrier, several offsets inside the time to first byte), web cache deception by
path confusion, unkeyed personalization input, Authorization reuse, cached Set-Cookie on public
pages, and drift against the last known-good baseline.

A leak needs evidence: another account's marker or owner tag (or a stranger's data, kept as a hash
and field names) in a response. Everything else is a risk or ok. Only GET requests (logins excepted);
cache-busting queries only where a technique needs a fresh key; bodies are never stored.
Without --once, cycles run every \`probe.every\` and leaks and risks alert like watch incidents.`,
  flags: {
    once: { type: 'boolean', description: 'run one cycle and exit (1 if a leak was found)' },
    technique: { type: 'string', short: 't', multiple: true, value: '<id>', description: 'run only this technique (e.g. probe/concurrent-race)' },
  },
  config: 'required',
  exitCodes: { 0: 'no leak', 1: 'a leak was found', 2: 'bad config, or the target is unreachable' },
  examples: ['cachewarden probe --once', 'cachewarden probe --once --json --technique probe/concurrent-race', 'cachewarden probe   # every probe.every, alerting'],
  async run({ flags, config, out, signal }) {
    const cfg = config!.config;
    if (!cfg.probe) throw new CwError('CW_CONFIG_MISSING_KEY', `${config!.file}: probe: the config has no probe section; add probe.target and probe.accounts (see docs/probe.md)`);
    const prober = await createProber({
      settings: cfg.probe,
      personalized: cfg.personalized,
      profile: cfg.profile,
      identity: { key: cfg.identity.key ?? process.env['CACHEWARDEN_IDENTITY_KEY'], cookies: cfg.identity.cookies },
      ...(flags.technique && flags.technique.length > 0 ? { techniques: flags.technique } : {}),
    });
    const dispatcher = new Dispatcher(createSinks(cfg.alerts));
    let leaks = 0;
    try {
      if (!flags.json) {
        out.stdout(`probe: ${prober.paths.length} path(s) × ${prober.edges.length} edge(s) (${prober.edges.map((e) => e.label).join(', ')}), ${prober.techniques.length} technique(s)\n`);
      }
      if (flags.once) {
        const c = await prober.cycle(signal);
        const rank = { leak: 0, risk: 1, ok: 2 } as const;
        c.findings.sort((x, y) => rank[x.verdict] - rank[y.verdict] || x.target.localeCompare(y.target) || x.technique.localeCompare(y.technique));
        for (const f of c.findings) out.stdout(flags.json ? `${JSON.stringify(findingJson(f))}\n` : f.verdict === 'ok' ? '' : findingText(f));
        summary(out, c.findings, c.endedAt - c.startedAt, flags.json === true);
        return c.findings.some((f) => f.verdict === 'leak') ? 1 : 0;
      }
      const incidents = new IncidentTracker({
        job: 'probe',
        policy: { quietMs: Math.max(3 * cfg.probe.every, 300_000) },
        emit: (a: Alert) => {
          out.stdout(flags.json ? `${JSON.stringify(alertJson(a))}\n` : alertText(a));
          dispatcher.dispatch(a);
        },
        clock: Date.now,
        describe: (rule) => {
          const t = techniqueById(rule);
          return { title: t?.title ?? rule, fix: t?.docs.fix ?? '', docs: `docs/rules/${rule.replace('/', '-')}.md` };
        },
      });
      while (!signal.aborted) {
        const c = await prober.cycle(signal);
        for (const f of c.findings) {
          if (f.verdict === 'leak') leaks++;
          if (f.verdict === 'ok') continue;
          if (flags.json) out.stdout(`${JSON.stringify(findingJson(f))}\n`);
          incidents.add({ rule: f.technique, severity: f.severity, crossIdentity: false, message: `${f.target}: ${f.message}`, time: f.time, target: f.target, edge: f.edge, evidence: evidenceOf(f) });
        }
        incidents.tick();
        if (!flags.json) summary(out, c.findings, c.endedAt - c.startedAt, false);
        await sleep(cfg.probe.every, undefined, { signal }).catch(() => undefined);
      }
      return leaks > 0 ? 1 : 0;
    } finally {
      await dispatcher.flush(10_000);
      await dispatcher.close();
      await prober.close();
    }
  },
});
