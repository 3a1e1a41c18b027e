/**
 * Slack sink (incoming webhook). Sends `text` (the fallback shown in notifications) and Block Kit
 * `blocks`: a header, the title and what changed, the key facts as fields, the fix, sample evidence
 * and a context line with the incident id and docs link. Section texts stay within Slack's 3000
 * character limit (fields 2000, header 150). Identity hashes are shortened; counts are exact.
 * Slack answers 429 with Retry-After when a channel gets more than about one message a second.
 */
import type { Alert, AlertKind } from '../core/incident.ts';
import type { SinkDeps } from './deps.ts';
import { describeAlert, formatDuration, iso, truncate } from './format.ts';
import { JsonPostSink } from './http.ts';
import type { SlackSinkConfig } from './schema.ts';

export const SLACK_LIMITS = { section: 3000, field: 2000, header: 150, context: 2000, text: 3000, fields: 10 } as const;

const KIND_EMOJI: Record<AlertKind, string> = {
  opened: ':rotating_light:',
  updated: ':arrows_counterclockwise:',
  resolved: ':white_check_mark:',
};

/** Escape the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escape, then cut to `max`, never leaving a half entity behind. */
function md(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  return `${truncate(escaped, max - 1).replace(/&[a-z]{0,3}…$/, '…')}`;
}

function section(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function field(label: string, value: string): Record<string, unknown> {
  const head = `*${escapeMrkdwn(label)}*\n`;
  return { type: 'mrkdwn', text: head + md(value, SLACK_LIMITS.field - head.length) };
}

export function slackMessage(alert: Alert): { text: string; blocks: Array<Record<string, unknown>> } {
  const v = describeAlert(alert, { fullHashes: false, maxHashes: 3 });
  const inc = alert.incident;
  const kindWord = alert.kind.charAt(0).toUpperCase() + alert.kind.slice(1);
  const header = truncate(`${KIND_EMOJI[alert.kind]} ${kindWord} · ${inc.severity.toUpperCase()} · ${inc.title}`, SLACK_LIMITS.header);

  const titleText = `*${md(inc.title, 1000)}*\n${md(v.headline, 1000)}`;
  const fields = [
    field('Where', `${inc.url} on edge ${inc.edge}`),
    field('Rule', `${inc.rule} (${inc.severity})`),
    field('Findings', String(inc.count)),
    field('Owner/viewer pairs', String(inc.pairsTotal)),
    field('Owners (whose data)', `${inc.ownersTotal}: ${v.owners}`),
    field('Viewers (who received it)', `${inc.viewersTotal}: ${v.viewers}`),
    field('First seen', iso(inc.firstSeen)),
    field('Last seen', iso(inc.lastSeen)),
  ];
  if (inc.detectionDelaySec !== undefined) fields.push(field('Detection delay', formatDuration(inc.detectionDelaySec)));
  if (inc.key !== undefined && inc.key !== inc.url) fields.push(field('Cache key', inc.key));

  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    section(titleText),
    { type: 'section', fields: fields.slice(0, SLACK_LIMITS.fields) },
    section(`*Fix*\n${md(v.fix, SLACK_LIMITS.section - 8)}`),
  ];
  if (v.evidence.length > 0) {
    const head = '*Evidence* (identities are keyed hashes)\n```';
    const room = SLACK_LIMITS.section - head.length - 3;
    // Inside a code block only & < > need escaping; keep whole lines while they fit.
    const kept: string[] = [];
    let used = 0;
    for (const line of v.evidence.map((l) => escapeMrkdwn(l.replace(/`/g, "'")))) {
      const piece = truncate(line, Math.min(room, 600));
      if (used + piece.length + 1 > room) break;
      kept.push(piece);
      used += piece.length + 1;
    }
    if (kept.length > 0) blocks.push(section(`${head}${kept.join('\n')}\`\`\``));
  }
  if (v.details) blocks.push(section(`*Details*\n\`\`\`${escapeMrkdwn(truncate(v.details.replace(/`/g, "'"), SLACK_LIMITS.section - 20))}\`\`\``));
  const docsLink = /^https?:\/\/[^\s<>|]+$/.test(v.docs) ? `<${v.docs}|Rule docs>` : escapeMrkdwn(v.docs);
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: md(`${v.footer}`, SLACK_LIMITS.context - docsLink.length - 3) + ` · ${docsLink}` }],
  });

  const text = md(`${v.title} (${inc.url}, edge ${inc.edge})`, SLACK_LIMITS.text);
  return { text, blocks };
}

export class SlackSink extends JsonPostSink {
  constructor(config: SlackSinkConfig, deps: SinkDeps = {}) {
    super({
      type: 'slack',
      name: config.name ?? 'slack',
      url: config.url,
      timeoutMs: config.timeoutMs,
      deps,
      body: slackMessage,
      httpsHint: 'Slack webhooks are https://hooks.slack.com/services/...',
    });
  }
}
