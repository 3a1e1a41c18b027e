/**
 * regulatoryItems: the APPI (PPC report, Enforcement Rules Art. 7, 8, 10) and GDPR (Art. 33, 34)
 * items for the fixtures, with exact values in English and Japanese; items the logs cannot answer
 * are flagged unfilled with what to write; operator placeholders count as unfilled.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { duration, int, isPlaceholder, time } from '../../../src/respond/report/format.ts';
import { regulatoryItems, type ReportItem } from '../../../src/respond/report/regulatory.ts';
import emptyJson from '../fixtures/report-empty.json' with { type: 'json' };
import leakJson from '../fixtures/report-leak.json' with { type: 'json' };
import { asScopeReport } from './conform.ts';
import { LARGE_FIXTURE } from './large-fixture.ts';

type Row = [item: string, reference: string, value: string, filled: boolean];
const rows = (items: ReportItem[]): Row[] => items.map((i) => [i.item, i.reference, i.value, i.filled]);

const leak = asScopeReport(leakJson);
const empty = asScopeReport(emptyJson);
const large = asScopeReport(JSON.parse(readFileSync(LARGE_FIXTURE, 'utf8')));

const APPI_EN: Row[] = [
  ['Reporting business operator', 'APPI Art. 26(1)', "Example Co.", true],
  ['Reportable case', 'Enforcement Rules Art. 7', "More than 1,000 people (Art. 7(iv)): no, upper bound 6. Write whether case (i) special-care data, (ii) data that may cause property damage if misused, or (iii) an unlawful purpose applies; they apply from one person.", false],
  ['1. Overview', 'Enforcement Rules Art. 8(1)(i)', "Personal pages shown to other customers. From 2026-11-21 09:41:00.250 UTC to 2026-11-21 09:44:30 UTC, personal pages of 2 people were served to other people through a shared cache (5 responses, 4 recipients). Those pages also carried data of 2 more people (derived).", true],
  ['1. Overview: window examined', 'Enforcement Rules Art. 8(1)(i)', "2026-11-21 09:40:00 UTC – 2026-11-21 09:50:00 UTC (10 min)", true],
  ['1. Overview: first and last exposure', 'Enforcement Rules Art. 8(1)(i)', "2026-11-21 09:41:00.250 UTC – 2026-11-21 09:44:30 UTC (3 min 30 s)", true],
  ['1. Overview: date of discovery and how it was found', 'Enforcement Rules Art. 8(1)(i)', "Write when and how the leak was found (e.g. a customer report, a cachewarden watch alert).", false],
  ['2. Items of personal data', 'Enforcement Rules Art. 8(1)(ii)', "Shown to others: identifying (directly identifying): address, email, name; other: history, points.", true],
  ['3. Number of persons: shown to someone else (confirmed)', 'Enforcement Rules Art. 8(1)(iii)', "2 people", true],
  ['3. Number of persons: data on another person\'s page (derived)', 'Enforcement Rules Art. 8(1)(iii)', "2 people", true],
  ['3. Number of persons: tier A (any data shown)', 'Enforcement Rules Art. 8(1)(iii)', "4 people", true],
  ['3. Number of persons: tier B (directly identifying data shown)', 'Enforcement Rules Art. 8(1)(iii)', "3 people", true],
  ['3. Number of persons: upper bound (including possibly exposed)', 'Enforcement Rules Art. 8(1)(iii)', "6 people (2 of them possibly exposed)", true],
  ['3. Number of persons per data category', 'Enforcement Rules Art. 8(1)(iii)', "identifying: 3 people; payment: 0 people; other: 3 people", true],
  ['4. Cause', 'Enforcement Rules Art. 8(1)(iv)', "A cache setting let a shared cache hand one customer's page to another.", true],
  ['5. Secondary damage or its risk', 'Enforcement Rules Art. 8(1)(v)', "Write whether secondary damage occurred or may occur, and what it is (e.g. phishing using names and e-mail addresses). Categories shown: identifying (3 people), other (3 people).", false],
  ['6. Response to the persons', 'Enforcement Rules Art. 8(1)(vi)', "Write how and when the people were or will be told. To tell: 6 people: 4 whose data was shown (2 shown, 2 derived) and 2 possibly exposed. Self-check page: https://example.com/am-i-affected", false],
  ['7. Public announcement', 'Enforcement Rules Art. 8(1)(vii)', "Write whether and when the incident was announced publicly, and where.", false],
  ['8. Measures to prevent recurrence', 'Enforcement Rules Art. 8(1)(viii)', "Stopped caching /mypage* and /transactions/* at 09:50 UTC. Purged the caches on every edge.", true],
  ['9. Other: how the figures were computed', 'Enforcement Rules Art. 8(1)(ix)', "cachewarden scope replayed 1,250 log lines (nginx-json, 2 files): 1,220 events in the window, 15 malformed lines set aside, 15 events outside the window. People are counted per user as keyed hashes (key id 3f9a1c2e). 1 finding could not be attributed to an owner.", true],
  ['Notice to the persons', 'APPI Art. 26(2); Enforcement Rules Art. 10', "To notify: 6 people: 4 whose data was shown (2 shown, 2 derived) and 2 possibly exposed. A notice gives items 1, 2, 4, 5 and 9. Self-check page: https://example.com/am-i-affected", true],
];
const GDPR_EN: Row[] = [
  ['Controller', 'GDPR Art. 33(1)', "Example Co.", true],
  ['When the controller became aware', 'GDPR Art. 33(1)', "Write when you became aware of the breach. If this notification comes later than 72 hours after that, give the reasons for the delay.", false],
  ['Nature of the breach', 'GDPR Art. 33(3)(a)', "Personal pages shown to other customers. From 2026-11-21 09:41:00.250 UTC to 2026-11-21 09:44:30 UTC, personal pages of 2 people were served to other people through a shared cache (5 responses, 4 recipients). Those pages also carried data of 2 more people (derived).", true],
  ['Window examined', 'GDPR Art. 33(3)(a)', "2026-11-21 09:40:00 UTC – 2026-11-21 09:50:00 UTC (10 min)", true],
  ['First and last exposure', 'GDPR Art. 33(3)(a)', "2026-11-21 09:41:00.250 UTC – 2026-11-21 09:44:30 UTC (3 min 30 s)", true],
  ['Categories of data subjects', 'GDPR Art. 33(3)(a)', "Users of the website whose personal pages passed through a shared cache; 9 people active in the window.", true],
  ['Number of data subjects: shown to someone else (confirmed)', 'GDPR Art. 33(3)(a)', "2 people", true],
  ['Number of data subjects: data on another person\'s page (derived)', 'GDPR Art. 33(3)(a)', "2 people", true],
  ['Number of data subjects: tier A (any data shown)', 'GDPR Art. 33(3)(a)', "4 people", true],
  ['Number of data subjects: tier B (directly identifying data shown)', 'GDPR Art. 33(3)(a)', "3 people", true],
  ['Number of data subjects: upper bound (including possibly exposed)', 'GDPR Art. 33(3)(a)', "6 people (2 of them possibly exposed)", true],
  ['Categories of personal data', 'GDPR Art. 33(3)(a)', "Shown to others: identifying (directly identifying): address, email, name; other: history, points.", true],
  ['Number of data subjects per data category', 'GDPR Art. 33(3)(a)', "identifying: 3 people; payment: 0 people; other: 3 people", true],
  ['Number of personal data records', 'GDPR Art. 33(3)(a)', "5 responses reached another person (4 owner–recipient pairs, 4 recipients); 4 derived exposures of data on another person's page.", true],
  ['Data protection officer or other contact point', 'GDPR Art. 33(3)(b)', "Write the name and contact details of the data protection officer or another contact point.", false],
  ['Likely consequences', 'GDPR Art. 33(3)(c)', "Describe the likely consequences for the people (e.g. phishing or unwanted contact using names and addresses). Categories shown: identifying (3 people), other (3 people).", false],
  ['Measures taken or proposed', 'GDPR Art. 33(3)(d)', "Stopped caching /mypage* and /transactions/* at 09:50 UTC. Purged the caches on every edge.", true],
  ['Communication to the data subjects', 'GDPR Art. 34(1), (2)', "To tell: 6 people: 4 whose data was shown (2 shown, 2 derived) and 2 possibly exposed. A communication describes the nature of the breach in clear and plain language, with the points of Art. 33(3)(b)–(d). Self-check page: https://example.com/am-i-affected", true],
  ['Communication sent', 'GDPR Art. 34(1), (3)', "Write when and how the people were told, or why no communication is needed (Art. 34(3)).", false],
];
const APPI_JA: Row[] = [
  ['報告者（個人情報取扱事業者）', '法第26条第1項', "Example Co.", true],
  ['報告対象事態', '施行規則第7条', "1,000人を超える漏えい等（第7条第4号）：非該当（上限6名）。第1号（要配慮個人情報）、第2号（財産的被害が生じるおそれ）、第3号（不正の目的）に当たるかを記入してください。これらは1人から対象です。", false],
  ['1 概要', '施行規則第8条第1項第1号', "Personal pages shown to other customers. 2026-11-21 09:41:00.250 UTCから2026-11-21 09:44:30 UTCまでの間に、2名の個人ページが共有キャッシュを通じて他人に表示されました（応答5件、受け取った人4名）。それらのページには、ほかに2名の情報も載っていました（派生）。", true],
  ['1 概要：調査した期間', '施行規則第8条第1項第1号', "2026-11-21 09:40:00 UTC – 2026-11-21 09:50:00 UTC（10分）", true],
  ['1 概要：最初と最後の漏えい', '施行規則第8条第1項第1号', "2026-11-21 09:41:00.250 UTC – 2026-11-21 09:44:30 UTC（3分30秒）", true],
  ['1 概要：発覚日と発覚の経緯', '施行規則第8条第1項第1号', "いつ、どのように漏えいが分かったかを記入してください（例：お客様からの連絡、cachewarden watch の警告）。", false],
  ['2 漏えい等が発生し、又は発生したおそれがある個人データの項目', '施行規則第8条第1項第2号', "他人に表示された項目：identifying（本人を直接特定できる）：address、email、name；other：history、points。", true],
  ['3 本人の数：他人に表示された（確認済み）', '施行規則第8条第1項第3号', "2名", true],
  ['3 本人の数：他人のページに情報が載っていた（派生）', '施行規則第8条第1項第3号', "2名", true],
  ['3 本人の数：区分A（何らかの情報が表示された）', '施行規則第8条第1項第3号', "4名", true],
  ['3 本人の数：区分B（本人を直接特定できる情報が表示された）', '施行規則第8条第1項第3号', "3名", true],
  ['3 本人の数：上限（表示されたおそれを含む）', '施行規則第8条第1項第3号', "6名（うち表示されたおそれ2名）", true],
  ['3 本人の数：データの分類ごと', '施行規則第8条第1項第3号', "identifying：3名、payment：0名、other：3名", true],
  ['4 原因', '施行規則第8条第1項第4号', "A cache setting let a shared cache hand one customer's page to another.", true],
  ['5 二次被害又はそのおそれの有無及びその内容', '施行規則第8条第1項第5号', "二次被害が起きたか、起きるおそれがあるか、その内容を記入してください（例：氏名とメールアドレスを使ったフィッシング）。表示された分類：identifying（3名）、other（3名）。", false],
  ['6 本人への対応の実施状況', '施行規則第8条第1項第6号', "本人にいつ、どのように知らせたか（知らせるか）を記入してください。対象：6名：情報が表示された4名（表示2、派生2）と、表示されたおそれのある2名。確認ページ：https://example.com/am-i-affected", false],
  ['7 公表の実施状況', '施行規則第8条第1項第7号', "公表したか、いつ、どこで公表したかを記入してください。", false],
  ['8 再発防止のための措置', '施行規則第8条第1項第8号', "Stopped caching /mypage* and /transactions/* at 09:50 UTC. Purged the caches on every edge.", true],
  ['9 その他参考となる事項：数値の算出方法', '施行規則第8条第1項第9号', "cachewarden scope がログ1,250行（nginx-json、2ファイル）を再生しました：期間内のイベント1,220件、不正な行15行（除外）、期間外のイベント15件。人数は利用者ごとに、鍵付きハッシュで数えています（鍵ID 3f9a1c2e）。持ち主を特定できない検出が1件あります。", true],
  ['本人への通知', '法第26条第2項、施行規則第10条', "通知の対象：6名：情報が表示された4名（表示2、派生2）と、表示されたおそれのある2名。通知には第1号、第2号、第4号、第5号、第9号の事項を記載します。確認ページ：https://example.com/am-i-affected", true],
];
const GDPR_JA: Row[] = [
  ['管理者', 'GDPR第33条第1項', "Example Co.", true],
  ['管理者が侵害を認識した日時', 'GDPR第33条第1項', "侵害を認識した日時を記入してください。その72時間後より遅れて通知する場合は、遅れた理由も記入してください。", false],
  ['侵害の性質', 'GDPR第33条第3項(a)', "Personal pages shown to other customers. 2026-11-21 09:41:00.250 UTCから2026-11-21 09:44:30 UTCまでの間に、2名の個人ページが共有キャッシュを通じて他人に表示されました（応答5件、受け取った人4名）。それらのページには、ほかに2名の情報も載っていました（派生）。", true],
  ['調査した期間', 'GDPR第33条第3項(a)', "2026-11-21 09:40:00 UTC – 2026-11-21 09:50:00 UTC（10分）", true],
  ['最初と最後の漏えい', 'GDPR第33条第3項(a)', "2026-11-21 09:41:00.250 UTC – 2026-11-21 09:44:30 UTC（3分30秒）", true],
  ['データ主体の種類', 'GDPR第33条第3項(a)', "共有キャッシュを通った個人ページを持つウェブサイトの利用者。期間内に利用した人は9名。", true],
  ['データ主体の数：他人に表示された（確認済み）', 'GDPR第33条第3項(a)', "2名", true],
  ['データ主体の数：他人のページに情報が載っていた（派生）', 'GDPR第33条第3項(a)', "2名", true],
  ['データ主体の数：区分A（何らかの情報が表示された）', 'GDPR第33条第3項(a)', "4名", true],
  ['データ主体の数：区分B（本人を直接特定できる情報が表示された）', 'GDPR第33条第3項(a)', "3名", true],
  ['データ主体の数：上限（表示されたおそれを含む）', 'GDPR第33条第3項(a)', "6名（うち表示されたおそれ2名）", true],
  ['個人データの種類', 'GDPR第33条第3項(a)', "他人に表示された項目：identifying（本人を直接特定できる）：address、email、name；other：history、points。", true],
  ['データの分類ごとのデータ主体の数', 'GDPR第33条第3項(a)', "identifying：3名、payment：0名、other：3名", true],
  ['個人データの記録の数', 'GDPR第33条第3項(a)', "他人に届いた応答5件（持ち主と受け取った人の組み合わせ4組、受け取った人4名）；他人のページに載っていた情報の派生漏えい4件。", true],
  ['データ保護責任者又はその他の連絡先', 'GDPR第33条第3項(b)', "データ保護責任者又はその他の連絡先の名称と連絡方法を記入してください。", false],
  ['生じうる結果', 'GDPR第33条第3項(c)', "本人に生じうる結果を記入してください（例：氏名と住所を使ったフィッシングや望まない連絡）。表示された分類：identifying（3名）、other（3名）。", false],
  ['講じた措置又は講じる予定の措置', 'GDPR第33条第3項(d)', "Stopped caching /mypage* and /transactions/* at 09:50 UTC. Purged the caches on every edge.", true],
  ['データ主体への連絡', 'GDPR第34条第1項、第2項', "連絡の対象：6名：情報が表示された4名（表示2、派生2）と、表示されたおそれのある2名。連絡では侵害の性質を明確で平易な言葉で説明し、第33条第3項(b)〜(d)の事項を記載します。確認ページ：https://example.com/am-i-affected", true],
  ['連絡の実施', 'GDPR第34条第1項、第3項', "いつ、どのように本人に連絡したか、又は連絡が不要な理由（第34条第3項）を記入してください。", false],
];

describe('regulatoryItems on the leak fixture', () => {
  it('APPI items in English, exact', () => assert.deepEqual(rows(regulatoryItems(leak, 'en').appi), APPI_EN));
  it('GDPR items in English, exact', () => assert.deepEqual(rows(regulatoryItems(leak, 'en').gdpr), GDPR_EN));
  it('APPI items in Japanese, exact', () => assert.deepEqual(rows(regulatoryItems(leak, 'ja').appi), APPI_JA));
  it('GDPR items in Japanese, exact', () => assert.deepEqual(rows(regulatoryItems(leak, 'ja').gdpr), GDPR_JA));

  it('flags exactly the items the logs cannot answer, plus the contact still at its placeholder', () => {
    const { appi, gdpr } = regulatoryItems(leak, 'en');
    assert.deepEqual(
      appi.filter((i) => !i.filled).map((i) => i.item),
      ['Reportable case', '1. Overview: date of discovery and how it was found', '5. Secondary damage or its risk', '6. Response to the persons', '7. Public announcement'],
    );
    assert.deepEqual(
      gdpr.filter((i) => !i.filled).map((i) => i.item),
      ['When the controller became aware', 'Data protection officer or other contact point', 'Likely consequences', 'Communication sent'],
    );
    // Both languages flag the same items.
    const ja = regulatoryItems(leak, 'ja');
    assert.deepEqual(ja.appi.map((i) => i.filled), appi.map((i) => i.filled));
    assert.deepEqual(ja.gdpr.map((i) => i.filled), gdpr.map((i) => i.filled));
  });

  it('operator facts at their placeholders become unfilled; filled ones are shown as written', () => {
    const r = structuredClone(leak);
    r.incident.measures = ['Purged every edge', '(measures taken: fill in before sending)'];
    r.incident.cause = '（原因：送信前に記入）';
    r.incident.contact = 'privacy@example.com';
    const { appi, gdpr } = regulatoryItems(r, 'en');
    const find = (items: ReportItem[], name: string) => items.find((i) => i.item === name);
    assert.deepEqual(find(appi, '8. Measures to prevent recurrence'), {
      item: '8. Measures to prevent recurrence',
      reference: 'Enforcement Rules Art. 8(1)(viii)',
      value: 'Write the measures taken and planned to prevent recurrence (e.g. caching stopped on the personal routes, caches purged on every edge).',
      filled: false,
    });
    assert.deepEqual(find(appi, '4. Cause'), { item: '4. Cause', reference: 'Enforcement Rules Art. 8(1)(iv)', value: 'Write the cause in plain words.', filled: false });
    assert.deepEqual(find(gdpr, 'Data protection officer or other contact point'), {
      item: 'Data protection officer or other contact point',
      reference: 'GDPR Art. 33(3)(b)',
      value: 'privacy@example.com',
      filled: true,
    });
  });
});

describe('regulatoryItems on the other fixtures', () => {
  it('with no exposure: no reportable case, zero counts, nobody to tell', () => {
    const { appi, gdpr } = regulatoryItems(empty, 'en');
    const byName = new Map([...appi, ...gdpr].map((i) => [`${i.reference} ${i.item}`, [i.value, i.filled]]));
    assert.deepEqual(byName.get('Enforcement Rules Art. 7 Reportable case'), ['None found in these logs: no personal data was shown or possibly exposed in the window examined.', true]);
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(i) 1. Overview'), [
      'Personal pages shown to other customers. No response was served to another person in the window examined (2026-11-21 00:00:00 UTC – 2026-11-21 01:00:00 UTC).',
      true,
    ]);
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(i) 1. Overview: first and last exposure'), ['None: no response reached another person in the window.', true]);
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(ii) 2. Items of personal data'), ['None.', true]);
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(iii) 3. Number of persons: upper bound (including possibly exposed)'), ['0 people', true]);
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(iii) 3. Number of persons per data category'), ['identifying: 0 people; payment: 0 people; other: 0 people', true]);
    const nobody = 'Nobody to tell: no personal data was shown or possibly exposed in the window examined.';
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(vi) 6. Response to the persons'), [nobody, true]);
    assert.deepEqual(byName.get('GDPR Art. 34(1), (3) Communication sent'), [nobody, true]);
    assert.deepEqual(byName.get('Enforcement Rules Art. 8(1)(ix) 9. Other: how the figures were computed'), [
      'cachewarden scope replayed 312 log lines (fastly-json, 1 file): 312 events in the window, 0 malformed lines set aside, 0 events outside the window. People are counted per session (no sessions map was given) as keyed hashes (key id a07c44d1).',
      true,
    ]);
    // Measures and contact are still the config placeholders.
    assert.deepEqual(
      [...appi, ...gdpr].filter((i) => !i.filled).map((i) => i.item),
      [
        '1. Overview: date of discovery and how it was found',
        '5. Secondary damage or its risk',
        '7. Public announcement',
        '8. Measures to prevent recurrence',
        'When the controller became aware',
        'Data protection officer or other contact point',
        'Likely consequences',
        'Measures taken or proposed',
      ],
    );
  });

  it('over 1,000 people (upper bound 1,200): the APPI Art. 7(iv) case applies, in both languages', () => {
    assert.deepEqual(regulatoryItems(large, 'en').appi[1], {
      item: 'Reportable case',
      reference: 'Enforcement Rules Art. 7',
      value: 'More than 1,000 people (Art. 7(iv)): yes, upper bound 1,200.',
      filled: true,
    });
    assert.deepEqual(regulatoryItems(large, 'ja').appi[1], {
      item: '報告対象事態',
      reference: '施行規則第7条',
      value: '1,000人を超える漏えい等（第7条第4号）：該当（上限1,200名）。',
      filled: true,
    });
  });

  it('lists fields only possibly exposed apart, and fields of no category last', () => {
    const r = structuredClone(leak);
    const possibly = r.people.find((p) => p.status === 'possibly');
    if (!possibly) throw new Error('fixture has a possibly-exposed person');
    possibly.fields = ['card', 'name', 'page'];
    const value = (lang: 'en' | 'ja') => regulatoryItems(r, lang).appi.find((i) => i.reference.endsWith('(ii)') || i.reference.endsWith('第2号'))?.value;
    assert.equal(
      value('en'),
      'Shown to others: identifying (directly identifying): address, email, name; other: history, points. At risk (possibly exposed only): payment: card; no category: page.',
    );
    assert.equal(
      value('ja'),
      '他人に表示された項目：identifying（本人を直接特定できる）：address、email、name；other：history、points。表示されたおそれのみの項目：payment：card；分類なし：page。',
    );
  });
});

describe('report formatting helpers', () => {
  it('formats numbers, times and durations', () => {
    assert.deepEqual([int(0), int(999), int(1000), int(54180), int(1234567)], ['0', '999', '1,000', '54,180', '1,234,567']);
    assert.deepEqual([time('2026-11-21T09:41:00.250Z'), time('2026-11-21T09:41:00.000Z'), time('not a time')], ['2026-11-21 09:41:00.250 UTC', '2026-11-21 09:41:00 UTC', 'not a time']);
    assert.deepEqual(
      [duration(0, 'en'), duration(400, 'en'), duration(209_750, 'en'), duration(3_600_000, 'en'), duration(3_723_000, 'ja')],
      ['0 s', 'under 1 s', '3 min 30 s', '1 h', '1時間2分3秒'],
    );
  });

  it('recognises placeholders', () => {
    assert.deepEqual(
      ['', '  ', '(measures taken: fill in before sending)', '(contact desk: fill in before sending)', '（連絡先：送信前に記入）', 'Purged (fill in later) caches', 'privacy@example.com'].map(isPlaceholder),
      [true, true, true, true, true, false, false],
    );
  });
});
