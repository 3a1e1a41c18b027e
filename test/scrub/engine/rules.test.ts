/**
 * Meta-tests over the scrub rule registry (the ESLint pattern): sorted, one module per rule with a
 * matching id, docs filled in, and every example behaves: a bad example yields exactly the listed
 * findings, a good one none at the default redaction threshold (`medium`).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findInText } from '../../../src/scrub/engine.ts';
import { SCRUB_RULES } from '../../../src/scrub/rules.ts';
import { FINDING_TYPES } from '../../../src/scrub/types.ts';

describe('scrub rule registry', () => {
  it('is sorted by id, covers every finding type once, and matches src/scrub/detectors/', () => {
    const ids = SCRUB_RULES.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual(SCRUB_RULES.map((r) => r.type).sort(), [...FINDING_TYPES].sort());
    const files = readdirSync(new URL('../../../src/scrub/detectors/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'define.ts')
      .map((f) => `scrub/${f.replace(/\.ts$/, '')}`)
      .sort();
    assert.deepEqual(ids, files);
    for (const r of SCRUB_RULES) assert.equal(r.id, `scrub/${r.type}`);
  });

  for (const rule of SCRUB_RULES) {
    describe(rule.id, () => {
      it('has docs and at least one bad and one good example', () => {
        assert.ok(rule.docs.title && rule.docs.description && rule.docs.fix && rule.docs.references.length > 0);
        assert.ok(rule.examples.bad.length > 0 && rule.examples.good.length > 0);
      });
      for (const ex of rule.examples.bad) {
        it(`bad: ${ex.text}`, () => {
          const got = findInText(ex.text).map((f) => ({ type: f.type, confidence: f.confidence, masked: f.masked, rule: f.rule }));
          const want = ex.expect ?? [];
          assert.equal(got.length, want.length, JSON.stringify(got));
          want.forEach((w, k) => {
            assert.equal(got[k]!.type, w.type);
            assert.equal(got[k]!.confidence, w.confidence);
            assert.equal(got[k]!.rule, `scrub/${w.type}`);
            if (w.masked !== undefined) assert.equal(got[k]!.masked, w.masked);
          });
          assert.ok(got.some((f) => f.type === rule.type), 'the rule itself fires');
        });
      }
      for (const ex of rule.examples.good) {
        it(`good: ${ex.text}`, () => {
          assert.deepEqual(findInText(ex.text, { minConfidence: 'medium' }), []);
        });
      }
    });
  }
});
