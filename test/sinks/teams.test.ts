import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSink, SinkError } from '../../src/sinks/index.ts';
import { alert } from './fixtures.ts';
import { httpReceiver, type HttpReceiver, type Reply } from './helpers.ts';

describe('teams sink (Workflows webhook, Adaptive Card)', () => {
  let rx: HttpReceiver;
  const replies: Reply[] = [];
  before(async () => {
    rx = await httpReceiver(() => replies.shift() ?? { status: 202 });
  });
  after(() => rx.close());
  const path = '/workflows/0123abcd/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=FAKEsignature0123456789';

  it('posts a message with one Adaptive Card attachment', async () => {
    const sink = createSink({ type: 'teams', url: `${rx.origin}${path}` });
    const n = rx.requests.length;
    await sink.send(alert('opened'));
    const req = rx.requests[n]!;
    assert.equal(req.path, path);
    const msg = req.json as any;
    assert.equal(msg.type, 'message');
    assert.equal(msg.attachments.length, 1);
    const att = msg.attachments[0];
    assert.equal(att.contentType, 'application/vnd.microsoft.card.adaptive');
    const card = att.content;
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.version, '1.4');
    assert.equal(card.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
    assert.ok(Array.isArray(card.body) && card.body.length >= 4);
    for (const el of card.body) assert.ok(['TextBlock', 'FactSet'].includes(el.type), el.type);
    assert.equal(card.body[0].text, '[critical] opened: /mypage served across identities on edge-tyo-1');
    assert.equal(card.body[0].color, 'Attention');
    const facts = card.body.find((b: any) => b.type === 'FactSet').facts as Array<{ title: string; value: string }>;
    const byTitle = Object.fromEntries(facts.map((f) => [f.title, f.value]));
    assert.equal(byTitle['Where'], 'https://shop.example/mypage on edge edge-tyo-1');
    assert.match(byTitle['Counts']!, /^17 findings; 2 owners/);
    assert.equal(byTitle['Owners'], 'h:AAAAAAAA…, h:CCCCCCCC…');
    assert.ok(card.body.some((b: any) => b.fontType === 'Monospace' && /HIT owner h:AAAAAAAA…/.test(b.text)));
    assert.deepEqual(card.actions, [{ type: 'Action.OpenUrl', title: 'Rule docs', url: 'https://cachewarden.dev/docs/rules/watch/owner-mismatch' }]);
  });

  it('colours a resolution green', async () => {
    const sink = createSink({ type: 'teams', url: `${rx.origin}${path}` });
    const n = rx.requests.length;
    await sink.send(alert('resolved'));
    const card = (rx.requests[n]!.json as any).attachments[0].content;
    assert.equal(card.body[0].color, 'Good');
    assert.match(card.body[1].text, /^Incident resolved at /);
  });

  it('redacts the signed URL in errors and flags retired connector URLs', async () => {
    const sink = createSink({ type: 'teams', url: `${rx.origin}${path}` });
    replies.push({ status: 400, body: 'bad request' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => {
      assert.ok(e instanceof SinkError && !e.retryable);
      assert.match(e.message, /^POST http:\/\/127\.0\.0\.1:\d+\/workflows\/\*\*\* answered 400/);
      assert.ok(!e.message.includes('FAKEsignature'));
      return true;
    });
    const legacy = createSink({ type: 'teams', url: 'https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi' });
    await assert.rejects(legacy.healthcheck(), /retired/);
  });
});
