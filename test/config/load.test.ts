import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, knownKeysAt, parseConfig } from '../../src/config/load.ts';

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, 'cw.yaml', env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.lines();
  }
  assert.fail('expected the config to be rejected');
}

describe('config loader', () => {
  it('accepts a minimal config and fills defaults', () => {
    const { config } = parseConfig('personalized: ["/mypage*"]\n', 'cw.yaml', {});
    assert.deepEqual(config.personalized, ['/mypage*']);
    assert.equal(config.profile, 'rfc9111');
    assert.deepEqual(config.identity.headers, ['authorization']);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.identity), 'validated config is deep-frozen');
  });

  it('names a misspelt top-level key, its line, and the nearest valid key, in one line', () => {
    const lines = problems('profile: fastly\npersonalised: ["/mypage"]\n');
    assert.deepEqual(lines, ['cw.yaml:2:1 personalised: unknown key; did you mean "personalized"? (CW_CONFIG_UNKNOWN_KEY)']);
  });

  it('names a misspelt nested key with its dot path', () => {
    const lines = problems('personalized: ["/a"]\nidentity:\n  cookie: [sid]\n');
    assert.deepEqual(lines, ['cw.yaml:3:3 identity.cookie: unknown key; did you mean "cookies"? (CW_CONFIG_UNKNOWN_KEY)']);
  });

  it('lists the valid keys when nothing is close', () => {
    const [line] = problems('personalized: ["/a"]\nzzzzzzzz: 1\n');
    assert.ok(knownKeysAt([]).includes('personalized'));
    assert.equal(line, `cw.yaml:2:1 zzzzzzzz: unknown key; valid keys here: ${knownKeysAt([]).join(', ')} (CW_CONFIG_UNKNOWN_KEY)`);
  });

  it('rejects a wrong enum value with the allowed values and a suggestion', () => {
    const [line] = problems('personalized: ["/a"]\nprofile: fastyl\n');
    assert.match(line!, /^cw\.yaml:2:10 profile: "fastyl" is not allowed; use one of rfc9111, fastly, .* \(did you mean "fastly"\?\) \(CW_CONFIG_INVALID_VALUE\)$/);
  });

  it('reports a missing required key with an example', () => {
    const [line] = problems('profile: nginx\n');
    assert.match(line!, /^cw\.yaml:1:1 personalized: required key is missing; add it as a list, e\.g\. \["\/mypage\*"/);
    assert.match(line!, /\(CW_CONFIG_MISSING_KEY\)$/);
  });

  it('rejects a wrong type and says what it got', () => {
    const [line] = problems('personalized: /mypage\n');
    assert.equal(line, 'cw.yaml:1:15 personalized: expected a list, got "/mypage" (CW_CONFIG_INVALID_VALUE)');
  });

  it('rejects a route glob that is not a path', () => {
    const [line] = problems('personalized: ["mypage"]\n');
    assert.match(line!, /^cw\.yaml:1:16 personalized\[0\]: a route glob starts with "\/"/);
  });

  it('collects every problem, sorted by position, one line each', () => {
    const lines = problems('personalised: []\nprofile: x\nidentity:\n  kee: 1\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => !l.includes('\n')));
    assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['cw.yaml:1:1', 'cw.yaml:2:10', 'cw.yaml:4:3']);
  });

  it('gives YAML syntax errors with line and column', () => {
    const [line] = problems('personalized: ["/a"\nprofile: [\n');
    assert.match(line!, /^cw\.yaml:\d+:\d+ YAML: .+ \(CW_CONFIG_YAML\)$/);
  });

  it('rejects duplicate keys', () => {
    const [line] = problems('personalized: ["/a"]\npersonalized: ["/b"]\n');
    assert.match(line!, /^cw\.yaml:2:1 YAML: .*[Uu]nique.* \(CW_CONFIG_YAML\)$/);
  });

  it('rejects a binary file without a stack trace', () => {
    const [line] = problems('\u0000\u0001\u0002');
    assert.equal(line, 'cw.yaml: is a binary file, not YAML (CW_CONFIG_YAML)');
  });

  it('expands ${ENV} and ${ENV:-default}, and records which values came from the environment', () => {
    const loaded = parseConfig(
      'personalized: ["/a"]\nidentity:\n  key: ${K}\n  cookies: ["${C:-sid}"]\n',
      'cw.yaml',
      { K: 'a-secret-key-of-enough-length' },
    );
    assert.equal(loaded.config.identity.key, 'a-secret-key-of-enough-length');
    assert.deepEqual(loaded.config.identity.cookies, ['sid']);
    assert.ok(loaded.fromEnv.has('identity.key'));
  });

  it('names an unset environment variable and where it is used', () => {
    const [line] = problems('personalized: ["/a"]\nidentity:\n  key: ${MISSING_KEY}\n');
    assert.equal(
      line,
      'cw.yaml:3:8 identity.key: environment variable MISSING_KEY is not set; export it or write ${MISSING_KEY:-default} (CW_CONFIG_ENV_MISSING)',
    );
  });

  it('never echoes a secret value in an error', () => {
    const lines = problems('personalized: ["/a"]\nidentity:\n  key: ${K}\n', { K: 'short-secret' });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes('short-secret'), lines[0]);
  });
});
