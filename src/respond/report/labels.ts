/**
 * Words of the HTML report in English and Japanese. Plain text only: the renderer escapes
 * everything it puts into the page, these labels included.
 */
import type { Status } from '../types.ts';
import { int, people, type ReportLang } from './format.ts';

export interface Labels {
  reportOf: string;
  generated: (organisation: string, time: string) => string;
  summary: string;
  noExposures: string;
  window: string;
  observed: string;
  notObserved: string;
  exposureSpan: string;
  none: string;
  lookupPage: string;
  active: string;
  status: Record<Status, string>;
  tierA: string;
  tierB: string;
  upperBound: string;
  exposures: string;
  viewers: string;
  pairs: string;
  derivedPairs: string;
  unattributed: string;
  charts: string;
  funnel: string;
  funnelDesc: string;
  timeline: string;
  timelineDesc: (bucket: string) => string;
  byRoute: string;
  byEdge: string;
  byKeyDesc: string;
  dataTable: string;
  bucketStart: string;
  responses: (n: number) => string;
  peopleCount: (n: number) => string;
  route: string;
  edge: string;
  stage: string;
  count: string;
  regulator: string;
  regulatorIntro: string;
  appi: string;
  gdpr: string;
  item: string;
  reference: string;
  value: string;
  toFill: string;
  unfilledCount: (n: number) => string;
  categories: string;
  category: string;
  direct: string;
  fields: string;
  yes: string;
  no: string;
  peopleTitle: string;
  peopleIntro: string;
  person: string;
  statusCol: string;
  firstExposure: string;
  lastExposure: string;
  rowsAll: (n: number) => string;
  rowsCapped: (shown: number, total: number) => string;
  noPeople: string;
  method: string;
  files: string;
  format: string;
  lines: string;
  events: string;
  rejected: string;
  outsideWindow: string;
  sessions: string;
  relations: string;
  rows: (n: number) => string;
  identity: string;
  identityKind: (kind: 'user' | 'session', keyId: string) => string;
  version: string;
  footer: string;
}

const en: Labels = {
  reportOf: 'Scope report',
  generated: (org, t) => `${org}${/[.!?]$/.test(org) ? '' : '.'} Scope report made by cachewarden at ${t}.`,
  summary: 'Summary',
  noExposures: 'No exposures: no response reached another person in this window.',
  window: 'Window examined',
  observed: 'First and last log event',
  notObserved: 'No log events in the window',
  exposureSpan: 'First and last exposure',
  none: 'none',
  lookupPage: 'Self-check page',
  active: 'Active in the window',
  status: {
    shown: 'Shown to someone else',
    derived: "Data on another person's page (derived)",
    possibly: 'Possibly exposed',
    'not-affected': 'Not affected',
  },
  tierA: 'Tier A: any data shown',
  tierB: 'Tier B: directly identifying data shown',
  upperBound: 'Upper bound (including possibly exposed)',
  exposures: 'Responses that reached another person',
  viewers: 'Recipients (anonymous counted once)',
  pairs: 'Owner–recipient pairs',
  derivedPairs: "Derived exposures (data on another person's page)",
  unattributed: 'Findings without a known owner',
  charts: 'Charts',
  funnel: 'People by tier',
  funnelDesc: 'From everyone active in the window to the people whose directly identifying data was shown.',
  timeline: 'Exposures over time',
  timelineDesc: (b) => `Responses that reached another person, per ${b}. Times in UTC.`,
  byRoute: 'Exposures by route',
  byEdge: 'Exposures by edge',
  byKeyDesc: 'Responses that reached another person, and whose pages they were.',
  dataTable: 'The data as a table',
  bucketStart: 'From (UTC)',
  responses: (n) => (n === 1 ? '1 response' : `${int(n)} responses`),
  peopleCount: (n) => people(n, 'en'),
  route: 'Route',
  edge: 'Edge',
  stage: 'Tier',
  count: 'People',
  regulator: 'Figures for the regulator',
  regulatorIntro:
    'The report items of Japan’s APPI and of GDPR Art. 33 and 34, answered from the logs. Rows marked "To fill in" are things the logs cannot tell: write them before you report.',
  appi: 'Japan: APPI report to the PPC (Art. 26; Enforcement Rules Art. 7, 8 and 10)',
  gdpr: 'EU: GDPR notification (Art. 33) and communication (Art. 34)',
  item: 'Item',
  reference: 'Reference',
  value: 'Answer',
  toFill: 'To fill in:',
  unfilledCount: (n) => (n === 1 ? '1 item to fill in.' : `${int(n)} items to fill in.`),
  categories: 'Data categories',
  category: 'Category',
  direct: 'Directly identifying (tier B)',
  fields: 'Data items',
  yes: 'yes',
  no: 'no',
  peopleTitle: 'People',
  peopleIntro: 'People appear only as keyed hashes. The lookup page and the notices use the same hashes.',
  person: 'Person (hash)',
  statusCol: 'Status',
  firstExposure: 'First exposure',
  lastExposure: 'Last exposure',
  rowsAll: (n) => `All ${people(n, 'en')} active in the window, most severe first.`,
  rowsCapped: (s, t) => `Showing the first ${int(s)} of ${people(t, 'en')}, most severe first. The CSV lists everyone.`,
  noPeople: 'Nobody was active in the window.',
  method: 'How these figures were made',
  files: 'Log files',
  format: 'Log format',
  lines: 'Log lines read',
  events: 'Events in the window',
  rejected: 'Malformed lines set aside',
  outsideWindow: 'Events outside the window',
  sessions: 'Sessions map',
  relations: 'Relations (derived exposures)',
  rows: (n) => (n === 1 ? '1 row' : `${int(n)} rows`),
  identity: 'People counted per',
  identityKind: (k, id) => `${k === 'user' ? 'user' : 'session (no sessions map was given)'}; hash key id ${id}`,
  version: 'Report schema version',
  footer: 'Made with cachewarden scope. This file needs no network and runs no scripts.',
};

const ja: Labels = {
  reportOf: '影響範囲レポート',
  generated: (org, t) => `${org}${/[.!?]$/.test(org) ? ' ' : '。'}cachewarden が ${t} に作成した影響範囲レポートです。`,
  summary: '概要',
  noExposures: '漏えいなし：この期間に、他人に届いた応答はありません。',
  window: '調査した期間',
  observed: '最初と最後のログ',
  notObserved: '期間内のログはありません',
  exposureSpan: '最初と最後の漏えい',
  none: 'なし',
  lookupPage: '確認ページ',
  active: '期間内に利用した人',
  status: {
    shown: '他人に表示された',
    derived: '他人のページに情報が載っていた（派生）',
    possibly: '表示されたおそれがある',
    'not-affected': '影響なし',
  },
  tierA: '区分A：何らかの情報が表示された',
  tierB: '区分B：本人を直接特定できる情報が表示された',
  upperBound: '上限（表示されたおそれを含む）',
  exposures: '他人に届いた応答',
  viewers: '受け取った人（匿名は1人と数える）',
  pairs: '持ち主と受け取った人の組',
  derivedPairs: '派生漏えい（他人のページに載っていた情報）',
  unattributed: '持ち主を特定できない検出',
  charts: 'グラフ',
  funnel: '区分ごとの人数',
  funnelDesc: '期間内に利用した全員から、本人を直接特定できる情報が表示された人まで。',
  timeline: '時間ごとの漏えい',
  timelineDesc: (b) => `他人に届いた応答の数（${b}ごと）。時刻はUTCです。`,
  byRoute: 'ルートごとの漏えい',
  byEdge: 'エッジごとの漏えい',
  byKeyDesc: '他人に届いた応答の数と、そのページの持ち主の人数。',
  dataTable: '表で見る',
  bucketStart: '開始（UTC）',
  responses: (n) => `応答${int(n)}件`,
  peopleCount: (n) => people(n, 'ja'),
  route: 'ルート',
  edge: 'エッジ',
  stage: '区分',
  count: '人数',
  regulator: '監督機関への報告事項',
  regulatorIntro:
    '個人情報保護法とGDPR第33条・第34条の報告事項に、ログから答えたものです。「要記入」の行はログからは分かりません。報告の前に記入してください。',
  appi: '日本：個人情報保護委員会への報告（法第26条、施行規則第7条・第8条・第10条）',
  gdpr: 'EU：GDPRの通知（第33条）と本人への連絡（第34条）',
  item: '項目',
  reference: '根拠',
  value: '回答',
  toFill: '要記入：',
  unfilledCount: (n) => `要記入の項目が${int(n)}件あります。`,
  categories: 'データの分類',
  category: '分類',
  direct: '本人を直接特定できる（区分B）',
  fields: 'データ項目',
  yes: 'はい',
  no: 'いいえ',
  peopleTitle: '人ごとの状況',
  peopleIntro: '人は鍵付きハッシュでのみ示します。確認ページと通知も同じハッシュを使います。',
  person: '人（ハッシュ）',
  statusCol: '状況',
  firstExposure: '最初の漏えい',
  lastExposure: '最後の漏えい',
  rowsAll: (n) => `期間内に利用した${people(n, 'ja')}全員を、影響の大きい順に示します。`,
  rowsCapped: (s, t) => `${people(t, 'ja')}のうち、影響の大きい順に最初の${int(s)}行を示します。全員はCSVにあります。`,
  noPeople: '期間内に利用した人はいません。',
  method: '数値の算出方法',
  files: 'ログファイル',
  format: 'ログ形式',
  lines: '読んだログ行',
  events: '期間内のイベント',
  rejected: '除外した不正な行',
  outsideWindow: '期間外のイベント',
  sessions: 'セッション対応表',
  relations: '関係データ（派生漏えい）',
  rows: (n) => `${int(n)}行`,
  identity: '人数の数え方',
  identityKind: (k, id) => `${k === 'user' ? '利用者ごと' : 'セッションごと（セッション対応表なし）'}、ハッシュの鍵ID ${id}`,
  version: 'レポート形式のバージョン',
  footer: 'cachewarden scope で作成。このファイルはネットワークを使わず、スクリプトも実行しません。',
};

export function labels(lang: ReportLang): Labels {
  return lang === 'ja' ? ja : en;
}
