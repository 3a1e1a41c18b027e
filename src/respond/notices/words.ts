/**
 * The words notices use, per language: data fields in plain words, how lists of them read in a
 * sentence, and how times read (English in UTC, Japanese in Japan time, `YYYY年M月D日 H時mm分`).
 */

export const LANGS = ['en', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

interface FieldWord {
  en: string;
  ja: string;
  /** The English words are plural ("card details were shown"). */
  plural?: boolean;
}

/** Known fields in the order a notice lists them (most identifying first). */
const FIELD_WORDS: ReadonlyArray<readonly [string, FieldWord]> = [
  ['name', { en: 'name', ja: '氏名' }],
  ['address', { en: 'address', ja: '住所' }],
  ['email', { en: 'e-mail address', ja: 'メールアドレス' }],
  ['phone', { en: 'phone number', ja: '電話番号' }],
  ['card', { en: 'card details (last four digits and expiry date)', ja: 'カード番号の下4桁と有効期限', plural: true }],
  ['bank', { en: 'bank account details', ja: '銀行口座', plural: true }],
  ['history', { en: 'purchase history', ja: '購入履歴' }],
  ['points', { en: 'points balance', ja: 'ポイント' }],
  ['balance', { en: 'account balance', ja: '残高' }],
  ['page', { en: 'own page', ja: 'ご自身のページ' }],
];
const FIELD_INDEX = new Map(FIELD_WORDS.map(([field, words], i) => [field, { words, i }]));

/** Fields in notice order: known fields first (as listed above), then unknown ones by name. */
export function orderFields(fields: readonly string[]): string[] {
  return [...new Set(fields)].sort((a, b) => {
    const ia = FIELD_INDEX.get(a)?.i ?? Infinity;
    const ib = FIELD_INDEX.get(b)?.i ?? Infinity;
    if (ia !== ib) return ia - ib;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** A field in plain words; an unknown field is shown as its name. */
export function fieldWord(field: string, lang: Lang): string {
  return FIELD_INDEX.get(field)?.words[lang] ?? field;
}

/** The fields as a phrase: `name, address and e-mail address` / `氏名、住所、メールアドレス`. */
export function fieldsInline(fields: readonly string[], lang: Lang): string {
  const words = orderFields(fields).map((f) => fieldWord(f, lang));
  if (lang === 'ja') return words.join('、');
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Whether the English phrase takes a plural verb ("were" rather than "was"). */
export function fieldsPlural(fields: readonly string[]): boolean {
  const distinct = [...new Set(fields)];
  if (distinct.length > 1) return true;
  return distinct.length === 1 && FIELD_INDEX.get(distinct[0]!)?.words.plural === true;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const TOKYO = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
});

function tokyoParts(ms: number): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts: Record<string, number> = {};
  for (const p of TOKYO.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute! };
}

/** A time: `21 November 2026, 09:41 UTC` / `2026年11月21日 18時41分` (Japan time). Empty for an unreadable time. */
export function formatTime(iso: string, lang: Lang): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  if (lang === 'ja') {
    const t = tokyoParts(ms);
    return `${t.y}年${t.mo}月${t.d}日 ${t.h}時${String(t.mi).padStart(2, '0')}分`;
  }
  const d = new Date(ms);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** A date: `21 November 2026` (UTC) / `2026年11月21日` (Japan time). */
export function formatDate(ms: number, lang: Lang): string {
  if (lang === 'ja') {
    const t = tokyoParts(ms);
    return `${t.y}年${t.mo}月${t.d}日`;
  }
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
