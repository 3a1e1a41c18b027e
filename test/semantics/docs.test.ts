/** docs/semantics.md carries the matrix and the profile reference exactly as the code renders them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DOCS_PATH, refreshGeneratedBlocks, renderMatrix } from '../../src/semantics/render-matrix.ts';

describe('docs/semantics.md', () => {
  const doc = readFileSync(DOCS_PATH, 'utf8');
  it('has the rendered migration matrix', () => {
    assert.ok(doc.includes(renderMatrix()));
  });
  it('is up to date (npm run docs)', () => {
    assert.equal(refreshGeneratedBlocks(doc), doc);
  });
});
