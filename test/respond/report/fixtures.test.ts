/**
 * The hand-written report fixtures conform exactly to the ScopeReport contract (compile time
 * through the JSON imports, run time through the strict schema mirror) and are consistent: every
 * summary figure, the timeline and the by-route and by-edge counts agree with the people and pairs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ScopeReport } from '../../../src/respond/types.ts';
import emptyJson from '../fixtures/report-empty.json' with { type: 'json' };
import leakJson from '../fixtures/report-leak.json' with { type: 'json' };
import { asScopeReport, inconsistencies, type Loose } from './conform.ts';
import { LARGE_FIXTURE, largeFixtureText } from './large-fixture.ts';

// Compile time: the JSON files' inferred types fit the contract (brands and literals widened).
const leakLoose: Loose<ScopeReport> = leakJson;
const emptyLoose: Loose<ScopeReport> = emptyJson;

describe('report fixtures', () => {
  const fixtures: Array<[string, unknown]> = [
    ['report-leak.json', leakLoose],
    ['report-empty.json', emptyLoose],
    ['report-large.json', JSON.parse(readFileSync(LARGE_FIXTURE, 'utf8'))],
  ];
  for (const [name, json] of fixtures) {
    it(`${name} parses as a ScopeReport with no extra or missing keys, and its figures agree with its data`, () => {
      const report: ScopeReport = asScopeReport(json);
      assert.deepEqual(inconsistencies(report), []);
    });
  }

  it('the schema mirror rejects an extra key, a bad hash and a wrong version', () => {
    const base = structuredClone(leakJson) as Record<string, unknown>;
    assert.throws(() => asScopeReport({ ...base, extra: 1 }), /extra/);
    assert.throws(() => asScopeReport({ ...base, version: 2 }), /version/);
    const badHash = structuredClone(leakJson);
    (badHash.people[0] as { id: string }).id = 'user-42';
    assert.throws(() => asScopeReport(badHash), /identity hash/);
  });

  it('the consistency check names a figure that disagrees', () => {
    const r = asScopeReport(structuredClone(leakJson));
    r.summary.directlyIdentifying = 4;
    r.byEdge[0]!.exposures = 4;
    assert.deepEqual(inconsistencies(r), [
      'directlyIdentifying: report says 4, data gives 3',
      'byEdge exposures: report says 6, data gives 5',
      'byEdge: report says [{"key":"edge-osa-1","exposures":4,"people":2},{"key":"edge-tyo-1","exposures":2,"people":1}], data gives [{"key":"edge-osa-1","exposures":3,"people":2},{"key":"edge-tyo-1","exposures":2,"people":1}]',
    ]);
  });

  it('report-large.json is exactly what large-fixture.ts generates (3,000 people)', () => {
    assert.equal(readFileSync(LARGE_FIXTURE, 'utf8'), largeFixtureText());
    const r = asScopeReport(JSON.parse(largeFixtureText()));
    assert.deepEqual(
      [r.people.length, r.summary.shown, r.summary.derived, r.summary.possibly, r.summary.notAffected, r.summary.upperBound],
      [3000, 40, 10, 1150, 1800, 1200],
    );
  });
});
