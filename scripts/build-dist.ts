/**
 * Builds `dist/`: the sources with their types stripped (Node's own `stripTypeScriptTypes`) and
 * relative `.ts` import specifiers rewritten to `.js`. Node does not strip types under
 * node_modules, so an installed package runs `dist/`; a clone runs `src/` directly.
 * Runs on `npm pack` / `npm publish` (prepack). Usage: node scripts/build-dist.ts [outDir]
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Folders whose .ts files the CLI loads at run time. */
const SOURCES = ['src', 'lab'];

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) yield p;
  }
}

/** `from './x.ts'`, `import('./x.ts')`, `new URL('./x.ts', ...)` → `.js` (relative specifiers only). */
export function rewriteSpecifiers(code: string): string {
  return code.replace(/(['"])(\.{1,2}\/[^'"\n]*?)\.ts\1/g, '$1$2.js$1');
}

export function buildDist(outDir = join(ROOT, 'dist')): number {
  rmSync(outDir, { recursive: true, force: true });
  let count = 0;
  for (const top of SOURCES) {
    const base = join(ROOT, top);
    // Non-TypeScript assets (nginx/VCL scenario templates, ...) are copied as they are.
    cpSync(base, join(outDir, top), { recursive: true, filter: (src) => statSync(src).isDirectory() || !src.endsWith('.ts') });
    for (const file of tsFiles(base)) {
      const js = rewriteSpecifiers(stripTypeScriptTypes(readFileSync(file, 'utf8'), { mode: 'strip' }));
      const target = join(outDir, relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, js);
      count++;
    }
  }
  return count;
}

if (import.meta.main) {
  const out = process.argv[2] ?? join(ROOT, 'dist');
  console.log(`dist: ${buildDist(out)} modules stripped into ${relative(process.cwd(), out) || '.'}`);
}
