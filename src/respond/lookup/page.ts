/**
 * The lookup page as one self-contained HTML document: inline CSS, no scripts, no external
 * resources (the CSP forbids them anyway). Every value is escaped. The first sentence carries
 * `id="headline"` so tests and screen readers find it.
 */
import type { Status } from '../types.ts';
import { UI, type Answer, type Lang } from './text.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:#1b1f24;font:16px/1.6 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP","Yu Gothic",sans-serif}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.org{margin:0;color:#4a525c;font-size:.9rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
h2{font-size:1.05rem;margin:1.5rem 0 .4rem}
.answer{border-left:.4rem solid #6b7480;background:#fff;padding:1rem 1.1rem;border-radius:.3rem}
.answer.exposed{border-color:#c62828}
.answer.possibly{border-color:#e08a00}
.answer.none{border-color:#2e7d32}
.headline{font-size:1.2rem;font-weight:700;margin:0 0 .5rem}
.answer p:last-child{margin-bottom:0}
ul{margin:.2rem 0;padding-left:1.3rem}
.muted{color:#4a525c}
nav{margin-top:2rem;font-size:.95rem}
a{color:#0b57d0}
`;

function kind(status: Status): 'exposed' | 'possibly' | 'none' {
  return status === 'shown' || status === 'derived' ? 'exposed' : status === 'possibly' ? 'possibly' : 'none';
}

function shell(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function list(items: readonly string[]): string {
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

export function renderAnswerPage(a: Answer): string {
  const ui = UI[a.lang];
  const colon = a.lang === 'ja' ? '：' : ': ';
  const k = kind(a.status);
  const dataHeading = a.status === 'possibly' ? ui.dataAtRisk : ui.dataShown;
  const data =
    a.fields.length === 0
      ? `<p id="fields">${escapeHtml(ui.dataNone)}</p>`
      : `<div id="fields">${list(a.fields.map((f) => f.label))}</div>` +
        (a.categories.length > 0 ? `<p class="muted">${escapeHtml(ui.kinds)}${colon}${escapeHtml(a.categories.map((c) => c.label).join(a.lang === 'ja' ? '、' : ', '))}</p>` : '');
  const when =
    a.times.firstText === null || a.times.lastText === null
      ? escapeHtml(ui.noExposure)
      : a.times.firstText === a.times.lastText
        ? escapeHtml(a.times.firstText)
        : `${escapeHtml(a.times.firstText)} – ${escapeHtml(a.times.lastText)}`;
  const body = `<p class="org">${escapeHtml(a.organisation)} · ${escapeHtml(a.title)}</p>
<h1>${escapeHtml(ui.heading)}</h1>
<section class="answer ${k}" data-status="${a.status}">
<p id="headline" class="headline">${escapeHtml(a.headline)}</p>
<p id="details">${escapeHtml(a.details)}</p>
</section>
<h2>${escapeHtml(dataHeading)}</h2>
${data}
<h2>${escapeHtml(ui.when)}</h2>
<p id="times">${when}</p>
<p class="muted">${escapeHtml(ui.checked)}${colon}${escapeHtml(a.window.fromText)} – ${escapeHtml(a.window.toText)}</p>
<h2>${escapeHtml(ui.measures)}</h2>
${list(a.measures)}
<h2>${escapeHtml(ui.youCanDo)}</h2>
<p>${escapeHtml(a.advice)}</p>
<h2>${escapeHtml(ui.contact)}</h2>
<p id="contact">${escapeHtml(a.contact)}</p>
<nav><a href="?lang=${ui.other.lang}" hreflang="${ui.other.lang}" lang="${ui.other.lang}">${escapeHtml(ui.other.label)}</a></nav>`;
  return shell(a.lang, `${ui.heading} · ${a.organisation}`, body);
}

/** The page for 401, 404 and 429: a heading and one message, nothing about anyone. */
export function renderMessagePage(lang: Lang, message: string): string {
  const ui = UI[lang];
  return shell(lang, ui.heading, `<h1>${escapeHtml(ui.heading)}</h1>
<section class="answer">
<p id="headline" class="headline">${escapeHtml(message)}</p>
</section>`);
}
