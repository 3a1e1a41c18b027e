/**
 * Small formatting helpers shared by the regulator figures and the HTML report: HTML escaping,
 * numbers, UTC times, durations, lists, and the check for operator placeholders such as
 * `(contact desk: fill in before sending)`. Pure and deterministic (no locale or clock lookups).
 */

export const REPORT_LANGS = ['en', 'ja'] as const;
export type ReportLang = (typeof REPORT_LANGS)[number];

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** An integer with thousands separators: 54180 → `54,180` (the same in English and Japanese). */
export function int(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.trunc(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A count of people: `1 person`, `4 people`; `4名` in Japanese. */
export function people(n: number, lang: ReportLang): string {
  if (lang === 'ja') return `${int(n)}名`;
  return n === 1 ? '1 person' : `${int(n)} people`;
}

/** An ISO time as `2026-11-21 09:41:00.250 UTC` (milliseconds dropped when zero). */
export function time(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(iso);
  if (!m) return iso;
  const ms = m[3] && !/^\.0+$/.test(m[3]) ? m[3] : '';
  return `${m[1]} ${m[2]}${ms} UTC`;
}

/** A time range: `2026-11-21 09:40:00 UTC – 2026-11-21 09:50:00 UTC`. */
export function range(first: string, last: string): string {
  return `${time(first)} – ${time(last)}`;
}

/** Milliseconds between two ISO times (0 when either does not parse). */
export function spanMs(first: string, last: string): number {
  const d = Date.parse(last) - Date.parse(first);
  return Number.isFinite(d) && d > 0 ? d : 0;
}

/** A duration rounded to whole seconds: `3 min 30 s`, `1 h 2 min`; `3分30秒` in Japanese. */
export function duration(ms: number, lang: ReportLang): string {
  if (ms > 0 && ms < 1000) return lang === 'ja' ? '1秒未満' : 'under 1 s';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const units = lang === 'ja' ? (['時間', '分', '秒'] as const) : ([' h', ' min', ' s'] as const);
  const parts: string[] = [];
  if (h) parts.push(`${h}${units[0]}`);
  if (m) parts.push(`${m}${units[1]}`);
  if (s || parts.length === 0) parts.push(`${s}${units[2]}`);
  return parts.join(lang === 'ja' ? '' : ' ');
}

/** Joins list items: `a, b, c` in English, `a、b、c` in Japanese. */
export function list(items: readonly string[], lang: ReportLang): string {
  return items.join(lang === 'ja' ? '、' : ', ');
}

/**
 * True when an operator-supplied text is empty or still a placeholder such as the config
 * defaults `(measures taken: fill in before sending)` / `(contact desk: fill in before sending)`,
 * or a Japanese `（…記入…）`.
 */
export function isPlaceholder(text: string | undefined): boolean {
  const t = (text ?? '').trim();
  if (t === '') return true;
  return /^[(（][\s\S]*[)）]$/.test(t) && /fill in|記入/i.test(t);
}
