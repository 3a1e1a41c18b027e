/**
 * `cachewarden verify` through the real launcher: exit codes (0 clean, 1 findings at or above
 * --fail-on, 2 unreadable configuration or bad flags), text grouped by severity with file:line,
 * --json with the documented fields, SARIF to a file, one-line parse errors with file:line:column,
 * origin-only checks from cachewarden.yaml, and inline suppression.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, ROOT } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-verify-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const S1 = join(ROOT, 'lab/scenarios/nginx/S1.conf');
const SAFE = join(ROOT, 'lab/scenarios/nginx/SAFE.conf');

function write(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const CONFIG = write(
  'cachewarden.yaml',
  `personalized: ["/mypage*", "/orders*", "/api/me*"]
identity:
  cookies: [sid]
profile: fastly
verify:
  host: shop.example.test
origin:
  headers:
    "/mypage*": { Cache-Control: "no-cache", Expires: "Thu, 01 Jan 1970 00:00:01 GMT" }
`,
);

describe('cachewarden verify', () => {
  it('a leaking nginx config: exit 1, findings grouped by severity with file:line and the directive', async () => {
    const r = await cli(['verify', '--config', CONFIG, S1]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^critical \(\d+\)$/m);
    assert.match(r.stdout, /lab\/scenarios\/nginx\/S1\.conf:\d+:\d+ {2}verify\/route\/personalized-shared/);
    assert.match(r.stdout, /proxy_ignore_headers/);
    assert.match(r.stdout, /cachewarden\.yaml:9:\d+ {2}verify\/origin\/zero-ttl-is-not-private/);
    assert.match(r.stdout, /^cachewarden verify: \d+ finding\(s\) \(\d+ critical/m);
  });

  it('SAFE: exit 0 with --fail-on high', async () => {
    const r = await cli(['verify', '--personalized', '/mypage*', '--personalized', '/api/me*', SAFE]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /cachewarden verify: 0 finding\(s\)/);
  });

  it('--json: the documented fields on every finding', async () => {
    const r = await cli(['verify', '--json', '--config', CONFIG, S1]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; summary: { findings: number } };
    assert.equal(doc.summary.findings, doc.findings.length);
    assert.ok(doc.findings.length >= 2);
    for (const f of doc.findings) for (const k of ['rule', 'severity', 'file', 'line', 'message', 'column', 'fix']) assert.ok(k in f, `${k} in ${JSON.stringify(f)}`);
  });

  it('--format sarif -o file: writes SARIF 2.1.0 and prints the summary to stderr', async () => {
    const out = join(dir, 'verify.sarif');
    const r = await cli(['verify', '--format', 'sarif', '-o', out, '--config', CONFIG, S1]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: Array<{ results: unknown[] }> };
    assert.equal(doc.version, '2.1.0');
    assert.ok(doc.runs[0]!.results.length >= 2);
    assert.match(r.stderr, /cachewarden verify: \d+ finding/);
  });

  it('--fail-on critical with only high findings exits 0', async () => {
    const conf = write(
      'deception.conf',
      `http {
  proxy_cache_path /tmp/c keys_zone=z:1m;
  server {
    listen 80;
    location ~* \\.(css|js)$ { proxy_pass http://app; proxy_cache z; proxy_ignore_headers Cache-Control Expires; proxy_hide_header Set-Cookie; proxy_cache_valid 200 1d; }
    location / { proxy_pass http://app; }
  }
}
`,
    );
    const high = await cli(['verify', '--rule', 'verify/route/deception', '--personalized', '/account*', conf]);
    assert.equal(high.code, 1, high.stdout);
    assert.match(high.stdout, /^high \(1\)$/m);
    const r = await cli(['verify', '--rule', 'verify/route/deception', '--fail-on', 'critical', '--personalized', '/account*', conf]);
    assert.equal(r.code, 0, r.stdout);
  });

  it('an inline cachewarden-disable-next-line comment silences that finding and is counted', async () => {
    const conf = write(
      'suppressed.conf',
      `http {
  proxy_cache_path /tmp/c keys_zone=z:1m;
  server {
    listen 80;
    # cachewarden-disable-next-line verify/route/deception -- static only, the app 404s unknown suffixes
    location ~* \\.(css|js)$ { proxy_pass http://app; proxy_cache z; proxy_ignore_headers Cache-Control Expires; proxy_hide_header Set-Cookie; proxy_cache_valid 200 1d; }
    location / { proxy_pass http://app; }
  }
}
`,
    );
    const r = await cli(['verify', '--rule', 'verify/route/deception', '--personalized', '/account*', conf]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /0 finding\(s\) \(none\), 1 suppressed inline/);
  });

  it('a syntax error: exit 2, one line with file:line:column and what was expected', async () => {
    const bad = write('broken.conf', 'http {\n  server {\n    listen 80\n    location / { proxy_pass http://a; }\n  }\n');
    const r = await cli(['verify', '--personalized', '/a*', bad]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /broken\.conf:\d+:\d+: .*\(CW_VERIFY_PARSE\)$/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a binary file and an unknown file: exit 2 with a clear line', async () => {
    const bin = write('blob.conf', 'http {\u0000\u0001\u0002}');
    const r = await cli(['verify', '--personalized', '/a*', bin]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /blob\.conf.*(binary|NUL)/i);
    const odd = write('notes.txt', 'hello world\n');
    const u = await cli(['verify', '--personalized', '/a*', odd]);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /cannot tell what configuration this is.*--kind/);
  });

  it('bad flags: unknown rule and severity with suggestions, exit 2', async () => {
    const r = await cli(['verify', '--rule', 'verify/route/deceptoin', S1]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /did you mean "verify\/route\/deception"/);
    const s = await cli(['verify', '--fail-on', 'hihg', S1]);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /did you mean "high"/);
  });

  it('origin only (no file): the 2017 pair behind fastly, from cachewarden.yaml', async () => {
    const r = await cli(['verify', '--config', CONFIG]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /verify\/origin\/zero-ttl-is-not-private/);
    assert.match(r.stdout, /Under fastly a shared cache stores it/);
  });

  it('--crossplane prints the nginx tree in crossplane\'s JSON shape, includes followed', async () => {
    const r = await cli(['verify', '--crossplane', S1]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { status: string; config: Array<{ file: string; parsed: Array<{ directive: string; line: number; args: string[]; includes?: number[] }> }> };
    assert.equal(doc.status, 'ok');
    assert.equal(doc.config.length, 3, 'S1.conf, lab-common.conf, lab-headers.conf');
    const include = JSON.stringify(doc.config[0]!.parsed).includes('"includes":[1]');
    assert.ok(include, 'the include points at the second file');
  });

  it('nothing to check: exit 2 with what to give', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    const r = await cli(['verify', '--personalized', '/a*'], { cwd: empty });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nothing to check/);
  });
});
