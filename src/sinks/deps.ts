/** What sinks take from the outside world, injectable for tests. */
import type { FetchLike } from './http.ts';

export interface TextStream {
  write(chunk: string): unknown;
}

export interface SinkDeps {
  /** HTTP client for the webhook, Slack, PagerDuty and Teams sinks (default: global fetch). */
  fetch?: FetchLike;
  /** Wall clock, ms since the epoch (webhook timestamps, Retry-After dates). */
  now?: () => number;
  /** Console sink streams (default: process.stdout / process.stderr). */
  stdout?: TextStream;
  stderr?: TextStream;
}
