/**
 * The cloudfront rules on their fixture cases (test/verify/fixtures/rules/cloud/cloudfront/<rule>/<case>/):
 * each case yields exactly the findings its expect.json lists, for every cloudfront rule at once; a
 * `.bad` case includes a finding of its folder's rule, a `.good` case none. Every rule has at
 * least one case of each kind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUDFRONT_RULES } from '../../../../src/verify/rules/cloudfront/index.ts';
import { cloudCases, runCloud } from '../cloudflare/cloud-fixtures.ts';

const cases = cloudCases('cloudfront');

describe('cloudfront rule fixtures', () => {
  it('every cloudfront rule has a fixture folder with a bad and a good case, and every folder names a rule', () => {
    const ids = CLOUDFRONT_RULES.map((r) => r.id.split('/').pop());
    assert.deepEqual([...new Set(cases.map((c) => c.rule))].sort(), [...ids].sort());
    for (const id of ids) {
      assert.ok(cases.some((c) => c.rule === id && c.kind === 'bad'), `${id}: a .bad case`);
      assert.ok(cases.some((c) => c.rule === id && c.kind === 'good'), `${id}: a .good case`);
    }
  });
  for (const c of cases) {
    it(`${c.rule}/${c.name}: exactly the expected findings`, () => {
      const found = runCloud('cloudfront', c.dir, CLOUDFRONT_RULES, c.expect);
      assert.deepEqual(found, c.expect.findings);
      const own = found.filter((f) => f.startsWith(`verify/cloudfront/${c.rule} `));
      if (c.kind === 'bad') assert.ok(own.length > 0, 'a bad case reports its rule');
      else assert.deepEqual(own, [], 'a good case does not report its rule');
    });
  }
});
