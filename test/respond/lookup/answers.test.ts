/**
 * Valid tokens: each person gets exactly their own status, data items and times, on the JSON API
 * and as the first sentence of the page, in English and Japanese; nobody else's id is ever in a
 * response.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { Answer } from '../../../src/respond/lookup/index.ts';
import { fixtureReport, headlineOf, mint, start, USERS, type User } from './helpers.ts';

const MEASURES = ['We turned off caching for personal pages on 21 November 2026.', 'We purged the CDN cache.'];
const CONTACT = 'Support desk: privacy@example.com, 0120-000-000';
const WINDOW_EN = { from: '2026-11-21T09:00:00.000Z', to: '2026-11-21T12:00:00.000Z', fromText: '21 November 2026, 09:00 UTC', toText: '21 November 2026, 12:00 UTC' };
const COMMON_EN = { lang: 'en', window: WINDOW_EN, measures: MEASURES, contact: CONTACT, organisation: 'Example Shop', title: 'Customer pages shown to other customers' };
const ADVICE_EXPOSED = 'Be careful with unexpected e-mails, calls or parcels that use these details, and contact us if you notice anything unusual.';
const NO_TIMES_EN = { first: null, last: null, firstText: null, lastText: null, timeZone: 'UTC' };

const EXPECTED_EN: Record<User, Answer> = {
  alice: {
    ...COMMON_EN,
    status: 'shown',
    headline: 'Your personal data was shown to someone else.',
    details: 'Your own page was shown to 1 other visitor between 21 November 2026, 09:41 UTC and 21 November 2026, 10:14 UTC.',
    fields: [
      { name: 'address', label: 'Postal address' },
      { name: 'email', label: 'E-mail address' },
      { name: 'history', label: 'Purchase history' },
      { name: 'name', label: 'Name' },
    ],
    categories: [
      { name: 'identifying', label: 'Data that identifies you directly', direct: true },
      { name: 'other', label: 'Other data', direct: false },
    ],
    times: { first: '2026-11-21T09:41:00.250Z', last: '2026-11-21T10:14:45.500Z', firstText: '21 November 2026, 09:41 UTC', lastText: '21 November 2026, 10:14 UTC', timeZone: 'UTC' },
    recipients: 1,
    advice: ADVICE_EXPOSED,
  } as Answer,
  bob: {
    ...COMMON_EN,
    status: 'derived',
    headline: 'Your personal data was shown to someone else.',
    details: "Your data on another customer's page was shown to 1 other visitor between 21 November 2026, 10:12 UTC and 21 November 2026, 10:14 UTC.",
    fields: [
      { name: 'address', label: 'Postal address' },
      { name: 'name', label: 'Name' },
    ],
    categories: [{ name: 'identifying', label: 'Data that identifies you directly', direct: true }],
    times: { first: '2026-11-21T10:12:00.000Z', last: '2026-11-21T10:14:45.500Z', firstText: '21 November 2026, 10:12 UTC', lastText: '21 November 2026, 10:14 UTC', timeZone: 'UTC' },
    recipients: 1,
    advice: ADVICE_EXPOSED,
  } as Answer,
  carol: {
    ...COMMON_EN,
    status: 'possibly',
    headline: 'Your personal data may have been exposed to someone else.',
    details: 'A shared cache stored your page at 21 November 2026, 11:02 UTC, but we found no sign that anyone else received it.',
    fields: [
      { name: 'card', label: 'Card (last 4 digits and expiry date)' },
      { name: 'email', label: 'E-mail address' },
      { name: 'name', label: 'Name' },
    ],
    categories: [
      { name: 'identifying', label: 'Data that identifies you directly', direct: true },
      { name: 'payment', label: 'Payment data', direct: false },
    ],
    times: { first: '2026-11-21T11:02:10.000Z', last: '2026-11-21T11:02:10.000Z', firstText: '21 November 2026, 11:02 UTC', lastText: '21 November 2026, 11:02 UTC', timeZone: 'UTC' },
    recipients: 0,
    advice: 'You do not need to do anything now. Contact us if you notice anything unusual.',
  } as Answer,
  dave: {
    ...COMMON_EN,
    status: 'not-affected',
    headline: 'Your personal data was not exposed.',
    details: 'We checked your visits between 21 November 2026, 09:00 UTC and 21 November 2026, 12:00 UTC: none of your data was stored in a shared cache or shown to anyone else.',
    fields: [],
    categories: [],
    times: NO_TIMES_EN,
    recipients: 0,
    advice: 'You do not need to do anything.',
  } as Answer,
  zoe: {
    ...COMMON_EN,
    status: 'not-affected',
    headline: 'Your personal data was not exposed.',
    details: 'We found no visit of yours between 21 November 2026, 09:00 UTC and 21 November 2026, 12:00 UTC, so none of your data could have been shown to anyone else.',
    fields: [],
    categories: [],
    times: NO_TIMES_EN,
    recipients: 0,
    advice: 'You do not need to do anything.',
  } as Answer,
};

const EXPECTED_JA: Record<User, { status: string; headline: string; details: string; fields: string[]; firstText: string | null; lastText: string | null }> = {
  alice: {
    status: 'shown',
    headline: 'あなたの個人データが他の方に表示されました。',
    details: '2026年11月21日 18:41（日本時間）から2026年11月21日 19:14（日本時間）までの間に、あなたのページが他の方1人に表示されました。',
    fields: ['住所', 'メールアドレス', '購入履歴', '氏名'],
    firstText: '2026年11月21日 18:41（日本時間）',
    lastText: '2026年11月21日 19:14（日本時間）',
  },
  bob: {
    status: 'derived',
    headline: 'あなたの個人データが他の方に表示されました。',
    details: '2026年11月21日 19:12（日本時間）から2026年11月21日 19:14（日本時間）までの間に、他のお客様のページに載っていたあなたのデータが、他の方1人に表示されました。',
    fields: ['住所', '氏名'],
    firstText: '2026年11月21日 19:12（日本時間）',
    lastText: '2026年11月21日 19:14（日本時間）',
  },
  carol: {
    status: 'possibly',
    headline: 'あなたの個人データが他の方に見られた可能性があります。',
    details: '2026年11月21日 20:02（日本時間）に、共有キャッシュにあなたのページが保存されました。他の方が受け取った形跡は見つかっていません。',
    fields: ['クレジットカード（下4桁と有効期限）', 'メールアドレス', '氏名'],
    firstText: '2026年11月21日 20:02（日本時間）',
    lastText: '2026年11月21日 20:02（日本時間）',
  },
  dave: {
    status: 'not-affected',
    headline: 'あなたの個人データは他の方に表示されていません。',
    details: '2026年11月21日 18:00（日本時間）から2026年11月21日 21:00（日本時間）までのご利用を確認しました。あなたのデータが共有キャッシュに保存されたり、他の方に表示されたりしたことはありません。',
    fields: [],
    firstText: null,
    lastText: null,
  },
  zoe: {
    status: 'not-affected',
    headline: 'あなたの個人データは他の方に表示されていません。',
    details: '2026年11月21日 18:00（日本時間）から2026年11月21日 21:00（日本時間）までの間に、あなたのご利用は見つかりませんでした。そのため、あなたのデータが他の方に表示されたことはありません。',
    fields: [],
    firstText: null,
    lastText: null,
  },
};

const users = Object.keys(USERS) as User[];

/** Every identity hash in the report (people, viewers, via), which no response may contain. */
function allReportHashes(): string[] {
  const r = fixtureReport();
  const s = new Set<string>();
  for (const p of r.people) {
    s.add(p.id);
    for (const v of p.derived?.via ?? []) s.add(v);
  }
  for (const p of r.pairs) s.add(p.owner).add(p.viewer);
  for (const d of r.derivedPairs) s.add(d.person).add(d.owner).add(d.viewer);
  s.delete('anonymous');
  return [...s].sort();
}

describe('lookup answers', () => {
  let server: Awaited<ReturnType<typeof start>>;
  const tokens = {} as Record<User, string>;
  before(async () => {
    server = await start();
    for (const u of users) tokens[u] = await mint({ sub: u });
  });
  after(() => server.close());

  const api = async (u: User, headers: Record<string, string> = {}, query = '') => {
    const r = await request(`${server.url}/api/status${query}`, { headers: { authorization: `Bearer ${tokens[u]}`, ...headers } });
    return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
  };
  const page = async (u: User, headers: Record<string, string> = {}, query = '') => {
    const r = await request(`${server.url}/${query}`, { headers: { cookie: `cw_lookup=${tokens[u]}`, ...headers } });
    return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
  };

  it('the fixture has one person per status, with the hashes the tests expect', () => {
    assert.deepEqual(
      fixtureReport().people.map((p) => [p.id, p.status]),
      [
        [USERS.alice, 'shown'],
        [USERS.bob, 'derived'],
        [USERS.carol, 'possibly'],
        [USERS.dave, 'not-affected'],
      ],
    );
  });

  for (const u of users) {
    it(`${u}: the JSON API gives exactly their answer in English`, async () => {
      const r = await api(u);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(r.text), EXPECTED_EN[u]);
    });

    it(`${u}: the JSON API answers in Japanese for Accept-Language ja`, async () => {
      const r = await api(u, { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' });
      const a = JSON.parse(r.text) as Answer;
      const e = EXPECTED_JA[u];
      assert.deepEqual(
        { status: a.status, lang: a.lang, headline: a.headline, details: a.details, fields: a.fields.map((f) => f.label), firstText: a.times.firstText, lastText: a.times.lastText, tz: a.times.timeZone },
        { status: e.status, lang: 'ja', headline: e.headline, details: e.details, fields: e.fields, firstText: e.firstText, lastText: e.lastText, tz: 'Asia/Tokyo' },
      );
    });

    it(`${u}: the page's first sentence states the status, in en and ja`, async () => {
      const en = await page(u);
      assert.equal(en.status, 200);
      assert.equal(en.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(headlineOf(en.text), EXPECTED_EN[u].headline);
      assert.match(en.text, /^<!doctype html>\n<html lang="en">/);
      const ja = await page(u, { 'accept-language': 'ja' });
      assert.equal(headlineOf(ja.text), EXPECTED_JA[u].headline);
      assert.match(ja.text, /^<!doctype html>\n<html lang="ja">/);
      const override = await page(u, { 'accept-language': 'ja' }, '?lang=en');
      assert.equal(headlineOf(override.text), EXPECTED_EN[u].headline);
    });

    it(`${u}: no response carries any identity hash or another person's user id`, async () => {
      const bodies = [(await api(u)).text, (await api(u, { 'accept-language': 'ja' })).text, (await page(u)).text, (await page(u, {}, '?lang=ja')).text];
      for (const body of bodies) {
        for (const h of allReportHashes()) assert.equal(body.includes(h), false, `response for ${u} contains ${h}`);
        assert.equal(/h:[A-Za-z0-9_-]{22}/.test(body), false);
        for (const other of users) if (other !== u) assert.equal(new RegExp(`\\b${other}\\b`).test(body), false, `response for ${u} names ${other}`);
      }
    });
  }

  it("person A's token never yields B's answer: each token maps to its own status only", async () => {
    const seen = await Promise.all(users.map(async (u) => [u, (JSON.parse((await api(u)).text) as Answer).details] as const));
    assert.deepEqual(Object.fromEntries(seen), Object.fromEntries(users.map((u) => [u, EXPECTED_EN[u].details])));
    // Query parameters cannot select anyone: only the token's sub does.
    const r = await api('dave', {}, `?sub=alice&id=${encodeURIComponent(USERS.alice)}&user=alice`);
    assert.deepEqual(JSON.parse(r.text), EXPECTED_EN.dave);
  });

  it('answers have the same keys, nested keys and types for every status', async () => {
    const shape = (v: unknown): unknown =>
      Array.isArray(v) ? 'array' : v === null ? 'nullable' : typeof v === 'object' ? Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, shape(x)])) : typeof v === 'string' ? 'nullable' : typeof v;
    const shapes = await Promise.all(users.map(async (u) => shape(JSON.parse((await api(u)).text))));
    for (const s of shapes) assert.deepEqual(s, shapes[0]);
  });

  it('the page lists data items, times, measures and contact in the page language', async () => {
    const en = (await page('alice')).text;
    assert.match(en, /<div id="fields"><ul><li>Postal address<\/li><li>E-mail address<\/li><li>Purchase history<\/li><li>Name<\/li><\/ul><\/div>/);
    assert.match(en, /<p id="times">21 November 2026, 09:41 UTC – 21 November 2026, 10:14 UTC<\/p>/);
    assert.match(en, /<ul><li>We turned off caching for personal pages on 21 November 2026\.<\/li><li>We purged the CDN cache\.<\/li><\/ul>/);
    assert.match(en, /<p id="contact">Support desk: privacy@example\.com, 0120-000-000<\/p>/);
    const ja = (await page('alice', {}, '?lang=ja')).text;
    assert.match(ja, /<p id="times">2026年11月21日 18:41（日本時間） – 2026年11月21日 19:14（日本時間）<\/p>/);
    assert.match(ja, /<h2>対象となった情報<\/h2>/);
    const dave = (await page('dave')).text;
    assert.match(dave, /<p id="fields">None\.<\/p>/);
    assert.match(dave, /<p id="times">No exposure\.<\/p>/);
  });

  it('the page needs no script and loads nothing from elsewhere', async () => {
    const html = (await page('alice')).text;
    assert.equal(/<script|<link|<img|<iframe|src=|https?:\/\//i.test(html), false);
  });

  it('an operator-given incident replaces the report incident', async () => {
    const s = await start({ incident: { organisation: 'Other Org', title: 'T', cause: 'C', measures: ['M1'], contact: 'desk@example.org' } });
    try {
      const r = await request(`${s.url}/api/status`, { headers: { authorization: `Bearer ${tokens.dave}` } });
      const a = (await r.body.json()) as Answer;
      assert.deepEqual([a.organisation, a.title, a.measures, a.contact], ['Other Org', 'T', ['M1'], 'desk@example.org']);
    } finally {
      await s.close();
    }
  });
});
