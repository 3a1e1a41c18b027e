/**
 * Microsoft Teams sink through a Workflows ("When a Teams webhook request is received") URL; the
 * retired Office 365 connectors are not supported. The body is a message with one Adaptive Card
 * attachment: title, what changed, a fact set, the fix, sample evidence (hashes shortened) and a
 * button to the rule's docs. The URL carries a signature (`sig=`) and is treated as a secret.
 */
import type { Alert } from '../core/incident.ts';
import type { SinkDeps } from './deps.ts';
import { describeAlert, truncate } from './format.ts';
import { JsonPostSink } from './http.ts';
import type { TeamsSinkConfig } from './schema.ts';

export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

export function adaptiveCard(alert: Alert): Record<string, unknown> {
  const v = describeAlert(alert, { fullHashes: false, maxHashes: 3 });
  const inc = alert.incident;
  const color = alert.kind === 'resolved' ? 'Good' : inc.severity === 'critical' || inc.severity === 'high' ? 'Attention' : 'Warning';
  const facts = [
    ...v.facts.filter((f) => f.label !== 'What'),
    { label: 'Owners', value: v.owners },
    { label: 'Viewers', value: v.viewers },
  ].map((f) => ({ title: f.label, value: truncate(f.value, 1000) }));
  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: truncate(v.title, 500), weight: 'Bolder', size: 'Medium', wrap: true, color, style: 'heading' },
    { type: 'TextBlock', text: v.headline, wrap: true, isSubtle: true, spacing: 'None' },
    { type: 'FactSet', facts },
    { type: 'TextBlock', text: `**Fix:** ${truncate(v.fix, 2000)}`, wrap: true },
  ];
  if (v.evidence.length > 0) {
    body.push(
      { type: 'TextBlock', text: 'Evidence (identities are keyed hashes)', weight: 'Bolder', wrap: true },
      {
        type: 'TextBlock',
        text: v.evidence.map((l) => truncate(l, 600)).join('\n\n'),
        fontType: 'Monospace',
        size: 'Small',
        wrap: true,
      },
    );
  }
  if (v.details) {
    body.push(
      { type: 'TextBlock', text: 'Details', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: truncate(v.details, 4000), fontType: 'Monospace', size: 'Small', wrap: true },
    );
  }
  body.push({ type: 'TextBlock', text: v.footer, isSubtle: true, size: 'Small', wrap: true });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
  };
  if (/^https?:\/\//.test(v.docs)) card['actions'] = [{ type: 'Action.OpenUrl', title: 'Rule docs', url: v.docs }];
  return card;
}

export function teamsMessage(alert: Alert): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_TYPE, contentUrl: null, content: adaptiveCard(alert) }],
  };
}

export class TeamsSink extends JsonPostSink {
  constructor(config: TeamsSinkConfig, deps: SinkDeps = {}) {
    super({
      type: 'teams',
      name: config.name ?? 'teams',
      url: config.url,
      timeoutMs: config.timeoutMs,
      deps,
      body: teamsMessage,
      httpsHint: 'Workflows URLs are https',
      checkUrl: (u) =>
        /(^|\.)outlook\.office(365)?\.com$/.test(u.hostname) || /webhook\.office\.com$/.test(u.hostname)
          ? 'is an Office 365 connector URL, which Microsoft retired; create a Workflows webhook instead'
          : undefined,
    });
  }
}
