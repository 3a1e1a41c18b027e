/**
 * writeNotices against a hand-written scope report (test/respond/fixtures/notices-report.json):
 * every notice opens with the sentence that states its status, files and counts are exact, the
 * HTML is escaped and self-contained, and no notice carries anyone's id.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { writeNotices, type Lang } from '../../../src/respond/notices/index.ts';
import { STATUSES, type IncidentInfo, type ScopeReport, type Status } from '../../../src/respond/types.ts';
import { firstSentence, fixture, listFiles, tempDir, visibleText } from './helpers.ts';

const S1 = 'h:cduydB0JI73jAQR1YdYqpA'; // shown: name, address, e-mail, card; 2 viewers
const S2 = 'h:g3eU5FFPf8KZncX9UXT9NQ'; // shown: name, points; login session handed over
const S3 = 'h:xKdCzkN5CrvopC-3RZrPfg'; // shown: name, address (transaction page)
const D1 = 'h:Mk6zpKNiFBtd-8vY_NlVpg'; // derived: name, address
const D3 = 'h:Ruhz0Vgaw_IxRELODCnA7w'; // derived: bank, loyalty_rank (an unknown field)
const D2 = 'h:ijaoSIta2wUjyS91qHN7qg'; // derived: address
const P1 = 'h:3nmgUZzqLlNRIEqWaJzbaA'; // possibly: name, address, e-mail, card
const P2 = 'h:4h7InLFufq30r-u5A6J0cg'; // possibly: name, points
const N1 = 'h:UgzEtTqnVooBZXo3zrZoTw'; // not affected (viewer of S2)
const V1 = 'h:jzxmJ5rvfia4CP3b-xy6MQ'; // not affected (viewer of S1, S3)
const N2 = 'h:uyV1xFU0W-Fagsv6epq1OA'; // not affected
const ALL = [S1, S2, S3, D1, D3, D2, P1, P2, N1, V1, N2];

/** 21 Nov 2026 20:00 UTC: already 22 Nov in Tokyo. */
const NOW = Date.parse('2026-11-21T20:00:00.000Z');
const now = (): number => NOW;

const EXPECTED_FIRST: Record<Lang, Record<string, string>> = {
  en: {
    [S1]: 'Your personal data was shown to another customer.',
    [S2]: 'Your personal data was shown to another customer.',
    [S3]: 'Your personal data was shown to another customer.',
    [D1]: "Your name and address were shown to another customer on another customer's page.",
    [D3]: "Your bank account details and loyalty_rank were shown to another customer on another customer's page.",
    [D2]: "Your address was shown to another customer on another customer's page.",
    [P1]: 'Your personal data may have been visible to another customer; we found no sign that anyone saw it.',
    [P2]: 'Your personal data may have been visible to another customer; we found no sign that anyone saw it.',
    [N1]: 'Your personal data was not exposed in this incident.',
    [V1]: 'Your personal data was not exposed in this incident.',
    [N2]: 'Your personal data was not exposed in this incident.',
  },
  ja: {
    [S1]: 'お客様の個人情報が、他のお客様に表示されました。',
    [S2]: 'お客様の個人情報が、他のお客様に表示されました。',
    [S3]: 'お客様の個人情報が、他のお客様に表示されました。',
    [D1]: 'お客様の氏名、住所が、他のお客様のページを通じて、別のお客様に表示されました。',
    [D3]: 'お客様の銀行口座、loyalty_rankが、他のお客様のページを通じて、別のお客様に表示されました。',
    [D2]: 'お客様の住所が、他のお客様のページを通じて、別のお客様に表示されました。',
    [P1]: 'お客様の個人情報が他のお客様から見える状態にあった可能性がありますが、実際に見られた形跡は見つかっていません。',
    [P2]: 'お客様の個人情報が他のお客様から見える状態にあった可能性がありますが、実際に見られた形跡は見つかっていません。',
    [N1]: '今回の事象で、お客様の個人情報は漏えいしていません。',
    [V1]: '今回の事象で、お客様の個人情報は漏えいしていません。',
    [N2]: '今回の事象で、お客様の個人情報は漏えいしていません。',
  },
};

const STATUS_OF: Record<string, Status> = {
  [S1]: 'shown', [S2]: 'shown', [S3]: 'shown',
  [D1]: 'derived', [D3]: 'derived', [D2]: 'derived',
  [P1]: 'possibly', [P2]: 'possibly',
  [N1]: 'not-affected', [V1]: 'not-affected', [N2]: 'not-affected',
};

function noticeFiles(id: string): [string, string] {
  const base = `${STATUS_OF[id]}/${id.slice(2)}`;
  return [`${base}.txt`, `${base}.html`];
}

/** Write both languages with every person; the notices as {lang → id → {txt, html}}. */
function writeAll(report: ScopeReport = fixture()): { dir: string; notices: Record<Lang, Record<string, { txt: string; html: string }>> } {
  const dir = tempDir();
  const notices = { en: {}, ja: {} } as Record<Lang, Record<string, { txt: string; html: string }>>;
  for (const lang of ['en', 'ja'] as const) {
    const res = writeNotices(report, { lang, outDir: join(dir, lang), includeUnaffected: true, now });
    for (const row of readFileSync(join(res.outDir, 'index.csv'), 'utf8').trim().split('\n').slice(1)) {
      const [id, , files] = row.split(',');
      const [txt, html] = files!.split(' ');
      notices[lang][id!] = { txt: readFileSync(join(res.outDir, txt!), 'utf8'), html: readFileSync(join(res.outDir, html!), 'utf8') };
    }
  }
  return { dir, notices };
}

describe('writeNotices', () => {
  const { notices } = writeAll();

  it('opens every notice (txt and html, en and ja) with the sentence that states its status', () => {
    let checked = 0;
    for (const lang of ['en', 'ja'] as const) {
      assert.deepEqual(Object.keys(notices[lang]).sort(), [...ALL].sort());
      for (const [id, n] of Object.entries(notices[lang])) {
        const expected = EXPECTED_FIRST[lang][id]!;
        assert.equal(firstSentence(n.txt), expected, `${lang} ${id} .txt`);
        assert.equal(firstSentence(visibleText(n.html)), expected, `${lang} ${id} .html`);
        // Nothing comes before it: the text starts with the sentence.
        assert.ok(n.txt.replace(/\s+/g, ' ').startsWith(expected), `${lang} ${id} .txt starts with the sentence`);
        checked += 2;
      }
    }
    assert.equal(checked, 44);
  });

  it('writes exactly the files it reports, with exact counts, index and summary', () => {
    const dir = tempDir();
    const res = writeNotices(fixture(), { lang: 'en', outDir: dir, includeUnaffected: true, now });
    const order = [S1, S2, S3, D1, D3, D2, P1, P2, N1, V1, N2];
    assert.deepEqual(res, {
      written: 11,
      byStatus: { shown: 3, derived: 3, possibly: 2, 'not-affected': 3 },
      files: [...order.flatMap(noticeFiles), 'index.csv', 'summary.txt'],
      outDir: dir,
    });
    assert.deepEqual(listFiles(dir), [...res.files].sort());
    assert.equal(
      readFileSync(join(dir, 'index.csv'), 'utf8'),
      ['id,status,files', ...order.map((id) => `${id},${STATUS_OF[id]},${noticeFiles(id).join(' ')}`), ''].join('\n'),
    );
    assert.equal(
      readFileSync(join(dir, 'summary.txt'), 'utf8'),
      [
        'cachewarden notices',
        'Language: en',
        'Written at: 2026-11-21T20:00:00.000Z',
        'Report window: 2026-11-21T09:00:00.000Z to 2026-11-21T15:30:00.000Z',
        'Templates: built-in',
        'Notices: 11',
        '  shown: 3',
        '  derived: 3',
        '  possibly: 2',
        '  not-affected: 3',
        '',
      ].join('\n'),
    );
  });

  it('skips people not affected unless includeUnaffected, and says so in the summary', () => {
    const dir = tempDir();
    const res = writeNotices(fixture(), { lang: 'ja', outDir: dir, now });
    assert.equal(res.written, 8);
    assert.deepEqual(res.byStatus, { shown: 3, derived: 3, possibly: 2, 'not-affected': 0 });
    assert.deepEqual(res.files, [...[S1, S2, S3, D1, D3, D2, P1, P2].flatMap(noticeFiles), 'index.csv', 'summary.txt']);
    assert.equal(existsSync(join(dir, 'not-affected')), false);
    assert.deepEqual(listFiles(dir), [...res.files].sort());
    const summary = readFileSync(join(dir, 'summary.txt'), 'utf8').split('\n');
    assert.deepEqual(summary.slice(5), [
      'Notices: 8',
      '  shown: 3',
      '  derived: 3',
      '  possibly: 2',
      '  not-affected: 0',
      'Not written: 3 not-affected (add --include-unaffected to write them)',
      '',
    ]);
    const withThem = writeNotices(fixture(), { lang: 'ja', outDir: join(tempDir(), 'out'), includeUnaffected: true, now });
    assert.equal(withThem.written, 11);
    assert.equal(withThem.byStatus['not-affected'], 3);
  });

  it('writes the short not-affected notice exactly, without hedging about the reader\'s data', () => {
    assert.equal(
      notices.en[N1]!.txt,
      [
        'Your personal data was not exposed in this incident.',
        '',
        'We are writing to everyone who used our site from 21 November 2026,',
        '09:00 UTC to 21 November 2026, 15:30 UTC. We checked every request you',
        'made in that time, from 21 November 2026, 09:58 UTC to 21 November 2026,',
        '10:05 UTC. None of your data was kept in a shared cache or shown to',
        'anyone else.',
        '',
        'What happened',
        "A cache setting let a shared cache hand one customer's page to another",
        'customer.',
        '',
        'What we have done',
        '- We stopped the cache from keeping personal pages on 21 November 2026.',
        '- We deleted every copy the cache held.',
        '',
        'What you can do',
        'You do not need to do anything.',
        '',
        'Contact',
        'Customer desk: support@example.com, 0120-000-000 (9:00 to 18:00)',
        'You can check your status at any time here:',
        'https://example.com/am-i-affected',
        '',
        'Example Shop Co.',
        '21 November 2026',
        '',
      ].join('\n'),
    );
    for (const id of [N1, V1, N2]) {
      for (const text of [notices.en[id]!.txt, visibleText(notices.en[id]!.html)]) {
        assert.doesNotMatch(text, /\b(may|might|possibly|perhaps|could)\b/i, id);
      }
      for (const text of [notices.ja[id]!.txt, visibleText(notices.ja[id]!.html)]) {
        assert.doesNotMatch(text, /可能性|おそれ|恐れ|かもしれ/, id);
      }
    }
  });

  it('says which data in plain words, when (ja in Japan time, en in UTC), and the notice date', () => {
    const s1 = notices.ja[S1]!.txt;
    assert.match(s1, /\n・氏名\n・住所\n・メールアドレス\n・カード番号の下4桁と有効期限\n/);
    // 15:05:00.250Z and 15:20:10Z are past midnight in Tokyo (UTC+9).
    assert.match(s1, /\n2026年11月22日 0時05分から2026年11月22日 0時20分まで\n/);
    assert.match(s1, /\n2026年11月22日\n$/);
    assert.match(notices.ja[S2]!.txt, /\n2026年11月21日 19時00分頃\n/);
    assert.match(notices.en[S2]!.txt, /\nOn 21 November 2026, 10:00 UTC\.\n/);
    assert.match(visibleText(notices.ja[S1]!.html), / 2026年11月22日 0時05分から2026年11月22日 0時20分まで /);
    assert.match(notices.en[S1]!.txt, /\nFrom 21 November 2026, 15:05 UTC to 21 November 2026, 15:20 UTC\.\n/);
    assert.match(notices.en[S1]!.txt, /\n- name\n- address\n- e-mail address\n- card details \(last four digits and expiry date\)\n/);
    assert.match(notices.en[S1]!.txt, /\nOther customers who received it: 2\.\nTimes it was sent to someone else: 3\.\n/);
    assert.match(notices.en[S1]!.txt, /\n21 November 2026\n$/);
    assert.match(notices.ja[D3]!.txt, /\n・銀行口座\n・loyalty_rank\n/);
  });

  it('gives advice that fits the person: card, bank and session only where they apply', () => {
    const card = 'Check your card statements for payments you do not recognise.';
    const bank = 'Check your bank account for payments you do not recognise.';
    const session = 'Log out on all your devices and change your password.';
    const noPassword = 'You do not need to change your password.';
    const has = (id: string, s: string): boolean => visibleText(notices.en[id]!.html).includes(s);
    assert.deepEqual(ALL.filter((id) => has(id, card) || has(id, `If you wish, check your card statements`)), [S1, P1]);
    assert.deepEqual(ALL.filter((id) => has(id, bank)), [D3]);
    assert.deepEqual(ALL.filter((id) => has(id, session)), [S2]);
    assert.deepEqual(ALL.filter((id) => has(id, noPassword)), [S1, S3, D1, D3, D2, P1, P2]);
    assert.deepEqual(ALL.filter((id) => notices.ja[id]!.txt.includes('すべての端末でログアウトし、パスワードを変更してください。')), [S2]);
    assert.deepEqual(ALL.filter((id) => notices.ja[id]!.txt.includes('カードの利用明細')), [S1, P1]);
  });

  it('never puts an identity hash in a notice: not the reader\'s, not another person\'s, not a viewer\'s', () => {
    const report = fixture();
    const ids = new Set<string>(report.people.map((p) => p.id));
    for (const p of report.pairs) ids.add(p.viewer);
    for (const p of report.derivedPairs) ids.add(p.owner);
    for (const p of report.people) for (const v of p.derived?.via ?? []) ids.add(v);
    ids.delete('anonymous');
    assert.equal(ids.size, 11);
    for (const lang of ['en', 'ja'] as const) {
      for (const [reader, n] of Object.entries(notices[lang])) {
        for (const id of ids) {
          for (const text of [n.txt, n.html]) {
            assert.equal(text.includes(id.slice(2)), false, `${lang} notice of ${reader} names ${id}`);
          }
        }
        // Nor the URLs or edges of the incident.
        assert.doesNotMatch(n.txt + n.html, /\/mypage|\/api\/me|\/transactions|tyo1|tyo2/);
      }
    }
  });

  it('keeps HTML notices self-contained: no script, no external resource, no link but the lookup page', () => {
    for (const lang of ['en', 'ja'] as const) {
      for (const [id, n] of Object.entries(notices[lang])) {
        assert.match(n.html, /^<!DOCTYPE html>\n<html lang="(en|ja)">\n/, id);
        assert.doesNotMatch(n.html, /<script|<link|<style|<img|<iframe|\ssrc=|url\(|@import|\son[a-z]+=/i, id);
        assert.deepEqual([...n.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]), ['https://example.com/am-i-affected'], id);
        for (const text of [n.txt, n.html]) {
          assert.deepEqual([...text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]), text === n.txt ? ['https://example.com/am-i-affected'] : ['https://example.com/am-i-affected', 'https://example.com/am-i-affected'], id);
        }
      }
    }
  });

  it('escapes every value in HTML notices (a hostile incident cause, organisation and lookup URL)', () => {
    const report = fixture();
    const incident: IncidentInfo = {
      ...report.incident,
      organisation: 'Evil & Co <b>',
      cause: '<script>alert(1)</script><img src=https://evil.example/x.png onerror="alert(2)"> & \'quoted\'',
      measures: ['<a href="https://evil.example/">click</a>'],
      lookupUrl: 'javascript:alert(3)',
    };
    report.incident = incident;
    const dir = tempDir();
    writeNotices(report, { lang: 'en', outDir: dir, includeUnaffected: true, now });
    const html = readFileSync(join(dir, noticeFiles(S1)[1]), 'utf8');
    assert.ok(
      html.includes('<p style="margin:0 0 16px 0;">&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=https://evil.example/x.png onerror=&quot;alert(2)&quot;&gt; &amp; &#39;quoted&#39;</p>'),
    );
    assert.ok(html.includes('<li style="margin:0 0 6px 0;">&lt;a href=&quot;https://evil.example/&quot;&gt;click&lt;/a&gt;</li>'));
    assert.ok(html.includes('<title>Evil &amp; Co &lt;b&gt;</title>'));
    for (const id of ALL) {
      const [txtFile, htmlFile] = noticeFiles(id);
      const h = readFileSync(join(dir, htmlFile), 'utf8');
      assert.doesNotMatch(h, /<script|<img|<a href="https:\/\/evil|javascript:|<b>/i, id);
      assert.equal([...h.matchAll(/<a\s/g)].length, 0, `${id}: a lookup URL that is not http(s) is left out`);
      // The text notice carries the cause as written: it is plain text, not markup.
      assert.ok(readFileSync(join(dir, txtFile), 'utf8').replace(/\s+/g, ' ').includes(incident.cause), id);
    }
  });

  it('wraps English text at 72 columns and leaves Japanese lines whole', () => {
    let longJa = 0;
    for (const id of ALL) {
      for (const line of notices.en[id]!.txt.split('\n')) assert.ok(line.length <= 72 || !line.includes(' '), `${id}: ${line}`);
      for (const line of notices.ja[id]!.txt.split('\n')) if (line.length > 72) longJa++;
    }
    assert.ok(notices.en[S1]!.txt.includes('\n- Be careful with e-mails, calls and text messages that mention your\n  orders or your address.'));
    // The opening paragraph of each ja notice is one long line: 11 people.
    assert.equal(longJa >= 11, true);
    assert.ok(notices.ja[N1]!.txt.split('\n')[2]!.startsWith('Example Shop Co.からのお知らせです。2026年11月21日 18時00分から2026年11月22日 0時30分まで（日本時間）に'));
  });

  it('refuses an output folder that is not empty, a bad language and a report that is not one', () => {
    const dir = tempDir();
    writeNotices(fixture(), { lang: 'en', outDir: dir, now });
    assert.throws(
      () => writeNotices(fixture(), { lang: 'en', outDir: dir, now }),
      (e: unknown) => e instanceof CwError && e.code === 'CW_USAGE_BAD_FLAG' && e.message === `--out ${dir} is not empty; give a new folder, so old notices are not mixed with these`,
    );
    assert.throws(
      () => writeNotices(fixture(), { lang: 'fr' as Lang, outDir: join(dir, 'x'), now }),
      (e: unknown) => e instanceof CwError && e.message === '--lang "fr": write one of en, ja',
    );
    const bad = fixture();
    (bad.people[4] as { id: string }).id = '../../etc/passwd';
    assert.throws(
      () => writeNotices(bad, { lang: 'en', outDir: join(dir, 'y'), now }),
      (e: unknown) =>
        e instanceof CwError && e.code === 'CW_INPUT_UNREADABLE' && e.message === 'scope report: people[4].id is not an identity hash (h: and 22 characters); give the JSON that `cachewarden scope` wrote',
    );
    const v2 = { ...fixture(), version: 2 } as unknown as ScopeReport;
    assert.throws(() => writeNotices(v2, { lang: 'en', outDir: join(dir, 'z'), now }), /^CwError: scope report: version 2 is not 1;/);
    assert.equal(existsSync(join(dir, 'y')), false);
  });
});

describe('the notices fixture', () => {
  it('conforms exactly to the ScopeReport contract (keys at every level) and its summary adds up', () => {
    const r = fixture();
    const keys = (o: object): string[] => Object.keys(o).sort();
    assert.deepEqual(keys(r), ['byEdge', 'byRoute', 'categories', 'derivedPairs', 'generatedAt', 'identity', 'incident', 'inputs', 'observed', 'pairs', 'people', 'summary', 'timeline', 'version', 'window']);
    assert.deepEqual(keys(r.inputs), ['events', 'files', 'format', 'lines', 'outsideWindow', 'rejected', 'relations', 'sessions']);
    assert.deepEqual(keys(r.incident), ['cause', 'contact', 'lookupUrl', 'measures', 'organisation', 'title']);
    assert.deepEqual(keys(r.summary), ['active', 'anyData', 'derived', 'derivedPairs', 'directlyIdentifying', 'exposures', 'firstExposure', 'lastExposure', 'notAffected', 'pairs', 'perCategory', 'possibly', 'shown', 'unattributed', 'upperBound', 'viewers']);
    for (const p of r.people) {
      const detail = { shown: 'shown', derived: 'derived', possibly: 'possibly', 'not-affected': undefined }[p.status];
      assert.deepEqual(keys(p), ['active', 'categories', 'fields', 'id', 'status', ...(detail ? [detail] : [])].sort(), p.id);
      assert.deepEqual(keys(p.active), ['first', 'last', 'requests']);
    }
    for (const p of r.pairs) assert.deepEqual(keys(p), ['count', 'edge', 'fields', 'first', 'last', 'outcomes', 'owner', 'route', 'rule', 'url', 'viewer']);
    for (const p of r.derivedPairs) assert.deepEqual(keys(p), ['count', 'fields', 'first', 'last', 'owner', 'person', 'route', 'url', 'viewer']);
    const count = (s: Status): number => r.people.filter((p) => p.status === s).length;
    assert.deepEqual(
      [r.summary.shown, r.summary.derived, r.summary.possibly, r.summary.notAffected, r.summary.active, r.summary.pairs, r.summary.derivedPairs],
      [count('shown'), count('derived'), count('possibly'), count('not-affected'), r.people.length, r.pairs.length, r.derivedPairs.length],
    );
    // Sorted by status (most severe first), then id.
    const sorted = [...r.people].sort((a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) || (a.id < b.id ? -1 : 1));
    assert.deepEqual(r.people.map((p) => p.id), sorted.map((p) => p.id));
  });
});
