/**
 * The real VCL compiler accepts every Varnish rule example and fixture (`varnishd -C`), so the
 * rules are tested on VCL that Varnish would load. Skipped when varnishd is not installed (the
 * reader's own varnishd test fails in CI when it is missing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findBinary } from '../../../../lab/engines/binaries.ts';
import { VARNISH_RULES } from '../../../../src/verify/rules/varnish/index.ts';
import { FIXTURE_ROOT } from './vcl-fixtures.ts';

const varnishd = findBinary('varnishd');
const skip = varnishd ? false : 'varnishd is not installed';
const tmp = mkdtempSync(join(tmpdir(), 'cw-vcl-rules-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes the files into a folder varnishd can read after dropping privileges and compiles the first. */
function compile(files: Record<string, string>): string {
  chmodSync(tmp, 0o755);
  const dir = mkdtempSync(join(tmp, 'case-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text, { mode: 0o644 });
  }
  const main = join(dir, Object.keys(files)[0]!);
  const r = spawnSync(varnishd!, ['-C', '-n', join(tmp, 'work'), '-p', `vcl_path=${dir}`, '-f', main], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return r.status === 0 ? '' : (r.stderr || `exit ${r.status}`).split('\n').slice(0, 20).join('\n');
}

describe('varnishd -C accepts the Varnish rule examples and fixtures', () => {
  for (const rule of VARNISH_RULES) {
    for (const ex of [...rule.examples.bad, ...rule.examples.good]) {
      it(`${rule.id}: ${ex.name}`, { skip }, () => assert.equal(compile(ex.files), ''));
    }
  }
  const root = join(FIXTURE_ROOT, 'varnish');
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      it(`fixture ${folder}/${file}`, { skip }, () => assert.equal(compile({ [file]: readFileSync(join(root, folder, file), 'utf8') }), ''));
    }
  }
});
