/**
 * The words of the lookup page and API, in English and Japanese: choosing the language
 * (`?lang=`, then Accept-Language with q-values, else English), data items and categories in
 * human words, times (UTC for English, Japan time for Japanese), and the answer itself.
 *
 * An answer has the same keys for every status; absent values are empty lists or null.
 */
import type { IncidentInfo, ScopeReport, Status } from '../types.ts';
import type { PersonView } from './status.ts';
import { localIncident } from '../incident.ts';

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

/** The language a tag such as `ja-JP` or `en` names, if we have it. */
export function langOf(tag: string): Lang | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'ja' ? 'ja' : primary === 'en' ? 'en' : undefined;
}

/** Parse Accept-Language (RFC 9110 §12.5.4) and return the best language we have. */
export function negotiateLang(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return DEFAULT_LANG;
  const ranges: Array<{ tag: string; q: number; i: number }> = [];
  for (const [i, part] of acceptLanguage.split(',').entries()) {
    const [tagRaw, ...params] = part.split(';');
    const tag = (tagRaw ?? '').trim();
    if (tag === '' || !/^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/.test(tag)) continue;
    let q = 1;
    let bad = false;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
      else if (/^\s*q\s*=/i.test(p)) bad = true;
    }
    if (bad || q <= 0 || q > 1) continue;
    ranges.push({ tag, q, i });
  }
  ranges.sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.tag === '*') return DEFAULT_LANG;
    const l = langOf(r.tag);
    if (l) return l;
  }
  return DEFAULT_LANG;
}

/** `?lang=` wins when it names a language we have; else Accept-Language. */
export function pickLang(override: unknown, acceptLanguage: string | undefined): Lang {
  if (typeof override === 'string') {
    const l = langOf(override);
    if (l) return l;
  }
  return negotiateLang(acceptLanguage);
}

export const TIME_ZONE: Record<Lang, 'UTC' | 'Asia/Tokyo'> = { en: 'UTC', ja: 'Asia/Tokyo' };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const partsFormat = new Map<string, Intl.DateTimeFormat>();

/** `21 November 2026, 09:41 UTC` or `2026年11月21日 18:41（日本時間）`. */
export function formatTime(iso: string, lang: Lang): string {
  const tz = TIME_ZONE[lang];
  let f = partsFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    partsFormat.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(iso))) p[part.type] = part.value;
  const hm = `${p['hour']}:${p['minute']}`;
  if (lang === 'ja') return `${p['year']}年${p['month']}月${p['day']}日 ${hm}（日本時間）`;
  return `${p['day']} ${MONTHS[Number(p['month']) - 1]} ${p['year']}, ${hm} UTC`;
}

const FIELD_LABELS: Record<string, Record<Lang, string>> = {
  name: { en: 'Name', ja: '氏名' },
  address: { en: 'Postal address', ja: '住所' },
  email: { en: 'E-mail address', ja: 'メールアドレス' },
  phone: { en: 'Phone number', ja: '電話番号' },
  card: { en: 'Card (last 4 digits and expiry date)', ja: 'クレジットカード（下4桁と有効期限）' },
  card_last4: { en: 'Last 4 digits of your card', ja: 'クレジットカード番号の下4桁' },
  bank: { en: 'Bank account', ja: '銀行口座' },
  history: { en: 'Purchase history', ja: '購入履歴' },
  points: { en: 'Points balance', ja: 'ポイント残高' },
  balance: { en: 'Balance', ja: '残高' },
  birthday: { en: 'Date of birth', ja: '生年月日' },
  page: { en: 'The contents of your page', ja: 'ページの内容' },
};

const CATEGORY_LABELS: Record<string, Record<Lang, string>> = {
  identifying: { en: 'Data that identifies you directly', ja: 'ご本人を直接特定できる情報' },
  payment: { en: 'Payment data', ja: '決済に関する情報' },
  other: { en: 'Other data', ja: 'その他の情報' },
};

function humanize(name: string, lang: Lang): string {
  const words = name.replace(/[_.-]+/g, ' ').trim();
  return lang === 'en' ? words.charAt(0).toUpperCase() + words.slice(1) : words;
}

export function fieldLabel(name: string, lang: Lang): string {
  return FIELD_LABELS[name]?.[lang] ?? humanize(name, lang);
}

export function categoryLabel(name: string, lang: Lang): string {
  return CATEGORY_LABELS[name]?.[lang] ?? humanize(name, lang);
}

/** Fixed wording of the page around the answer. */
export const UI: Record<
  Lang,
  {
    heading: string;
    dataShown: string;
    dataAtRisk: string;
    dataNone: string;
    kinds: string;
    when: string;
    noExposure: string;
    checked: string;
    measures: string;
    youCanDo: string;
    contact: string;
    other: { lang: Lang; label: string };
    unauthorized: string;
    tooMany: string;
    notFound: string;
  }
> = {
  en: {
    heading: 'Was my data exposed?',
    dataShown: 'Data involved',
    dataAtRisk: 'Data at risk',
    dataNone: 'None.',
    kinds: 'Kinds of data',
    when: 'When',
    noExposure: 'No exposure.',
    checked: 'Period checked',
    measures: 'What we have done',
    youCanDo: 'What you can do',
    contact: 'Contact',
    other: { lang: 'ja', label: '日本語' },
    unauthorized: 'We could not confirm who you are. Please open this page again from your account page.',
    tooMany: 'Too many requests. Please wait a moment and try again.',
    notFound: 'There is no such page.',
  },
  ja: {
    heading: '個人データの影響の確認',
    dataShown: '対象となった情報',
    dataAtRisk: '見られた可能性のある情報',
    dataNone: 'なし',
    kinds: '情報の種類',
    when: '日時',
    noExposure: '該当なし',
    checked: '確認した期間',
    measures: '当社の対応',
    youCanDo: 'お客様へのお願い',
    contact: 'お問い合わせ',
    other: { lang: 'en', label: 'English' },
    unauthorized: 'ご本人の確認ができませんでした。お手数ですが、アカウントページからもう一度このページを開いてください。',
    tooMany: 'アクセスが集中しています。しばらく待ってから、もう一度お試しください。',
    notFound: 'このページはありません。',
  },
};

/** The first sentence of every answer: the status in plain words. */
export const HEADLINES: Record<Lang, Record<Status, string>> = {
  en: {
    shown: 'Your personal data was shown to someone else.',
    derived: 'Your personal data was shown to someone else.',
    possibly: 'Your personal data may have been exposed to someone else.',
    'not-affected': 'Your personal data was not exposed.',
  },
  ja: {
    shown: 'あなたの個人データが他の方に表示されました。',
    derived: 'あなたの個人データが他の方に表示されました。',
    possibly: 'あなたの個人データが他の方に見られた可能性があります。',
    'not-affected': 'あなたの個人データは他の方に表示されていません。',
  },
};

const ADVICE: Record<Lang, Record<'exposed' | 'possibly' | 'none', string>> = {
  en: {
    exposed: 'Be careful with unexpected e-mails, calls or parcels that use these details, and contact us if you notice anything unusual.',
    possibly: 'You do not need to do anything now. Contact us if you notice anything unusual.',
    none: 'You do not need to do anything.',
  },
  ja: {
    exposed: 'これらの情報を使った心当たりのないメール、電話、郵便物にご注意ください。不審な点があればご連絡ください。',
    possibly: '現時点でお客様に必要な対応はありません。不審な点があればご連絡ください。',
    none: 'お客様に必要な対応はありません。',
  },
};

function period(first: string, last: string, lang: Lang): string {
  const a = formatTime(first, lang);
  const b = formatTime(last, lang);
  if (lang === 'ja') return a === b ? `${a}に` : `${a}から${b}までの間に`;
  return a === b ? `at ${a}` : `between ${a} and ${b}`;
}

function others(n: number, lang: Lang): string {
  if (lang === 'ja') return n > 0 ? `他の方${n}人` : '他の方';
  return n === 1 ? '1 other visitor' : n > 1 ? `${n} other visitors` : 'another visitor';
}

/** The sentences after the headline. */
function details(v: PersonView, window: ScopeReport['window'], lang: Lang): string {
  const out: string[] = [];
  if (v.own) {
    const p = period(v.own.first, v.own.last, lang);
    out.push(lang === 'ja' ? `${p}、あなたのページが${others(v.own.viewers, lang)}に表示されました。` : `Your own page was shown to ${others(v.own.viewers, lang)} ${p}.`);
  }
  if (v.derived) {
    const p = period(v.derived.first, v.derived.last, lang);
    out.push(
      lang === 'ja'
        ? `${p}、他のお客様のページに載っていたあなたのデータが、${others(v.derived.viewers, lang)}に表示されました。`
        : `Your data on another customer's page was shown to ${others(v.derived.viewers, lang)} ${p}.`,
    );
  }
  if (v.possibly) {
    const p = period(v.possibly.first, v.possibly.last, lang);
    if (lang === 'ja') {
      out.push(`${p}、共有キャッシュにあなたのページが保存されました。`);
      out.push(v.possibly.unknown ? '記録からは、他の方が受け取ったかどうかを確認できません。' : '他の方が受け取った形跡は見つかっていません。');
    } else {
      out.push(
        v.possibly.unknown
          ? `A shared cache stored your page ${p}, and our logs cannot tell whether anyone else received it.`
          : `A shared cache stored your page ${p}, but we found no sign that anyone else received it.`,
      );
    }
  }
  if (v.status === 'not-affected') {
    const from = formatTime(window.from, lang);
    const to = formatTime(window.to, lang);
    if (v.active) {
      out.push(
        lang === 'ja'
          ? `${from}から${to}までのご利用を確認しました。あなたのデータが共有キャッシュに保存されたり、他の方に表示されたりしたことはありません。`
          : `We checked your visits between ${from} and ${to}: none of your data was stored in a shared cache or shown to anyone else.`,
      );
    } else {
      out.push(
        lang === 'ja'
          ? `${from}から${to}までの間に、あなたのご利用は見つかりませんでした。そのため、あなたのデータが他の方に表示されたことはありません。`
          : `We found no visit of yours between ${from} and ${to}, so none of your data could have been shown to anyone else.`,
      );
    }
  }
  return out.join(lang === 'ja' ? '' : ' ');
}

export interface Answer {
  status: Status;
  lang: Lang;
  /** The first sentence: the status in plain words. */
  headline: string;
  /** What happened, when, to how many: the sentences after the headline. */
  details: string;
  fields: Array<{ name: string; label: string }>;
  categories: Array<{ name: string; label: string; direct: boolean }>;
  times: { first: string | null; last: string | null; firstText: string | null; lastText: string | null; timeZone: 'UTC' | 'Asia/Tokyo' };
  /** The incident window the report covers. */
  window: { from: string; to: string; fromText: string; toText: string };
  /** Recipients of the person's data (own page and other people's pages). */
  recipients: number;
  advice: string;
  measures: string[];
  contact: string;
  organisation: string;
  title: string;
}

export function buildAnswer(v: PersonView, report: ScopeReport, facts: IncidentInfo, lang: Lang): Answer {
  const incident = localIncident(facts, lang);
  const direct = new Map(report.categories.map((c) => [c.name, c.direct]));
  const kind = v.status === 'shown' || v.status === 'derived' ? 'exposed' : v.status === 'possibly' ? 'possibly' : 'none';
  return {
    status: v.status,
    lang,
    headline: HEADLINES[lang][v.status],
    details: details(v, report.window, lang),
    fields: v.fields.map((name) => ({ name, label: fieldLabel(name, lang) })),
    categories: v.categories.map((name) => ({ name, label: categoryLabel(name, lang), direct: direct.get(name) ?? false })),
    times: {
      first: v.first,
      last: v.last,
      firstText: v.first === null ? null : formatTime(v.first, lang),
      lastText: v.last === null ? null : formatTime(v.last, lang),
      timeZone: TIME_ZONE[lang],
    },
    window: { from: report.window.from, to: report.window.to, fromText: formatTime(report.window.from, lang), toText: formatTime(report.window.to, lang) },
    recipients: (v.own?.viewers ?? 0) + (v.derived?.viewers ?? 0),
    advice: ADVICE[lang][kind],
    measures: [...incident.measures],
    contact: incident.contact,
    organisation: incident.organisation,
    title: incident.title,
  };
}
