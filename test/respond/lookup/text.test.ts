/**
 * The answer builder without a server: a person both shown and derived, a `possibly` the logs
 * cannot resolve, anonymous recipients, unknown field names, times, and HTML escaping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IdentityHash } from '../../../src/core/identity.ts';
import { renderAnswerPage } from '../../../src/respond/lookup/page.ts';
import { ABSENT, buildViews } from '../../../src/respond/lookup/status.ts';
import { buildAnswer, fieldLabel, formatTime } from '../../../src/respond/lookup/text.ts';
import type { ScopeReport } from '../../../src/respond/types.ts';
import { fixtureReport, USERS } from './helpers.ts';

function variant(): ScopeReport {
  const r = structuredClone(fixtureReport());
  const alice = r.people[0]!;
  alice.derived = { first: '2026-11-21T11:00:00.000Z', last: '2026-11-21T11:30:00.000Z', via: [USERS.dave as IdentityHash], routes: ['/transactions/*'], fields: ['phone'], serves: 3 };
  r.derivedPairs.push(
    { first: '2026-11-21T11:00:00.000Z', last: '2026-11-21T11:10:00.000Z', person: USERS.alice as IdentityHash, owner: USERS.dave as IdentityHash, viewer: 'anonymous', url: '/transactions/9', route: '/transactions/*', fields: ['phone'], count: 2 },
    { first: '2026-11-21T11:30:00.000Z', last: '2026-11-21T11:30:00.000Z', person: USERS.alice as IdentityHash, owner: USERS.dave as IdentityHash, viewer: USERS.carol as IdentityHash, url: '/transactions/9', route: '/transactions/*', fields: ['phone'], count: 1 },
  );
  r.people[2]!.possibly!.reasons = ['collapsed', 'unknown-viewer'];
  return r;
}

describe('lookup answers (builder)', () => {
  it('a person shown and derived gets both sentences; anonymous serves count one recipient each', () => {
    const r = variant();
    const views = buildViews(r);
    const a = buildAnswer(views.get(USERS.alice as IdentityHash)!, r, r.incident, 'en');
    assert.equal(
      a.details,
      "Your own page was shown to 1 other visitor between 21 November 2026, 09:41 UTC and 21 November 2026, 10:14 UTC. Your data on another customer's page was shown to 3 other visitors between 21 November 2026, 11:00 UTC and 21 November 2026, 11:30 UTC.",
    );
    assert.deepEqual([a.recipients, a.times.first, a.times.last], [4, '2026-11-21T09:41:00.250Z', '2026-11-21T11:30:00.000Z']);
  });

  it('possibly, when the logs cannot tell who received it', () => {
    const r = variant();
    const views = buildViews(r);
    assert.equal(
      buildAnswer(views.get(USERS.carol as IdentityHash)!, r, r.incident, 'en').details,
      'A shared cache stored your page at 21 November 2026, 11:02 UTC, and our logs cannot tell whether anyone else received it.',
    );
    assert.equal(
      buildAnswer(views.get(USERS.carol as IdentityHash)!, r, r.incident, 'ja').details,
      '2026年11月21日 20:02（日本時間）に、共有キャッシュにあなたのページが保存されました。記録からは、他の方が受け取ったかどうかを確認できません。',
    );
  });

  it('views hold nothing that names another person', () => {
    const views = buildViews(variant());
    const text = JSON.stringify([...views.values()]);
    assert.equal(/h:[A-Za-z0-9_-]{22}|\/transactions|\/mypage|edge-/.test(text), false);
    assert.deepEqual(Object.keys(ABSENT).sort(), Object.keys(views.get(USERS.alice as IdentityHash)!).sort());
  });

  it('times: UTC for English, Japan time for Japanese, across a date change', () => {
    assert.equal(formatTime('2026-12-31T15:30:59.999Z', 'en'), '31 December 2026, 15:30 UTC');
    assert.equal(formatTime('2026-12-31T15:30:59.999Z', 'ja'), '2027年1月1日 00:30（日本時間）');
    assert.equal(formatTime('2026-01-05T00:05:00.000Z', 'en'), '5 January 2026, 00:05 UTC');
  });

  it('unknown field names become words', () => {
    assert.equal(fieldLabel('card_last4', 'en'), 'Last 4 digits of your card');
    assert.equal(fieldLabel('shipping_note', 'en'), 'Shipping note');
    assert.equal(fieldLabel('shipping_note', 'ja'), 'shipping note');
  });

  it('operator text is escaped in the page', () => {
    const r = fixtureReport();
    const incident = { ...r.incident, contact: '<script>alert(1)</script> & "desk"', measures: ['<b>bold</b>'] };
    const html = renderAnswerPage(buildAnswer(ABSENT, r, incident, 'en'));
    assert.match(html, /<p id="contact">&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;desk&quot;<\/p>/);
    assert.match(html, /<li>&lt;b&gt;bold&lt;\/b&gt;<\/li>/);
    assert.equal(html.includes('<script>'), false);
  });
});
