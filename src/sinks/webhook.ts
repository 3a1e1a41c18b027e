/**
 * Generic webhook sink. The body has the shape of an Alertmanager webhook notification, so
 * receivers written for Alertmanager work unchanged, plus a `cachewarden` object with the full
 * incident (identities hashed). With a secret, each request is signed the Standard Webhooks way:
 *
 *   webhook-id:        msg_<24 base64url chars>, the same on every retry of one alert
 *   webhook-timestamp: Unix seconds when this attempt was sent
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 *
 * The key is the base64-decoded remainder of a `whsec_` secret, otherwise the secret's UTF-8 bytes.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Alert } from '../core/incident.ts';
import type { SinkDeps } from './deps.ts';
import { formatText, iso, safeIncident } from './format.ts';
import { healthProblem, isLoopback, postJson, redactUrl, Scrubber, type FetchLike } from './http.ts';
import type { WebhookSinkConfig } from './schema.ts';
import type { Sink } from './types.ts';

/** Alertmanager's zero time, sent as `endsAt` of a firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** Stable per alert (incident, kind, time), so a receiver can drop a retried delivery it already has. */
export function webhookMessageId(alert: Alert): string {
  const digest = createHash('sha256').update(`${alert.incident.id}\n${alert.kind}\n${alert.at}`).digest('base64url');
  return `msg_${digest.slice(0, 24)}`;
}

export function webhookBody(alert: Alert, receiver: string): Record<string, unknown> {
  const inc = alert.incident;
  const status = alert.kind === 'resolved' ? 'resolved' : 'firing';
  const text = formatText(alert);
  const labels = {
    alertname: inc.rule,
    severity: inc.severity,
    rule: inc.rule,
    edge: inc.edge,
    url: inc.url,
    incident: inc.id,
    job: alert.job,
  };
  const annotations = {
    summary: inc.title,
    description: text.body,
    fix: inc.fix,
    runbook_url: inc.docs,
  };
  return {
    version: '4',
    groupKey: `{}:{incident=${JSON.stringify(inc.id)}}`,
    truncatedAlerts: 0,
    status,
    receiver,
    groupLabels: { incident: inc.id },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: inc.docs,
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: iso(inc.firstSeen),
        endsAt: alert.kind === 'resolved' ? iso(alert.at) : ZERO_TIME,
        generatorURL: inc.docs,
        fingerprint: createHash('sha256').update(inc.id).digest('hex').slice(0, 16),
      },
    ],
    cachewarden: { kind: alert.kind, at: iso(alert.at), job: alert.job, incident: safeIncident(inc) },
  };
}

export class WebhookSink implements Sink {
  readonly type = 'webhook' as const;
  readonly name: string;
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike | undefined;
  readonly #now: () => number;
  readonly #scrubber: Scrubber;

  constructor(config: WebhookSinkConfig, deps: SinkDeps = {}) {
    this.name = config.name ?? 'webhook';
    this.#url = config.url;
    this.#secret = config.secret;
    this.#headers = { ...config.headers };
    this.#timeoutMs = config.timeoutMs;
    this.#fetch = deps.fetch;
    this.#now = deps.now ?? Date.now;
    // Header values count as secrets when long enough to be credentials (not `X-Team: edge`).
    this.#scrubber = new Scrubber([config.url, config.secret, ...Object.values(this.#headers).filter((v) => v.length >= 8)]);
  }

  async send(alert: Alert): Promise<void> {
    const body = JSON.stringify(webhookBody(alert, this.name));
    const id = webhookMessageId(alert);
    const timestamp = Math.floor(this.#now() / 1000);
    const headers: Record<string, string> = {
      ...this.#headers,
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
    };
    if (this.#secret !== undefined) headers['webhook-signature'] = signWebhook(this.#secret, id, timestamp, body);
    await postJson({
      url: this.#url,
      body,
      headers,
      timeoutMs: this.#timeoutMs,
      scrubber: this.#scrubber,
      now: this.#now,
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
  }

  async healthcheck(): Promise<void> {
    if (this.#secret?.startsWith('whsec_') && webhookKey(this.#secret).length < 16) {
      throw healthProblem(this.#scrubber, `the whsec_ signing secret decodes to fewer than 16 bytes; use a longer key`);
    }
    if (new URL(this.#url).protocol === 'http:' && !isLoopback(this.#url)) {
      throw healthProblem(this.#scrubber, `${redactUrl(this.#url)} is plain http; alerts would cross the network unencrypted`);
    }
  }

  async close(): Promise<void> {}

  toJSON(): Record<string, string> {
    return { type: this.type, name: this.name, url: redactUrl(this.#url) };
  }
}

