/**
 * The real VCL compiler agrees with our fixtures: `varnishd -C` accepts the realistic Varnish
 * fixture (also after rewriting its backends through backendSpans) and the generated benchmark
 * VCL. Skipped when varnishd is not installed; a failure when CI is set and it is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bigVcl } from '../../../bench/fixtures/vcl.ts';
import { findBinary } from '../../../lab/engines/binaries.ts';
import { backendSpans, loadVcl, loadVclSource } from '../../../src/verify/vcl/index.ts';

const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/vcl/varnish/', import.meta.url));
const varnishd = findBinary('varnishd');
const skip = varnishd ? false : 'varnishd is not installed';
const tmp = mkdtempSync(join(tmpdir(), 'cw-vcl-varnishd-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A directory varnishd can read after dropping privileges (run as root it compiles as its own user). */
function readableDir(prefix: string): string {
  chmodSync(tmp, 0o755);
  const dir = mkdtempSync(join(tmp, prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Compiles with `varnishd -C`; returns the compiler's complaint, or '' when accepted. */
function compile(dir: string, main: string): string {
  const r = spawnSync(varnishd!, ['-C', '-n', join(tmp, 'work'), '-p', `vcl_path=${dir}`, '-f', join(dir, main)], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return r.status === 0 ? '' : (r.stderr || `exit ${r.status}`).split('\n').slice(0, 30).join('\n');
}

describe('varnishd -C', () => {
  it('varnishd is available in CI', { skip: !varnishd && !process.env.CI ? 'varnishd is not installed (outside CI)' : false }, () => {
    assert.ok(varnishd, 'CI must install varnishd to check the VCL fixtures against the real compiler');
  });

  it('accepts the realistic Varnish fixture', { skip }, () => {
    assert.equal(compile(FIXTURE_DIR, 'main.vcl'), '');
  });

  it('accepts the fixture after its backends are rewritten through backendSpans', { skip }, () => {
    const m = loadVcl(join(FIXTURE_DIR, 'main.vcl'));
    const dir = readableDir('rewritten-');
    for (const file of m.files) {
      let text = readFileSync(file, 'utf8');
      const spans = backendSpans(m).filter((b) => b.file === file).sort((a, b) => b.start - a.start);
      for (const b of spans) {
        text = text.slice(0, b.port!.start) + '"9999"' + text.slice(b.port!.end);
        text = text.slice(0, b.host!.start) + '"127.0.0.2"' + text.slice(b.host!.end);
      }
      writeFileSync(join(dir, file.slice(FIXTURE_DIR.length)), text);
    }
    assert.equal(compile(dir, 'main.vcl'), '');
    const again = loadVcl(join(dir, 'main.vcl'));
    assert.deepEqual(backendSpans(again).map((b) => [b.host?.value, b.port?.value]), [['127.0.0.2', '9999'], ['127.0.0.2', '9999'], ['127.0.0.2', '9999']]);
  });

  it('accepts the generated benchmark VCL, which our parser reads too', { skip }, () => {
    const { main, files } = bigVcl(1500);
    const dir = readableDir('big-');
    writeFileSync(join(dir, 'main.vcl'), main);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    assert.equal(compile(dir, 'main.vcl'), '');
    const m = loadVclSource(main, join(dir, 'main.vcl'));
    assert.equal(m.files.length, Object.keys(files).length + 1);
  });
});
