/**
 * PagerDuty sink (Events API v2). Opened and updated alerts are `trigger` events, resolved is
 * `resolve`; all carry `dedup_key` = incident id, so updates land on the same PagerDuty alert and
 * the resolve closes it. PagerDuty answers 202 on success and 429 when the integration sends too
 * fast (about 120 events a minute); both 429 and 5xx are retried by the dispatcher.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../core/incident.ts';
import type { Severity } from '../core/severity.ts';
import type { SinkDeps } from './deps.ts';
import { countsLine, evidenceLine, iso, showIdentity, truncate } from './format.ts';
import { healthProblem, postJson, redactUrl, Scrubber, type FetchLike } from './http.ts';
import type { PagerDutySinkConfig } from './schema.ts';
import type { Sink } from './types.ts';

export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'info',
};

/** The incident id, or its SHA-256 when longer than PagerDuty's 255-character limit. */
export function pagerDutyDedupKey(incidentId: string): string {
  return incidentId.length <= 255 ? incidentId : createHash('sha256').update(incidentId).digest('hex');
}

export function pagerDutyEvent(alert: Alert, routingKey: string): Record<string, unknown> {
  const inc = alert.incident;
  const base = { routing_key: routingKey, dedup_key: pagerDutyDedupKey(inc.id) };
  if (alert.kind === 'resolved') return { ...base, event_action: 'resolve' };
  const samples = inc.samples.slice(0, 5).map((e) => evidenceLine(e, true));
  return {
    ...base,
    event_action: 'trigger',
    client: 'cachewarden',
    client_url: inc.docs,
    payload: {
      summary: truncate(`[${inc.severity}] ${inc.title}`, 1024),
      source: inc.edge,
      severity: PAGERDUTY_SEVERITY[inc.severity],
      timestamp: iso(inc.lastSeen),
      component: inc.url,
      group: inc.rule,
      class: inc.rule,
      custom_details: {
        alert: alert.kind,
        job: alert.job,
        incident: inc.id,
        rule: inc.rule,
        url: inc.url,
        ...(inc.key !== undefined ? { cache_key: inc.key } : {}),
        edge: inc.edge,
        counts: countsLine(inc),
        ...(inc.details !== undefined ? { details: truncate(inc.details, 8000) } : {}),
        findings: inc.count,
        owners_total: inc.ownersTotal,
        viewers_total: inc.viewersTotal,
        pairs_total: inc.pairsTotal,
        owners: inc.owners.slice(0, 10).map((h) => showIdentity(h)),
        viewers: inc.viewers.slice(0, 10).map((h) => showIdentity(h)),
        first_seen: iso(inc.firstSeen),
        last_seen: iso(inc.lastSeen),
        ...(inc.detectionDelaySec !== undefined ? { detection_delay_sec: inc.detectionDelaySec } : {}),
        fix: inc.fix,
        samples,
      },
    },
    links: [{ href: inc.docs, text: `cachewarden rule ${inc.rule}` }],
  };
}

export class PagerDutySink implements Sink {
  readonly type = 'pagerduty' as const;
  readonly name: string;
  readonly #url: string;
  readonly #routingKey: string;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike | undefined;
  readonly #now: () => number;
  readonly #scrubber: Scrubber;

  constructor(config: PagerDutySinkConfig, deps: SinkDeps = {}) {
    this.name = config.name ?? 'pagerduty';
    this.#url = config.url;
    this.#routingKey = config.routingKey;
    this.#timeoutMs = config.timeoutMs;
    this.#fetch = deps.fetch;
    this.#now = deps.now ?? Date.now;
    this.#scrubber = new Scrubber([config.routingKey]);
  }

  async send(alert: Alert): Promise<void> {
    await postJson({
      url: this.#url,
      body: JSON.stringify(pagerDutyEvent(alert, this.#routingKey)),
      timeoutMs: this.#timeoutMs,
      scrubber: this.#scrubber,
      now: this.#now,
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
  }

  async healthcheck(): Promise<void> {
    if (this.#routingKey.length !== 32) {
      throw healthProblem(
        this.#scrubber,
        `routingKey has ${this.#routingKey.length} characters; an Events API v2 integration key has 32 (check the integration in PagerDuty)`,
      );
    }
  }

  async close(): Promise<void> {}

  toJSON(): Record<string, string> {
    return { type: this.type, name: this.name, url: redactUrl(this.#url) };
  }
}
