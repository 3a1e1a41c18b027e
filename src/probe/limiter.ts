/**
 * The per-edge limiter of the probe client: at most `concurrency` requests in flight and at most
 * `rate` request starts per second (a token bucket), so a probe never looks like a load test.
 *
 * Slots are granted first come, first served. `acquire(n)` takes n slots **at once** (and n
 * tokens), which is how the collapse race releases its two sides together: neither side can be
 * held back by the limiter once the pair has its slots. The bucket may go into debt for such a
 * group (it waits only for `min(n, burst)` tokens), so the long-run rate still holds: a debt is
 * repaid before anyone else starts. In any window of T seconds at most `burst + rate·T` requests
 * start.
 *
 * Time comes from an injectable clock so tests can count grants without measuring durations.
 */

/** The clock and timer the limiter waits with. */
export interface LimiterClock {
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const realClock: LimiterClock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

export interface LimiterOptions {
  /** Requests in flight at most (≥ 1). */
  concurrency: number;
  /** Request starts per second at most (> 0). */
  rate: number;
  /** Bucket size: starts allowed back to back after a quiet spell. Default: a tenth of a second's worth, at least 1. */
  burst?: number;
  clock?: LimiterClock;
}

/** One granted slot; `release()` gives it back (idempotent). */
export interface Slot {
  release(): void;
}

export interface LimiterStats {
  inFlight: number;
  waiting: number;
  /** Highest number of slots held at once so far. */
  maxInFlight: number;
  /** Slots granted so far. */
  granted: number;
}

interface Waiter {
  n: number;
  resolve: (slots: Slot[]) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal | undefined;
  onAbort?: () => void;
}

export class Limiter {
  readonly concurrency: number;
  readonly rate: number;
  readonly burst: number;
  readonly #clock: LimiterClock;
  #tokens: number;
  #last: number;
  #inFlight = 0;
  #maxInFlight = 0;
  #granted = 0;
  readonly #queue: Waiter[] = [];
  #cancelTimer: (() => void) | undefined;
  #closed: Error | undefined;

  constructor(opts: LimiterOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new RangeError(`concurrency must be an integer ≥ 1, got ${opts.concurrency}`);
    if (!(opts.rate > 0) || !Number.isFinite(opts.rate)) throw new RangeError(`rate must be a positive number, got ${opts.rate}`);
    this.concurrency = opts.concurrency;
    this.rate = opts.rate;
    this.burst = opts.burst ?? Math.max(1, Math.ceil(opts.rate / 10));
    if (!(this.burst >= 1)) throw new RangeError(`burst must be ≥ 1, got ${this.burst}`);
    this.#clock = opts.clock ?? realClock;
    this.#tokens = this.burst;
    this.#last = this.#clock.now();
  }

  /**
   * Waits for `n` slots together (and `n` tokens). A group larger than `concurrency` waits until
   * nothing else is in flight and then runs alone. Rejects when `signal` aborts or the limiter closes.
   */
  acquire(n = 1, signal?: AbortSignal): Promise<Slot[]> {
    if (!Number.isInteger(n) || n < 1) return Promise.reject(new RangeError(`acquire: n must be an integer ≥ 1, got ${n}`));
    if (this.#closed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Slot[]>((resolve, reject) => {
      const w: Waiter = { n, resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.#queue.indexOf(w);
          if (i !== -1) {
            this.#queue.splice(i, 1);
            reject(signal.reason);
            this.#pump();
          }
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.#queue.push(w);
      this.#pump();
    });
  }

  stats(): LimiterStats {
    return { inFlight: this.#inFlight, waiting: this.#queue.reduce((s, w) => s + w.n, 0), maxInFlight: this.#maxInFlight, granted: this.#granted };
  }

  /** Rejects every waiter; later acquires fail. Slots already held stay valid until released. */
  close(reason: Error = new Error('probe client closed')): void {
    this.#closed = reason;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    for (const w of this.#queue.splice(0)) {
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(reason);
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.rate) / 1000);
  }

  #pump(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#refill();
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const fits = this.#inFlight + head.n <= this.concurrency || (head.n > this.concurrency && this.#inFlight === 0);
      if (!fits) return; // a release pumps again
      const need = Math.min(head.n, this.burst);
      // A hair of tolerance for floating-point refill arithmetic.
      if (this.#tokens < need - 1e-9) {
        const waitMs = ((need - this.#tokens) * 1000) / this.rate;
        this.#cancelTimer = this.#clock.setTimer(waitMs, () => {
          this.#cancelTimer = undefined;
          this.#pump();
        });
        return;
      }
      this.#queue.shift();
      if (head.onAbort) head.signal?.removeEventListener('abort', head.onAbort);
      this.#tokens -= head.n;
      this.#inFlight += head.n;
      this.#granted += head.n;
      this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
      const slots: Slot[] = [];
      for (let i = 0; i < head.n; i++) {
        let held = true;
        slots.push({
          release: () => {
            if (!held) return;
            held = false;
            this.#inFlight--;
            this.#pump();
          },
        });
      }
      head.resolve(slots);
    }
  }
}
