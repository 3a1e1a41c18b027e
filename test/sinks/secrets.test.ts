/**
 * Nothing a sink prints, throws or reports may contain a secret: webhook URLs (Slack, Teams,
 * generic), the webhook signing secret and extra header values, the PagerDuty routing key, the
 * SMTP password. One recognizable fake secret is planted everywhere and searched for in every
 * error message, inspected error, dispatcher event, health problem, console output and
 * serialized sink.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createDispatcher, createSinks, Dispatcher, redactUrl, type DispatchEvent, type SinkConfigInput } from '../../src/sinks/index.ts';
import { alert } from './fixtures.ts';
import { closedPort, httpReceiver, smtpReceiver, type HttpReceiver, type SmtpReceiver } from './helpers.ts';

const SECRET = 'ZZsecretZZ4f7c1e9a0b3d6';

describe('no secret is ever printed', () => {
  let rx: HttpReceiver;
  let smtp: SmtpReceiver;
  let dead: number;
  before(async () => {
    // Every request fails: 404 for some paths, 500 for others, and the body echoes the request path.
    rx = await httpReceiver((req) => ({ status: req.path.includes('/p500/') ? 500 : 404, body: `no such hook ${req.path}` }));
    smtp = await smtpReceiver({ auth: { user: 'cw', pass: 'the-right-one-123' } });
    dead = await closedPort();
  });
  after(async () => {
    await rx.close();
    await smtp.close();
  });

  it('in errors, dispatcher events, health problems, console output and serialized sinks', async () => {
    const configs: SinkConfigInput[] = [
      { type: 'slack', name: 'slack-404', url: `${rx.origin}/services/T0001/B0001/${SECRET}` },
      { type: 'slack', name: 'slack-dead', url: `http://127.0.0.1:${dead}/services/T0001/B0001/${SECRET}` },
      { type: 'teams', name: 'teams-500', url: `${rx.origin}/p500/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${SECRET}` },
      { type: 'webhook', name: 'webhook-404', url: `${rx.origin}/${SECRET}`, secret: `${SECRET}-signing`, headers: { Authorization: `Bearer ${SECRET}` } },
      { type: 'webhook', name: 'webhook-userinfo', url: `http://user:${SECRET}@127.0.0.1:${dead}/hook?token=${SECRET}` },
      { type: 'pagerduty', name: 'pd-404', routingKey: SECRET, url: `${rx.origin}/v2/enqueue` },
      { type: 'email', name: 'email-badpass', host: '127.0.0.1', port: smtp.port, user: 'cw', pass: SECRET, from: 'cw@alerts.example', to: ['a@example.com'] },
      { type: 'email', name: 'email-dead', host: '127.0.0.1', port: dead, user: 'cw', pass: SECRET, from: 'cw@alerts.example', to: ['a@example.com'] },
    ];
    const printed: string[] = [];
    const events: DispatchEvent[] = [];
    const d = createDispatcher(
      [...configs, { type: 'console' }],
      { sleep: async () => {}, maxAttempts: 2, onEvent: (e) => events.push(e) },
      { stderr: { write: (s: string) => printed.push(s) } },
    );
    printed.push(...(await d.healthcheck(5000)));
    // Config-only problems (checked without sending anything; these hosts are never contacted).
    const unsent = new Dispatcher(
      createSinks([
        { type: 'teams', name: 'teams-http', url: `http://teams.example.net/workflows/abc?sig=${SECRET}` },
        { type: 'slack', name: 'slack-http', url: `http://hooks.example.net/services/T0/B0/${SECRET}` },
        { type: 'webhook', name: 'webhook-http', url: `http://hooks.example.net/${SECRET}` },
      ]),
    );
    const problems = await unsent.healthcheck(5000);
    assert.equal(problems.length, 3);
    printed.push(...problems);
    await unsent.close();
    d.dispatch(alert('opened'));
    assert.equal(await d.flush(20_000), true);
    const counters = d.counters();
    for (const c of configs) {
      assert.equal(counters[c.name!]!.sent, 0, `${c.name} failed as planned`);
      const dropped = Object.values(counters[c.name!]!.dropped).reduce((a, b) => a + b, 0);
      assert.equal(dropped, 1, `${c.name} dropped the alert`);
    }
    assert.equal(counters['console']!.sent, 1);

    for (const e of events) {
      printed.push(JSON.stringify({ ...e, alert: undefined }));
      if ('error' in e && e.error !== undefined) printed.push(e.error);
    }
    // Direct sends: the thrown errors, as a user would see them printed or inspected.
    for (const { sink } of createSinks(configs)) {
      printed.push(JSON.stringify(sink), inspect(sink, { depth: 5, showHidden: true }), String(sink));
      try {
        await sink.send(alert('resolved'));
        assert.fail(`${sink.name} should fail`);
      } catch (e) {
        printed.push(String(e), inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e), (e as Error).stack ?? '');
      }
      await sink.close();
    }
    await d.close();

    const all = printed.join('\n');
    assert.ok(printed.length > 40);
    assert.ok(!all.includes(SECRET), `a secret leaked:\n${printed.filter((p) => p.includes(SECRET)).join('\n')}`);
    assert.ok(!all.includes('ZZsecretZZ'), 'not even a fragment');
    // The redacted forms are what is printed instead.
    assert.match(all, /http:\/\/127\.0\.0\.1:\d+\/services\/\*\*\*/);
    assert.match(all, /workflows|p500\/\*\*\*/);
    assert.match(all, /teams-http \(teams\): http:\/\/teams\.example\.net\/workflows\/\*\*\* is plain http/);
    assert.match(all, /EAUTH/);
  });

  it('redactUrl keeps scheme, host and the first path segment only', () => {
    assert.equal(redactUrl('https://hooks.slack.com/services/T000/B000/XXXX'), 'https://hooks.slack.com/services/***');
    assert.equal(redactUrl('https://prod-12.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x'), 'https://prod-12.westus.logic.azure.com/workflows/***');
    assert.equal(redactUrl('https://user:pw@example.com/secret-token'), 'https://example.com/***');
    assert.equal(redactUrl('https://example.com/hook?token=abc'), 'https://example.com/***');
    assert.equal(redactUrl('https://example.com'), 'https://example.com');
    assert.equal(redactUrl('not a url'), '<unparseable URL>');
  });
});
