/**
 * Inline SVG charts for the HTML report, drawn as strings: exposures over time, horizontal bars
 * by route or edge, and the tiers as a funnel. No scripts, no external resources; every chart has
 * `role="img"`, a `<title>` and a `<desc>`, and each bar or segment a `<title>` with its numbers
 * (the funnel's colour legend is HTML, next to the chart, so it wraps in any language).
 * Bars (`class="bar"`) are drawn only for values above zero. Every string is escaped.
 */
import type { CountByKey, ScopeReport } from '../types.ts';
import { esc, int, time } from './format.ts';
import type { Labels } from './labels.ts';

const W = 720;

/** The open tag of a chart: accessible, scalable, labelled by its own title and description. */
function svgOpen(id: string, height: number, title: string, desc: string): string {
  return (
    `<svg id="${esc(id)}" class="chart" role="img" aria-labelledby="${esc(id)}-title ${esc(id)}-desc" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}">` +
    `<title id="${esc(id)}-title">${esc(title)}</title><desc id="${esc(id)}-desc">${esc(desc)}</desc>`
  );
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** `09:41:30` from an ISO time (the UTC clock time only). */
function clock(iso: string): string {
  return /T(\d{2}:\d{2}:\d{2})/.exec(iso)?.[1] ?? iso;
}

/** A bucket size in words: `1 min`, `30 s`; `1分`, `30秒`. */
export function bucketWords(ms: number, ja: boolean): string {
  const s = ms / 1000;
  if (s >= 3600 && s % 3600 === 0) return ja ? `${s / 3600}時間` : `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return ja ? `${s / 60}分` : `${s / 60} min`;
  return ja ? `${num(s)}秒` : `${num(s)} s`;
}

/** Exposures over time: one bar per bucket with exposures, placed on the report window. */
export function timelineSvg(report: ScopeReport, L: Labels, bucket: string): string {
  const { bucketMs, buckets } = report.timeline;
  const withData = buckets.filter((b) => b.exposures > 0);
  const H = 240;
  const left = 56;
  const right = 16;
  const top = 16;
  const bottom = 44;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const starts = buckets.map((b) => Date.parse(b.start)).filter(Number.isFinite);
  let from = Date.parse(report.window.from);
  let to = Date.parse(report.window.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    from = Math.min(...starts);
    to = Math.max(...starts) + bucketMs;
  }
  from = Math.min(from, ...starts);
  to = Math.max(to, ...starts.map((s) => s + bucketMs));
  const x = (t: number) => left + ((t - from) / (to - from)) * plotW;
  const max = Math.max(1, ...withData.map((b) => b.exposures));
  const out: string[] = [svgOpen('chart-timeline', H, L.timeline, L.timelineDesc(bucket))];
  // Axes: a baseline, the maximum, and three time labels.
  out.push(`<line class="axis" x1="${left}" y1="${top + plotH}" x2="${W - right}" y2="${top + plotH}"/>`);
  out.push(`<line class="grid" x1="${left}" y1="${top}" x2="${W - right}" y2="${top}"/>`);
  out.push(`<text class="tick" x="${left - 6}" y="${top + 4}" text-anchor="end">${esc(int(max))}</text>`);
  out.push(`<text class="tick" x="${left - 6}" y="${top + plotH + 4}" text-anchor="end">0</text>`);
  const mid = from + (to - from) / 2;
  for (const [t, anchor] of [[from, 'start'], [mid, 'middle'], [to, 'end']] as const) {
    out.push(`<text class="tick" x="${num(x(t))}" y="${top + plotH + 18}" text-anchor="${anchor}">${esc(clock(new Date(t).toISOString()))}</text>`);
  }
  out.push(`<text class="tick" x="${left}" y="${H - 6}">${esc(time(new Date(from).toISOString()).slice(0, 10))} UTC</text>`);
  for (const b of withData) {
    const t = Date.parse(b.start);
    const x0 = x(t);
    const w = Math.max(2, x(t + bucketMs) - x0 - 1);
    const h = Math.max(1, (b.exposures / max) * plotH);
    const tip = `${time(b.start)}: ${L.responses(b.exposures)}, ${L.peopleCount(b.people)}`;
    out.push(`<rect class="bar" x="${num(x0)}" y="${num(top + plotH - h)}" width="${num(w)}" height="${num(h)}"><title>${esc(tip)}</title></rect>`);
  }
  out.push('</svg>');
  return out.join('');
}

/** Horizontal bars, one row per key (route or edge); bars only for keys with exposures. */
export function barsSvg(id: string, title: string, rows: CountByKey[], L: Labels): string {
  const rowH = 30;
  const top = 8;
  const labelW = 230;
  const valueW = 170;
  const H = top * 2 + rows.length * rowH;
  const plotW = W - labelW - valueW - 16;
  const max = Math.max(1, ...rows.map((r) => r.exposures));
  const out: string[] = [svgOpen(id, H, title, L.byKeyDesc)];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const label = r.key.length > 34 ? `${r.key.slice(0, 33)}…` : r.key;
    const words = `${L.responses(r.exposures)} · ${L.peopleCount(r.people)}`;
    out.push(`<text class="label" x="${labelW - 8}" y="${y + 19}" text-anchor="end">${esc(label)}<title>${esc(r.key)}</title></text>`);
    const w = r.exposures > 0 ? Math.max(2, (r.exposures / max) * plotW) : 0;
    if (w > 0) out.push(`<rect class="bar" x="${labelW}" y="${y + 5}" width="${num(w)}" height="${rowH - 10}"><title>${esc(`${r.key}: ${words}`)}</title></rect>`);
    out.push(`<text class="value" x="${num(labelW + w + 8)}" y="${y + 19}">${esc(words)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

export interface FunnelStage {
  key: 'active' | 'upperBound' | 'anyData' | 'directlyIdentifying';
  label: string;
  value: number;
  segments: Array<{ cls: string; label: string; value: number }>;
}

/** The tiers as a centred funnel; wide stages split into shown / derived / possibly. */
export function funnelStages(report: ScopeReport, L: Labels): FunnelStage[] {
  const s = report.summary;
  return [
    { key: 'active', label: L.active, value: s.active, segments: [{ cls: 'seg-active', label: L.active, value: s.active }] },
    {
      key: 'upperBound',
      label: L.upperBound,
      value: s.upperBound,
      segments: [
        { cls: 'seg-shown', label: L.status.shown, value: s.shown },
        { cls: 'seg-derived', label: L.status.derived, value: s.derived },
        { cls: 'seg-possibly', label: L.status.possibly, value: s.possibly },
      ],
    },
    {
      key: 'anyData',
      label: L.tierA,
      value: s.anyData,
      segments: [
        { cls: 'seg-shown', label: L.status.shown, value: s.shown },
        { cls: 'seg-derived', label: L.status.derived, value: s.derived },
      ],
    },
    { key: 'directlyIdentifying', label: L.tierB, value: s.directlyIdentifying, segments: [{ cls: 'seg-direct', label: L.tierB, value: s.directlyIdentifying }] },
  ];
}

export function funnelSvg(stages: FunnelStage[], L: Labels): string {
  const rowH = 44;
  const top = 8;
  const labelW = 310;
  const H = top * 2 + stages.length * rowH;
  const plotW = W - labelW - 16;
  const centre = labelW + plotW / 2;
  const max = Math.max(1, ...stages.map((st) => st.value));
  const out: string[] = [svgOpen('chart-funnel', H, L.funnel, L.funnelDesc)];
  stages.forEach((st, i) => {
    const y = top + i * rowH;
    out.push(`<g class="stage" data-stage="${esc(st.key)}" data-value="${st.value}">`);
    out.push(`<text class="label" x="${labelW - 10}" y="${y + 17}" text-anchor="end">${esc(st.label)}</text>`);
    out.push(`<text class="figure" x="${labelW - 10}" y="${y + 34}" text-anchor="end">${esc(L.peopleCount(st.value))}</text>`);
    const total = st.value > 0 ? Math.max(3, (st.value / max) * plotW) : 0;
    const segSum = st.segments.reduce((a, g) => a + g.value, 0);
    let x0 = centre - total / 2;
    for (const g of st.segments) {
      if (g.value <= 0 || segSum <= 0) continue;
      const w = (g.value / segSum) * total;
      out.push(
        `<rect class="seg ${esc(g.cls)}" data-value="${g.value}" x="${num(x0)}" y="${y + 6}" width="${num(w)}" height="${rowH - 12}"><title>${esc(`${g.label}: ${L.peopleCount(g.value)}`)}</title></rect>`,
      );
      x0 += w;
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('');
}
