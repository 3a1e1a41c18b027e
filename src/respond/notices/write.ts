/**
 * `writeNotices`: one notice per person of a scope report, as a plain-text and an HTML e-mail
 * body, in `<outDir>/<status>/<id without "h:">.{txt,html}`, plus `index.csv` (id, status, files)
 * and `summary.txt` (counts). People not affected get a notice only with `includeUnaffected`.
 * A notice holds only the reader's own data and the incident facts: never anyone else's id.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CwError } from '../../core/errors.ts';
import { isIdentityHash, type IdentityHash } from '../../core/identity.ts';
import { REPORT_VERSION, STATUSES, type PersonEntry, type ScopeReport, type Status } from '../types.ts';
import { valuesFor } from './placeholders.ts';
import { escapeHtml, renderTemplate, type RenderOptions } from './template.ts';
import { loadTemplates, templateFor } from './templates.ts';
import { wrapText } from './wrap.ts';
import { LANGS, type Lang } from './words.ts';

export interface NoticesOptions {
  lang: Lang;
  outDir: string;
  /** Also write the short "not exposed" notice for people not affected. Default false. */
  includeUnaffected?: boolean;
  /** A folder of edited templates (see `initTemplates`); default the built-in ones. */
  templatesDir?: string;
  /** Clock for the notice date and summary (ms since the epoch). */
  now?: () => number;
}

export interface NoticesResult {
  /** People who got a notice. */
  written: number;
  byStatus: Record<Status, number>;
  /** Files written, relative to `outDir`, `/`-separated: each notice's .txt and .html in report order, then index.csv and summary.txt. */
  files: string[];
  /** Absolute output folder. */
  outDir: string;
}

/** The rule whose finding means a cached Set-Cookie handed the owner's session to someone else. */
const SESSION_RULE = 'watch/cached-set-cookie';

const LIST_STYLE = 'margin:0 0 16px 0;padding-left:24px;';
const ITEM_STYLE = 'margin:0 0 6px 0;';

function renderOptions(lang: Lang): { txt: RenderOptions; html: RenderOptions } {
  const bullet = lang === 'ja' ? '・' : '- ';
  return {
    txt: { escape: (s) => s, list: (items) => items.map((i) => bullet + i).join('\n') },
    html: {
      escape: escapeHtml,
      list: (items) => `<ul style="${LIST_STYLE}">\n${items.map((i) => `<li style="${ITEM_STYLE}">${escapeHtml(i)}</li>`).join('\n')}\n</ul>`,
    },
  };
}

function bad(problem: string): never {
  throw new CwError('CW_INPUT_UNREADABLE', `scope report: ${problem}; give the JSON that \`cachewarden scope\` wrote`);
}

/** The checks a notice writer needs before it names files after ids. */
function checkReport(report: ScopeReport): void {
  if (report === null || typeof report !== 'object') bad('not a JSON object');
  if (report.version !== REPORT_VERSION) bad(`version ${JSON.stringify(report.version)} is not ${REPORT_VERSION}`);
  if (!Array.isArray(report.people)) bad('"people" is missing');
  if (report.incident === null || typeof report.incident !== 'object') bad('"incident" is missing');
  if (typeof report.window?.from !== 'string' || typeof report.window?.to !== 'string') bad('"window" is missing');
  const seen = new Set<string>();
  report.people.forEach((p: PersonEntry, i) => {
    if (typeof p?.id !== 'string' || !isIdentityHash(p.id)) bad(`people[${i}].id is not an identity hash (h: and 22 characters)`);
    if (!(STATUSES as readonly string[]).includes(p.status)) bad(`people[${i}].status ${JSON.stringify(p.status)} is not one of ${STATUSES.join(', ')}`);
    if (typeof p.active?.first !== 'string' || typeof p.active?.last !== 'string') bad(`people[${i}].active is missing`);
    if (seen.has(p.id)) bad(`people[${i}] repeats the id of an earlier entry`);
    seen.add(p.id);
  });
}

function write(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; check the folder and its permissions`, { cause: e });
  }
}

export function writeNotices(report: ScopeReport, opts: NoticesOptions): NoticesResult {
  if (!(LANGS as readonly string[]).includes(opts.lang)) {
    throw new CwError('CW_USAGE_BAD_FLAG', `--lang ${JSON.stringify(opts.lang)}: write one of ${LANGS.join(', ')}`);
  }
  checkReport(report);
  const lang = opts.lang;
  const templates = loadTemplates(opts.templatesDir, [lang]);
  const nowMs = (opts.now ?? Date.now)();
  const outDir = resolve(opts.outDir);

  let existing: string[] = [];
  try {
    existing = readdirSync(outDir);
  } catch {
    // Does not exist yet: made below.
  }
  if (existing.length > 0) {
    throw new CwError('CW_USAGE_BAD_FLAG', `--out ${outDir} is not empty; give a new folder, so old notices are not mixed with these`);
  }
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `cannot create ${outDir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }

  const sessionOwners = new Set<IdentityHash>();
  for (const pair of report.pairs ?? []) if (pair.rule === SESSION_RULE) sessionOwners.add(pair.owner);

  const render = renderOptions(lang);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const files: string[] = [];
  const index = ['id,status,files'];
  const made = new Set<Status>();
  let skipped = 0;

  for (const person of report.people) {
    if (person.status === 'not-affected' && opts.includeUnaffected !== true) {
      skipped++;
      continue;
    }
    if (!made.has(person.status)) {
      mkdirSync(join(outDir, person.status), { recursive: true });
      made.add(person.status);
    }
    const values = valuesFor(report, person, lang, nowMs, sessionOwners);
    const base = `${person.status}/${person.id.slice(2)}`;
    let txt = renderTemplate(templateFor(templates, lang, person.status, 'txt'), values, render.txt);
    if (lang === 'en') txt = wrapText(txt);
    const html = renderTemplate(templateFor(templates, lang, person.status, 'html'), values, render.html);
    write(join(outDir, `${base}.txt`), txt);
    write(join(outDir, `${base}.html`), html);
    files.push(`${base}.txt`, `${base}.html`);
    index.push(`${person.id},${person.status},${base}.txt ${base}.html`);
    byStatus[person.status]++;
  }

  const written = STATUSES.reduce((n, s) => n + byStatus[s], 0);
  write(join(outDir, 'index.csv'), `${index.join('\n')}\n`);
  const summary = [
    'cachewarden notices',
    `Language: ${lang}`,
    `Written at: ${new Date(nowMs).toISOString()}`,
    `Report window: ${report.window.from} to ${report.window.to}`,
    `Templates: ${opts.templatesDir === undefined ? 'built-in' : templates.dir}`,
    `Notices: ${written}`,
    ...STATUSES.map((s) => `  ${s}: ${byStatus[s]}`),
    ...(skipped > 0 ? [`Not written: ${skipped} not-affected (add --include-unaffected to write them)`] : []),
  ];
  write(join(outDir, 'summary.txt'), `${summary.join('\n')}\n`);
  files.push('index.csv', 'summary.txt');
  return { written, byStatus, files, outDir };
}
