/**
 * Every verify rule's examples, run through the real readers and engine: a bad example reports
 * exactly the listed findings (message id and line in the main file, in order) and nothing else;
 * a good example reports nothing. Plus the registry checks: sorted, ids match files, each rule has
 * both kinds of example, docs and fix text.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { VERIFY_RULES } from '../../../src/verify/rules/index.ts';
import { runExample } from './harness.ts';

const ROOT = new URL('../../../src/verify/rules/', import.meta.url);

describe('verify rule registry', () => {
  it('is sorted by id, and every id is verify/<target>/<problem> matching src/verify/rules/<target>/<problem>.ts', () => {
    const ids = VERIFY_RULES.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort());
    const files = readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(new URL(`${d.name}/`, ROOT)).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => `verify/${d.name}/${f.replace(/\.ts$/, '')}`));
    assert.deepEqual([...files].sort(), [...ids].sort());
  });

  it('every rule has docs, a fix, at least one bad and one good example, and each bad example lists its findings', () => {
    for (const r of VERIFY_RULES) {
      assert.ok(r.docs.title && r.docs.description.length > 80 && r.docs.fix.length > 20, r.id);
      assert.ok(r.docs.references.length > 0, `${r.id}: references`);
      assert.ok(r.examples.bad.length > 0 && r.examples.good.length > 0, `${r.id}: needs a bad and a good example`);
      for (const ex of r.examples.bad) {
        assert.ok(ex.expect && ex.expect.length > 0, `${r.id} "${ex.name}": a bad example lists what it reports`);
        for (const e of ex.expect) assert.ok(e.messageId in r.messages, `${r.id}: unknown messageId ${e.messageId}`);
      }
      for (const ex of r.examples.good) assert.equal(ex.expect, undefined, `${r.id} "${ex.name}": a good example expects nothing`);
      const names = [...r.examples.bad, ...r.examples.good].map((e) => e.name);
      assert.equal(new Set(names).size, names.length, `${r.id}: duplicate example names`);
    }
  });

  it('catalogue ids are unique', () => {
    const cat = VERIFY_RULES.map((r) => r.catalogue).filter((c) => c !== undefined);
    assert.equal(new Set(cat).size, cat.length);
  });
});

for (const rule of VERIFY_RULES) {
  describe(rule.id, () => {
    for (const ex of rule.examples.bad) {
      it(`reports: ${ex.name}`, () => {
        const found = runExample(rule, ex).map((f) => ({ messageId: f.messageId, line: f.line }));
        assert.deepEqual(found, ex.expect);
      });
    }
    for (const ex of rule.examples.good) {
      it(`does not report: ${ex.name}`, () => {
        assert.deepEqual(runExample(rule, ex).map((f) => `${f.messageId} ${f.file}:${f.line} ${f.message}`), []);
      });
    }
  });
}
