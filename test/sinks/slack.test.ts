import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDispatcher, createSink, SinkError } from '../../src/sinks/index.ts';
import { SLACK_LIMITS } from '../../src/sinks/slack.ts';
import { alert } from './fixtures.ts';
import { httpReceiver, type HttpReceiver } from './helpers.ts';

type Block = { type: string; text?: { type: string; text: string }; fields?: Array<{ type: string; text: string }>; elements?: Array<{ type: string; text: string }> };

/** Every text in a block, with the limit Slack applies to it. */
function textsWithLimits(blocks: Block[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const b of blocks) {
    if (b.type === 'header') out.push([b.text!.text, SLACK_LIMITS.header]);
    if (b.type === 'section' && b.text) out.push([b.text.text, SLACK_LIMITS.section]);
    for (const f of b.fields ?? []) out.push([f.text, SLACK_LIMITS.field]);
    for (const e of b.elements ?? []) out.push([e.text, SLACK_LIMITS.context]);
  }
  return out;
}

describe('slack sink', () => {
  let rx: HttpReceiver;
  const replies: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];
  before(async () => {
    rx = await httpReceiver(() => replies.shift() ?? { status: 200, body: 'ok' });
  });
  after(() => rx.close());

  it('posts fallback text and blocks with title, severity, counts, shortened hashes, times, fix and docs', async () => {
    const sink = createSink({ type: 'slack', url: `${rx.origin}/services/T000/B000/XXXXXXXXXXXX` });
    const n = rx.requests.length;
    await sink.send(alert('opened'));
    const req = rx.requests[n]!;
    assert.equal(req.path, '/services/T000/B000/XXXXXXXXXXXX');
    const body = req.json as { text: string; blocks: Block[] };
    assert.deepEqual(Object.keys(body).sort(), ['blocks', 'text']);
    assert.equal(body.text, '[critical] opened: /mypage served across identities on edge-tyo-1 (https://shop.example/mypage, edge edge-tyo-1)');
    assert.equal(body.blocks[0]!.type, 'header');
    assert.match(body.blocks[0]!.text!.text, /^:rotating_light: Opened · CRITICAL · \/mypage served/);
    const all = JSON.stringify(body.blocks);
    for (const needle of [
      '*Findings*\\n17',
      '*Owners (whose data)*\\n2: h:AAAAAAAA…, h:CCCCCCCC…',
      '*Viewers (who received it)*\\n3: h:BBBBBBBB…, h:DDDDDDDD… and 1 more',
      '*Owner/viewer pairs*\\n4',
      '*First seen*\\n2026-05-04T09:12:03.120Z',
      '*Last seen*\\n2026-05-04T09:14:41.002Z',
      '*Detection delay*\\n4.2 s',
      '*Fix*\\nMark /mypage uncacheable',
      '<https://cachewarden.dev/docs/rules/watch/owner-mismatch|Rule docs>',
      'Incident inc_7Kq2mX9pT4vN1sB8',
    ]) {
      assert.ok(all.includes(needle), `blocks contain ${needle}`);
    }
    assert.ok(!/h:[A-Za-z0-9_-]{22}/.test(all), 'hashes are shortened in Slack');
    for (const [text, limit] of textsWithLimits(body.blocks)) assert.ok(text.length <= limit, `${text.length} <= ${limit}`);
    const fields = body.blocks.find((b) => b.fields)!.fields!;
    assert.ok(fields.length <= SLACK_LIMITS.fields);
  });

  it('keeps every section within 3000 characters when the incident text is huge, and escapes mrkdwn', async () => {
    const sink = createSink({ type: 'slack', url: `${rx.origin}/services/T000/B000/YYYY` });
    const n = rx.requests.length;
    const long = 'x'.repeat(10_000);
    await sink.send(
      alert('updated', {
        title: `<!channel> & ${long}`,
        fix: `Use <b>private</b> & ${long}`,
        url: `https://shop.example/${long}`,
        samples: Array.from({ length: 5 }, () => ({ ...alert().incident.samples[0]!, note: long })),
      }),
    );
    const body = rx.requests[n]!.json as { text: string; blocks: Block[] };
    assert.ok(body.text.length <= SLACK_LIMITS.text);
    const texts = textsWithLimits(body.blocks);
    for (const [text, limit] of texts) assert.ok(text.length <= limit, `${text.length} <= ${limit}`);
    // mrkdwn texts (and the fallback) are escaped; the header is plain_text, which Slack does not parse.
    const mrkdwn = [body.text, ...texts.filter((_, i) => i > 0).map(([t]) => t)];
    assert.ok(mrkdwn.every((t) => !t.includes('<!channel>')), 'user text cannot ping the channel');
    assert.ok(mrkdwn.some((t) => t.includes('&lt;!channel&gt; &amp;')));
    assert.equal(body.blocks[0]!.text!.type, 'plain_text');
  });

  it('reports 429 with Retry-After as retryable with the delay; the dispatcher waits and then delivers', async () => {
    const url = `${rx.origin}/services/T000/B000/ZZZZ`;
    replies.push({ status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' });
    const direct = createSink({ type: 'slack', url });
    await assert.rejects(direct.send(alert('opened')), (e: unknown) => {
      assert.ok(e instanceof SinkError);
      assert.equal(e.retryable, true);
      assert.equal(e.retryAfterMs, 3000);
      assert.match(e.message, /answered 429 rate_limited \(retry after 3 s\)/);
      return true;
    });

    replies.push({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' });
    const waits: number[] = [];
    const d = createDispatcher([{ type: 'slack', url }], {
      sleep: async (ms) => {
        waits.push(ms);
      },
      backoff: { baseMs: 10 },
    });
    const n = rx.requests.length;
    d.dispatch(alert('opened'));
    assert.equal(await d.flush(5000), true);
    assert.equal(rx.requests.length, n + 2, 'one 429, then the delivery');
    assert.deepEqual(waits, [2000], 'waited as long as Retry-After asked');
    assert.deepEqual(d.counters()['slack'], { sent: 1, failed: 1, retried: 1, dropped: {}, queued: 0 });
    await d.close();
  });

  it('treats 404 no_service / 403 as permanent', async () => {
    const sink = createSink({ type: 'slack', url: `${rx.origin}/services/T000/B000/GONE` });
    replies.push({ status: 404, body: 'no_service' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && !e.retryable && /404 no_service/.test(e.message));
    replies.push({ status: 403, body: 'invalid_token' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && !e.retryable);
  });
});
