/**
 * Rewrites the generated parts of docs/log-recipes.md (parsed-event examples, default field maps)
 * from the adapters. Run by hand after changing an adapter: `npx node test/watch/adapters/refresh-docs.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { refreshDoc } from './doc-examples.ts';

const path = new URL('../../../docs/log-recipes.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = refreshDoc(before);
writeFileSync(path, after);
console.log(before === after ? 'docs/log-recipes.md: up to date' : 'docs/log-recipes.md: refreshed');
