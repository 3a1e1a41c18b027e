/**
 * The sink contract: where alerts go (console, NDJSON file, generic webhook, Slack, PagerDuty,
 * e-mail, Microsoft Teams). A sink formats and delivers one alert; the dispatcher owns queues,
 * retries with back-off and counters, so a slow or failing sink never blocks detection or the
 * other sinks. A retried send is not a drop.
 */
import type { Alert } from '../core/incident.ts';

export const SINK_TYPES = ['console', 'ndjson', 'webhook', 'slack', 'pagerduty', 'email', 'teams'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

/** Thrown by `send` to tell the dispatcher whether (and when) to retry. */
export class SinkError extends Error {
  readonly retryable: boolean;
  /** Server-requested delay (Retry-After), ms. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'SinkError';
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export interface Sink {
  readonly type: SinkType;
  /** Unique among configured sinks (`slack`, `slack#2`, or the config's `name`). */
  readonly name: string;
  /** Deliver one alert; throw SinkError (retryable or not) on failure. Must not log secrets (webhook URLs, keys). */
  send(alert: Alert): Promise<void>;
  /** Cheap check that the sink can deliver (config sane, file writable); no alert is sent. */
  healthcheck(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkCounters {
  sent: number;
  /** Send attempts that failed (each retry counts). */
  failed: number;
  retried: number;
  /** Alerts given up on, by reason (`non_retryable`, `retries_exhausted`, `queue_full`). */
  dropped: Record<string, number>;
  queued: number;
}
