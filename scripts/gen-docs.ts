/** Regenerates the docs pages that are derived from code (`npm run docs`). */
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.ts';
import { renderErrorsReference } from '../src/core/errors.ts';

export const GENERATED_DOCS: Record<string, () => string> = {
  'docs/config.md': renderConfigReference,
  'docs/errors.md': renderErrorsReference,
};

if (import.meta.main) {
  const root = new URL('../', import.meta.url);
  for (const [file, render] of Object.entries(GENERATED_DOCS)) {
    writeFileSync(new URL(file, root), render());
    console.log(`wrote ${file}`);
  }
}
