/**
 * `cachewarden scope`, `notices` and `lookup` through the real launcher: scope's exit codes (1 when
 * someone's data was shown, 0 when nobody's was, 2 on bad flags and unreadable inputs, each one
 * line), the summary text and the files it writes; notices from that report; lookup serving it and
 * answering a signed token, and refusing to start without a token key.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { BIN, cli } from '../helpers/cli.ts';
import { KEY, T0, nginx } from '../respond/scope/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-respond-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

file(
  'cachewarden.yaml',
  `personalized: ["/mypage*", "/orders*"]
identity: { key: ${KEY}, cookies: [sid] }
respond:
  routes: { "/mypage*": [name, email, address], "/orders*": [name, history] }
  incident: { organisation: Example Shop, contact: support@shop.example.test }
`,
);
// alice's /mypage is filled for her, then served from the cache to bob (owner tag ≠ viewer); carol only browses.
const LEAK = [
  nginx({ t: T0, uri: '/mypage', cache: 'MISS', sid: 'alice', owner: 'alice' }),
  nginx({ t: T0 + 100, uri: '/mypage', cache: 'HIT', sid: 'bob', owner: 'alice' }),
  nginx({ t: T0 + 200, uri: '/orders', cache: 'MISS', sid: 'carol', owner: 'carol' }),
];
const CLEAN = [nginx({ t: T0, uri: '/mypage', cache: 'MISS', sid: 'alice', owner: 'alice' }), nginx({ t: T0 + 100, uri: '/mypage', cache: 'MISS', sid: 'bob', owner: 'bob' })];
file('leak.log', `${LEAK.join('\n')}\n`);
file('clean.log', `${CLEAN.join('\n')}\n`);
file('sessions.csv', 'session,user\nalice,u-alice\nbob,u-bob\ncarol,u-carol\n');

describe('cachewarden scope', () => {
  it('exits 1 when someone\'s data was shown, prints the counts and writes the JSON, CSV and HTML', async () => {
    const r = await cli(['scope', '-i', 'leak.log', '--format', 'nginx-json', '--sessions', 'sessions.csv', '-o', 'report.json', '--csv', 'people.csv', '--html', 'report.html'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^ {2}shown to someone else +1 {3}confirmed: 1 owner→viewer pair\(s\), 1 viewer\(s\), 1 response\(s\)$/m);
    assert.match(r.stdout, /^ {2}not affected +2$/m);
    assert.match(r.stdout, /^wrote report\.json, people\.csv, report\.html$/m);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.deepEqual([report.version, report.identity.kind, report.summary.shown, report.summary.notAffected], [1, 'user', 1, 2]);
    assert.equal(readFileSync(join(dir, 'people.csv'), 'utf8').trim().split('\n').length, 4, 'header and three people');
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /^<!doctype html>/);
  });

  it('exits 0 when nobody\'s data reached anyone else', async () => {
    const r = await cli(['scope', '-i', 'clean.log', '--format', 'nginx-json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}shown to someone else +0/m);
  });

  it('bad flags and unreadable inputs are one line and exit 2', async () => {
    const bad = await cli(['scope', '-i', 'leak.log', '--from', 'yesterday'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /--from "yesterday" is not a date-time with a zone/);
    const none = await cli(['scope', '-i', 'nothing-*.log'], { cwd: dir });
    assert.equal(none.code, 2);
    assert.equal(none.stderr.trim().split('\n').length, 1, none.stderr);
    assert.match(none.stderr, /nothing-\*\.log/);
    const order = await cli(['scope', '-i', 'leak.log', '--from', '2026-11-21T10:00:00Z', '--to', '2026-11-21T09:00:00Z'], { cwd: dir });
    assert.equal(order.code, 2);
    assert.match(order.stderr, /--from 2026-11-21T10:00:00Z is after --to/);
  });
});

describe('cachewarden notices', () => {
  it('writes a notice per affected person from the report', async () => {
    const r = await cli(['notices', '-r', 'report.json', '--lang', 'en', '-o', 'notices'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote 1 notice\(s\) to .*notices \(shown 1\)/);
    const csv = readFileSync(join(dir, 'notices', 'index.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 2);
    const txt = join(dir, 'notices', csv[1]!.split(',')[2]!.split(' ')[0]!);
    assert.ok(existsSync(txt));
    assert.match(readFileSync(txt, 'utf8'), /^Your personal data was shown to another customer\./);
  });
});

describe('cachewarden lookup', () => {
  const tokenKey = 'respond-cli-test-token-key-0123456789abcdef';

  it('refuses to start without a token key (one line, exit 2)', async () => {
    const r = await cli(['lookup', '--report', 'report.json', '--listen', '127.0.0.1:0'], { cwd: dir, env: { CACHEWARDEN_LOOKUP_KEY: '' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no token key; set respond\.lookup\.tokenKey or CACHEWARDEN_LOOKUP_KEY/);
  });

  it('serves the report: a signed token for alice gets "shown", until SIGTERM stops it', async () => {
    const child = spawn(BIN, ['lookup', '--report', 'report.json', '--listen', '127.0.0.1:0'], { cwd: dir, env: { ...process.env, CACHEWARDEN_LOOKUP_KEY: tokenKey } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const end = Date.now() + 20_000;
      while (!/ on (http:\/\/\S+) /.test(stderr)) {
        if (Date.now() > end) throw new Error(`lookup did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = / on (http:\/\/\S+) /.exec(stderr)![1]!;
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u-alice').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(tokenKey));
      const res = await request(`${url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.body.json()) as { status: string };
      assert.deepEqual([res.statusCode, body.status], [200, 'shown']);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
