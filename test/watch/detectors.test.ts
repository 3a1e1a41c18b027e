/**
 * The detector tester: every detector's bad examples must yield exactly the listed message ids (in
 * order) and its good examples none; the registry must be sorted and match the folder, and every
 * detector must be documented.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileRoutes } from '../../src/core/glob.ts';
import { DEFAULT_DETECTION, type DetectorDefinition, type DetectorExample } from '../../src/watch/detectors/define.ts';
import { DETECTORS } from '../../src/watch/detectors/index.ts';
import { DetectionEngine, type Finding } from '../../src/watch/engine.ts';

const PERSONALIZED = compileRoutes(['/mypage*', '/orders*', '/transactions/*', '/api/me*', '/api/orders*']);

export function runExample(def: DetectorDefinition, ex: DetectorExample): Finding[] {
  const found: Finding[] = [];
  const engine = new DetectionEngine({
    personalized: PERSONALIZED,
    detection: DEFAULT_DETECTION,
    detectors: [def],
    mode: 'replay',
    onFinding: (f) => found.push(f),
  });
  for (const e of ex.events) engine.push(e, 'example');
  engine.tick(true);
  return found;
}

for (const def of DETECTORS) {
  describe(def.id, () => {
    assert.ok(def.examples.bad.length > 0 && def.examples.good.length > 0, `${def.id} needs bad and good examples`);
    for (const ex of def.examples.bad) {
      it(`reports: ${ex.name}`, () => {
        const found = runExample(def, ex);
        assert.deepEqual(found.map((f) => f.messageId), ex.expect);
        for (const f of found) {
          assert.equal(f.rule, def.id);
          assert.equal(f.severity, def.severity);
          assert.ok(f.evidence.length > 0);
          if (def.crossIdentity && f.owner !== undefined) assert.notEqual(f.owner, f.viewer, 'a cross-identity finding names two identities');
        }
      });
    }
    for (const ex of def.examples.good) {
      it(`stays silent: ${ex.name}`, () => assert.deepEqual(runExample(def, ex), []));
    }
  });
}

describe('detector registry', () => {
  it('is sorted by id and matches the files in src/watch/detectors/', () => {
    const ids = DETECTORS.map((d) => d.id);
    assert.deepEqual(ids, [...ids].sort());
    const files = readdirSync(new URL('../../src/watch/detectors/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'define.ts')
      .map((f) => `watch/${f.replace(/\.ts$/, '')}`)
      .sort();
    assert.deepEqual(ids, files);
  });
  it('every detector has docs, a fix and at least one message', () => {
    for (const d of DETECTORS) {
      assert.ok(d.docs.title && d.docs.description && d.docs.fix, d.id);
      assert.ok(Object.keys(d.messages).length > 0, d.id);
    }
  });
});
