/**
 * The published package works where Node will not strip types (under node_modules): `npm pack`
 * builds dist/ (prepack), and the packed bin runs it with the bundled runtime.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-pack-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs as node_modules/cachewarden and its bin runs the stripped build', () => {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
    const tarball = join(dir, out.trim().split('\n').pop()!);
    const modules = join(dir, 'app', 'node_modules');
    const pkg = join(modules, 'cachewarden');
    mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
    // Dependencies as npm would have installed them beside it.
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== '.bin' && name !== 'cachewarden' && !name.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    }
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    assert.match(files, /package\/dist\/src\/cli\/main\.js/);
    assert.match(files, /package\/dist\/lab\/scenarios\/nginx\/S1\.conf/);
    assert.doesNotMatch(files, /package\/test\//);

    const bin = join(pkg, 'bin', 'cachewarden');
    const env = { ...process.env, PATH: '/usr/bin:/bin' }; // no project node on PATH: the bin must find the bundled one
    assert.match(execFileSync(bin, ['--version'], { encoding: 'utf8', env }), /^\d+\.\d+\.\d+\n$/);
    const explained = execFileSync(bin, ['explain', '--profile', 'fastly', '-H', 'Cache-Control: private', '--json'], { encoding: 'utf8', env });
    assert.equal((JSON.parse(explained) as { response: { store: { value: string } } }).response.store.value, 'hit-for-pass');
    assert.match(execFileSync(bin, ['lab', '--list'], { encoding: 'utf8', env }), /^S1 /);
    // The library entry points resolve to the stripped build.
    const node = join(ROOT, 'node_modules', 'node', 'bin', 'node');
    const script = "import { redact } from 'cachewarden/scrub'; import { explain } from 'cachewarden/semantics'; console.log(redact('paid with 4111 1111 1111 1111'), typeof explain);";
    assert.equal(execFileSync(node, ['--input-type=module', '-e', script], { cwd: join(dir, 'app'), encoding: 'utf8', env }), 'paid with 411111******1111 function\n');
  });
});
