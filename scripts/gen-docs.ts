/** Regenerates the docs pages that are derived from code (`npm run docs`). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.ts';
import { renderErrorsReference } from '../src/core/errors.ts';
import { refreshGeneratedBlocks } from '../src/semantics/render-matrix.ts';
import { ruleDocs } from '../src/docs/rule-catalogue.ts';

const root = new URL('../', import.meta.url);

/** Each generated page and how to render it (pages with hand-written parts refresh only their generated blocks). */
export const GENERATED_DOCS: Record<string, () => string> = {
  'docs/config.md': renderConfigReference,
  'docs/errors.md': renderErrorsReference,
  'docs/semantics.md': () => refreshGeneratedBlocks(readFileSync(new URL('docs/semantics.md', root), 'utf8')),
  ...Object.fromEntries(Object.entries(ruleDocs()).map(([file, text]) => [file, () => text])),
};

if (import.meta.main) {
  for (const [file, render] of Object.entries(GENERATED_DOCS)) {
    mkdirSync(new URL('.', new URL(file, root)), { recursive: true });
    writeFileSync(new URL(file, root), render());
    console.log(`wrote ${file}`);
  }
}
