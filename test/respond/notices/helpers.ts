/**
 * Shared helpers for the notices tests: the fixture report, temporary folders, and reading a
 * notice's first sentence the way a reader meets it (HTML stripped, whitespace collapsed).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { ScopeReport } from '../../../src/respond/types.ts';

export const FIXTURE = new URL('../fixtures/notices-report.json', import.meta.url);

/** A fresh copy of the fixture report (tests may change it). */
export function fixture(): ScopeReport {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as ScopeReport;
}

/** A temporary folder removed after the file's tests. */
export function tempDir(prefix = 'cw-notices-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Visible text of an HTML e-mail body: no head, no tags, entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/i, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text up to and including the first `.` or `。`. */
export function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^[^.。]*[.。]/.exec(flat);
  return m === null ? flat : m[0];
}

/** Every file under `dir`, relative, `/`-separated, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out.sort();
}
