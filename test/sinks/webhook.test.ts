import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSink, SinkError } from '../../src/sinks/index.ts';
import { alert, H } from './fixtures.ts';
import { closedPort, httpReceiver, type HttpReceiver } from './helpers.ts';

/** Standard Webhooks verification, written from the spec, independent of the sink's code. */
function verify(secret: string, headers: Record<string, string | string[] | undefined>, raw: string): boolean {
  const id = String(headers['webhook-id']);
  const ts = String(headers['webhook-timestamp']);
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${ts}.${raw}`).digest('base64'));
  return String(headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, value] = sig.split(',');
      if (version !== 'v1' || value === undefined) return false;
      const got = Buffer.from(value);
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
}

describe('webhook sink', () => {
  let rx: HttpReceiver;
  let status = 200;
  before(async () => {
    rx = await httpReceiver(() => ({ status, body: status === 200 ? 'ok' : 'nope' }));
  });
  after(() => rx.close());

  it('posts an Alertmanager-shaped body with the incident, signed Standard Webhooks style', async () => {
    status = 200;
    const secret = 'a-shared-secret-of-enough-length';
    const now = Date.UTC(2026, 4, 4, 9, 13, 0);
    const sink = createSink(
      { type: 'webhook', url: `${rx.origin}/hooks/cw`, secret, headers: { 'X-Team': 'edge' } },
      { now: () => now },
    );
    const before = rx.requests.length;
    await sink.send(alert('opened'));
    await sink.send(alert('resolved'));
    const [opened, resolved] = rx.requests.slice(before);
    assert.ok(opened && resolved);
    assert.equal(opened.path, '/hooks/cw');
    assert.match(String(opened.headers['content-type']), /^application\/json/);
    assert.equal(opened.headers['x-team'], 'edge');
    assert.equal(opened.headers['webhook-timestamp'], String(Math.floor(now / 1000)));
    assert.match(String(opened.headers['webhook-id']), /^msg_[A-Za-z0-9_-]{24}$/);
    assert.match(String(opened.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
    assert.ok(verify(secret, opened.headers, opened.raw), 'signature verifies over id.timestamp.body');
    assert.ok(verify(secret, resolved.headers, resolved.raw));
    assert.ok(!verify('another-secret-entirely-123', opened.headers, opened.raw), 'a wrong secret does not verify');
    assert.ok(!verify(secret, opened.headers, opened.raw.replace('critical', 'info')), 'a changed body does not verify');
    assert.notEqual(opened.headers['webhook-id'], resolved.headers['webhook-id']);

    const body = opened.json as any;
    assert.equal(body.version, '4');
    assert.equal(body.status, 'firing');
    assert.equal(body.groupKey, '{}:{incident="inc_7Kq2mX9pT4vN1sB8"}');
    assert.equal(body.receiver, 'webhook');
    assert.deepEqual(body.groupLabels, { incident: 'inc_7Kq2mX9pT4vN1sB8' });
    assert.equal(body.alerts.length, 1);
    const a = body.alerts[0];
    assert.equal(a.status, 'firing');
    assert.equal(a.labels.alertname, 'watch/owner-mismatch');
    assert.equal(a.labels.severity, 'critical');
    assert.equal(a.labels.edge, 'edge-tyo-1');
    assert.equal(a.labels.incident, 'inc_7Kq2mX9pT4vN1sB8');
    assert.equal(a.annotations.summary, '/mypage served across identities on edge-tyo-1');
    assert.match(a.annotations.description, /Evidence \(identities are keyed hashes\)/);
    assert.equal(a.annotations.runbook_url, 'https://cachewarden.dev/docs/rules/watch/owner-mismatch');
    assert.equal(a.startsAt, '2026-05-04T09:12:03.120Z');
    assert.equal(a.endsAt, '0001-01-01T00:00:00Z');
    assert.match(a.fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(body.cachewarden.kind, 'opened');
    assert.equal(body.cachewarden.incident.id, 'inc_7Kq2mX9pT4vN1sB8');
    assert.deepEqual(body.cachewarden.incident.owners, [H.a, H.c]);
    assert.equal(body.cachewarden.incident.samples[0].viewer, H.b);

    const r = resolved.json as any;
    assert.equal(r.status, 'resolved');
    assert.equal(r.alerts[0].status, 'resolved');
    assert.equal(r.alerts[0].endsAt, '2026-05-04T09:27:03.120Z');
    assert.equal(r.groupKey, body.groupKey, 'one group per incident');
  });

  it('keeps webhook-id across retries of one alert (receivers can drop duplicates)', async () => {
    status = 200;
    let t = 1_800_000_000_000;
    const sink = createSink({ type: 'webhook', url: `${rx.origin}/x`, secret: 'whsec_' + Buffer.from('0123456789abcdef0123').toString('base64') }, { now: () => (t += 5000) });
    const before = rx.requests.length;
    const a = alert('updated');
    await sink.send(a);
    await sink.send(a);
    const [first, second] = rx.requests.slice(before);
    assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id']);
    assert.notEqual(first!.headers['webhook-timestamp'], second!.headers['webhook-timestamp']);
    const secret = 'whsec_' + Buffer.from('0123456789abcdef0123').toString('base64');
    assert.ok(verify(secret, first!.headers, first!.raw), 'whsec_ secrets sign with the decoded key');
    assert.ok(verify(secret, second!.headers, second!.raw));
  });

  it('sends credentials in the URL as Basic auth (fetch refuses them in the URL)', async () => {
    status = 200;
    const u = new URL(`${rx.origin}/basic`);
    u.username = 'cw';
    u.password = 'p@ss';
    const sink = createSink({ type: 'webhook', url: u.href });
    const before = rx.requests.length;
    await sink.send(alert('opened'));
    const req = rx.requests[before]!;
    assert.equal(req.headers['authorization'], `Basic ${Buffer.from('cw:p@ss').toString('base64')}`);
    assert.equal(req.path, '/basic');
  });

  it('sends no signature header without a secret', async () => {
    status = 200;
    const sink = createSink({ type: 'webhook', url: `${rx.origin}/plain` });
    const before = rx.requests.length;
    await sink.send(alert('opened'));
    const req = rx.requests[before]!;
    assert.equal(req.headers['webhook-signature'], undefined);
    assert.ok(req.headers['webhook-id']);
  });

  it('maps 5xx and 429 to retryable, other 4xx to non-retryable, a dead port to retryable', async () => {
    const sink = createSink({ type: 'webhook', url: `${rx.origin}/fail` });
    for (const [code, retryable] of [
      [500, true],
      [503, true],
      [429, true],
      [400, false],
      [404, false],
    ] as const) {
      status = code;
      await assert.rejects(sink.send(alert('opened')), (e: unknown) => {
        assert.ok(e instanceof SinkError);
        assert.equal(e.retryable, retryable, `status ${code}`);
        assert.match(e.message, new RegExp(`answered ${code}`));
        assert.match(e.message, /http:\/\/127\.0\.0\.1:\d+\/\*\*\*/, 'the path is redacted');
        return true;
      });
    }
    status = 200;
    const dead = createSink({ type: 'webhook', url: `http://127.0.0.1:${await closedPort()}/hook` });
    await assert.rejects(dead.send(alert('opened')), (e: unknown) => e instanceof SinkError && e.retryable && /ECONNREFUSED/.test(e.message));
  });

  it('gives up on a request after timeoutMs (retryable)', async () => {
    const hang = createSink({ type: 'webhook', url: 'http://127.0.0.1:9/hang', timeoutMs: 200 }, {
      // A client whose request never completes until the sink's own timeout aborts it.
      fetch: (_url, init) => new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
    });
    await assert.rejects(hang.send(alert('opened')), (e: unknown) => e instanceof SinkError && e.retryable && /no answer within 200 ms/.test(e.message));
  });

  it('does not follow redirects', async () => {
    const redirecting = await httpReceiver(() => ({ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } }));
    const sink = createSink({ type: 'webhook', url: `${redirecting.origin}/r` });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && !e.retryable && /redirect/.test(e.message));
    assert.equal(redirecting.requests.length, 1);
    await redirecting.close();
  });
});
