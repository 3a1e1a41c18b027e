/**
 * `cachewarden scope`: replay an incident window's access logs through the watch engine and say,
 * per person, whether their data was shown to someone else, exposed through another person's page,
 * possibly exposed, or not affected. Writes the JSON report (the input of `lookup` and `notices`),
 * a CSV per person and a self-contained HTML report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CwError } from '../../core/errors.ts';
import { WatchSchema } from '../../config/schema.ts';
import { RespondSchema } from '../../config/schema.ts';
import { FORMAT_IDS, type FieldMap, type FormatId } from '../../watch/adapters/types.ts';
import { parseFieldOverrides } from '../../watch/adapters/index.ts';
import type { ScopeReport } from '../../respond/types.ts';
import { defineCommand } from '../command.ts';

const FORMATS = [...FORMAT_IDS, 'auto'] as const;

/** `--from`/`--to`: an ISO 8601 date-time (a zone is required, `Z` or `+09:00`). */
export function parseTime(flag: string, value: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim());
  const t = ok ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new CwError('CW_USAGE_BAD_FLAG', `scope: --${flag} "${value}" is not a date-time with a zone; write e.g. 2026-11-21T09:00:00+09:00 or 2026-11-21T00:00:00Z`);
  return t;
}

const n = (v: number) => v.toLocaleString('en-US');

/** The text summary printed after a scope run. */
export function summaryText(r: ScopeReport, wrote: readonly string[]): string {
  const s = r.summary;
  const rej = Object.entries(r.inputs.rejected).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  const cats = Object.entries(s.perCategory).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  const observed = r.observed ? `observed ${r.observed.from} → ${r.observed.to}` : 'no events in the window';
  const width = 38;
  const row = (label: string, value: number, note = '') => `  ${label.padEnd(width)}${n(value).padStart(9)}${note ? `   ${note}` : ''}\n`;
  return (
    `scope ${r.window.from} → ${r.window.to} (${observed})\n` +
    `  ${n(r.inputs.lines)} lines in ${r.inputs.files.length} file(s), ${n(r.inputs.events)} events${rej ? `, set aside: ${rej}` : ''}${r.inputs.outsideWindow ? `, ${n(r.inputs.outsideWindow)} outside the window` : ''}\n` +
    `  people are ${r.identity.kind === 'user' ? 'users (sessions map)' : 'session credentials (no sessions map: one person may count more than once)'}\n\n` +
    row('people active in the window', s.active) +
    row('shown to someone else', s.shown, `confirmed: ${n(new Set(r.pairs.map((p) => `${p.owner} ${p.viewer}`)).size)} owner→viewer pair(s), ${n(s.viewers)} viewer(s), ${n(s.exposures)} response(s)`) +
    row('exposed on another person\'s page', s.derived, `derived: ${n(new Set(r.derivedPairs.map((d) => `${d.person} ${d.viewer}`)).size)} person→viewer pair(s)`) +
    row('possibly exposed', s.possibly, 'stored or collapsed, no other viewer in the logs') +
    row('not affected', s.notAffected) +
    '\n' +
    row('A: any data shown', s.anyData) +
    row('B: directly identifying data shown', s.directlyIdentifying) +
    row('upper bound (shown+derived+possibly)', s.upperBound) +
    (cats ? `  per category: ${cats}\n` : '') +
    (s.unattributed ? `  ${n(s.unattributed)} finding(s) could not be tied to one owner (concurrent fills); their candidates count as possibly exposed\n` : '') +
    (s.firstExposure ? `  first exposure ${s.firstExposure}, last ${s.lastExposure}\n` : '') +
    (wrote.length ? `\nwrote ${wrote.join(', ')}\n` : '')
  );
}

function write(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `scope: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export default defineCommand({
  name: 'scope',
  summary: 'replay an incident window\'s logs and say exactly whose data reached whom (per person)',
  usage: 'scope --input <file|glob>... [--from <time>] [--to <time>] [--format <fmt>] [--sessions <file>] [--relations <file>] [-o report.json] [--csv people.csv] [--html report.html]',
  description: `
Replays access logs (plain or gzip, files or globs, in any order) through the same detection
engine as \`watch\`, in event time, and computes per person (a keyed hash): shown to someone
else (confirmed, with when, which URLs, how many viewers, which edges), exposed on another
person's page (derived, from --relations), possibly exposed (stored or collapsed, no other viewer
seen: the upper bound), or not affected. Counts people per data category (respond.routes and
respond.categories in the config): tier A any data, tier B directly identifying data.

--sessions maps session credentials to user ids (CSV session,user or NDJSON) so people are
counted once per user; values are hashed as they are read. The JSON report (-o) feeds
\`cachewarden lookup\` and \`cachewarden notices\`. docs/respond.md walks through an incident.`,
  flags: {
    input: { type: 'string', short: 'i', multiple: true, value: '<file|glob>', description: 'log files or globs (gzip detected); repeat for more' },
    format: { type: 'string', short: 'f', value: '<fmt>', default: 'auto', description: `log format: ${FORMATS.join(', ')}` },
    field: { type: 'string', multiple: true, value: '<canonical>=<field>', description: 'map a canonical field to the log\'s field name (as in watch)' },
    from: { type: 'string', value: '<time>', description: 'start of the incident window, ISO 8601 with zone (default: the first event)' },
    to: { type: 'string', value: '<time>', description: 'end of the window (default: the last event)' },
    sessions: { type: 'string', value: '<file>', description: 'session credential → user id map (CSV session,user or NDJSON)' },
    relations: { type: 'string', value: '<file>', description: 'page owner, related person, route, fields shown (CSV or NDJSON)' },
    output: { type: 'string', short: 'o', value: '<file>', description: 'write the JSON report here' },
    csv: { type: 'string', value: '<file>', description: 'write one CSV row per person here' },
    html: { type: 'string', value: '<file>', description: 'write the self-contained HTML report here' },
    lang: { type: 'string', value: '<en|ja>', default: 'en', description: 'language of the HTML report' },
  },
  config: 'optional',
  exitCodes: { 0: 'nobody\'s data was shown to someone else', 1: 'someone\'s data was shown to someone else (shown or derived)', 2: 'usage, config, or unreadable input' },
  examples: [
    'cachewarden scope -i "/var/log/cdn/2026-11-21/*.log.gz" --from 2026-11-21T10:00:00+09:00 --to 2026-11-21T15:00:00+09:00 -o report.json --html report.html',
    'cachewarden scope -i edge1.log -i edge2.log --format nginx-json --sessions sessions.csv --relations relations.csv --csv people.csv',
    'cachewarden scope -i access.log --json > report.json',
  ],
  async run({ flags, config, out }) {
    const cfg = config?.config;
    const inputs = flags.input ?? [];
    if (inputs.length === 0) throw new CwError('CW_USAGE_BAD_FLAG', 'scope: no input; pass --input <file|glob> (repeatable)');
    const format = (flags.format ?? 'auto') as FormatId | 'auto';
    if (!(FORMATS as readonly string[]).includes(format)) throw new CwError('CW_USAGE_BAD_FLAG', `scope: --format "${flags.format}" is not one of ${FORMATS.join(', ')}`);
    const lang = flags.lang ?? 'en';
    if (lang !== 'en' && lang !== 'ja') throw new CwError('CW_USAGE_BAD_FLAG', `scope: --lang "${lang}" must be en or ja`);
    let fields: FieldMap | undefined;
    try {
      fields = flags.field && flags.field.length > 0 ? parseFieldOverrides(flags.field) : undefined;
    } catch (e) {
      throw new CwError('CW_USAGE_BAD_FLAG', `scope: --field: ${(e as Error).message}`);
    }
    const from = flags.from ? parseTime('from', flags.from) : undefined;
    const to = flags.to ? parseTime('to', flags.to) : undefined;
    if (from !== undefined && to !== undefined && from > to) throw new CwError('CW_USAGE_BAD_FLAG', `scope: --from ${flags.from} is after --to ${flags.to}`);
    const key = cfg?.identity.key ?? process.env['CACHEWARDEN_IDENTITY_KEY'];
    if (!key) throw new CwError('CW_CONFIG_MISSING_KEY', 'scope: no identity key; set identity.key in the config or CACHEWARDEN_IDENTITY_KEY (the key the report, lookup and owner tags share)');
    const respond = cfg?.respond ?? RespondSchema.parse({});
    const watch = cfg?.watch ?? WatchSchema.parse({});
    const sessions = flags.sessions ?? respond.sessions;
    const relations = flags.relations ?? respond.relations;

    const { runScope, peopleCsv } = await import('../../respond/scope/index.ts');
    const report = await runScope({
      inputs,
      format,
      ...(fields ? { fields } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      personalized: cfg?.personalized ?? [],
      identity: { key, cookies: cfg?.identity.cookies ?? ['sid', 'session', 'sessionid'] },
      watch: { lateness: watch.lateness, objectLife: watch.objectLife, joinTolerance: watch.joinTolerance, maxKeys: watch.maxKeys },
      respond,
      ...(sessions ? { sessions } : {}),
      ...(relations ? { relations } : {}),
      onNotice: (line: string) => out.stderr(`cachewarden: scope: ${line}\n`),
    });
    const wrote: string[] = [];
    if (flags.output) {
      write(flags.output, `${JSON.stringify(report, null, 2)}\n`);
      wrote.push(flags.output);
    }
    if (flags.csv) {
      write(flags.csv, peopleCsv(report));
      wrote.push(flags.csv);
    }
    if (flags.html) {
      const { renderHtml } = await import('../../respond/report/html.ts');
      write(flags.html, renderHtml(report, { lang }));
      wrote.push(flags.html);
    }
    if (flags.json) out.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else out.stdout(summaryText(report, wrote));
    return report.summary.shown + report.summary.derived > 0 ? 1 : 0;
  },
});
