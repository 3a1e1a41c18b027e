/**
 * renderHtml: one self-contained file (no scripts, no external references, a strict CSP in a meta
 * tag), well-formed, every report string escaped, charts whose bars and funnel equal the data,
 * the regulator tables with unfilled items marked, "no exposures" for an empty report, and the
 * people table capped at 1,000 rows with a note.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MAX_PEOPLE_ROWS, renderHtml } from '../../../src/respond/report/html.ts';
import type { ScopeReport } from '../../../src/respond/types.ts';
import emptyJson from '../fixtures/report-empty.json' with { type: 'json' };
import leakJson from '../fixtures/report-leak.json' with { type: 'json' };
import { asScopeReport } from './conform.ts';
import { LARGE_FIXTURE } from './large-fixture.ts';
import { wellFormedProblems } from './wellformed.ts';

const leak = asScopeReport(leakJson);
const empty = asScopeReport(emptyJson);
const large = asScopeReport(JSON.parse(readFileSync(LARGE_FIXTURE, 'utf8')));
const ALL: Array<[string, ScopeReport]> = [
  ['leak', leak],
  ['empty', empty],
  ['large', large],
];
const LANGS = ['en', 'ja'] as const;

/** The markup of one element by id, up to its matching close tag (no nesting of the same tag). */
function element(html: string, tag: string, id: string): string {
  const start = html.indexOf(`<${tag} id="${id}"`);
  if (start === -1) return '';
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end + tag.length + 3);
}
const countOf = (text: string, needle: string) => text.split(needle).length - 1;
/** Names of the attributes in the page's tags (text is escaped, so every `<` opens a tag). */
const attributeNames = (html: string) =>
  [...html.matchAll(/<[a-zA-Z][^<>]*>/g)].flatMap((t) => [...t[0].matchAll(/\s([a-zA-Z][\w:-]*)(?==)/g)].map((a) => (a[1] ?? '').toLowerCase()));
const RISKY_ATTRIBUTE = /^(?:src|href|srcset|action|formaction|poster|data|xlink:href|on\w+)$/;
const titlesOfBars = (svg: string) => [...svg.matchAll(/<rect class="bar"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);

describe('renderHtml: a self-contained, safe file', () => {
  for (const [name, report] of ALL) {
    for (const lang of LANGS) {
      it(`${name} (${lang}): no scripts, no external references, well-formed`, () => {
        const html = renderHtml(report, { lang });
        assert.equal(html.startsWith(`<!doctype html>\n<html lang="${lang}">\n<head>\n<meta charset="utf-8">\n`), true);
        assert.equal(
          countOf(html, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`),
          1,
        );
        assert.equal(/<script/i.test(html), false);
        assert.deepEqual(attributeNames(html).filter((a) => RISKY_ATTRIBUTE.test(a)), []);
        assert.deepEqual(['charset', 'http-equiv', 'role', 'aria-labelledby', 'viewBox'].map((a) => attributeNames(html).includes(a.toLowerCase())), [true, true, true, true, true]);
        assert.equal(/url\(|@import/i.test(html), false);
        // The only absolute URL is the lookup page, as text.
        const urls = [...html.matchAll(/https?:\/\/[^\s<"&]*/g)].map((m) => m[0]);
        assert.deepEqual(new Set(urls), new Set(report.incident.lookupUrl ? [report.incident.lookupUrl] : []));
        assert.deepEqual(wellFormedProblems(html), []);
      });
    }
  }

  it('renders the same bytes for the same report', () => {
    assert.equal(renderHtml(leak), renderHtml(structuredClone(leak)));
    assert.equal(renderHtml(leak).includes('<p class="meta">Example Co. Scope report made by cachewarden at 2026-11-21 10:15:00 UTC.</p>'), true);
  });

  it('escapes every string taken from the report', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const r = structuredClone(leak);
    r.incident.title = evil;
    r.incident.organisation = `"><svg onload=alert(2)>`;
    r.incident.cause = `</td></tr></table><script>alert(3)</script>`;
    r.incident.measures = [`<b>&amp;</b>`];
    r.incident.contact = `'onmouseover='alert(4)`;
    r.incident.lookupUrl = `javascript:alert(5)"><a href="http://evil.example/">`;
    r.byRoute[0]!.key = `/a"><img src=x onerror=alert(6)>`;
    r.byEdge[0]!.key = `<edge>`;
    r.categories[0]!.name = `<cat>`;
    r.categories[0]!.fields = [`<f>`];
    r.people[0]!.fields = [`<field onclick=x>`];
    r.inputs.files = [`<file>`];
    r.inputs.rejected = { '<reason>': 1 };
    const html = renderHtml(r);
    assert.deepEqual(wellFormedProblems(html), []);
    assert.equal(/<script|<img|<svg onload|<a |<b>|<edge>|<cat>|<f>|<field|<file>|<reason>/i.test(html), false);
    assert.deepEqual(attributeNames(html).filter((a) => RISKY_ATTRIBUTE.test(a)), []);
    assert.equal(countOf(html, '<h1>&lt;img src=x onerror=alert(1)&gt;</h1>'), 1);
    assert.equal(countOf(html, '<title>&lt;img src=x onerror=alert(1)&gt; – Scope report</title>'), 1);
    assert.equal(html.includes('&lt;b&gt;&amp;amp;&lt;/b&gt;'), true);
    assert.equal(html.includes('&#39;onmouseover=&#39;alert(4)'), true);
    assert.equal(html.includes('javascript:alert(5)&quot;&gt;&lt;a href=&quot;http://evil.example/&quot;&gt;'), true);
  });
});

describe('renderHtml: charts equal the data', () => {
  const html = renderHtml(leak);

  it('draws one timeline bar per bucket with exposures, with its numbers', () => {
    const svg = element(html, 'svg', 'chart-timeline');
    assert.equal(countOf(svg, '<rect class="bar"'), leak.timeline.buckets.filter((b) => b.exposures > 0).length);
    assert.deepEqual(titlesOfBars(svg), [
      '2026-11-21 09:41:00 UTC: 2 responses, 1 person',
      '2026-11-21 09:42:00 UTC: 1 response, 1 person',
      '2026-11-21 09:43:00 UTC: 1 response, 1 person',
      '2026-11-21 09:44:00 UTC: 1 response, 1 person',
    ]);
    // Heights scale to the largest bucket (plot height 180).
    assert.deepEqual([...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1])), [180, 90, 90, 90]);
    assert.equal(svg.includes('role="img"'), true);
    assert.equal(svg.includes('<title id="chart-timeline-title">Exposures over time</title>'), true);
  });

  it('draws one bar per route and per edge with exposures, with their numbers', () => {
    assert.deepEqual(titlesOfBars(element(html, 'svg', 'chart-route')), ['/mypage*: 3 responses · 1 person', '/transactions/*: 2 responses · 1 person']);
    assert.deepEqual(titlesOfBars(element(html, 'svg', 'chart-edge')), ['edge-osa-1: 3 responses · 2 people', 'edge-tyo-1: 2 responses · 1 person']);
    const r = structuredClone(leak);
    r.byEdge.push({ key: 'edge-idle', exposures: 0, people: 0 });
    const svg = element(renderHtml(r), 'svg', 'chart-edge');
    assert.equal(countOf(svg, '<rect class="bar"'), 2);
    assert.equal(svg.includes('>edge-idle<title>edge-idle</title></text>'), true);
  });

  it("the funnel's stages and segments are the summary's figures", () => {
    const svg = element(html, 'svg', 'chart-funnel');
    const stages = [...svg.matchAll(/<g class="stage" data-stage="(\w+)" data-value="(\d+)">([\s\S]*?)<\/g>/g)].map((m) => ({
      stage: m[1],
      value: Number(m[2]),
      segments: [...(m[3] ?? '').matchAll(/<rect class="seg (seg-\w+)" data-value="(\d+)"/g)].map((s) => `${s[1]}=${s[2]}`),
    }));
    const s = leak.summary;
    assert.deepEqual(stages, [
      { stage: 'active', value: s.active, segments: [`seg-active=${s.active}`] },
      { stage: 'upperBound', value: s.upperBound, segments: [`seg-shown=${s.shown}`, `seg-derived=${s.derived}`, `seg-possibly=${s.possibly}`] },
      { stage: 'anyData', value: s.anyData, segments: [`seg-shown=${s.shown}`, `seg-derived=${s.derived}`] },
      { stage: 'directlyIdentifying', value: s.directlyIdentifying, segments: [`seg-direct=${s.directlyIdentifying}`] },
    ]);
    assert.deepEqual(
      stages.map((st) => st.value),
      [9, 6, 4, 3],
    );
  });
});

describe('renderHtml: figures for the regulator', () => {
  it('lists every APPI and GDPR item, unfilled ones marked "To fill in"', () => {
    const html = renderHtml(leak);
    const appi = element(html, 'table', 'appi');
    const gdpr = element(html, 'table', 'gdpr');
    assert.deepEqual([countOf(appi, '<tr>') - 1, countOf(appi, '<tr class="unfilled">')], [15, 5]);
    assert.deepEqual([countOf(gdpr, '<tr>') - 1, countOf(gdpr, '<tr class="unfilled">')], [15, 4]);
    assert.equal(countOf(html, '<strong class="todo">To fill in:</strong>'), 9);
    assert.equal(html.includes('<p class="todo-count">5 items to fill in.</p>'), true);
    assert.equal(
      appi.includes(
        '<tr class="unfilled"><th scope="row">7. Public announcement</th><td class="ref">Enforcement Rules Art. 8(1)(vii)</td><td><strong class="todo">To fill in:</strong> Write whether and when the incident was announced publicly, and where.</td></tr>',
      ),
      true,
    );
    assert.equal(
      appi.includes('<tr><th scope="row">3. Number of persons: tier B (directly identifying data shown)</th><td class="ref">Enforcement Rules Art. 8(1)(iii)</td><td>3 people</td></tr>'),
      true,
    );
  });

  it('uses Japanese labels with lang=ja', () => {
    const html = renderHtml(leak, { lang: 'ja' });
    for (const text of ['<h2 id="regulator-h">監督機関への報告事項</h2>', '<strong class="todo">要記入：</strong>', '<title id="chart-funnel-title">区分ごとの人数</title>', '<th scope="col">人（ハッシュ）</th>']) {
      assert.equal(html.includes(text), true, text);
    }
    assert.equal(html.includes('To fill in'), false);
  });
});

describe('renderHtml: empty and large reports', () => {
  it('says "no exposures" and draws no exposure chart for an empty report', () => {
    const html = renderHtml(empty);
    const none = '<p class="none">No exposures: no response reached another person in this window.</p>';
    assert.equal(countOf(html, none), 4); // summary, timeline, by route, by edge
    assert.equal(countOf(html, '<rect class="bar"'), 0);
    assert.deepEqual([element(html, 'svg', 'chart-timeline'), element(html, 'svg', 'chart-route'), element(html, 'svg', 'chart-edge')], ['', '', '']);
    assert.deepEqual([...element(html, 'svg', 'chart-funnel').matchAll(/data-value="(\d+)"/g)].map((m) => m[1]), ['3', '3', '0', '0', '0']);
    assert.equal(renderHtml(empty, { lang: 'ja' }).includes('<p class="none">漏えいなし：この期間に、他人に届いた応答はありません。</p>'), true);
  });

  it(`lists ${MAX_PEOPLE_ROWS} of 3,000 people and says so; the small report lists all`, () => {
    const people = (html: string) => element(html, 'section', 'people');
    const rows = (html: string) => [...people(html).matchAll(/<tr><td class="hash">([^<]*)<\/td>/g)].map((m) => m[1]);
    const big = renderHtml(large);
    assert.equal(MAX_PEOPLE_ROWS, 1000);
    assert.deepEqual(rows(big), large.people.slice(0, 1000).map((p) => p.id));
    assert.equal(people(big).includes('<p class="rows-note">Showing the first 1,000 of 3,000 people, most severe first. The CSV lists everyone.</p>'), true);
    assert.equal(people(renderHtml(large, { lang: 'ja' })).includes('<p class="rows-note">3,000名のうち、影響の大きい順に最初の1,000行を示します。全員はCSVにあります。</p>'), true);
    const small = renderHtml(leak);
    assert.deepEqual(rows(small), leak.people.map((p) => p.id));
    assert.equal(people(small).includes('<p class="rows-note">All 9 people active in the window, most severe first.</p>'), true);
    assert.equal(
      people(small).includes(
        `<tr><td class="hash">${leak.people[0]!.id}</td><td><span class="status st-shown">Shown to someone else</span></td><td>address, email, name, points</td><td>2026-11-21 09:41:00.250 UTC</td><td>2026-11-21 09:42:10 UTC</td></tr>`,
      ),
      true,
    );
  });
});

describe('the well-formedness check itself', () => {
  const ok = '<!doctype html><html lang="en"><head><title>t</title></head><body><p>a &amp; b</p><svg><rect class="bar"/></svg></body></html>';
  it('accepts a well-formed page and names each problem of a broken one', () => {
    assert.deepEqual(wellFormedProblems(ok), []);
    assert.deepEqual(wellFormedProblems(ok.replace('</p>', '')), ['</body> at 108 closes <p> from 66', '</html> at 115 closes <body> from 60', '<html> at 15 never closed']);
    assert.deepEqual(wellFormedProblems(ok.replace('a &amp; b', 'a < b & c')), ['stray < at 71: "< b & c</p><svg><rect class=\\"bar\\"/></svg"', 'unescaped & at 75']);
    assert.deepEqual(wellFormedProblems(ok.replace('<p>', '<p class=x>')), [
      'stray < at 66: "<p class=x>a &amp; b</p><svg><rect class"',
      '</p> at 86 closes <body> from 60',
      '</body> at 120 closes <html> from 15',
      '</html> at 127 closes nothing',
    ]);
    assert.deepEqual(wellFormedProblems(ok.replace('<p>a &amp; b</p>', '<div/><script>x</script>')), [
      'unexpected element <div> at 66',
      '<div/> self-closed at 66',
      'unexpected element <script> at 72',
      'unexpected element <script> at 81',
    ]);
    assert.deepEqual(wellFormedProblems(ok.replace('<title>t</title>', '<title>a<b</title>')), ['< inside <title> at 37']);
    assert.deepEqual(wellFormedProblems(ok.replace('<head>', '<head><meta charset="utf-8"></meta>')), [
      'void element </meta> closed at 59',
      '</meta> at 59 closes <head> from 31',
      '</head> at 82 closes <html> from 15',
      '</html> at 148 closes nothing',
    ]);
  });
});
