import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('cachewarden CLI (bin/cachewarden)', () => {
  it('lists every command in --help and exits 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\n  ${c.name} +`), `--help lists ${c.name}`);
  });

  it('without a command prints help and exits 2 (usage)', async () => {
    const r = await cli([]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Usage: cachewarden <command>/);
  });

  for (const c of COMMANDS) {
    it(`${c.name} --help shows usage, options and exit codes`, async () => {
      const r = await cli([c.name, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: cachewarden ${c.name}`));
      assert.match(r.stdout, /--json/);
      assert.match(r.stdout, /Exit codes:/);
    });
  }

  it('suggests the nearest command for a typo, exit 2, one line, no stack', async () => {
    const r = await cli(['confg']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'cachewarden: unknown command "confg"; did you mean "config"? (CW_USAGE_UNKNOWN_COMMAND)\n');
  });

  it('suggests the nearest flag for a typo', async () => {
    const r = await cli(['config', '--jsno']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'cachewarden: config: unknown option --jsno; did you mean --json? (CW_USAGE_BAD_FLAG)\n');
  });

  it('config: a missing file is exit 2 with one line', async () => {
    const r = await cli(['config', '--config', join(dir, 'nope.yaml')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /nope\.yaml: config file not found; .*\(CW_CONFIG_NOT_FOUND\)/);
  });

  it('config: a misspelt key is exit 2, one line naming key and fix, no stack trace', async () => {
    const f = join(dir, 'typo.yaml');
    writeFileSync(f, 'personalised: ["/mypage*"]\n');
    const r = await cli(['config', '--config', f]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `cachewarden: ${f}:1:1 personalised: unknown key; did you mean "personalized"? (CW_CONFIG_UNKNOWN_KEY)\n`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('config: prints a valid config with secrets masked, as text and as JSON', async () => {
    const f = join(dir, 'ok.yaml');
    writeFileSync(f, 'personalized: ["/mypage*"]\nidentity:\n  key: ${CW_TEST_KEY}\n');
    const env = { CW_TEST_KEY: 'super-secret-identity-key-123' };
    const text = await cli(['config', '--config', f], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /super-secret/);
    const json = await cli(['config', '--config', f, '--json'], { env });
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout) as { identity: { key: string }; personalized: string[] };
    assert.equal(parsed.identity.key, '***');
    assert.deepEqual(parsed.personalized, ['/mypage*']);
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
