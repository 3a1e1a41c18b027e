/**
 * `cachewarden scan` and `cachewarden redact` through the real launcher: scan's text and JSON
 * output and its exit codes (--fail-on, unreadable path → 2 in one line); redact as a stdin →
 * stdout filter on JSON lines (each line still parses, a rescan finds no card), --in-place with a
 * backup and on a gzip file, --mask hash (equal numbers, equal hashes), and its usage errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { cli } from '../helpers/cli.ts';
import { CARDS, hasRawCard, masked, tempDir } from '../scrub/io/helpers.ts';

const { dir, put } = tempDir('cw-scrub-cli-');
const ENV = { CACHEWARDEN_SCRUB_KEY: '' };

// One high (card key), one medium (no context); nothing else a detector could flag.
put('logs/app.log', `boot ok\ncharge ok card_number=${CARDS[0]}\n`);
put('logs/old/app.log.1', gzipSync(`boot ok\nrefund 5555 5555 5555 4444 done\n`));
put('logs/core.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
put('medium/only.log', `refund 5555 5555 5555 4444 done\n`);
put('clean/ok.log', 'GET /health 200\n');

describe('cachewarden scan', { concurrency: true }, () => {
  it('lists each finding as file:line:col type confidence masked rule, then the summary; exit 1 at the default --fail-on medium', async () => {
    const r = await cli(['scan', '--type', 'card-number', 'logs'], { cwd: dir, env: ENV });
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 2), [
      `logs/app.log:2:23  card-number  high  ${masked(CARDS[0])}  scrub/card-number`,
      'logs/old/app.log.1:2:8  card-number  medium  555555******4444  scrub/card-number',
    ]);
    assert.match(r.stdout, /\n {2}card-number +1 +1 +0 +2\n/);
    assert.match(r.stdout, /\n {2}logs\/app\.log +1 +card-number 1\n/);
    assert.match(r.stdout, /\n2 file\(s\) scanned \(4 lines, [\d.]+ B\), 1 binary file\(s\) skipped; 2 finding\(s\), 2 at or above medium\n$/);
    assert.equal(r.stderr, 'cachewarden: scan: skipped 1 binary file(s): logs/core.bin\n');
    assert.equal(hasRawCard(r.stdout + r.stderr), false);
  });

  it('exits by --fail-on: a medium finding fails at low and medium, passes at high', async () => {
    const runs = await Promise.all([
      ...(['low', 'medium', 'high'] as const).map((failOn) => cli(['scan', '--type', 'card-number', '--fail-on', failOn, 'medium'], { cwd: dir, env: ENV })),
      cli(['scan', 'clean'], { cwd: dir, env: ENV }),
    ]);
    assert.deepEqual(runs.map((r) => r.code), [1, 1, 0, 0]);
  });

  it('--json gives the findings (capped by --max-findings) and the complete summary', async () => {
    const r = await cli(['scan', '--json', '--type', 'card-number', '--max-findings', '1', 'logs'], { cwd: dir, env: ENV });
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.failOn, 'medium');
    assert.equal(doc.failed, true);
    assert.equal(doc.findings.length, 1);
    assert.equal(doc.notListed, 1);
    assert.deepEqual(
      { file: doc.findings[0].file, line: doc.findings[0].line, column: doc.findings[0].column, masked: doc.findings[0].masked },
      { file: 'logs/app.log', line: 2, column: 23, masked: masked(CARDS[0]) },
    );
    assert.equal(doc.summary.findings, 2);
    assert.deepEqual(doc.summary.byType, { 'card-number': { total: 2, high: 1, medium: 1, low: 0 } });
    assert.equal(doc.summary.atOrAboveFailOn, 2);
    assert.equal(doc.summary.binary, 1);
  });

  it('an unreadable path is exit 2 with one line naming it', async () => {
    const r = await cli(['scan', 'logs', 'missing.log'], { cwd: dir, env: ENV });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'cachewarden: scan: cannot read missing.log: no such file or directory; check the path (CW_INPUT_UNREADABLE)\n');
  });

  it('bad flag values are exit 2 with one line', async () => {
    const [r, t] = await Promise.all([cli(['scan', '--fail-on', 'severe', 'logs'], { cwd: dir, env: ENV }), cli(['scan', '--type', 'card', 'logs'], { cwd: dir, env: ENV })]);
    assert.deepEqual([r.code, r.stderr], [2, 'cachewarden: scan: --fail-on "severe" must be low, medium or high (CW_USAGE_BAD_FLAG)\n']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /^cachewarden: scan: --type "card" is not one of card-number, .+ \(CW_USAGE_BAD_FLAG\)\n$/);
  });
});

/** JSON log lines with test cards in several encodings and places. */
const JSON_LINES = [
  { ts: '2026-11-21T09:00:00Z', msg: 'charge', card_number: CARDS[0], amount: 1200 },
  { ts: '2026-11-21T09:00:01Z', msg: `card ${CARDS[1].replace(/(\d{4})(?=\d)/g, '$1 ')} declined`, order_id: 'A-1001' },
  { ts: '2026-11-21T09:00:02Z', url: `/pay?pan=${CARDS[2]}&x=1`, status: 302 },
  { ts: '2026-11-21T09:00:03Z', nested: { payment: { pan: CARDS[3] } }, note: '全角 ok' },
  { ts: '2026-11-21T09:00:04Z', msg: 'no card here', count: 3 },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

describe('cachewarden redact', { concurrency: true }, () => {
  it('filters stdin to stdout: every JSON line still parses, no card is left, a rescan finds none', async () => {
    const r = await cli(['redact'], { cwd: dir, env: ENV, input: `${JSON_LINES}\n` });
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 5);
    for (const l of lines) JSON.parse(l);
    assert.equal(hasRawCard(r.stdout), false);
    assert.equal(JSON.parse(lines[0] as string).card_number, masked(CARDS[0]));
    assert.equal(JSON.parse(lines[4] as string).msg, 'no card here');
    assert.match(r.stderr, /^cachewarden: redact: 5 line\(s\), masked \d+: card-number 4(, [a-z-]+ \d+)*\n$/);
    assert.equal(hasRawCard(r.stderr), false);
    const again = await cli(['scan', '--type', 'card-number', '--fail-on', 'low', '-'], { cwd: dir, env: ENV, input: r.stdout });
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /; 0 finding\(s\)/);
  });

  it('--in-place rewrites a file (backup kept) and a gzip file (stays gzip)', async () => {
    const plain = put('inplace/app.log', `${JSON_LINES}\n`);
    const gz = put('inplace/app.log.2.gz', gzipSync(`${JSON_LINES}\n`));
    const r = await cli(['redact', '--in-place', '--type', 'card-number', plain, gz], { cwd: dir, env: ENV });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(`${plain}.bak`, 'utf8'), `${JSON_LINES}\n`);
    const text = readFileSync(plain, 'utf8');
    assert.equal(hasRawCard(text), false);
    for (const l of text.trimEnd().split('\n')) JSON.parse(l);
    const unzipped = gunzipSync(readFileSync(gz)).toString('utf8');
    assert.equal(unzipped, text);
    assert.equal(gunzipSync(readFileSync(`${gz}.bak`)).toString('utf8'), `${JSON_LINES}\n`);
    assert.deepEqual(r.stderr.split('\n'), [
      `cachewarden: redact: ${plain}: 5 line(s), masked 4: card-number 4; original kept as ${plain}.bak`,
      `cachewarden: redact: ${gz} (gzip): 5 line(s), masked 4: card-number 4; original kept as ${gz}.bak`,
      '',
    ]);
  });

  it('--mask hash with a key: equal numbers get equal hashes, different numbers different ones, no raw value', async () => {
    const input = [CARDS[0], CARDS[1], CARDS[0]].map((c) => JSON.stringify({ card_number: c })).join('\n');
    const env = { CW_TEST_KEY: 'test-key-0123456789abcdef' };
    const r = await cli(['redact', '--mask', 'hash', '--key-env', 'CW_TEST_KEY', '--type', 'card-number'], { cwd: dir, env: { ...ENV, ...env }, input });
    assert.equal(r.code, 0, r.stderr);
    const values = r.stdout.split('\n').map((l) => JSON.parse(l).card_number as string);
    assert.equal(values.length, 3);
    assert.equal(values[0], values[2]);
    assert.notEqual(values[0], values[1]);
    assert.equal(hasRawCard(r.stdout), false);
    for (const v of values) assert.ok(!CARDS.some((c) => v === c || v.includes(c.slice(6, 12))), v);
    // The same key from CACHEWARDEN_SCRUB_KEY gives the same hashes.
    const viaDefault = await cli(['redact', '--mask', 'hash', '--type', 'card-number'], { cwd: dir, env: { CACHEWARDEN_SCRUB_KEY: env.CW_TEST_KEY }, input });
    assert.equal(viaDefault.stdout, r.stdout);
  });

  it('--mask hash without a key, or a bad mask, is exit 2 in one line', async () => {
    const [r, m, i, missing] = await Promise.all([
      cli(['redact', '--mask', 'hash'], { cwd: dir, env: ENV, input: 'x\n' }),
      cli(['redact', '--mask', 'stars'], { cwd: dir, env: ENV, input: 'x\n' }),
      cli(['redact', '--in-place'], { cwd: dir, env: ENV }),
      cli(['redact', '--in-place', join(dir, 'nope.log')], { cwd: dir, env: ENV }),
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'cachewarden: redact: --mask hash needs a key; set CACHEWARDEN_SCRUB_KEY, pass --key-env <NAME>, or set identity.key in the config (at least 16 characters) (CW_CONFIG_MISSING_KEY)\n');
    assert.deepEqual([m.code, m.stderr], [2, 'cachewarden: redact: --mask "stars" is not one of bin-last4, last4, full, hash (CW_USAGE_BAD_FLAG)\n']);
    assert.deepEqual([i.code, i.stderr], [2, 'cachewarden: redact: --in-place needs files to rewrite; name them, or drop --in-place to filter stdin (CW_USAGE_BAD_FLAG)\n']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^cachewarden: redact: cannot read .*nope\.log: no such file or directory; check the path \(CW_INPUT_UNREADABLE\)\n$/);
  });
});
