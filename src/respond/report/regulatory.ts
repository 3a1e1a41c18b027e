/**
 * The figures a regulator asks for, mapped from a scope report onto two checklists:
 * - Japan, APPI Art. 26 and the PPC Enforcement Rules Art. 7 (reportable cases), Art. 8(1)
 *   (report items 1–9) and Art. 10 (notice to the persons);
 * - GDPR Art. 33(1) and 33(3)(a)–(d) (notice to the authority) and Art. 34 (communication to the
 *   data subjects).
 * Items the logs cannot answer (secondary damage, likely consequences, announcements, the time of
 * discovery) and operator facts still at their placeholders come back with `filled: false` and a
 * value that tells the operator what to write.
 */
import type { ScopeReport } from '../types.ts';
import { duration, int, isPlaceholder, list, people, range, spanMs, time, type ReportLang } from './format.ts';

export interface ReportItem {
  /** What the regulator asks, e.g. `3. Number of persons: tier B (directly identifying data shown)`. */
  item: string;
  /** Where it is asked, e.g. `Enforcement Rules Art. 8(1)(iii)`. */
  reference: string;
  /** The answer, or (when `filled` is false) what the operator still has to write. */
  value: string;
  filled: boolean;
}

export interface RegulatoryItems {
  appi: ReportItem[];
  gdpr: ReportItem[];
}

/** The numbers and lists both checklists draw on. */
interface Figures {
  window: string;
  exposure: { range: string; ms: number } | null;
  /** Fields shown to others (shown + derived people), grouped by category. */
  exposed: Array<{ category: string | null; direct: boolean; fields: string[] }>;
  /** Fields only possibly exposed, grouped by category. */
  atRisk: Array<{ category: string | null; direct: boolean; fields: string[] }>;
  perCategory: Array<{ category: string; people: number }>;
}

export function regulatoryItems(report: ScopeReport, lang: ReportLang): RegulatoryItems {
  const f = figures(report);
  return lang === 'ja' ? japanese(report, f) : english(report, f);
}

function figures(report: ScopeReport): Figures {
  const exposed = new Set<string>();
  const possibly = new Set<string>();
  for (const p of report.people) {
    if (p.status === 'shown' || p.status === 'derived') for (const x of p.fields) exposed.add(x);
    else if (p.status === 'possibly') for (const x of p.fields) possibly.add(x);
  }
  for (const x of exposed) possibly.delete(x);
  const s = report.summary;
  const known = report.categories.map((c) => c.name);
  const extra = Object.keys(s.perCategory).filter((k) => !known.includes(k)).sort();
  return {
    window: range(report.window.from, report.window.to),
    exposure:
      s.firstExposure && s.lastExposure
        ? { range: range(s.firstExposure, s.lastExposure), ms: spanMs(s.firstExposure, s.lastExposure) }
        : null,
    exposed: groupFields(report, exposed),
    atRisk: groupFields(report, possibly),
    perCategory: [...known, ...extra].map((category) => ({ category, people: s.perCategory[category] ?? 0 })),
  };
}

/** Fields grouped by the report's categories (in their order), then fields of no category. */
function groupFields(report: ScopeReport, fields: Set<string>): Figures['exposed'] {
  const groups: Figures['exposed'] = [];
  const placed = new Set<string>();
  for (const c of report.categories) {
    const inCat = c.fields.filter((x) => fields.has(x)).sort();
    inCat.forEach((x) => placed.add(x));
    if (inCat.length) groups.push({ category: c.name, direct: c.direct, fields: inCat });
  }
  const rest = [...fields].filter((x) => !placed.has(x)).sort();
  if (rest.length) groups.push({ category: null, direct: false, fields: rest });
  return groups;
}

function windowMs(report: ScopeReport): number {
  return spanMs(report.window.from, report.window.to);
}

function exposureMs(f: Figures): number {
  return f.exposure?.ms ?? 0;
}

// ---------------------------------------------------------------------------------------------
// English

function english(report: ScopeReport, f: Figures): RegulatoryItems {
  const s = report.summary;
  const inc = report.incident;
  const R = 'Enforcement Rules Art. 8(1)';
  const groups = (g: Figures['exposed']) =>
    g.map((x) => `${x.category ?? 'no category'}${x.direct ? ' (directly identifying)' : ''}: ${list(x.fields, 'en')}`).join('; ');
  const dataItems =
    f.exposed.length === 0 && f.atRisk.length === 0
      ? 'None.'
      : `Shown to others: ${f.exposed.length ? groups(f.exposed) : 'none'}.` + (f.atRisk.length ? ` At risk (possibly exposed only): ${groups(f.atRisk)}.` : '');
  const perCategory = f.perCategory.length ? f.perCategory.map((c) => `${c.category}: ${people(c.people, 'en')}`).join('; ') : 'No categories configured.';
  const exposedCats = f.perCategory.filter((c) => c.people > 0).map((c) => `${c.category} (${people(c.people, 'en')})`);
  const catHint = exposedCats.length ? ` Categories shown: ${list(exposedCats, 'en')}.` : '';
  const windowText = `${f.window} (${duration(windowMs(report), 'en')})`;
  const exposureText = f.exposure ? `${f.exposure.range} (${duration(exposureMs(f), 'en')})` : 'None: no response reached another person in the window.';
  const overview = f.exposure
    ? `${sentences([inc.title], 'en')} From ${time(s.firstExposure ?? '')} to ${time(s.lastExposure ?? '')}, personal pages of ${people(s.shown, 'en')} were served to other people through a shared cache (${int(s.exposures)} responses, ${int(s.viewers)} recipients).` +
      (s.derived ? ` Those pages also carried data of ${int(s.derived)} more ${s.derived === 1 ? 'person' : 'people'} (derived).` : '')
    : `${sentences([inc.title], 'en')} No response was served to another person in the window examined (${f.window}).`;
  const upper = s.possibly ? `${people(s.upperBound, 'en')} (${int(s.possibly)} of them possibly exposed)` : people(s.upperBound, 'en');
  const toTell =
    s.upperBound === 0
      ? ''
      : `${people(s.upperBound, 'en')}: ${int(s.anyData)} whose data was shown (${int(s.shown)} shown, ${int(s.derived)} derived) and ${int(s.possibly)} possibly exposed.`;
  const lookup = inc.lookupUrl ? ` Self-check page: ${inc.lookupUrl}` : '';
  const nobody = 'Nobody to tell: no personal data was shown or possibly exposed in the window examined.';
  const measuresFilled = inc.measures.length > 0 && inc.measures.every((m) => !isPlaceholder(m));
  const measures = sentences(inc.measures, 'en');
  const more1000 = s.upperBound > 1000;
  const inputs = report.inputs;
  const rejected = Object.values(inputs.rejected).reduce((a, b) => a + b, 0);
  const method =
    `cachewarden scope replayed ${int(inputs.lines)} log lines (${inputs.format}, ${inputs.files.length === 1 ? '1 file' : `${int(inputs.files.length)} files`}): ` +
    `${int(inputs.events)} events in the window, ${int(rejected)} malformed lines set aside, ${int(inputs.outsideWindow)} events outside the window. ` +
    `People are counted per ${report.identity.kind === 'user' ? 'user' : 'session (no sessions map was given)'} as keyed hashes (key id ${report.identity.keyId}).` +
    (s.unattributed ? ` ${int(s.unattributed)} finding${s.unattributed === 1 ? '' : 's'} could not be attributed to an owner.` : '');

  const appi: ReportItem[] = [
    filledIf('Reporting business operator', 'APPI Art. 26(1)', inc.organisation, 'Write the name of the business operator that reports.'),
    s.upperBound === 0
      ? item('Reportable case', 'Enforcement Rules Art. 7', 'None found in these logs: no personal data was shown or possibly exposed in the window examined.')
      : more1000
      ? item('Reportable case', 'Enforcement Rules Art. 7', `More than 1,000 people (Art. 7(iv)): yes, upper bound ${int(s.upperBound)}.`)
      : todo(
          'Reportable case',
          'Enforcement Rules Art. 7',
          `More than 1,000 people (Art. 7(iv)): no, upper bound ${int(s.upperBound)}. Write whether case (i) special-care data, (ii) data that may cause property damage if misused, or (iii) an unlawful purpose applies; they apply from one person.`,
        ),
    item('1. Overview', `${R}(i)`, overview),
    item('1. Overview: window examined', `${R}(i)`, windowText),
    item('1. Overview: first and last exposure', `${R}(i)`, exposureText),
    todo('1. Overview: date of discovery and how it was found', `${R}(i)`, 'Write when and how the leak was found (e.g. a customer report, a cachewarden watch alert).'),
    item('2. Items of personal data', `${R}(ii)`, dataItems),
    item('3. Number of persons: shown to someone else (confirmed)', `${R}(iii)`, people(s.shown, 'en')),
    item("3. Number of persons: data on another person's page (derived)", `${R}(iii)`, people(s.derived, 'en')),
    item('3. Number of persons: tier A (any data shown)', `${R}(iii)`, people(s.anyData, 'en')),
    item('3. Number of persons: tier B (directly identifying data shown)', `${R}(iii)`, people(s.directlyIdentifying, 'en')),
    item('3. Number of persons: upper bound (including possibly exposed)', `${R}(iii)`, upper),
    item('3. Number of persons per data category', `${R}(iii)`, perCategory),
    filledIf('4. Cause', `${R}(iv)`, inc.cause, 'Write the cause in plain words.'),
    todo('5. Secondary damage or its risk', `${R}(v)`, `Write whether secondary damage occurred or may occur, and what it is (e.g. phishing using names and e-mail addresses).${catHint}`),
    s.upperBound === 0
      ? item('6. Response to the persons', `${R}(vi)`, nobody)
      : todo('6. Response to the persons', `${R}(vi)`, `Write how and when the people were or will be told. To tell: ${toTell}${lookup}`),
    todo('7. Public announcement', `${R}(vii)`, 'Write whether and when the incident was announced publicly, and where.'),
    measuresFilled
      ? item('8. Measures to prevent recurrence', `${R}(viii)`, measures)
      : todo('8. Measures to prevent recurrence', `${R}(viii)`, 'Write the measures taken and planned to prevent recurrence (e.g. caching stopped on the personal routes, caches purged on every edge).'),
    item('9. Other: how the figures were computed', `${R}(ix)`, method),
    item('Notice to the persons', 'APPI Art. 26(2); Enforcement Rules Art. 10', s.upperBound === 0 ? nobody : `To notify: ${toTell} A notice gives items 1, 2, 4, 5 and 9.${lookup}`),
  ];

  const A = 'GDPR Art. 33(3)(a)';
  const gdpr: ReportItem[] = [
    filledIf('Controller', 'GDPR Art. 33(1)', inc.organisation, 'Write the name of the controller.'),
    todo('When the controller became aware', 'GDPR Art. 33(1)', 'Write when you became aware of the breach. If this notification comes later than 72 hours after that, give the reasons for the delay.'),
    item('Nature of the breach', A, overview),
    item('Window examined', A, windowText),
    item('First and last exposure', A, exposureText),
    item('Categories of data subjects', A, `Users of the website whose personal pages passed through a shared cache; ${people(s.active, 'en')} active in the window.`),
    item('Number of data subjects: shown to someone else (confirmed)', A, people(s.shown, 'en')),
    item("Number of data subjects: data on another person's page (derived)", A, people(s.derived, 'en')),
    item('Number of data subjects: tier A (any data shown)', A, people(s.anyData, 'en')),
    item('Number of data subjects: tier B (directly identifying data shown)', A, people(s.directlyIdentifying, 'en')),
    item('Number of data subjects: upper bound (including possibly exposed)', A, upper),
    item('Categories of personal data', A, dataItems),
    item('Number of data subjects per data category', A, perCategory),
    item(
      'Number of personal data records',
      A,
      `${int(s.exposures)} responses reached another person (${int(s.pairs)} owner–recipient pairs, ${int(s.viewers)} recipients); ${int(s.derivedPairs)} derived exposures of data on another person's page.`,
    ),
    filledIf('Data protection officer or other contact point', 'GDPR Art. 33(3)(b)', inc.contact, 'Write the name and contact details of the data protection officer or another contact point.'),
    todo('Likely consequences', 'GDPR Art. 33(3)(c)', `Describe the likely consequences for the people (e.g. phishing or unwanted contact using names and addresses).${catHint}`),
    measuresFilled
      ? item('Measures taken or proposed', 'GDPR Art. 33(3)(d)', measures)
      : todo('Measures taken or proposed', 'GDPR Art. 33(3)(d)', 'Write the measures taken or proposed to address the breach and to mitigate its effects (e.g. caching stopped on the personal routes, caches purged on every edge).'),
    item('Communication to the data subjects', 'GDPR Art. 34(1), (2)', s.upperBound === 0 ? nobody : `To tell: ${toTell} A communication describes the nature of the breach in clear and plain language, with the points of Art. 33(3)(b)–(d).${lookup}`),
    s.upperBound === 0
      ? item('Communication sent', 'GDPR Art. 34(1), (3)', nobody)
      : todo('Communication sent', 'GDPR Art. 34(1), (3)', 'Write when and how the people were told, or why no communication is needed (Art. 34(3)).'),
  ];
  return { appi, gdpr };
}

// ---------------------------------------------------------------------------------------------
// Japanese

function japanese(report: ScopeReport, f: Figures): RegulatoryItems {
  const s = report.summary;
  const inc = report.incident;
  const R = (n: number) => `施行規則第8条第1項第${n}号`;
  const groups = (g: Figures['exposed']) =>
    g.map((x) => `${x.category ?? '分類なし'}${x.direct ? '（本人を直接特定できる）' : ''}：${list(x.fields, 'ja')}`).join('；');
  const dataItems =
    f.exposed.length === 0 && f.atRisk.length === 0
      ? 'なし。'
      : `他人に表示された項目：${f.exposed.length ? groups(f.exposed) : 'なし'}。` + (f.atRisk.length ? `表示されたおそれのみの項目：${groups(f.atRisk)}。` : '');
  const perCategory = f.perCategory.length ? f.perCategory.map((c) => `${c.category}：${people(c.people, 'ja')}`).join('、') : 'データの分類が設定されていません。';
  const exposedCats = f.perCategory.filter((c) => c.people > 0).map((c) => `${c.category}（${people(c.people, 'ja')}）`);
  const catHint = exposedCats.length ? `表示された分類：${list(exposedCats, 'ja')}。` : '';
  const windowText = `${f.window}（${duration(windowMs(report), 'ja')}）`;
  const exposureText = f.exposure ? `${f.exposure.range}（${duration(exposureMs(f), 'ja')}）` : 'なし：調査した期間に、他人に届いた応答はありません。';
  const overview = f.exposure
    ? `${sentences([inc.title], 'ja', true)}${time(s.firstExposure ?? '')}から${time(s.lastExposure ?? '')}までの間に、${people(s.shown, 'ja')}の個人ページが共有キャッシュを通じて他人に表示されました（応答${int(s.exposures)}件、受け取った人${people(s.viewers, 'ja')}）。` +
      (s.derived ? `それらのページには、ほかに${people(s.derived, 'ja')}の情報も載っていました（派生）。` : '')
    : `${sentences([inc.title], 'ja', true)}調査した期間（${f.window}）に、他人に表示された応答はありません。`;
  const upper = s.possibly ? `${people(s.upperBound, 'ja')}（うち表示されたおそれ${people(s.possibly, 'ja')}）` : people(s.upperBound, 'ja');
  const toTell =
    s.upperBound === 0
      ? ''
      : `${people(s.upperBound, 'ja')}：情報が表示された${people(s.anyData, 'ja')}（表示${int(s.shown)}、派生${int(s.derived)}）と、表示されたおそれのある${people(s.possibly, 'ja')}。`;
  const lookup = inc.lookupUrl ? `確認ページ：${inc.lookupUrl}` : '';
  const nobody = '知らせる対象はいません：調査した期間に、表示された個人データも、表示されたおそれのある個人データもありません。';
  const measuresFilled = inc.measures.length > 0 && inc.measures.every((m) => !isPlaceholder(m));
  const measures = sentences(inc.measures, 'ja');
  const more1000 = s.upperBound > 1000;
  const inputs = report.inputs;
  const rejected = Object.values(inputs.rejected).reduce((a, b) => a + b, 0);
  const method =
    `cachewarden scope がログ${int(inputs.lines)}行（${inputs.format}、${int(inputs.files.length)}ファイル）を再生しました：期間内のイベント${int(inputs.events)}件、不正な行${int(rejected)}行（除外）、期間外のイベント${int(inputs.outsideWindow)}件。` +
    `人数は${report.identity.kind === 'user' ? '利用者' : 'セッション（セッション対応表なし）'}ごとに、鍵付きハッシュで数えています（鍵ID ${report.identity.keyId}）。` +
    (s.unattributed ? `持ち主を特定できない検出が${int(s.unattributed)}件あります。` : '');

  const appi: ReportItem[] = [
    filledIf('報告者（個人情報取扱事業者）', '法第26条第1項', inc.organisation, '報告する事業者の名称を記入してください。'),
    s.upperBound === 0
      ? item('報告対象事態', '施行規則第7条', 'このログからは該当なし：調査した期間に、表示された個人データも、表示されたおそれのある個人データもありません。')
      : more1000
      ? item('報告対象事態', '施行規則第7条', `1,000人を超える漏えい等（第7条第4号）：該当（上限${people(s.upperBound, 'ja')}）。`)
      : todo(
          '報告対象事態',
          '施行規則第7条',
          `1,000人を超える漏えい等（第7条第4号）：非該当（上限${people(s.upperBound, 'ja')}）。第1号（要配慮個人情報）、第2号（財産的被害が生じるおそれ）、第3号（不正の目的）に当たるかを記入してください。これらは1人から対象です。`,
        ),
    item('1 概要', R(1), overview),
    item('1 概要：調査した期間', R(1), windowText),
    item('1 概要：最初と最後の漏えい', R(1), exposureText),
    todo('1 概要：発覚日と発覚の経緯', R(1), 'いつ、どのように漏えいが分かったかを記入してください（例：お客様からの連絡、cachewarden watch の警告）。'),
    item('2 漏えい等が発生し、又は発生したおそれがある個人データの項目', R(2), dataItems),
    item('3 本人の数：他人に表示された（確認済み）', R(3), people(s.shown, 'ja')),
    item('3 本人の数：他人のページに情報が載っていた（派生）', R(3), people(s.derived, 'ja')),
    item('3 本人の数：区分A（何らかの情報が表示された）', R(3), people(s.anyData, 'ja')),
    item('3 本人の数：区分B（本人を直接特定できる情報が表示された）', R(3), people(s.directlyIdentifying, 'ja')),
    item('3 本人の数：上限（表示されたおそれを含む）', R(3), upper),
    item('3 本人の数：データの分類ごと', R(3), perCategory),
    filledIf('4 原因', R(4), inc.cause, '原因を分かりやすい言葉で記入してください。'),
    todo('5 二次被害又はそのおそれの有無及びその内容', R(5), `二次被害が起きたか、起きるおそれがあるか、その内容を記入してください（例：氏名とメールアドレスを使ったフィッシング）。${catHint}`),
    s.upperBound === 0
      ? item('6 本人への対応の実施状況', R(6), nobody)
      : todo('6 本人への対応の実施状況', R(6), `本人にいつ、どのように知らせたか（知らせるか）を記入してください。対象：${toTell}${lookup}`),
    todo('7 公表の実施状況', R(7), '公表したか、いつ、どこで公表したかを記入してください。'),
    measuresFilled
      ? item('8 再発防止のための措置', R(8), measures)
      : todo('8 再発防止のための措置', R(8), '実施した再発防止策と予定している再発防止策を記入してください（例：個人ページのキャッシュ停止、全エッジのキャッシュ削除）。'),
    item('9 その他参考となる事項：数値の算出方法', R(9), method),
    item('本人への通知', '法第26条第2項、施行規則第10条', s.upperBound === 0 ? nobody : `通知の対象：${toTell}通知には第1号、第2号、第4号、第5号、第9号の事項を記載します。${lookup}`),
  ];

  const A = 'GDPR第33条第3項(a)';
  const gdpr: ReportItem[] = [
    filledIf('管理者', 'GDPR第33条第1項', inc.organisation, '管理者の名称を記入してください。'),
    todo('管理者が侵害を認識した日時', 'GDPR第33条第1項', '侵害を認識した日時を記入してください。その72時間後より遅れて通知する場合は、遅れた理由も記入してください。'),
    item('侵害の性質', A, overview),
    item('調査した期間', A, windowText),
    item('最初と最後の漏えい', A, exposureText),
    item('データ主体の種類', A, `共有キャッシュを通った個人ページを持つウェブサイトの利用者。期間内に利用した人は${people(s.active, 'ja')}。`),
    item('データ主体の数：他人に表示された（確認済み）', A, people(s.shown, 'ja')),
    item('データ主体の数：他人のページに情報が載っていた（派生）', A, people(s.derived, 'ja')),
    item('データ主体の数：区分A（何らかの情報が表示された）', A, people(s.anyData, 'ja')),
    item('データ主体の数：区分B（本人を直接特定できる情報が表示された）', A, people(s.directlyIdentifying, 'ja')),
    item('データ主体の数：上限（表示されたおそれを含む）', A, upper),
    item('個人データの種類', A, dataItems),
    item('データの分類ごとのデータ主体の数', A, perCategory),
    item(
      '個人データの記録の数',
      A,
      `他人に届いた応答${int(s.exposures)}件（持ち主と受け取った人の組み合わせ${int(s.pairs)}組、受け取った人${people(s.viewers, 'ja')}）；他人のページに載っていた情報の派生漏えい${int(s.derivedPairs)}件。`,
    ),
    filledIf('データ保護責任者又はその他の連絡先', 'GDPR第33条第3項(b)', inc.contact, 'データ保護責任者又はその他の連絡先の名称と連絡方法を記入してください。'),
    todo('生じうる結果', 'GDPR第33条第3項(c)', `本人に生じうる結果を記入してください（例：氏名と住所を使ったフィッシングや望まない連絡）。${catHint}`),
    measuresFilled
      ? item('講じた措置又は講じる予定の措置', 'GDPR第33条第3項(d)', measures)
      : todo('講じた措置又は講じる予定の措置', 'GDPR第33条第3項(d)', '侵害への対処と影響を抑えるために講じた措置、講じる予定の措置を記入してください（例：個人ページのキャッシュ停止、全エッジのキャッシュ削除）。'),
    item('データ主体への連絡', 'GDPR第34条第1項、第2項', s.upperBound === 0 ? nobody : `連絡の対象：${toTell}連絡では侵害の性質を明確で平易な言葉で説明し、第33条第3項(b)〜(d)の事項を記載します。${lookup}`),
    s.upperBound === 0
      ? item('連絡の実施', 'GDPR第34条第1項、第3項', nobody)
      : todo('連絡の実施', 'GDPR第34条第1項、第3項', 'いつ、どのように本人に連絡したか、又は連絡が不要な理由（第34条第3項）を記入してください。'),
  ];
  return { appi, gdpr };
}

// ---------------------------------------------------------------------------------------------

/** A text as a sentence: a full stop added unless it ends in one (`。` in Japanese). */
function sentence(text: string, lang: ReportLang): string {
  const t = text.trim();
  if (/[.!?。．！？]$/.test(t)) return t;
  return lang === 'ja' && !/[\x20-\x7e]$/.test(t) ? `${t}。` : `${t}.`;
}

/**
 * Operator lines (title, measures) as one paragraph of sentences: a space after a Latin full
 * stop, none after `。`. `open` leaves that space at the end, for more text to follow.
 */
function sentences(lines: string[], lang: ReportLang, open = false): string {
  const text = lines.map((l) => sentence(l, lang)).reduce((acc, l) => (acc === '' ? l : /[。．！？]$/.test(acc) ? acc + l : `${acc} ${l}`), '');
  return open && !/[。．！？]$/.test(text) ? `${text} ` : text;
}

function item(label: string, reference: string, value: string): ReportItem {
  return { item: label, reference, value, filled: true };
}

function todo(label: string, reference: string, whatToWrite: string): ReportItem {
  return { item: label, reference, value: whatToWrite, filled: false };
}

/** An operator fact from `respond.incident`: shown when set, else what to write. */
function filledIf(label: string, reference: string, value: string, whatToWrite: string): ReportItem {
  return isPlaceholder(value) ? todo(label, reference, whatToWrite) : item(label, reference, value);
}
