/** The examples in docs/sinks.md are real output of the sinks for the fixture alerts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createSink } from '../../src/sinks/index.ts';
import { emailSubject, emailText, emailThreading } from '../../src/sinks/email.ts';
import { pagerDutyEvent } from '../../src/sinks/pagerduty.ts';
import { slackMessage } from '../../src/sinks/slack.ts';
import { teamsMessage } from '../../src/sinks/teams.ts';
import { signWebhook, webhookBody, webhookMessageId } from '../../src/sinks/webhook.ts';
import { alert } from './fixtures.ts';

const doc = readFileSync(new URL('../../docs/sinks.md', import.meta.url), 'utf8');

/** The fenced block that follows `<!-- example: name -->`. */
function example(name: string): string {
  const m = new RegExp(`<!-- example: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  assert.ok(m, `docs/sinks.md has the example "${name}"`);
  return m[1]!;
}

describe('docs/sinks.md examples are real output', () => {
  it('console', async () => {
    const out: string[] = [];
    await createSink({ type: 'console' }, { stderr: { write: (s: string) => out.push(s) } }).send(alert('opened'));
    assert.equal(example('console opened'), out.join('').trimEnd());
  });

  it('webhook body and signature', () => {
    const a = alert('opened');
    assert.deepEqual(JSON.parse(example('webhook opened')), webhookBody(a, 'webhook'));
    const body = JSON.stringify(webhookBody(a, 'webhook'));
    const id = webhookMessageId(a);
    const ts = Math.floor(a.at / 1000);
    const sig = signWebhook('whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3', id, ts, body);
    assert.ok(doc.includes(`webhook-id: ${id}\nwebhook-timestamp: ${ts}\nwebhook-signature: ${sig}\n`));
  });

  it('slack, teams, pagerduty', () => {
    assert.deepEqual(JSON.parse(example('slack opened')), slackMessage(alert('opened')));
    assert.deepEqual(JSON.parse(example('teams opened')), teamsMessage(alert('opened')));
    assert.deepEqual(JSON.parse(example('pagerduty opened')), pagerDutyEvent(alert('opened'), '${PAGERDUTY_ROUTING_KEY}'));
    assert.deepEqual(JSON.parse(example('pagerduty resolved')), pagerDutyEvent(alert('resolved'), '${PAGERDUTY_ROUTING_KEY}'));
  });

  it('email text and threading headers', () => {
    assert.equal(example('email resolved'), emailText(alert('resolved')).trimEnd());
    const headers = (['opened', 'updated', 'resolved'] as const)
      .map((k) => {
        const x = alert(k);
        const t = emailThreading(x, 'alerts.example');
        const lines = [`Subject: ${emailSubject(x, '[cachewarden]')}`, `Message-ID: ${t.messageId}`];
        if (t.inReplyTo) lines.push(`In-Reply-To: ${t.inReplyTo}`, `References: ${t.references}`);
        return lines.join('\n');
      })
      .join('\n\n');
    assert.equal(example('email headers'), headers);
  });
});
