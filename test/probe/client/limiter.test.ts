import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter, type LimiterClock, type Slot } from '../../../src/probe/limiter.ts';

/** A clock that moves only when told; timers fire on `advance`. */
function fakeClock(): LimiterClock & { advance(ms: number): void } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  return {
    now: () => now,
    setTimer(ms, fn) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => {
        timers = timers.filter((x) => x !== t);
      };
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A value filled in later by a callback (read through `get()` so assertions do not narrow it). */
function later<T>(): { set: (v: T) => void; get: () => T | undefined } {
  let v: T | undefined;
  return { set: (x) => (v = x), get: () => v };
}

test('rate: a token bucket grants starts as time passes, counted under a fake clock', async () => {
  const clock = fakeClock();
  const lim = new Limiter({ concurrency: 100, rate: 2, burst: 1, clock });
  const granted: Slot[] = [];
  for (let i = 0; i < 5; i++) void lim.acquire().then(([s]) => granted.push(s!));
  await tick();
  assert.equal(granted.length, 1, 'the full bucket allows one start');
  clock.advance(499);
  await tick();
  assert.equal(granted.length, 1, 'not yet a whole token');
  clock.advance(1);
  await tick();
  assert.equal(granted.length, 2);
  clock.advance(500);
  await tick();
  clock.advance(500);
  await tick();
  assert.equal(granted.length, 4, 'two per second');
  clock.advance(5000);
  await tick();
  assert.equal(granted.length, 5, 'the last waiter');
  assert.equal(lim.stats().waiting, 0);
});

test('rate: the default burst is a tenth of a second of the rate, at least 1', () => {
  assert.equal(new Limiter({ concurrency: 1, rate: 100 }).burst, 10);
  assert.equal(new Limiter({ concurrency: 1, rate: 3 }).burst, 1);
});

test('concurrency: at most N held; a release lets the next one in', async () => {
  const lim = new Limiter({ concurrency: 2, rate: 1e6 });
  const granted: Slot[] = [];
  for (let i = 0; i < 5; i++) void lim.acquire().then(([s]) => granted.push(s!));
  await tick();
  assert.equal(granted.length, 2);
  assert.equal(lim.stats().inFlight, 2);
  granted[0]!.release();
  granted[0]!.release(); // idempotent
  await tick();
  assert.equal(granted.length, 3);
  assert.equal(lim.stats().inFlight, 2);
  assert.equal(lim.stats().maxInFlight, 2);
});

test('a group takes its slots together and is not overtaken by later singles', async () => {
  const lim = new Limiter({ concurrency: 2, rate: 1e6 });
  const [first] = await lim.acquire();
  const pair = later<Slot[]>();
  const single = later<Slot[]>();
  void lim.acquire(2).then((s) => pair.set(s));
  void lim.acquire(1).then((s) => single.set(s));
  await tick();
  assert.equal(pair.get(), undefined, 'one slot free is not enough for the pair');
  assert.equal(single.get(), undefined, 'the single waits behind the pair (first come, first served)');
  first!.release();
  await tick();
  assert.equal(pair.get()?.length, 2, 'both sides granted at once');
  assert.equal(single.get(), undefined);
  pair.get()!.forEach((s) => s.release());
  await tick();
  assert.equal(single.get()?.length, 1);
});

test('a pair goes together even when the bucket holds one token; the debt is repaid before the next start', async () => {
  const clock = fakeClock();
  const lim = new Limiter({ concurrency: 10, rate: 1, burst: 1, clock });
  const pair = await lim.acquire(2);
  assert.equal(pair.length, 2);
  const next = later<Slot[]>();
  void lim.acquire().then((s) => next.set(s));
  clock.advance(1000);
  await tick();
  assert.equal(next.get(), undefined, 'tokens are at 0 after repaying one');
  clock.advance(1000);
  await tick();
  assert.equal(next.get()?.length, 1);
});

test('a group larger than the limit runs alone', async () => {
  const lim = new Limiter({ concurrency: 1, rate: 1e6 });
  const [one] = await lim.acquire();
  const pair = later<Slot[]>();
  void lim.acquire(2).then((s) => pair.set(s));
  await tick();
  assert.equal(pair.get(), undefined);
  one!.release();
  await tick();
  assert.equal(pair.get()?.length, 2);
});

test('abort and close reject waiters', async () => {
  const lim = new Limiter({ concurrency: 1, rate: 1e6 });
  await lim.acquire();
  const ac = new AbortController();
  const aborted = lim.acquire(1, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(aborted, /stop/);
  const waiting = lim.acquire();
  lim.close(new Error('closed'));
  await assert.rejects(waiting, /closed/);
  await assert.rejects(lim.acquire(), /closed/);
});
