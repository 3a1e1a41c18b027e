/**
 * Acceptance on the lab's scenario configurations: every leaking configuration S1–S6 (nginx and
 * VCL) is flagged at high or critical with a reason naming the directive, both when the origin's
 * headers are declared as the scenario's origin sends them and when nothing is declared (the worst
 * realistic origin); SAFE yields no finding at high or above either way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atLeast } from '../../src/core/severity.ts';
import { runVerify } from '../../src/verify/engine.ts';
import { loadTarget } from '../../src/verify/load.ts';
import { VERIFY_RULES } from '../../src/verify/rules/index.ts';
import { makeSettings } from '../../src/verify/settings.ts';
import { LAB_PERSONALIZED_GLOBS, PERSONALIZED_HEADERS } from '../../lab/origin/index.ts';
import { SCENARIO_IDS, SCENARIOS, type ScenarioId } from '../../lab/scenarios/registry.ts';

const ENGINES = (process.env['CW_VERIFY_LAB_ENGINES'] ?? 'nginx,varnish').split(',') as Array<'nginx' | 'varnish'>;

export function verifyScenario(id: ScenarioId, engine: 'nginx' | 'varnish', declared: boolean) {
  const s = SCENARIOS[id];
  const headers = PERSONALIZED_HEADERS[s.origin.personalizedHeaders ?? 'private'];
  const settings = makeSettings({
    personalized: LAB_PERSONALIZED_GLOBS,
    identity: { cookies: ['sid'] },
    host: 'shop.example.test',
    origin: declared ? Object.fromEntries(LAB_PERSONALIZED_GLOBS.map((g) => [g, headers])) : {},
  });
  const file = s.engines[engine].file;
  assert.ok(file, `${id} has a ${engine} config`);
  const model = loadTarget(file, { identity: settings.identity });
  return runVerify([model], settings, { rules: VERIFY_RULES, now: Date.parse('2026-11-21T12:00:00Z') });
}

/** A directive or VCL statement named in the message or a related line, e.g. `proxy_ignore_headers` or `return (hash)`. */
function namesDirective(f: { message: string; related: ReadonlyArray<{ text: string }> }): boolean {
  return /proxy_\w+|expires|add_header|return \(|set beresp|unset |hash_data|sub vcl_/.test(`${f.message} ${f.related.map((r) => r.text).join(' ')}`);
}

for (const engine of ENGINES) {
  for (const declared of [true, false]) {
    describe(`verify the lab's ${engine} configurations (${declared ? 'origin headers declared' : 'nothing declared: worst realistic origin'})`, () => {
      for (const id of SCENARIO_IDS) {
        if (id === 'SAFE') {
          it('SAFE: no finding at high or above', () => {
            const r = verifyScenario(id, engine, declared);
            assert.deepEqual(r.findings.filter((f) => atLeast(f.severity, 'high')).map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`), []);
          });
          continue;
        }
        it(`${id}: flagged at high or critical, naming the directive`, () => {
          const r = verifyScenario(id, engine, declared);
          const serious = r.findings.filter((f) => atLeast(f.severity, 'high'));
          assert.ok(serious.length > 0, `${id}/${engine}: no finding at high or above; got ${r.findings.map((f) => `${f.severity} ${f.rule}`).join(', ') || 'none'}`);
          assert.ok(serious.some(namesDirective), `${id}/${engine}: no serious finding names a directive: ${serious.map((f) => f.message).join(' | ')}`);
          assert.ok(serious.every((f) => f.file.endsWith('.conf') || f.file.endsWith('.vcl')), 'findings point into the configuration');
        });
      }
    });
  }
}
