/** The technique registry: sorted, matching the files, every technique documented. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TECHNIQUES } from '../../src/probe/techniques/index.ts';
import { confusionVariants } from '../../src/probe/techniques/path-confusion.ts';
import { pathsFromGlobs, selectTechniques } from '../../src/probe/runner.ts';

describe('probe technique registry', () => {
  it('is sorted by id and matches the files in src/probe/techniques/', () => {
    const ids = TECHNIQUES.map((t) => t.id);
    assert.deepEqual(ids, [...ids].sort());
    const files = readdirSync(new URL('../../src/probe/techniques/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && !['index.ts', 'result.ts'].includes(f))
      .map((f) => `probe/${f.replace(/\.ts$/, '')}`)
      .sort();
    assert.deepEqual(ids, files);
  });
  it('every technique has a title, a description, a fix and references', () => {
    for (const t of TECHNIQUES) assert.ok(t.title && t.docs.description && t.docs.fix && t.docs.references.length > 0, t.id);
  });
  it('an unknown technique id is a one-line usage error with a suggestion', () => {
    assert.throws(() => selectTechniques(['probe/concurent-race']), /unknown technique "probe\/concurent-race"; did you mean "probe\/concurrent-race"\?/);
  });
});

describe('probe helpers', () => {
  it('derives concrete paths from personalized globs', () => {
    assert.deepEqual(pathsFromGlobs(['/mypage*', '/api/me', '/transactions/*', '/a/*/b', '/orders*']), ['/mypage', '/api/me', '/orders']);
  });
  it('deception variants keep the query after the confusing suffix and are unique each time', () => {
    const a = confusionVariants('/mypage?tab=2');
    const b = confusionVariants('/mypage?tab=2');
    assert.equal(a.length, 11);
    assert.ok(a.every((v) => v.url.includes('tab=2')));
    assert.match(a[0]!.url, /^\/mypage\/[0-9a-f]{10}\.css\?tab=2$/);
    assert.ok(a.every((v, i) => v.url !== b[i]!.url));
  });
});
