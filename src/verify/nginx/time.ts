/**
 * nginx time values (`1s 10m 1h 1d 1y 500ms 1h30m`), as ngx_parse_time reads them:
 * units ms, s, m, h, d, w, M (30 days), y (365 days); a bare number is seconds; parts may be
 * combined from larger to smaller units. The `expires` directive also accepts a leading `-`.
 */

const UNIT_SECONDS: Record<string, number> = {
  y: 365 * 86400,
  M: 30 * 86400,
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001,
};
const ORDER = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Seconds (possibly fractional for `ms`), or undefined when the text is not an nginx time. */
export function parseNginxTime(text: string): number | undefined {
  let rest = text.trim();
  let sign = 1;
  if (rest.startsWith('-')) {
    sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '') return undefined;
  if (/^\d+$/.test(rest)) return sign * Number(rest);
  let total = 0;
  let last = -1;
  const re = /(\d+)(ms|[yMwdhms])/gy;
  let consumed = 0;
  for (const m of rest.matchAll(re)) {
    const unit = m[2]!;
    const rank = ORDER.indexOf(unit);
    if (rank <= last) return undefined;
    last = rank;
    total += Number(m[1]) * UNIT_SECONDS[unit]!;
    consumed += m[0].length;
  }
  // A trailing bare number after units counts as seconds only when no seconds were given.
  const tail = rest.slice(consumed);
  if (tail !== '') {
    if (!/^\d+$/.test(tail) || last >= ORDER.indexOf('s')) return undefined;
    total += Number(tail);
  }
  return consumed === 0 && tail === '' ? undefined : sign * total;
}
