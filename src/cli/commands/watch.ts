/**
 * `cachewarden watch`: follow CDN and cache access logs and alert when one identity's response
 * is served to another. `--once` replays an input to its end (the same engine as live).
 */
import { CwError } from '../../core/errors.ts';
import type { Alert } from '../../core/incident.ts';
import { parseDuration, WatchSchema } from '../../config/schema.ts';
import { FORMAT_IDS, type FieldMap, type FormatId } from '../../watch/adapters/types.ts';
import { parseFieldOverrides } from '../../watch/adapters/index.ts';
import { runWatch, type WatchInput, type WatchStatus } from '../../watch/pipeline.ts';
import { createSinks, Dispatcher } from '../../sinks/index.ts';
import { defineCommand } from '../command.ts';

const FORMATS = [...FORMAT_IDS, 'auto'] as const;

/** The JSON line printed per incident update (`--json`). */
export function alertJson(a: Alert): Record<string, unknown> {
  const i = a.incident;
  return {
    kind: a.kind,
    id: i.id,
    rule: i.rule,
    severity: i.severity,
    title: i.title,
    url: i.url,
    edge: i.edge,
    state: i.state,
    firstSeen: new Date(i.firstSeen).toISOString(),
    lastSeen: new Date(i.lastSeen).toISOString(),
    count: i.count,
    owners: i.owners,
    viewers: i.viewers,
    ownersTotal: i.ownersTotal,
    viewersTotal: i.viewersTotal,
    anonymous: i.anonymous,
    pairs: i.pairs,
    pairsTotal: i.pairsTotal,
    ...(i.detectionDelaySec !== undefined ? { detectionDelaySec: Number(i.detectionDelaySec.toFixed(3)) } : {}),
    fix: i.fix,
    docs: i.docs,
    samples: i.samples,
  };
}

export function alertText(a: Alert): string {
  const i = a.incident;
  const anon = i.anonymous > 0 ? ` + ${i.anonymous} anonymous` : '';
  const who = i.ownersTotal > 0 ? `, ${i.ownersTotal} owner(s) → ${i.viewersTotal} viewer(s)${anon}` : i.viewersTotal > 0 || anon ? `, ${i.viewersTotal} viewer(s)${anon}` : '';
  const delay = a.kind === 'opened' && i.detectionDelaySec !== undefined ? `, detected ${i.detectionDelaySec.toFixed(2)} s after the line` : '';
  return `${a.kind.toUpperCase().padEnd(8)} ${i.severity.padEnd(8)} ${i.rule}  ${i.title}  [${i.count} finding(s)${who}${delay}]\n`;
}

function statusLine(s: WatchStatus): string {
  const rej = Object.values(s.rejected).reduce((a, b) => a + (b ?? 0), 0);
  const lag = s.lagSec === undefined ? '' : ` · lag ${s.lagSec.toFixed(1)} s`;
  return `\r\u001b[2K${s.lines.toLocaleString('en-US')} lines (${Math.round(s.rate).toLocaleString('en-US')}/s) · ${rej} rejected · ${s.findings} findings · ${s.incidentsOpen} open incident(s)${lag}`;
}

function inputsFrom(flags: { input?: string[] | undefined; format?: string | undefined; field?: string[] | undefined; start?: string | undefined }, configured: WatchInput[]): WatchInput[] {
  const format = (flags.format ?? 'auto') as FormatId | 'auto';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new CwError('CW_USAGE_BAD_FLAG', `watch: --format "${flags.format}" is not one of ${FORMATS.join(', ')}`);
  }
  let fields: FieldMap | undefined;
  try {
    fields = flags.field && flags.field.length > 0 ? parseFieldOverrides(flags.field) : undefined;
  } catch (e) {
    throw new CwError('CW_USAGE_BAD_FLAG', `watch: --field: ${(e as Error).message}`);
  }
  const start = flags.start as 'beginning' | 'end' | undefined;
  if (start !== undefined && start !== 'beginning' && start !== 'end') throw new CwError('CW_USAGE_BAD_FLAG', `watch: --start "${start}" must be beginning or end`);
  if (flags.input && flags.input.length > 0) {
    return flags.input.map((input) => ({ spec: { input, ...(start ? { start } : {}) }, format, ...(fields ? { fields } : {}) }));
  }
  if (configured.length === 0) throw new CwError('CW_USAGE_BAD_FLAG', 'watch: no input; pass --input <file|-|http://host:port|syslog+udp://host:port> or list watch.sources in the config');
  return configured.map((c) => ({ ...c, spec: { ...c.spec, ...(start ? { start } : {}) }, ...(fields ? { fields: { ...c.fields, ...fields } } : {}) }));
}

export default defineCommand({
  name: 'watch',
  summary: 'follow CDN/cache access logs and alert within a second when one identity\'s page is served to another',
  usage: 'watch --input <file|-|http://host:port|syslog+udp://host:port>... [--format <fmt>] [--field canonical=source]... [--once] [--json]',
  description: `
Reads access logs as they are written (a file followed like tail -F, stdin, an HTTP receiver for
pushed batches, syslog over UDP or TCP; several at once) and runs them through the detectors:
an owner tag that is not the viewer's (exact), a personalized object filled for one identity and
served to another (inferred, in event time), any cache hit on a \`personalized:\` route, a cached
Set-Cookie, and the hit ratio on personalized routes leaving zero. Findings fold into incidents;
each incident alerts once when it opens (to the sinks under \`alerts:\` in the config, and to
stdout), then updates on a back-off schedule and resolves after a quiet period.

Identities are keyed hashes (identity.key in the config, or CACHEWARDEN_IDENTITY_KEY) from the
moment a line is parsed. Formats: ${FORMATS.join(', ')}. Log recipes per CDN: docs/log-recipes.md.
With --once the input is read to its end and the run stops (a replay, with the same engine).`,
  flags: {
    input: { type: 'string', short: 'i', multiple: true, value: '<source>', description: 'a file, - (stdin), http://host:port[/path] (receiver) or syslog+udp|tcp://host:port' },
    format: { type: 'string', short: 'f', value: '<fmt>', default: 'auto', description: `log format: ${FORMATS.join(', ')}` },
    field: { type: 'string', multiple: true, value: '<canonical>=<field>', description: 'map a canonical field (time, host, uri, status, cache, edge, identity, owner, setCookie, cacheControl, ...) to the log\'s field name' },
    once: { type: 'boolean', description: 'read the input to its end and stop (replay); exit 1 if any incident' },
    start: { type: 'string', value: '<beginning|end>', description: 'files: where to start (default end when following, beginning with --once)' },
    'dead-letter': { type: 'string', value: '<file>', description: 'write a sample of unparseable lines here (masked)' },
    lateness: { type: 'string', value: '<duration>', description: 'how long joins wait for late lines (default from config, 500ms)' },
  },
  config: 'optional',
  exitCodes: { 0: 'no incident', 1: 'one or more incidents', 2: 'usage, config, or unreadable input' },
  examples: [
    'cachewarden watch --format nginx-json --input /var/log/nginx/cache.log',
    'cachewarden watch --format fastly-json --input http://0.0.0.0:9000/fastly',
    'cachewarden watch --once --json --format varnishncsa --input access.log',
    'tail -F cache.log | cachewarden watch --format nginx-json --input - --field identity=sid_hash',
  ],
  async run({ flags, config, out, signal }) {
    const cfg = config?.config;
    const settings = { ...(cfg?.watch ?? WatchSchema.parse({})) };
    if (flags['dead-letter']) settings.deadLetter = flags['dead-letter'];
    if (flags.lateness) {
      try {
        settings.lateness = parseDuration(flags.lateness);
      } catch (e) {
        throw new CwError('CW_USAGE_BAD_FLAG', `watch: --lateness: ${(e as Error).message}`);
      }
    }
    const configured: WatchInput[] = (cfg?.watch.sources ?? []).map((s) => ({
      spec: { input: s.input, ...(s.name ? { name: s.name } : {}), ...(s.start ? { start: s.start } : {}), ...(s.secret ? { secret: s.secret } : {}) },
      format: s.format,
      ...(s.fields ? { fields: s.fields as FieldMap } : {}),
      ...(s.columns ? { columns: s.columns } : {}),
    }));
    const inputs = inputsFrom(flags, configured);
    const personalized = cfg?.personalized ?? [];
    if (personalized.length === 0) out.stderr('cachewarden: watch: no personalized routes (no config file): route-based rules stay silent; owner tags still work\n');

    const sinks = createSinks(cfg?.alerts ?? []);
    const dispatcher = new Dispatcher(sinks);
    for (const problem of await dispatcher.healthcheck()) out.stderr(`cachewarden: watch: alert sink ${problem}\n`);
    const showStatus = out.stderrIsTTY && !flags.json;
    let incidents = 0;
    const onAlert = (a: Alert) => {
      if (a.kind === 'opened') incidents++;
      out.stdout(flags.json ? `${JSON.stringify(alertJson(a))}\n` : alertText(a));
      dispatcher.dispatch(a);
    };
    try {
      const result = await runWatch({
        inputs,
        personalized,
        identity: { key: cfg?.identity.key ?? process.env['CACHEWARDEN_IDENTITY_KEY'], cookies: cfg?.identity.cookies ?? ['sid', 'session', 'sessionid'] },
        settings,
        once: flags.once === true,
        onAlert,
        onNotice: (line) => out.stderr(`cachewarden: watch: ${line}\n`),
        ...(showStatus ? { onStatus: (s: WatchStatus) => out.stderr(statusLine(s)) } : {}),
        signal,
      });
      if (showStatus) out.stderr(`${statusLine(result.status)}\n`);
      const rej = Object.entries(result.status.rejected).map(([r, n]) => `${r} ${n}`).join(', ');
      // Set-aside counters (evicted keys, hits whose fill was never seen, ambiguous joins): never silent.
      const asides = Object.entries(result.status.counters)
        .filter(([k, n]) => !k.endsWith(':findings') && n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      out.stderr(`cachewarden: watch: ${result.status.lines} lines, ${result.status.events} events${rej ? `, rejected: ${rej}` : ''}${asides ? `; ${asides}` : ''}; ${result.incidents.length} incident(s)\n`);
      return incidents > 0 || result.incidents.length > 0 ? 1 : 0;
    } finally {
      await dispatcher.flush(10_000);
      await dispatcher.close();
    }
  },
});
