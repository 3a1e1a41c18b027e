/** Docs that are generated from code must match the code (run `npm run docs` to refresh). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED_DOCS } from '../../scripts/gen-docs.ts';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { ROOT } from '../helpers/cli.ts';

describe('generated docs are current', () => {
  for (const [file, render] of Object.entries(GENERATED_DOCS)) {
    it(`${file} matches its source (npm run docs)`, () => {
      assert.equal(readFileSync(`${ROOT}${file}`, 'utf8'), render());
    });
  }
  it('docs/rules/ holds exactly the generated rule pages (no page for a removed rule)', () => {
    const onDisk = readdirSync(`${ROOT}docs/rules`).map((f) => `docs/rules/${f}`).sort();
    const generated = Object.keys(GENERATED_DOCS).filter((f) => f.startsWith('docs/rules/')).sort();
    assert.deepEqual(onDisk, generated);
  });

  it('every error code is documented, and every documented code exists', () => {
    const doc = readFileSync(`${ROOT}docs/errors.md`, 'utf8');
    const documented = new Set([...doc.matchAll(/`(CW_[A-Z_]+)`/g)].map((m) => m[1]));
    assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
  });
});
