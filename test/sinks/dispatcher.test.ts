import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../../src/core/incident.ts';
import { createDispatcher, createSinks, Dispatcher, sinkNames, SinkError, type DispatchEvent, type Sink, type SinkType } from '../../src/sinks/index.ts';
import { alert, alertOf } from './fixtures.ts';
import { deferred, httpReceiver } from './helpers.ts';

/** An in-memory sink whose behaviour per call is scripted. */
class FakeSink implements Sink {
  readonly type: SinkType = 'webhook';
  readonly name: string;
  readonly received: Alert[] = [];
  attempts = 0;
  readonly #script: (attempt: number, alert: Alert) => Promise<void> | void;
  constructor(name: string, script: (attempt: number, alert: Alert) => Promise<void> | void = () => {}) {
    this.name = name;
    this.#script = script;
  }
  async send(alert: Alert): Promise<void> {
    this.attempts++;
    await this.#script(this.attempts, alert);
    this.received.push(alert);
  }
  async healthcheck(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Sleep that returns at once and records the requested delays. */
function instantSleep(record: number[] = []) {
  return async (ms: number) => {
    record.push(ms);
  };
}

describe('dispatcher', () => {
  it('retries a sink that fails twice, then delivers; counts failed attempts and retries', async () => {
    const waits: number[] = [];
    const flaky = new FakeSink('flaky', (n) => {
      if (n <= 2) throw new SinkError('POST http://x/*** answered 503', { retryable: true });
    });
    const events: DispatchEvent[] = [];
    const d = new Dispatcher([flaky], { sleep: instantSleep(waits), random: () => 0, backoff: { baseMs: 100, maxMs: 1000 }, onEvent: (e) => events.push(e) });
    assert.equal(d.dispatch(alert('opened')), 1);
    assert.equal(await d.flush(5000), true);
    assert.equal(flaky.received.length, 1);
    assert.deepEqual(d.counters()['flaky'], { sent: 1, failed: 2, retried: 2, dropped: {}, queued: 0 });
    assert.deepEqual(waits, [100, 200], 'exponential back-off');
    assert.deepEqual(events.map((e) => e.type), ['retry', 'retry', 'sent']);
    assert.equal((events[0] as { error: string }).error, 'POST http://x/*** answered 503');
    await d.close();
  });

  it('drops a non-retryable failure at once (dropped.non_retryable) and goes on with the next alert', async () => {
    const sink = new FakeSink('strict', (_n, a) => {
      if (a.kind === 'opened') throw new SinkError('answered 400', { retryable: false });
    });
    const d = new Dispatcher([sink], { sleep: instantSleep() });
    d.dispatch(alert('opened'));
    d.dispatch(alert('resolved'));
    await d.flush(5000);
    assert.deepEqual(sink.received.map((a) => a.kind), ['resolved']);
    assert.deepEqual(d.counters()['strict'], { sent: 1, failed: 1, retried: 0, dropped: { non_retryable: 1 }, queued: 0 });
    await d.close();
  });

  it('gives up after maxAttempts (dropped.retries_exhausted); other errors count as retryable', async () => {
    const sink = new FakeSink('down', () => {
      throw new Error('unexpected bug');
    });
    const d = new Dispatcher([sink], { sleep: instantSleep(), maxAttempts: 4 });
    d.dispatch(alert('opened'));
    await d.flush(5000);
    assert.equal(sink.attempts, 4);
    assert.deepEqual(d.counters()['down'], { sent: 0, failed: 4, retried: 3, dropped: { retries_exhausted: 1 }, queued: 0 });
    await d.close();
  });

  it('back-off grows exponentially, is capped, has jitter, and honours Retry-After', () => {
    const d = new Dispatcher([], { random: () => 0.5, backoff: { baseMs: 1000, maxMs: 8000, jitter: 0.5 } });
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => d.backoffMs(n)), [750, 1500, 3000, 6000, 6000, 6000]);
    const noJitter = new Dispatcher([], { random: () => 0.99, backoff: { baseMs: 1000, maxMs: 8000, jitter: 0 } });
    assert.deepEqual([1, 4, 9].map((n) => noJitter.backoffMs(n)), [1000, 8000, 8000]);
    assert.equal(d.backoffMs(1, 30_000), 30_000, 'server asked for longer');
    assert.equal(d.backoffMs(4, 10), 6000, 'computed delay is longer than Retry-After');
    const capped = new Dispatcher([], { backoff: { maxRetryAfterMs: 60_000 } });
    assert.equal(capped.backoffMs(1, 3_600_000), 60_000);
  });

  it('a hanging sink does not delay another sink, and dispatch never waits', async () => {
    const hang = deferred();
    const stuck = new FakeSink('stuck', () => hang.promise);
    const fast = await httpReceiver();
    const routes = [...createSinks([{ type: 'webhook', name: 'fast', url: `${fast.origin}/hook` }]), { sink: stuck }];
    const fastDone = deferred();
    let fastSent = 0;
    const d = new Dispatcher(routes, {
      sleep: instantSleep(),
      onEvent: (e) => {
        if (e.type === 'sent' && e.sink === 'fast' && ++fastSent === 3) fastDone.resolve();
      },
    });
    for (const kind of ['opened', 'updated', 'resolved'] as const) {
      assert.equal(d.dispatch(alert(kind)), 2, 'dispatch returns synchronously with the number of sinks that took the alert');
    }
    await fastDone.promise;
    assert.deepEqual(fast.requests.map((r) => (r.json as { cachewarden: { kind: string } }).cachewarden.kind), ['opened', 'updated', 'resolved']);
    const c = d.counters();
    assert.equal(c['fast']!.sent, 3);
    assert.equal(c['stuck']!.sent, 0);
    assert.equal(c['stuck']!.queued, 3, 'one in flight, two waiting');
    assert.equal(await d.flush(50), false, 'flush reports that the stuck sink is not drained');
    hang.resolve();
    assert.equal(await d.flush(5000), true);
    assert.equal(stuck.received.length, 3);
    await d.close();
    await fast.close();
  });

  it('a send that never settles times out (sendTimeoutMs) and is retried', async () => {
    const never = new FakeSink('never', (n) => (n === 1 ? new Promise<void>(() => {}) : undefined));
    const events: DispatchEvent[] = [];
    const d = new Dispatcher([never], { sleep: instantSleep(), sendTimeoutMs: 20, onEvent: (e) => events.push(e) });
    d.dispatch(alert('opened'));
    assert.equal(await d.flush(5000), true);
    assert.deepEqual(d.counters()['never'], { sent: 1, failed: 1, retried: 1, dropped: {}, queued: 0 });
    assert.match((events[0] as { error: string }).error, /no answer within 20 ms/);
    await d.close();
  });

  it('queue full: drops the oldest waiting update first, then the new update, and opened/resolved only as a last resort', async () => {
    const gate = deferred();
    const sink = new FakeSink('slow', (n) => (n === 1 ? gate.promise : undefined));
    const dropped: string[] = [];
    const d = new Dispatcher([sink], {
      queueSize: 3,
      sleep: instantSleep(),
      onEvent: (e) => {
        if (e.type === 'dropped') dropped.push(`${e.reason}:${e.alert.kind}:${e.alert.incident.id}`);
      },
    });
    const a = (kind: 'opened' | 'updated' | 'resolved', id: string) => alert(kind, { id });
    d.dispatch(a('opened', 'i0')); // in flight (blocked)
    d.dispatch(a('opened', 'i1'));
    d.dispatch(a('updated', 'u1'));
    d.dispatch(a('updated', 'u2')); // queue: i1 u1 u2 (full)
    d.dispatch(a('resolved', 'r1')); // drops u1 (oldest update) → i1 u2 r1
    d.dispatch(a('opened', 'i2')); // drops u2 → i1 r1 i2
    d.dispatch(a('updated', 'u3')); // nothing but opened/resolved waiting: the new update goes
    d.dispatch(a('resolved', 'r2')); // no update anywhere: the oldest waiting alert (i1) goes
    assert.deepEqual(dropped, ['queue_full:updated:u1', 'queue_full:updated:u2', 'queue_full:updated:u3', 'queue_full:opened:i1']);
    assert.equal(d.counters()['slow']!.dropped['queue_full'], 4);
    assert.equal(d.counters()['slow']!.queued, 4);
    gate.resolve();
    assert.equal(await d.flush(5000), true);
    assert.deepEqual(sink.received.map((x) => x.incident.id), ['i0', 'r1', 'i2', 'r2']);
    await d.close();
  });

  it('minSeverity: each sink only gets alerts at or above its threshold', async () => {
    const all = new FakeSink('all');
    const pager = new FakeSink('pager');
    const d = new Dispatcher([{ sink: all }, { sink: pager, minSeverity: 'high' }], { sleep: instantSleep() });
    const counts = (['info', 'low', 'medium', 'high', 'critical'] as const).map((s) => d.dispatch(alertOf(s)));
    assert.deepEqual(counts, [1, 1, 1, 2, 2]);
    await d.flush(5000);
    assert.equal(all.received.length, 5);
    assert.deepEqual(pager.received.map((a) => a.incident.severity), ['high', 'critical']);
    await d.close();
  });

  it('minSeverity from config goes through createSinks', async () => {
    const rx = await httpReceiver();
    const d = createDispatcher(
      [
        { type: 'webhook', name: 'pager', url: `${rx.origin}/pager`, minSeverity: 'critical' },
        { type: 'webhook', url: `${rx.origin}/all` },
      ],
      { sleep: instantSleep() },
    );
    d.dispatch(alertOf('medium'));
    d.dispatch(alertOf('critical'));
    assert.equal(await d.flush(5000), true);
    assert.deepEqual(rx.requests.map((r) => r.path).sort(), ['/all', '/all', '/pager']);
    assert.deepEqual(Object.keys(d.counters()), ['pager', 'webhook']);
    await d.close();
    await rx.close();
  });

  it('flush resolves at once when idle; close drops what is still queued and wakes retries', async () => {
    const d0 = new Dispatcher([new FakeSink('idle')]);
    assert.equal(await d0.flush(1), true);
    await d0.close();

    const gate = deferred();
    const sink = new FakeSink('s', (n) => {
      if (n === 1) return gate.promise;
      throw new SinkError('503', { retryable: true });
    });
    // Real sleep (long back-off): close() must wake it rather than wait.
    const d = new Dispatcher([sink], { backoff: { baseMs: 60_000 } });
    d.dispatch(alert('opened'));
    d.dispatch(alert('updated'));
    d.dispatch(alert('resolved'));
    gate.resolve();
    // Wait until the second alert is in its back-off.
    while (d.counters()['s']!.retried === 0) await new Promise((r) => setImmediate(r));
    await d.close(1000);
    const c = d.counters()['s']!;
    assert.equal(c.sent, 1);
    assert.deepEqual(c.dropped, { shutdown: 2 });
    assert.equal(c.queued, 0);
    assert.equal(d.dispatch(alert('opened')), 0, 'a closed dispatcher takes nothing');
    assert.equal(d.counters()['s']!.dropped['shutdown'], 3);
  });

  it('healthcheck returns one line per problem and bounds slow checks', async () => {
    const broken = new FakeSink('broken');
    broken.healthcheck = async () => {
      throw new Error('cannot reach\nthe server');
    };
    const slow = new FakeSink('slow');
    slow.healthcheck = () => new Promise(() => {});
    const d = new Dispatcher([new FakeSink('ok'), broken, slow]);
    assert.deepEqual(await d.healthcheck(50), [
      'broken (webhook): cannot reach the server',
      'slow (webhook): health check did not finish within 50 ms',
    ]);
    await d.close();
  });

  it('names sinks uniquely: configured names, then type, type#2, ...', () => {
    assert.deepEqual(sinkNames([{ type: 'slack' }, { type: 'slack' }, { type: 'slack', name: 'slack#2' }, { type: 'email' }]), ['slack', 'slack#3', 'slack#2', 'email']);
    assert.throws(() => sinkNames([{ type: 'slack', name: 'a' }, { type: 'email', name: 'a' }]), /two sinks are named "a"/);
    const routes = createSinks([{ type: 'console' }, { type: 'console', stream: 'stdout', minSeverity: 'high' }]);
    assert.deepEqual(routes.map((r) => [r.sink.name, r.minSeverity]), [['console', undefined], ['console#2', 'high']]);
    assert.throws(() => new Dispatcher([new FakeSink('x'), new FakeSink('x')]), /unique/);
  });
});
