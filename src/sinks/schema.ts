/**
 * Config schemas for alert sinks, one strict object per sink type, joined as a discriminated
 * union on `type`. Mounted by the config at the top-level key `alerts:` (a list). Secrets
 * (webhook URLs, the PagerDuty routing key, the webhook signing secret, the SMTP password)
 * should come from the environment through `${NAME}`.
 */
import { z } from 'zod';
import { nearest } from '../core/suggest.ts';
import { SEVERITIES } from '../core/severity.ts';
import { SINK_TYPES, type SinkType } from './types.ts';

const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL, e.g. ${example}` });

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._#-]{0,63}$/, {
    message: 'a sink name is 1-64 letters, digits, ".", "_", "#" or "-", starting with a letter or digit',
  })
  .optional()
  .meta({
    description:
      'Name used in counters, logs and health problems; unique among sinks. Default: the type, then `<type>#2`, `<type>#3` for further sinks of the same type.',
    example: 'oncall-slack',
  });

const minSeverity = z
  .enum(SEVERITIES)
  .optional()
  .meta({
    description: 'Only alerts of incidents at or above this severity go to this sink. Default: every alert.',
    example: 'high',
  });

const timeoutMs = z
  .int()
  .min(100)
  .max(120_000)
  .default(10_000)
  .meta({ description: 'Per-request timeout in milliseconds; a request that takes longer fails and is retried.', example: 5000 });

export const ConsoleSinkSchema = z
  .strictObject({
    type: z.literal('console').meta({ description: 'Print alerts as text.', example: 'console' }),
    name,
    minSeverity,
    stream: z
      .enum(['stderr', 'stdout'])
      .default('stderr')
      .meta({ description: 'Where to print.', example: 'stdout' }),
  })
  .meta({ description: 'Console: a title line and a short text body per alert.' });

export const NdjsonSinkSchema = z
  .strictObject({
    type: z.literal('ndjson').meta({ description: 'Append alerts to a file, one JSON object per line.', example: 'ndjson' }),
    name,
    minSeverity,
    path: z
      .string()
      .min(1)
      .meta({ description: 'File to append to; created when missing (its directory must exist).', example: '/var/log/cachewarden/alerts.ndjson' }),
  })
  .meta({ description: 'NDJSON file: one JSON line per alert (the Alert object).' });

const RESERVED_HEADERS = ['content-type', 'content-length', 'host', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];

export const WebhookSinkSchema = z
  .strictObject({
    type: z.literal('webhook').meta({ description: 'POST an Alertmanager-shaped JSON body to a URL.', example: 'webhook' }),
    name,
    minSeverity,
    url: httpUrl('https://alerts.example.com/cachewarden').meta({
      description: 'Receiver URL. Treated as a secret: printed with its path redacted.',
      example: '${CACHEWARDEN_WEBHOOK_URL}',
    }),
    secret: z
      .string()
      .min(16, { message: 'the signing secret must be at least 16 characters (or whsec_<base64>)' })
      .optional()
      .meta({
        description:
          'Signing secret. When set, each request carries Standard Webhooks signature headers (HMAC-SHA256). A `whsec_` prefix means the rest is the base64 key; otherwise the UTF-8 bytes are the key.',
        example: '${CACHEWARDEN_WEBHOOK_SECRET}',
      }),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'not a valid HTTP header name' }), z.string())
      .refine((h) => Object.keys(h).every((k) => !RESERVED_HEADERS.includes(k.toLowerCase())), {
        message: `these headers are set by cachewarden and cannot be overridden: ${RESERVED_HEADERS.join(', ')}`,
      })
      .optional()
      .meta({
        description: 'Extra request headers (e.g. an Authorization header). Values are never printed.',
        example: { Authorization: 'Bearer ${RECEIVER_TOKEN}' },
      }),
    timeoutMs,
  })
  .meta({ description: 'Generic webhook: Alertmanager-compatible JSON, optionally signed (Standard Webhooks).' });

export const SlackSinkSchema = z
  .strictObject({
    type: z.literal('slack').meta({ description: 'Post to a Slack channel through an incoming webhook.', example: 'slack' }),
    name,
    minSeverity,
    url: httpUrl('https://hooks.slack.com/services/T000/B000/XXXX').meta({
      description: 'The incoming-webhook URL. It is a secret: give it through the environment.',
      example: '${SLACK_WEBHOOK_URL}',
    }),
    timeoutMs,
  })
  .meta({ description: 'Slack incoming webhook: fallback text plus Block Kit blocks.' });

export const PagerDutySinkSchema = z
  .strictObject({
    type: z.literal('pagerduty').meta({ description: 'Send events to PagerDuty (Events API v2).', example: 'pagerduty' }),
    name,
    minSeverity,
    routingKey: z
      .string()
      .min(1)
      .meta({
        description: 'The integration (routing) key of an Events API v2 integration, 32 characters. A secret.',
        example: '${PAGERDUTY_ROUTING_KEY}',
      }),
    url: httpUrl('https://events.pagerduty.com/v2/enqueue')
      .default('https://events.pagerduty.com/v2/enqueue')
      .meta({ description: 'Events API endpoint (change only for tests or a proxy).', example: 'https://events.eu.pagerduty.com/v2/enqueue' }),
    timeoutMs,
  })
  .meta({ description: 'PagerDuty Events API v2: trigger on opened/updated, resolve on resolved, dedup_key = incident id.' });

const mailbox = z.string().regex(/^(?:[^<>]*<\s*)?[^@\s<>]+@[^@\s<>]+(?:\s*>)?$/, {
  message: 'expected an e-mail address, e.g. alerts@example.com or "cachewarden <alerts@example.com>"',
});

export const EmailSinkSchema = z
  .strictObject({
    type: z.literal('email').meta({ description: 'Send e-mail through an SMTP server.', example: 'email' }),
    name,
    minSeverity,
    host: z.string().min(1).meta({ description: 'SMTP server (ideally the organisation relay).', example: 'smtp.example.com' }),
    port: z
      .int()
      .min(1)
      .max(65535)
      .default(587)
      .meta({ description: 'SMTP port: 587 for submission with STARTTLS, 465 with `secure: true`.', example: 465 }),
    secure: z
      .boolean()
      .default(false)
      .meta({
        description: 'Use TLS from the start (port 465). When false, STARTTLS is used if the server offers it.',
        example: true,
      }),
    user: z.string().min(1).optional().meta({ description: 'SMTP user name, when the server requires login.', example: 'cachewarden' }),
    pass: z.string().min(1).optional().meta({ description: 'SMTP password. A secret.', example: '${SMTP_PASSWORD}' }),
    from: mailbox.meta({ description: 'Sender address.', example: 'cachewarden <cachewarden@example.com>' }),
    to: z
      .array(mailbox)
      .min(1, { message: 'list at least one recipient' })
      .meta({ description: 'Recipients.', example: ['oncall@example.com'] }),
    subjectPrefix: z
      .string()
      .default('[cachewarden]')
      .meta({ description: 'Put at the start of every subject (for mail filters).', example: '[cachewarden prod]' }),
    timeoutMs,
  })
  .refine((c) => (c.user === undefined) === (c.pass === undefined), {
    message: 'give both user and pass, or neither',
    path: ['pass'],
  })
  .meta({ description: 'E-mail (SMTP): plain text, threaded per incident by Message-ID / In-Reply-To.' });

export const TeamsSinkSchema = z
  .strictObject({
    type: z.literal('teams').meta({ description: 'Post an Adaptive Card to Microsoft Teams through a Workflows webhook.', example: 'teams' }),
    name,
    minSeverity,
    url: httpUrl('https://prod-00.westus.logic.azure.com/workflows/...').meta({
      description: 'The Workflows "When a Teams webhook request is received" URL (it carries a signature; a secret).',
      example: '${TEAMS_WEBHOOK_URL}',
    }),
    timeoutMs,
  })
  .meta({ description: 'Microsoft Teams (Workflows webhook): an Adaptive Card per alert.' });

/** Schema of each sink type, for docs and for tools that resolve keys by type. */
export const SINK_CONFIG_SCHEMAS = {
  console: ConsoleSinkSchema,
  ndjson: NdjsonSinkSchema,
  webhook: WebhookSinkSchema,
  slack: SlackSinkSchema,
  pagerduty: PagerDutySinkSchema,
  email: EmailSinkSchema,
  teams: TeamsSinkSchema,
} as const satisfies Record<SinkType, unknown>;

export const SinkConfigSchema = z.discriminatedUnion(
  'type',
  [ConsoleSinkSchema, NdjsonSinkSchema, WebhookSinkSchema, SlackSinkSchema, PagerDutySinkSchema, EmailSinkSchema, TeamsSinkSchema],
  {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined;
      const input = iss.input as { type?: unknown } | undefined;
      const given = input?.type;
      if (given === undefined) return `each sink needs a type: one of ${SINK_TYPES.join(', ')}`;
      const guess = typeof given === 'string' ? nearest(given, SINK_TYPES) : undefined;
      return `unknown sink type ${JSON.stringify(given)}; use one of ${SINK_TYPES.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`;
    },
  },
);

export const AlertsConfigSchema = z
  .array(SinkConfigSchema)
  .superRefine((sinks, ctx) => {
    const seen = new Map<string, number>();
    sinks.forEach((s, i) => {
      if (s.name === undefined) return;
      const first = seen.get(s.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `"${s.name}" is already the name of alerts[${first}]; give each sink a unique name`,
        });
      } else {
        seen.set(s.name, i);
      }
    });
  })
  .meta({
    description:
      'Where alerts go: a list of sinks (console, ndjson, webhook, slack, pagerduty, email, teams). Each incident state change (opened, updated, resolved) is sent to every sink whose minSeverity it meets. See docs/sinks.md.',
    example: [{ type: 'slack', url: '${SLACK_WEBHOOK_URL}', minSeverity: 'high' }],
  });

export type SinkConfig = z.output<typeof SinkConfigSchema>;
export type SinkConfigInput = z.input<typeof SinkConfigSchema>;
export type AlertsConfig = z.output<typeof AlertsConfigSchema>;
export type ConsoleSinkConfig = z.output<typeof ConsoleSinkSchema>;
export type NdjsonSinkConfig = z.output<typeof NdjsonSinkSchema>;
export type WebhookSinkConfig = z.output<typeof WebhookSinkSchema>;
export type SlackSinkConfig = z.output<typeof SlackSinkSchema>;
export type PagerDutySinkConfig = z.output<typeof PagerDutySinkSchema>;
export type EmailSinkConfig = z.output<typeof EmailSinkSchema>;
export type TeamsSinkConfig = z.output<typeof TeamsSinkSchema>;
