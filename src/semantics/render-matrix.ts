/**
 * Renders the generated parts of docs/semantics.md: the migration matrix (config-semantics.md §1.8)
 * as this implementation answers it, and the profile reference (defaults, options, rule tables).
 *
 *   node src/semantics/render-matrix.ts           print the matrix
 *   npm run docs   refresh the generated blocks of docs/semantics.md (and the other generated pages)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { explain, getProfile } from './index.ts';
import { MATRIX_COLUMNS, MATRIX_NOW, MATRIX_ROWS, matrixRequest, matrixResponse, type MatrixColumn, type MatrixRow } from './matrix.ts';
import { PROFILE_IDS, type Answer, type Verdict } from './types.ts';

export function matrixVerdict(row: MatrixRow, col: MatrixColumn): Verdict {
  return explain(matrixRequest(row, col), matrixResponse(row), col.spec, MATRIX_NOW);
}

const unsure = (...answers: Array<Answer<unknown>>): boolean => answers.some((a) => a.reasons.some((r) => r.certainty === 'unverified'));
const cellText = (s: string): string => s.replace(/\|/g, '\\|');

/** One cell: what is stored, whether waiters get it, and the bottom line (`?` marks an unverified answer). */
export function renderCell(v: Verdict): string {
  const { store, ttl, collapse } = v.response;
  const stored =
    v.request.action.value === 'pass'
      ? 'pass'
      : store.value === 'store'
        ? `stored ${ttl.value} s`
        : store.value === 'no-store'
          ? 'not stored'
          : store.value === 'hit-for-pass'
            ? 'HFP'
            : 'HFM';
  const waiters = collapse.value === 'share' ? ', waiters get it' : collapse.value === 'serialize' ? ', waiters serialised' : '';
  const line = v.sharedAcrossIdentities.value;
  const bottom = line === 'yes' ? '**shared**' : line === 'collapsing-only' ? '**shared via collapsing**' : 'not shared';
  const mark = unsure(v.sharedAcrossIdentities, collapse, store) ? ' ?' : '';
  return `${stored}${waiters} → ${bottom}${mark}`;
}

/** The matrix as a Markdown table: one row per origin header profile, one column per engine. */
export function renderMatrix(): string {
  const header = `| Origin sends | ${MATRIX_COLUMNS.map((c) => cellText(c.label)).join(' | ')} |`;
  const rule = `|---|${MATRIX_COLUMNS.map(() => '---').join('|')}|`;
  const rows = MATRIX_ROWS.map((row) => `| ${row.label} | ${MATRIX_COLUMNS.map((col) => renderCell(matrixVerdict(row, col))).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** Every profile: summary, options with defaults, and the rule table a newcomer reads. */
export function renderProfiles(): string {
  const out: string[] = [];
  for (const id of PROFILE_IDS) {
    const p = getProfile(id);
    out.push(`### \`${id}\` — ${p.title}`, '', p.summary, '', '| Option | Default | Meaning |', '|---|---|---|');
    for (const o of p.options) out.push(`| \`${o.name}\` | \`${cellText(o.default)}\` | ${cellText(o.meaning)} |`);
    out.push('', `<details><summary>Rule table (${p.rules.length} rules)</summary>`, '', '| Rule | Certainty | Source | Reason text |', '|---|---|---|---|');
    for (const r of p.rules) {
      const source = r.url ? `[${cellText(r.source)}](${r.url})` : cellText(r.source);
      out.push(`| \`${r.id}\` | ${r.certainty} | ${source} | ${cellText(r.text)} |`);
    }
    out.push('', '</details>', '');
  }
  return out.join('\n').trimEnd();
}

const BLOCKS: Record<string, () => string> = { matrix: renderMatrix, profiles: renderProfiles };

/** Replaces each `<!-- generated:NAME -->` … `<!-- /generated:NAME -->` block with fresh output. */
export function refreshGeneratedBlocks(doc: string): string {
  return doc.replace(/(<!-- generated:(\w+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g, (whole, open: string, name: string, close: string) => {
    const render = BLOCKS[name];
    return render ? `${open}\n${render()}\n${close}` : whole;
  });
}

export const DOCS_PATH = fileURLToPath(new URL('../../docs/semantics.md', import.meta.url));

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--write')) writeFileSync(DOCS_PATH, refreshGeneratedBlocks(readFileSync(DOCS_PATH, 'utf8')));
  else process.stdout.write(`${renderMatrix()}\n`);
}
