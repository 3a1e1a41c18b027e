/**
 * The self-contained HTML report of a scope run: one file with inline CSS and inline SVG charts,
 * no scripts and no external resources (a strict Content-Security-Policy in a meta tag enforces
 * it). It shows the summary, the charts (tiers as a funnel, exposures over time, by route, by
 * edge), the figures for the regulator (APPI and GDPR, unfilled items marked), the data
 * categories, the people (hashes only; at most MAX_PEOPLE_ROWS rows, the CSV has everyone) and
 * how the figures were made. Every string taken from the report is escaped.
 */
import { localIncident } from '../incident.ts';
import type { PersonEntry, ScopeReport, Status } from '../types.ts';
import { barsSvg, bucketWords, funnelStages, funnelSvg, timelineSvg } from './charts.ts';
import { duration, esc, int, range, spanMs, time, type ReportLang } from './format.ts';
import { labels, type Labels } from './labels.ts';
import { regulatoryItems, type ReportItem } from './regulatory.ts';

/** The people table lists at most this many rows; the note under the heading says so. */
export const MAX_PEOPLE_ROWS = 1000;

/** The policy in the page's meta tag: styles inline, images only as data: URLs, nothing else. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export interface RenderHtmlOptions {
  lang?: ReportLang;
}

export function renderHtml(scope: ScopeReport, opts: RenderHtmlOptions = {}): string {
  const lang = opts.lang ?? 'en';
  const report: ScopeReport = { ...scope, incident: localIncident(scope.incident, lang) };
  const L = labels(lang);
  const title = `${report.incident.title} – ${L.reportOf}`;
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${esc(report.incident.title)}</h1>`,
    `<p class="meta">${esc(L.generated(report.incident.organisation, time(report.generatedAt)))}</p>`,
    '</header>',
    '<main>',
    summarySection(report, L, lang),
    chartsSection(report, L, lang),
    regulatorSection(report, L, lang),
    categoriesSection(report, L),
    peopleSection(report, L),
    methodSection(report, L),
    '</main>',
    `<footer><p>${esc(L.footer)}</p></footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function row(label: string, value: string): string {
  return `<tr><th scope="row">${esc(label)}</th><td>${esc(value)}</td></tr>`;
}

function summarySection(report: ScopeReport, L: Labels, lang: ReportLang): string {
  const s = report.summary;
  const span = s.firstExposure && s.lastExposure ? `${range(s.firstExposure, s.lastExposure)} (${duration(spanMs(s.firstExposure, s.lastExposure), lang)})` : L.none;
  const rows = [
    row(L.window, `${range(report.window.from, report.window.to)} (${duration(spanMs(report.window.from, report.window.to), lang)})`),
    row(L.observed, report.observed ? range(report.observed.from, report.observed.to) : L.notObserved),
    row(L.exposureSpan, span),
    row(L.active, L.peopleCount(s.active)),
    row(L.status.shown, L.peopleCount(s.shown)),
    row(L.status.derived, L.peopleCount(s.derived)),
    row(L.status.possibly, L.peopleCount(s.possibly)),
    row(L.status['not-affected'], L.peopleCount(s.notAffected)),
    row(L.tierA, L.peopleCount(s.anyData)),
    row(L.tierB, L.peopleCount(s.directlyIdentifying)),
    row(L.upperBound, L.peopleCount(s.upperBound)),
    row(L.exposures, int(s.exposures)),
    row(L.viewers, int(s.viewers)),
    row(L.pairs, int(s.pairs)),
    row(L.derivedPairs, int(s.derivedPairs)),
    row(L.unattributed, int(s.unattributed)),
  ];
  if (report.incident.lookupUrl) rows.push(row(L.lookupPage, report.incident.lookupUrl));
  const none = s.exposures === 0 ? `<p class="none">${esc(L.noExposures)}</p>` : '';
  return `<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">${esc(L.summary)}</h2>${none}<table class="figures"><tbody>${rows.join('')}</tbody></table></section>`;
}

function chartsSection(report: ScopeReport, L: Labels, lang: ReportLang): string {
  const stages = funnelStages(report, L);
  const legend = [
    ['seg-active', L.active],
    ['seg-shown', L.status.shown],
    ['seg-derived', L.status.derived],
    ['seg-possibly', L.status.possibly],
    ['seg-direct', L.tierB],
  ]
    .map(([cls, text]) => `<li><span class="swatch ${cls}" aria-hidden="true"></span>${esc(text ?? '')}</li>`)
    .join('');
  const funnelTable = table(
    [L.stage, L.count],
    stages.map((st) => [st.label, L.peopleCount(st.value)]),
  );
  const funnel = `<figure><h3>${esc(L.funnel)}</h3>${funnelSvg(stages, L)}<ul class="legend">${legend}</ul><figcaption>${esc(L.funnelDesc)}</figcaption>${details(L, funnelTable)}</figure>`;

  const bucket = bucketWords(report.timeline.bucketMs, lang === 'ja');
  const withData = report.timeline.buckets.filter((b) => b.exposures > 0);
  const noData = `<p class="none">${esc(L.noExposures)}</p>`;
  const timeline =
    `<figure><h3>${esc(L.timeline)}</h3>` +
    (withData.length
      ? `${timelineSvg(report, L, bucket)}<figcaption>${esc(L.timelineDesc(bucket))}</figcaption>${details(L, table([L.bucketStart, L.exposures, L.count], withData.map((b) => [time(b.start), int(b.exposures), int(b.people)])))}`
      : noData) +
    '</figure>';
  const byKey = (id: string, heading: string, keyLabel: string, rows: ScopeReport['byRoute']) =>
    `<figure><h3>${esc(heading)}</h3>` +
    (rows.some((r) => r.exposures > 0)
      ? `${barsSvg(id, heading, rows, L)}<figcaption>${esc(L.byKeyDesc)}</figcaption>${details(L, table([keyLabel, L.exposures, L.count], rows.map((r) => [r.key, int(r.exposures), int(r.people)])))}`
      : noData) +
    '</figure>';
  return (
    `<section id="charts" aria-labelledby="charts-h"><h2 id="charts-h">${esc(L.charts)}</h2>` +
    funnel +
    timeline +
    byKey('chart-route', L.byRoute, L.route, report.byRoute) +
    byKey('chart-edge', L.byEdge, L.edge, report.byEdge) +
    '</section>'
  );
}

function details(L: Labels, inner: string): string {
  return `<details><summary>${esc(L.dataTable)}</summary>${inner}</details>`;
}

/** A table with a header row; every cell is escaped. */
function table(head: string[], rows: string[][], cls = 'data'): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function regulatorTable(id: string, heading: string, items: ReportItem[], L: Labels): string {
  const unfilled = items.filter((i) => !i.filled).length;
  const rows = items
    .map((i) =>
      i.filled
        ? `<tr><th scope="row">${esc(i.item)}</th><td class="ref">${esc(i.reference)}</td><td>${esc(i.value)}</td></tr>`
        : `<tr class="unfilled"><th scope="row">${esc(i.item)}</th><td class="ref">${esc(i.reference)}</td><td><strong class="todo">${esc(L.toFill)}</strong> ${esc(i.value)}</td></tr>`,
    )
    .join('');
  return (
    `<h3 id="${id}-h">${esc(heading)}</h3>` +
    (unfilled ? `<p class="todo-count">${esc(L.unfilledCount(unfilled))}</p>` : '') +
    `<table id="${id}" class="regulator" aria-labelledby="${id}-h"><thead><tr><th scope="col">${esc(L.item)}</th><th scope="col">${esc(L.reference)}</th><th scope="col">${esc(L.value)}</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function regulatorSection(report: ScopeReport, L: Labels, lang: ReportLang): string {
  const items = regulatoryItems(report, lang);
  return (
    `<section id="regulator" aria-labelledby="regulator-h"><h2 id="regulator-h">${esc(L.regulator)}</h2><p>${esc(L.regulatorIntro)}</p>` +
    regulatorTable('appi', L.appi, items.appi, L) +
    regulatorTable('gdpr', L.gdpr, items.gdpr, L) +
    '</section>'
  );
}

function categoriesSection(report: ScopeReport, L: Labels): string {
  const rows = report.categories.map((c) => [c.name, c.direct ? L.yes : L.no, c.fields.join(', '), L.peopleCount(report.summary.perCategory[c.name] ?? 0)]);
  return `<section id="categories" aria-labelledby="categories-h"><h2 id="categories-h">${esc(L.categories)}</h2>${table([L.category, L.direct, L.fields, L.count], rows)}</section>`;
}

/** First and last exposure of a person across their shown, derived and possibly details. */
function exposureRange(p: PersonEntry): { first: string; last: string } | null {
  const ranges = [p.shown, p.derived, p.possibly].filter((r) => r !== undefined);
  if (ranges.length === 0) return null;
  const first = ranges.map((r) => r.first).sort()[0] ?? '';
  const last = ranges.map((r) => r.last).sort().at(-1) ?? '';
  return { first, last };
}

const STATUS_CLASS: Record<Status, string> = { shown: 'st-shown', derived: 'st-derived', possibly: 'st-possibly', 'not-affected': 'st-none' };

function peopleSection(report: ScopeReport, L: Labels): string {
  const total = report.people.length;
  const listed = report.people.slice(0, MAX_PEOPLE_ROWS);
  const note = total === 0 ? L.noPeople : total > listed.length ? L.rowsCapped(listed.length, total) : L.rowsAll(total);
  const rows = listed
    .map((p) => {
      const r = exposureRange(p);
      return (
        `<tr><td class="hash">${esc(p.id)}</td><td><span class="status ${STATUS_CLASS[p.status] ?? ''}">${esc(L.status[p.status] ?? p.status)}</span></td>` +
        `<td>${esc(p.fields.length ? p.fields.join(', ') : '—')}</td><td>${esc(r ? time(r.first) : '—')}</td><td>${esc(r ? time(r.last) : '—')}</td></tr>`
      );
    })
    .join('');
  const head = [L.person, L.statusCol, L.fields, L.firstExposure, L.lastExposure].map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  return (
    `<section id="people" aria-labelledby="people-h"><h2 id="people-h">${esc(L.peopleTitle)}</h2><p>${esc(L.peopleIntro)}</p><p class="rows-note">${esc(note)}</p>` +
    (listed.length ? `<table class="data people"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>` : '') +
    '</section>'
  );
}

function methodSection(report: ScopeReport, L: Labels): string {
  const i = report.inputs;
  const rejected = Object.entries(i.rejected).sort(([a], [b]) => a.localeCompare(b));
  const rejectedTotal = rejected.reduce((a, [, n]) => a + n, 0);
  const rows = [
    row(L.files, i.files.join(', ') || L.none),
    row(L.format, i.format),
    row(L.lines, int(i.lines)),
    row(L.events, int(i.events)),
    row(L.rejected, rejected.length ? `${int(rejectedTotal)} (${rejected.map(([k, n]) => `${k}: ${int(n)}`).join(', ')})` : '0'),
    row(L.outsideWindow, int(i.outsideWindow)),
  ];
  if (i.sessions) rows.push(row(L.sessions, `${i.sessions.file} (${L.rows(i.sessions.rows)})`));
  if (i.relations) rows.push(row(L.relations, `${i.relations.file} (${L.rows(i.relations.rows)})`));
  rows.push(row(L.identity, L.identityKind(report.identity.kind, report.identity.keyId)));
  rows.push(row(L.version, String(report.version)));
  return `<section id="method" aria-labelledby="method-h"><h2 id="method-h">${esc(L.method)}</h2><table class="figures"><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Inline styles: dark text on white (contrast ≥ 7:1), colours with words beside them, print-friendly. */
const CSS = `
:root { color-scheme: light; --ink: #111827; --muted: #374151; --line: #cbd5e1; --head: #f1f5f9;
  --bar: #1d4ed8; --shown: #b91c1c; --derived: #b45309; --possibly: #6d28d9; --active: #475569; --direct: #0f766e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 24px; color: var(--ink); background: #fff;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK JP", "Noto Sans JP", "IPAPGothic", "Hiragino Sans", Meiryo, sans-serif;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
.meta, figcaption, .rows-note, .todo-count { color: var(--muted); }
figure { margin: 0 0 20px; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto; }
svg text { font: 12px system-ui, "Noto Sans CJK JP", "IPAPGothic", sans-serif; fill: var(--ink); }
svg .tick { fill: var(--muted); }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-dasharray: 3 3; }
svg .bar { fill: var(--bar); }
svg .figure { font-weight: 600; }
.seg-active { fill: var(--active); background: var(--active); }
.seg-shown { fill: var(--shown); background: var(--shown); }
.seg-derived { fill: var(--derived); background: var(--derived); }
.seg-possibly { fill: var(--possibly); background: var(--possibly); }
.seg-direct { fill: var(--direct); background: var(--direct); }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 6px 0; font-size: 0.9em; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 0.93em; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
tbody th { font-weight: 600; width: 34%; }
table.regulator td.ref { white-space: nowrap; color: var(--muted); width: 1%; }
tr.unfilled { background: #fff7ed; }
tr.unfilled th { border-left: 4px solid var(--derived); }
.todo { color: #9a3412; }
.none { font-weight: 600; padding: 8px 12px; border-left: 4px solid var(--active); background: var(--head); }
td.hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; white-space: nowrap; }
.status { font-weight: 600; }
.st-shown { color: var(--shown); } .st-derived { color: var(--derived); } .st-possibly { color: var(--possibly); } .st-none { color: var(--muted); }
details summary { color: var(--bar); }
footer { margin-top: 32px; color: var(--muted); font-size: 0.9em; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  details > summary { display: none; }
  h2, h3 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
}
@page { margin: 15mm; }
`;
