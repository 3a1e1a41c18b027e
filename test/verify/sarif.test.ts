/**
 * SARIF output validates against the SARIF 2.1.0 JSON schema (the copy Microsoft's SARIF Multitool
 * package ships), and the Multitool's own `validate` reports no error on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runVerify } from '../../src/verify/engine.ts';
import { originModel } from '../../src/verify/origin.ts';
import { renderSarif } from '../../src/verify/report/sarif.ts';
import { VERIFY_RULES } from '../../src/verify/rules/index.ts';
import { makeSettings } from '../../src/verify/settings.ts';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'cw-sarif-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The Multitool platform package (linux, darwin or win32) that ships the schema and the validator. */
function multitoolDir(): string {
  for (const platform of ['linux', 'darwin', 'win32']) {
    try {
      return dirname(require.resolve(`@microsoft/sarif-multitool-${platform}/package.json`));
    } catch {
      // not installed for this platform
    }
  }
  throw new Error('@microsoft/sarif-multitool-<platform> is not installed (npm ci installs it as a devDependency)');
}

function sampleSarif(): string {
  const settings = makeSettings({
    personalized: ['/mypage*'],
    profile: { id: 'fastly' },
    origin: { '/mypage*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
    locateOrigin: () => ({ file: 'cachewarden.yaml', line: 3, column: 5 }),
  });
  const result = runVerify([originModel(settings)], settings, { rules: VERIFY_RULES, now: Date.parse('2026-11-21T12:00:00Z') });
  assert.equal(result.findings.length, 1, 'the sample has a finding to validate');
  return renderSarif(result, VERIFY_RULES, { version: '0.1.0', cwd: '/work/site' });
}

describe('verify SARIF output', () => {
  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const schema = JSON.parse(readFileSync(join(multitoolDir(), 'sarif-2.1.0.json'), 'utf8')) as Record<string, unknown>;
    assert.match(String(schema.title), /SARIF\) Version 2\.1\.0/);
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    const doc = JSON.parse(sampleSarif()) as Record<string, unknown>;
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
    // and a document the schema must refuse, so the check can fail
    assert.equal(validate({ ...doc, version: '2.0.0' }), false);
  });

  it('rules[] is the whole catalogue and each result points at its rule by index', () => {
    const doc = JSON.parse(sampleSarif()) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> };
    const run = doc.runs[0]!;
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), VERIFY_RULES.map((r) => r.id));
    for (const res of run.results) assert.equal(run.tool.driver.rules[res.ruleIndex]!.id, res.ruleId);
    assert.equal(run.results[0]!.level, 'error');
    assert.equal(run.results[0]!.locations[0]!.physicalLocation.region.startLine, 3);
  });

  it("Microsoft's SARIF Multitool validates it without errors", () => {
    const bin = join(multitoolDir(), process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool');
    assert.ok(existsSync(bin), bin);
    accessSync(bin, constants.X_OK);
    const file = join(dir, 'verify.sarif');
    writeFileSync(file, sampleSarif());
    const r = spawnSync(bin, ['validate', file, '--output', join(dir, 'validation.sarif')], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.doesNotMatch(out, /: error /, out);
  });
});
