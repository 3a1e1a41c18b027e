/**
 * The Fastly rules on their fixture files (test/verify/fixtures/rules/vcl/fastly/<problem>/):
 * every rule has at least one bad and one good case; a bad case reports exactly the findings its
 * `# expect:` markers list (message id and line, in order), a good case nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FASTLY_RULES } from '../../../../src/verify/rules/fastly/index.ts';
import { fixtureCases, runFixture } from '../varnish/vcl-fixtures.ts';

for (const rule of FASTLY_RULES) {
  const dir = `fastly/${rule.id.split('/').pop()}`;
  const cases = fixtureCases(dir);
  describe(`${rule.id} fixtures`, () => {
    it('has at least one bad and one good case, each bad case listing known message ids', () => {
      assert.ok(cases.some((c) => c.kind === 'bad') && cases.some((c) => c.kind === 'good'), dir);
      for (const c of cases) {
        if (c.kind === 'bad') assert.ok(c.expect.length > 0, `${c.name}: a bad case marks what it reports`);
        else assert.deepEqual(c.expect, [], `${c.name}: a good case expects nothing`);
        for (const e of c.expect) assert.ok(e.messageId in rule.messages, `${c.name}: unknown messageId ${e.messageId}`);
      }
    });
    for (const c of cases) {
      it(`${c.kind === 'bad' ? 'reports' : 'does not report'}: ${c.name}`, () => {
        const found = runFixture(rule, c.file, 'fastly', c.settings);
        if (c.kind === 'bad') assert.deepEqual(found.map((f) => ({ messageId: f.messageId, line: f.line })), c.expect);
        else assert.deepEqual(found.map((f) => `${f.messageId} ${f.line}: ${f.message}`), []);
      });
    }
  });
}
