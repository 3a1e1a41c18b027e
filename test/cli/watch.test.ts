import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IdentityHasher } from '../../src/core/identity.ts';
import { LAB_IDENTITY_KEY } from '../../lab/origin/owner-tag.ts';
import { cli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-watch-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hasher = new IdentityHasher(LAB_IDENTITY_KEY);
const SID_A = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0';
const SID_B = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1';
const T0 = Date.UTC(2026, 10, 21, 9, 41, 0) / 1000;

function line(o: { t: number; uri: string; cache: string; sid?: string; owner?: string; status?: number }): string {
  return JSON.stringify({
    time: new Date(o.t * 1000).toISOString(),
    msec: o.t,
    edge: 'edge-1',
    host: 'shop.example.test',
    method: 'GET',
    uri: o.uri,
    status: o.status ?? 200,
    cache: o.cache,
    identity: o.sid ?? '',
    owner: o.owner ?? '',
    set_cookie: '',
    cache_control: 'no-cache',
    age: '',
    request_time: 0.3,
    request_id: `r${o.t}`,
  });
}

const config = join(dir, 'cachewarden.yaml');
writeFileSync(config, `personalized: ["/mypage*"]\nidentity:\n  key: ${LAB_IDENTITY_KEY}\n  cookies: [sid]\n`);

const leakLog = join(dir, 'leak.log');
writeFileSync(
  leakLog,
  [
    line({ t: T0, uri: '/items/1', cache: 'HIT', sid: SID_B }),
    line({ t: T0 + 0.3, uri: '/mypage', cache: 'MISS', sid: SID_A, owner: hasher.hash(SID_A)! }),
    line({ t: T0 + 0.301, uri: '/mypage', cache: 'HIT', sid: SID_B, owner: hasher.hash(SID_A)! }),
    '',
  ].join('\n'),
);

const cleanLog = join(dir, 'clean.log');
writeFileSync(
  cleanLog,
  [
    line({ t: T0, uri: '/items/1', cache: 'HIT', sid: SID_B }),
    line({ t: T0 + 1, uri: '/mypage', cache: '-', sid: SID_A, owner: hasher.hash(SID_A)! }),
    line({ t: T0 + 2, uri: '/mypage', cache: '-', sid: SID_B, owner: hasher.hash(SID_B)! }),
    '',
  ].join('\n'),
);

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('cachewarden watch', () => {
  it('--once --json on a leaking log: exit 1, one JSON object per incident update, hashed identities only', async () => {
    const r = await cli(['watch', '--config', config, '--once', '--json', '--format', 'nginx-json', '--input', leakLog]);
    assert.equal(r.code, 1, r.stderr);
    const updates = jsonLines(r.stdout);
    const mismatch = updates.find((u) => u['rule'] === 'watch/owner-mismatch');
    assert.ok(mismatch, r.stdout);
    for (const k of ['rule', 'severity', 'url', 'edge', 'firstSeen', 'lastSeen', 'count', 'owners', 'viewers']) assert.ok(k in mismatch, `field ${k}`);
    assert.equal(mismatch['url'], '/mypage');
    assert.equal(mismatch['edge'], 'edge-1');
    assert.deepEqual(mismatch['owners'], [hasher.hash(SID_A)]);
    assert.deepEqual(mismatch['viewers'], [hasher.hash(SID_B)]);
    assert.ok(updates.some((u) => u['rule'] === 'watch/personalized-shared'));
    assert.ok(!r.stdout.includes(SID_A) && !r.stdout.includes(SID_B), 'no raw session id in the output');
  });

  it('--once on a clean log: exit 0 and no incident', async () => {
    const r = await cli(['watch', '--config', config, '--once', '--format', 'nginx-json', '--input', cleanLog]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /3 lines, 3 events; 0 incident\(s\)/);
  });

  it('--format auto says which format it chose', async () => {
    const r = await cli(['watch', '--config', config, '--once', '--input', leakLog]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /format auto → nginx-json/);
  });

  it('reads stdin with --input -', async () => {
    const r = await cli(['watch', '--config', config, '--once', '--json', '--format', 'nginx-json', '--input', '-'], { input: readFileSync(leakLog, 'utf8') });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(jsonLines(r.stdout).some((u) => u['rule'] === 'watch/owner-mismatch'));
  });

  it('counts malformed and binary lines, samples them (masked) into the dead-letter file, and keeps the good lines', async () => {
    const mixed = join(dir, 'mixed.log');
    const dead = join(dir, 'dead.ndjson');
    writeFileSync(
      mixed,
      [
        readFileSync(leakLog, 'utf8').trim(),
        '{"time":"2026-11-21T09:41:05Z","uri":"/mypage","status":',
        `{"msec":"yesterday","uri":"/x","status":200,"identity":"${SID_A}"}`,
        '\u0000\u0001\u0002binary\u0003',
        '',
      ].join('\n'),
    );
    const r = await cli(['watch', '--config', config, '--once', '--json', '--format', 'nginx-json', '--input', mixed, '--dead-letter', dead]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(jsonLines(r.stdout).some((u) => u['rule'] === 'watch/owner-mismatch'), 'the good lines still found the leak');
    const letters = jsonLines(readFileSync(dead, 'utf8'));
    assert.deepEqual(letters.map((l) => l['reason']).sort(), ['bad_json', 'bad_time', 'binary']);
    assert.ok(!readFileSync(dead, 'utf8').includes(SID_A), 'the dead-letter excerpt masks the session id');
  });

  it('keeps memory bounded with unbounded keys, and says how many it evicted', async () => {
    const many = join(dir, 'many-keys.log');
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) lines.push(line({ t: T0 + i / 1000, uri: `/mypage?cachebust=${i}`, cache: 'MISS', sid: SID_A }));
    writeFileSync(many, `${lines.join('\n')}\n`);
    const small = join(dir, 'small.yaml');
    writeFileSync(small, `personalized: ["/mypage*"]\nidentity:\n  key: ${LAB_IDENTITY_KEY}\nwatch:\n  maxKeys: 1000\n`);
    const r = await cli(['watch', '--config', small, '--once', '--format', 'nginx-json', '--input', many]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1500 lines, 1500 events; watch\/cross-identity-inferred:evicted_keys 500; 0 incident\(s\)/);
  });

  it('a wrong --format is caught early: exit 2, one line naming the likely format', async () => {
    const r = await cli(['watch', '--config', config, '--once', '--format', 'cloudfront', '--input', leakLog]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines.at(-1)!, /leak\.log: \d+ of the first \d+ lines are not cloudfront; it looks like nginx-json: pass --format nginx-json \(CW_INPUT_UNREADABLE\)$/);
  });

  it('an unreadable input is exit 2 with one line', async () => {
    const r = await cli(['watch', '--config', config, '--once', '--format', 'nginx-json', '--input', join(dir, 'missing.log')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing\.log.*\(CW_INPUT_UNREADABLE\)\n$/);
  });

  it('usage errors: no input, unknown format, unknown --field name', async () => {
    const a = await cli(['watch', '--config', config, '--once']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /watch: no input; pass --input/);
    const b = await cli(['watch', '--config', config, '--once', '--format', 'nginx', '--input', leakLog]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--format "nginx" is not one of nginx-json, /);
    const c = await cli(['watch', '--config', config, '--once', '--format', 'nginx-json', '--field', 'viewr=sid', '--input', leakLog]);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /--field: .*viewr/);
  });
});
