import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSink, SinkError } from '../../src/sinks/index.ts';
import { alert, alertOf } from './fixtures.ts';
import { httpReceiver, type HttpReceiver, type Reply } from './helpers.ts';

const ROUTING_KEY = 'R0UT1NGK3Y0123456789ABCDEFGHIJKL';

describe('pagerduty sink (Events API v2)', () => {
  let rx: HttpReceiver;
  const replies: Reply[] = [];
  before(async () => {
    // Answers like the Events API: 202 with a JSON status, or the next queued reply.
    rx = await httpReceiver((req) => {
      const queued = replies.shift();
      if (queued) return queued;
      const dedup = (req.json as { dedup_key?: string }).dedup_key;
      return { status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedup }) };
    });
  });
  after(() => rx.close());

  it('triggers on opened and updated, resolves on resolved, all with dedup_key = incident id', async () => {
    const sink = createSink({ type: 'pagerduty', routingKey: ROUTING_KEY, url: `${rx.origin}/v2/enqueue` });
    const n = rx.requests.length;
    await sink.send(alert('opened'));
    await sink.send(alert('updated', { count: 23 }));
    await sink.send(alert('resolved'));
    const [o, u, r] = rx.requests.slice(n).map((q) => q.json as any);
    assert.equal(rx.requests[n]!.path, '/v2/enqueue');
    for (const ev of [o, u, r]) {
      assert.equal(ev.routing_key, ROUTING_KEY);
      assert.equal(ev.dedup_key, 'inc_7Kq2mX9pT4vN1sB8', 'the same key on every event of the incident');
    }
    assert.deepEqual([o.event_action, u.event_action, r.event_action], ['trigger', 'trigger', 'resolve']);
    assert.deepEqual(Object.keys(r).sort(), ['dedup_key', 'event_action', 'routing_key'], 'resolve carries no payload');

    assert.equal(o.payload.summary, '[critical] /mypage served across identities on edge-tyo-1');
    assert.equal(o.payload.severity, 'critical');
    assert.equal(o.payload.source, 'edge-tyo-1');
    assert.equal(o.payload.component, 'https://shop.example/mypage');
    assert.equal(o.payload.class, 'watch/owner-mismatch');
    assert.equal(o.payload.timestamp, '2026-05-04T09:14:41.002Z');
    const d = o.payload.custom_details;
    assert.equal(d.findings, 17);
    assert.equal(d.owners_total, 2);
    assert.equal(d.viewers_total, 3);
    assert.equal(d.pairs_total, 4);
    assert.deepEqual(d.owners, ['h:AAAAAAAAAAAAAAAAAAAAAA', 'h:CCCCCCCCCCCCCCCCCCCCCC']);
    assert.equal(d.samples.length, 2);
    assert.match(d.samples[0], /HIT owner h:A{22} viewer h:B{22}/);
    assert.equal(u.payload.custom_details.findings, 23);
    assert.deepEqual(o.links, [{ href: 'https://cachewarden.dev/docs/rules/watch/owner-mismatch', text: 'cachewarden rule watch/owner-mismatch' }]);
  });

  it('maps severities onto critical / error / warning / info and caps the summary at 1024', async () => {
    const sink = createSink({ type: 'pagerduty', routingKey: ROUTING_KEY, url: `${rx.origin}/v2/enqueue` });
    const n = rx.requests.length;
    for (const s of ['critical', 'high', 'medium', 'low', 'info'] as const) await sink.send(alertOf(s));
    await sink.send(alert('opened', { title: 'y'.repeat(5000) }));
    const sent = rx.requests.slice(n).map((q) => (q.json as any).payload);
    assert.deepEqual(sent.slice(0, 5).map((p) => p.severity), ['critical', 'error', 'warning', 'warning', 'info']);
    assert.equal(sent[5].summary.length, 1024);
  });

  it('429 and 5xx are retryable (with Retry-After), 400 is not', async () => {
    const sink = createSink({ type: 'pagerduty', routingKey: ROUTING_KEY, url: `${rx.origin}/v2/enqueue` });
    replies.push({ status: 429, headers: { 'retry-after': '30' }, body: '{"status":"throttle event"}' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && e.retryable && e.retryAfterMs === 30_000);
    replies.push({ status: 502, body: 'bad gateway' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && e.retryable);
    replies.push({ status: 400, body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => {
      assert.ok(e instanceof SinkError && !e.retryable);
      assert.ok(!e.message.includes(ROUTING_KEY));
      assert.match(e.message, /answered 400 .*invalid event/);
      return true;
    });
  });

  it('healthcheck flags a routing key that is not 32 characters, without printing it', async () => {
    const bad = createSink({ type: 'pagerduty', routingKey: 'short-key-123', url: `${rx.origin}/v2/enqueue` });
    await assert.rejects(bad.healthcheck(), (e: unknown) => e instanceof Error && /13 characters/.test(e.message) && !e.message.includes('short-key-123'));
    await createSink({ type: 'pagerduty', routingKey: ROUTING_KEY }).healthcheck();
  });
});
