/**
 * The dispatcher fans alerts out to sinks without ever making the caller wait.
 *
 * - `dispatch(alert)` puts the alert on the queue of every sink whose `minSeverity` it meets
 *   and returns at once.
 * - Each sink has its own FIFO queue, worked one alert at a time, so a slow, failing or hanging
 *   sink delays only itself.
 * - A failed send that is retryable (network error, timeout, 429, 5xx) is retried with
 *   exponential back-off and jitter, at least as long as the server's Retry-After, up to
 *   `maxAttempts` tries. A retry is not a drop.
 * - Queues are bounded. When one is full, the oldest waiting `updated` alert goes first (a later
 *   update carries the same incident further); `opened` and `resolved` are dropped only when the
 *   queue holds nothing else.
 * - Every outcome is counted per sink (sent, failed attempts, retried, dropped by reason), and
 *   each retry and drop is reported through `onEvent`, so nothing is lost silently.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { Alert } from '../core/incident.ts';
import { atLeast, type Severity } from '../core/severity.ts';
import { SinkError, type Sink, type SinkCounters } from './types.ts';

export const DROP_REASONS = ['non_retryable', 'retries_exhausted', 'queue_full', 'shutdown'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** A sink and the lowest severity it receives. */
export interface SinkRoute {
  sink: Sink;
  minSeverity?: Severity;
}

export interface BackoffOptions {
  /** First retry delay, ms. Default 1000. */
  baseMs?: number;
  /** Largest computed delay, ms. Default 60 000. */
  maxMs?: number;
  /** Share of the delay that is random (0 = none, 1 = "full jitter"). Default 0.5. */
  jitter?: number;
  /** Longest server-requested (Retry-After) wait honoured, ms. Default 600 000. */
  maxRetryAfterMs?: number;
}

export type DispatchEvent =
  | { type: 'sent'; sink: string; alert: Alert; attempts: number }
  | { type: 'retry'; sink: string; alert: Alert; attempt: number; delayMs: number; error: string }
  | { type: 'dropped'; sink: string; alert: Alert; reason: DropReason; error?: string };

export interface DispatcherOptions {
  /** Tries per alert and sink, the first one included. Default 6. */
  maxAttempts?: number;
  /** Alerts waiting per sink (the one being sent not counted). Default 1000. */
  queueSize?: number;
  backoff?: BackoffOptions;
  /**
   * Longest a single `send` may take before it counts as a failed (retryable) attempt, ms.
   * Sinks have their own per-request timeouts; this guards against a sink that never settles.
   * Default 30 000.
   */
  sendTimeoutMs?: number;
  /** Injectable timing for tests: wait `ms`, rejecting when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injectable randomness for jitter, in [0, 1). */
  random?: () => number;
  /** Told about each sent, retried and dropped alert (for logs); messages carry no secrets. */
  onEvent?: (event: DispatchEvent) => void;
}

interface Item {
  alert: Alert;
}

class Lane {
  readonly sink: Sink;
  readonly minSeverity: Severity | undefined;
  readonly queue: Item[] = [];
  inFlight: Item | undefined;
  running = false;
  readonly counters: SinkCounters = { sent: 0, failed: 0, retried: 0, dropped: {}, queued: 0 };
  constructor(route: SinkRoute) {
    this.sink = route.sink;
    this.minSeverity = route.minSeverity;
  }
  pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepTimer(ms, undefined, { signal });
}

export class Dispatcher {
  readonly #lanes: Lane[];
  readonly #maxAttempts: number;
  readonly #queueSize: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #maxRetryAfterMs: number;
  readonly #sendTimeoutMs: number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #onEvent: ((event: DispatchEvent) => void) | undefined;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<() => void>();
  #closed = false;

  constructor(routes: ReadonlyArray<SinkRoute | Sink>, options: DispatcherOptions = {}) {
    const names = new Set<string>();
    this.#lanes = routes.map((r) => {
      const route: SinkRoute = 'sink' in r ? r : { sink: r };
      if (names.has(route.sink.name)) throw new Error(`two sinks are named "${route.sink.name}"; sink names must be unique`);
      names.add(route.sink.name);
      return new Lane(route);
    });
    this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 6));
    this.#queueSize = Math.max(1, Math.floor(options.queueSize ?? 1000));
    this.#baseMs = Math.max(0, options.backoff?.baseMs ?? 1000);
    this.#maxMs = Math.max(this.#baseMs, options.backoff?.maxMs ?? 60_000);
    this.#jitter = Math.min(1, Math.max(0, options.backoff?.jitter ?? 0.5));
    this.#maxRetryAfterMs = Math.max(0, options.backoff?.maxRetryAfterMs ?? 600_000);
    this.#sendTimeoutMs = Math.max(1, options.sendTimeoutMs ?? 30_000);
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#onEvent = options.onEvent;
  }

  /** Sink names, in configuration order. */
  get sinks(): string[] {
    return this.#lanes.map((l) => l.sink.name);
  }

  /**
   * Queue `alert` for every sink whose minSeverity it meets; returns how many sinks took it.
   * Never waits and never throws for a sink's sake.
   */
  dispatch(alert: Alert): number {
    let taken = 0;
    for (const lane of this.#lanes) {
      if (lane.minSeverity !== undefined && !atLeast(alert.incident.severity, lane.minSeverity)) continue;
      if (this.#closed) {
        this.#drop(lane, alert, 'shutdown');
        continue;
      }
      this.#enqueue(lane, { alert });
      taken++;
      this.#kick(lane);
    }
    return taken;
  }

  #enqueue(lane: Lane, item: Item): void {
    if (lane.queue.length >= this.#queueSize) {
      const oldestUpdate = lane.queue.findIndex((q) => q.alert.kind === 'updated');
      if (oldestUpdate >= 0) {
        const [victim] = lane.queue.splice(oldestUpdate, 1);
        this.#drop(lane, victim!.alert, 'queue_full');
      } else if (item.alert.kind === 'updated') {
        // Only opened/resolved are waiting: the new update is what can go.
        this.#drop(lane, item.alert, 'queue_full');
        return;
      } else {
        const victim = lane.queue.shift()!;
        this.#drop(lane, victim.alert, 'queue_full');
      }
    }
    lane.queue.push(item);
  }

  #drop(lane: Lane, alert: Alert, reason: DropReason, error?: string): void {
    lane.counters.dropped[reason] = (lane.counters.dropped[reason] ?? 0) + 1;
    this.#emit(error === undefined ? { type: 'dropped', sink: lane.sink.name, alert, reason } : { type: 'dropped', sink: lane.sink.name, alert, reason, error });
  }

  #emit(event: DispatchEvent): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch {
      // A broken logger must not stop delivery.
    }
  }

  #kick(lane: Lane): void {
    if (lane.running) return;
    lane.running = true;
    void this.#work(lane);
  }

  async #work(lane: Lane): Promise<void> {
    try {
      while (!this.#closed && lane.queue.length > 0) {
        const item = lane.queue.shift()!;
        lane.inFlight = item;
        try {
          await this.#deliver(lane, item.alert);
        } finally {
          lane.inFlight = undefined;
        }
        this.#notify();
      }
    } finally {
      lane.running = false;
      this.#notify();
    }
  }

  /** The delay before retry number `attempt` (1 = first retry). */
  backoffMs(attempt: number, retryAfterMs?: number): number {
    const exp = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.max(0, attempt - 1));
    const jittered = exp * (1 - this.#jitter * this.#random());
    const server = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, this.#maxRetryAfterMs);
    return Math.round(Math.max(jittered, server));
  }

  async #deliver(lane: Lane, alert: Alert): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      try {
        await this.#sendWithTimeout(lane.sink, alert);
        lane.counters.sent++;
        this.#emit({ type: 'sent', sink: lane.sink.name, alert, attempts: attempt });
        return;
      } catch (e) {
        error = e;
      }
      lane.counters.failed++;
      const message = describeError(error);
      // Errors that are not SinkErrors come from a sink's own bug or a library: retry them.
      const retryable = error instanceof SinkError ? error.retryable : true;
      if (!retryable) {
        this.#drop(lane, alert, 'non_retryable', message);
        return;
      }
      if (attempt >= this.#maxAttempts) {
        this.#drop(lane, alert, 'retries_exhausted', message);
        return;
      }
      if (this.#closed) {
        this.#drop(lane, alert, 'shutdown', message);
        return;
      }
      const delayMs = this.backoffMs(attempt, error instanceof SinkError ? error.retryAfterMs : undefined);
      lane.counters.retried++;
      this.#emit({ type: 'retry', sink: lane.sink.name, alert, attempt, delayMs, error: message });
      try {
        await this.#sleep(delayMs, this.#abort.signal);
      } catch {
        // Woken by close(): give up on this alert.
      }
      if (this.#closed) {
        this.#drop(lane, alert, 'shutdown', message);
        return;
      }
    }
  }

  async #sendWithTimeout(sink: Sink, alert: Alert): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SinkError(`no answer within ${this.#sendTimeoutMs} ms`, { retryable: true })),
        this.#sendTimeoutMs,
      );
    });
    try {
      await Promise.race([sink.send(alert), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  #idle(): boolean {
    return this.#lanes.every((l) => l.pending() === 0 && !l.running);
  }

  /**
   * Wait until every queue is empty and nothing is being sent (for `--once` runs and shutdown).
   * Resolves true when drained, false when `timeoutMs` passed first (alerts may still be queued).
   */
  flush(timeoutMs = 30_000): Promise<boolean> {
    if (this.#idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (drained: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(drained);
      };
      const check = () => {
        if (this.#idle()) finish(true);
      };
      timer = setTimeout(() => finish(this.#idle()), timeoutMs);
      this.#waiters.add(check);
    });
  }

  /**
   * Stop: refuse new alerts, wake retries waiting on back-off (they give up), give sends in flight
   * up to `timeoutMs` to settle, count what is still queued as dropped (`shutdown`), then close
   * every sink. Call `flush()` first to deliver what is queued.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    for (const lane of this.#lanes) {
      for (const item of lane.queue.splice(0)) this.#drop(lane, item.alert, 'shutdown');
    }
    await this.flush(timeoutMs);
    await Promise.all(
      this.#lanes.map(async (lane) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([lane.sink.close(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        } catch {
          // Closing is best effort.
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  /** Counters per sink name (a snapshot; `queued` = waiting plus in flight). */
  counters(): Record<string, SinkCounters> {
    const out: Record<string, SinkCounters> = {};
    for (const lane of this.#lanes) {
      out[lane.sink.name] = { ...lane.counters, dropped: { ...lane.counters.dropped }, queued: lane.pending() };
    }
    return out;
  }

  /**
   * Check every sink (in parallel, each bounded by `timeoutMs`) without sending an alert.
   * Returns one line per problem, `<name> (<type>): <what is wrong>`; empty when all are fine.
   */
  async healthcheck(timeoutMs = 10_000): Promise<string[]> {
    const results = await Promise.all(
      this.#lanes.map(async (lane): Promise<string | undefined> => {
        let timer: NodeJS.Timeout | undefined;
        const label = `${lane.sink.name} (${lane.sink.type})`;
        try {
          await Promise.race([
            lane.sink.healthcheck(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`health check did not finish within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return undefined;
        } catch (e) {
          return `${label}: ${describeError(e).replace(/\s+/g, ' ').trim()}`;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return results.filter((r): r is string => r !== undefined);
  }
}
