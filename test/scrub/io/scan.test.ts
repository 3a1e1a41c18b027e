/**
 * scanFiles over a directory tree: plain, gzip (recognised by content, not name), binary (skipped,
 * counted) and invalid UTF-8 (scanned, noted) files and a symlink loop; exact findings with line,
 * column (in characters) and masked values, and the summary per type and file. A 5 MiB single
 * line with card numbers at the window edges: each found exactly once, at its exact column.
 */
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { codePoints, OVERLAP, scanFiles, scanText, type FileFinding } from '../../../src/scrub/scan.ts';
import { MAX_LINE } from '../../../src/scrub/stream.ts';
import { CwError } from '../../../src/core/errors.ts';
import { CARDS, masked, tempDir } from './helpers.ts';

const CARD_ONLY = { types: ['card-number'] as const };
const brief = (f: FileFinding) => `${f.file.split('/').slice(-2).join('/')}:${f.line}:${f.column} ${f.type} ${f.confidence} ${f.masked}`;

describe('scanFiles over a directory tree', async () => {
  const { dir, put } = tempDir('cw-scan-');
  put('logs/app.log', ['GET /health 200', 'charge ok card_number=4111111111111111 amount=1200', '', 'x😀 card_number=5555555555554444'].join('\n') + '\n');
  // gzip with a name that does not say so: recognised by the magic bytes.
  put('logs/old/gateway.log.1', gzipSync('{"ts":"2026-11-21T09:00:00Z","status":200}\r\n{"card_number":"6011111111111117","amount":1200}\r\n'));
  put('logs/blob.bin', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]), Buffer.from('card_number=4111111111111111\n')]));
  put('logs/legacy.log', Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' card_number=3530111333300000\n')]));
  put('logs/empty.log', '');
  symlinkSync('..', join(dir, 'logs/old/up'));

  const r = await scanFiles([join(dir, 'logs')], CARD_ONLY);

  it('reports each card once with file, 1-based line and character column, masked', () => {
    assert.deepEqual(r.findings.map(brief), [
      'logs/app.log:2:23 card-number high 411111******1111',
      'logs/app.log:4:16 card-number high 555555******4444',
      'logs/legacy.log:1:18 card-number high 353011******0000',
      'old/gateway.log.1:2:17 card-number high 601111******1117',
    ]);
    for (const f of r.findings) assert.equal(f.rule, 'scrub/card-number');
    assert.equal(r.dropped, 0);
  });

  it('summarises per type and per file, counting binary, invalid UTF-8 and link loops', () => {
    const s = r.summary;
    assert.equal(s.scanned, 4);
    assert.equal(s.binary, 1);
    assert.equal(s.invalidUtf8, 1);
    assert.equal(s.unreadable, 0);
    assert.equal(s.loops, 1);
    assert.equal(s.lines, 4 + 2 + 1);
    assert.equal(s.findings, 4);
    assert.deepEqual(s.byConfidence, { low: 0, medium: 0, high: 4 });
    assert.deepEqual(s.byType, { 'card-number': { total: 4, high: 4, medium: 0, low: 0 } });
    const files = Object.fromEntries(s.files.map((f) => [f.file.slice(dir.length + 1), [f.status, f.gzip, f.invalidUtf8, f.lines, f.findings]]));
    assert.deepEqual(files, {
      'logs/app.log': ['scanned', false, false, 4, 2],
      'logs/blob.bin': ['binary', false, false, 0, 0],
      'logs/empty.log': ['scanned', false, false, 0, 0],
      'logs/legacy.log': ['scanned', false, true, 1, 1],
      'logs/old/gateway.log.1': ['scanned', true, false, 2, 1],
    });
  });

  it('keeps at most `keep` findings and still counts all', async () => {
    const seen: FileFinding[] = [];
    const capped = await scanFiles([join(dir, 'logs')], { ...CARD_ONLY, keep: 1, onFinding: (f) => seen.push(f) });
    assert.equal(capped.findings.length, 1);
    assert.equal(capped.dropped, 3);
    assert.equal(seen.length, 4);
    assert.equal(capped.summary.findings, 4);
  });

  it('throws one line naming the path when a named path cannot be read', async () => {
    await assert.rejects(scanFiles([join(dir, 'nope.log')]), (e: unknown) => {
      assert.ok(e instanceof CwError);
      assert.equal(e.code, 'CW_INPUT_UNREADABLE');
      assert.match(e.message, /^scan: cannot read .*nope\.log: no such file or directory; check the path$/);
      return true;
    });
  });

  it('a U+FFFD written as valid UTF-8 is not invalid input', async () => {
    const p = put('fffd.log', 'replacement \uFFFD here\n');
    const one = await scanFiles([p]);
    assert.equal(one.summary.invalidUtf8, 0);
  });

  it('counts a damaged gzip file as unreadable and keeps what it read before', async () => {
    const gz = gzipSync(Buffer.from(`card_number=${CARDS[0]}\n${'filler line\n'.repeat(5000)}`));
    const p = put('cut.log.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const cut = await scanFiles([p], CARD_ONLY);
    assert.equal(cut.summary.unreadable, 1);
    assert.equal(cut.summary.files[0]?.status, 'unreadable');
    assert.match(cut.summary.files[0]?.why ?? '', /gzip|unexpected end/);
  });
});

describe('a 5 MiB single line', () => {
  it('finds each card at a window edge exactly once, at its exact column', async () => {
    const W = MAX_LINE;
    const step = W - OVERLAP;
    // Digit runs start 8 before: each window end, each next window's start, and each window's midpoint of the overlap.
    const targets: number[] = [];
    for (let k = 0; k * step + W < 5 * 1024 * 1024; k++) {
      const end = k * step + W;
      targets.push(end - OVERLAP - 8, end - OVERLAP / 2 - 8, end - 8);
    }
    const filler = 'lorem ipsum dolor sit amet ';
    let line = '';
    const expected: string[] = [];
    targets.forEach((t, i) => {
      const pan = CARDS[i % CARDS.length] as string;
      const before = t - ' card_number='.length;
      while (line.length < before) line += filler.slice(0, Math.min(filler.length, before - line.length));
      line += ` card_number=${pan} `;
      expected.push(`big.log:1:${t + 1} card-number high ${masked(pan)}`);
    });
    while (line.length < 5 * 1024 * 1024) line += filler;
    const { put } = tempDir('cw-scan-big-');
    const p = put('big.log', `${line}\nlast line card_number=${CARDS[0]}`);
    const r = await scanFiles([p], CARD_ONLY);
    assert.deepEqual(r.findings.map((f) => brief(f).split('/').pop()), [...expected, `big.log:2:23 card-number high ${masked(CARDS[0])}`]);
    assert.equal(r.summary.files[0]?.longLines, 1);
    assert.equal(r.summary.lines, 2);
  });

  it('counts columns in characters across windows (astral characters before the card)', () => {
    const text = `${'😀'.repeat(3000)} card_number=${CARDS[1]} ${'é'.repeat(5000)} card_number=${CARDS[2]}`;
    const small = scanText(text, { ...CARD_ONLY, maxLine: 4096 });
    const whole = scanText(text, CARD_ONLY);
    assert.deepEqual(small, whole);
    assert.deepEqual(whole.map((f) => f.column), [3000 + 13 + 1, 3000 + 13 + 16 + 1 + 5000 + 13 + 1]);
  });
});

describe('codePoints', () => {
  it('counts a surrogate pair once', () => {
    assert.equal(codePoints('a😀b', 0, 4), 3);
    assert.equal(codePoints('a😀b', 0, 3), 2);
    assert.equal(codePoints('abc', 1, 3), 2);
  });
});
