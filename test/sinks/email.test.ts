import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSink, SinkError, type EmailSinkConfig } from '../../src/sinks/index.ts';
import { alert } from './fixtures.ts';
import { closedPort, smtpReceiver, type SmtpReceiver } from './helpers.ts';

const PASS = 'smtp-pass-S3CRET-value';

describe('email sink (SMTP)', () => {
  let smtp: SmtpReceiver;
  before(async () => {
    smtp = await smtpReceiver({ auth: { user: 'cw', pass: PASS } });
  });
  after(() => smtp.close());

  const config = (): Omit<EmailSinkConfig, 'subjectPrefix' | 'timeoutMs'> => ({
    type: 'email',
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    user: 'cw',
    pass: PASS,
    from: 'cachewarden <cachewarden@alerts.example>',
    to: ['oncall@example.com', 'privacy@example.com'],
  });

  it('sends plain text saying what, where, when, how many (hashes only) and what to do', async () => {
    const sink = createSink(config());
    await sink.healthcheck();
    const n = smtp.mails.length;
    await sink.send(alert('opened'));
    await smtp.waitFor(n + 1);
    const mail = smtp.mails[n]!;
    assert.equal(mail.from, 'cachewarden@alerts.example');
    assert.deepEqual(mail.to, ['oncall@example.com', 'privacy@example.com']);
    assert.deepEqual(smtp.logins.at(-1), { user: 'cw', pass: PASS }, 'logged in with the configured credentials');
    assert.equal(mail.headers.get('subject'), '[cachewarden] [critical] /mypage served across identities on edge-tyo-1');
    assert.match(mail.headers.get('content-type')!, /^text\/plain; charset=utf-8/i);
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.headers.get('x-cachewarden-incident'), 'inc_7Kq2mX9pT4vN1sB8');
    const t = mail.text;
    assert.match(t, /^\[critical\] opened: \/mypage served across identities on edge-tyo-1\n\nIncident opened by watch at 2026-05-04T09:12:07\.320Z\./);
    assert.match(t, /Where: +https:\/\/shop\.example\/mypage on edge edge-tyo-1/);
    assert.match(t, /When: +first seen 2026-05-04T09:12:03\.120Z, last seen 2026-05-04T09:14:41\.002Z/);
    assert.match(t, /Counts: +17 findings; 2 owners \(whose data\); 3 viewers \(who received it\); 4 owner\/viewer pairs/);
    assert.match(t, /Owners: +h:A{22}, h:C{22}/);
    assert.match(t, /Fix: +Mark \/mypage uncacheable/);
    assert.match(t, /Incident inc_7Kq2mX9pT4vN1sB8 · state open/);
    assert.match(t, /HIT owner h:A{22} viewer h:B{22}/);
  });

  it('threads opened → updated → resolved with Message-ID, In-Reply-To and References', async () => {
    const sink = createSink(config());
    const n = smtp.mails.length;
    await sink.send(alert('opened'));
    await sink.send(alert('updated', { count: 30 }));
    await sink.send(alert('resolved'));
    await smtp.waitFor(n + 3);
    const [opened, updated, resolved] = smtp.mails.slice(n);
    const root = opened!.headers.get('message-id');
    assert.equal(root, '<cw.inc_7Kq2mX9pT4vN1sB8@alerts.example>', 'Message-ID derives from the incident id');
    assert.equal(opened!.headers.get('in-reply-to'), undefined);
    for (const reply of [updated!, resolved!]) {
      assert.equal(reply.headers.get('in-reply-to'), root);
      assert.equal(reply.headers.get('references'), root);
      assert.notEqual(reply.headers.get('message-id'), root);
      assert.equal(reply.headers.get('subject'), `Re: ${opened!.headers.get('subject')}`);
    }
    assert.match(resolved!.headers.get('message-id')!, /^<cw\.inc_7Kq2mX9pT4vN1sB8\.resolved\.\d+@alerts\.example>$/);
    assert.match(resolved!.text, /Incident resolved at 2026-05-04T09:27:03\.120Z: no new findings since 2026-05-04T09:14:41\.002Z\./);
    assert.match(updated!.text, /30 findings so far/);
    assert.equal(resolved!.headers.get('x-cachewarden-alert'), 'resolved');
  });

  it('a wrong password is a non-retryable error that does not contain the password', async () => {
    const sink = createSink({ ...config(), pass: 'wrong-password-XYZ' });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => {
      assert.ok(e instanceof SinkError);
      assert.equal(e.retryable, false);
      assert.match(e.message, /EAUTH/);
      assert.ok(!e.message.includes('wrong-password-XYZ'));
      return true;
    });
    await assert.rejects(sink.healthcheck(), /EAUTH/);
    await sink.close();
  });

  it('a permanent (5xx) recipient rejection is not retried; a temporary (4xx) one is', async () => {
    for (const [code, retryable] of [
      [550, false],
      [451, true],
    ] as const) {
      const rejecting = await smtpReceiver({ rejectRcpt: code });
      const sink = createSink({ type: 'email', host: '127.0.0.1', port: rejecting.port, from: 'cw@alerts.example', to: ['x@example.com'] });
      await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && e.retryable === retryable && e.message.includes(String(code)));
      await sink.close();
      await rejecting.close();
    }
  });

  it('an unreachable server is retryable, and the healthcheck says so in one line', async () => {
    const port = await closedPort();
    const sink = createSink({ type: 'email', host: '127.0.0.1', port, from: 'cw@alerts.example', to: ['x@example.com'], timeoutMs: 2000 });
    await assert.rejects(sink.send(alert('opened')), (e: unknown) => e instanceof SinkError && e.retryable && /ECONNECTION|ECONNREFUSED/.test(e.message));
    await assert.rejects(sink.healthcheck(), (e: unknown) => e instanceof Error && !e.message.includes('\n') && e.message.startsWith(`SMTP 127.0.0.1:${port} check failed`));
  });
});
