import assert from 'node:assert/strict';
import { appendFileSync, closeSync, copyFileSync, openSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isCwError } from '../../../src/core/errors.ts';
import { createFileSource } from '../../../src/watch/sources/file.ts';
import type { LineSource, SourceSpec } from '../../../src/watch/sources/types.ts';
import { collector, handleCounts, leakedSince, settle, tempDir, waitUntil } from './helpers.ts';

const FAST = { pollMs: 50, rotateGraceMs: 300 };
const ZERO = { lines: 0, bytes: 0, batches: 0, rotations: 0, truncations: 0, oversized: 0, rejected: 0, errors: 0 };

let tmp: ReturnType<typeof tempDir>;
let n = 0;
const fresh = (name = 'access.log') => tmp.path(`${++n}-${name}`);
before(() => (tmp = tempDir('file')));
after(() => tmp.cleanup());

async function follow(spec: SourceSpec) {
  const c = collector();
  const src = createFileSource(spec, FAST);
  await src.start(c.onBatch);
  return { c, src };
}

function pick(src: LineSource, ...keys: Array<keyof typeof ZERO>) {
  const st = src.stats();
  return Object.fromEntries(keys.map((k) => [k, st[k]]));
}

describe('file source: following', () => {
  it('starts at the end by default and delivers appended lines in order', async () => {
    const p = fresh();
    writeFileSync(p, 'old-1\nold-2\n');
    const { c, src } = await follow({ input: p });
    appendFileSync(p, 'new-1\nnew-2\n');
    await c.waitForLines(2);
    appendFileSync(p, 'new-3\n');
    await c.waitForLines(3);
    await src.stop();
    assert.deepEqual(c.lines, ['new-1', 'new-2', 'new-3']);
    assert.ok(c.batches.every((b) => b.source === p && typeof b.receivedAt === 'number'));
    assert.deepEqual(pick(src, 'lines', 'bytes', 'rotations', 'truncations', 'oversized', 'rejected', 'errors'), {
      lines: 3,
      bytes: 18,
      rotations: 0,
      truncations: 0,
      oversized: 0,
      rejected: 0,
      errors: 0,
    });
    assert.equal(src.stats().batches, c.batches.length);
  });

  it('start: beginning delivers what is there, then follows', async () => {
    const p = fresh();
    writeFileSync(p, 'a\nb\n');
    const { c, src } = await follow({ input: p, start: 'beginning', name: 'edge-1' });
    await c.waitForLines(2);
    appendFileSync(p, 'c\n');
    await c.waitForLines(3);
    await src.stop();
    assert.deepEqual(c.lines, ['a', 'b', 'c']);
    assert.equal(src.name, 'edge-1');
    assert.ok(c.batches.every((b) => b.source === 'edge-1'));
  });

  it('starting at the end in the middle of a line skips that line\'s tail', async () => {
    const p = fresh();
    writeFileSync(p, 'whole\nhalf-a-li');
    const { c, src } = await follow({ input: p });
    appendFileSync(p, 'ne\nnext\n');
    await c.waitForLines(1);
    await src.stop();
    assert.deepEqual(c.lines, ['next']);
  });

  it('delivers a line only when its newline arrives; CRLF is tolerated', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const { c, src } = await follow({ input: p });
    appendFileSync(p, '{"a":');
    await settle(200);
    assert.deepEqual(c.lines, []);
    appendFileSync(p, '1}\r\n{"b":2}\r\n');
    await c.waitForLines(2);
    await src.stop();
    assert.deepEqual(c.lines, ['{"a":1}', '{"b":2}']);
  });

  it('follows rotation by rename + recreate: every line once, in order per file', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const { c, src } = await follow({ input: p });
    // The writer keeps its descriptor to the old file across the rename, as nginx does until it reopens.
    const oldFd = openSync(p, 'a');
    writeSync(oldFd, 'a1\na2\n');
    await c.waitForLines(2);
    renameSync(p, `${p}.1`);
    writeSync(oldFd, 'a3\n');
    writeFileSync(p, 'b1\nb2\n');
    writeSync(oldFd, 'a4\n');
    await c.waitForLines(6);
    appendFileSync(p, 'b3\n');
    // The old file's unterminated last line is delivered once it has been quiet for the grace period.
    writeSync(oldFd, 'a5-unterminated');
    closeSync(oldFd);
    await c.waitForLines(8);
    await src.stop();
    const a = c.lines.filter((l) => l.startsWith('a'));
    const b = c.lines.filter((l) => l.startsWith('b'));
    assert.deepEqual(a, ['a1', 'a2', 'a3', 'a4', 'a5-unterminated']);
    assert.deepEqual(b, ['b1', 'b2', 'b3']);
    assert.equal(c.lines.length, 8);
    assert.deepEqual(pick(src, 'rotations', 'truncations', 'errors'), { rotations: 1, truncations: 0, errors: 0 });
  });

  it('waits through a gap between rename and recreate', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const { c, src } = await follow({ input: p });
    appendFileSync(p, 'before\n');
    await c.waitForLines(1);
    renameSync(p, `${p}.1`);
    await settle(200); // the follower sees the path missing
    writeFileSync(p, 'after-1\nafter-2\n');
    await c.waitForLines(3);
    await src.stop();
    assert.deepEqual(c.lines, ['before', 'after-1', 'after-2']);
    assert.deepEqual(pick(src, 'rotations', 'truncations'), { rotations: 1, truncations: 0 });
  });

  it('restarts from 0 after truncation', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const { c, src } = await follow({ input: p });
    appendFileSync(p, `${'x'.repeat(100)}\n${'y'.repeat(100)}\n`);
    await c.waitForLines(2);
    truncateSync(p, 0);
    await waitUntil(() => src.stats().truncations === 1, 'the truncation is seen');
    appendFileSync(p, 'fresh-1\nfresh-2\n');
    await c.waitForLines(4);
    await src.stop();
    assert.deepEqual(c.lines.slice(2), ['fresh-1', 'fresh-2']);
    assert.deepEqual(pick(src, 'lines', 'rotations', 'truncations'), { lines: 4, rotations: 0, truncations: 1 });
  });

  it('copytruncate: the copy is not re-read, the writer\'s next lines arrive once', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const { c, src } = await follow({ input: p });
    const fd = openSync(p, 'a'); // O_APPEND, as loggers open their files
    writeSync(fd, 'line-1 with some padding to be longer\nline-2 with some padding to be longer\n');
    await c.waitForLines(2);
    copyFileSync(p, `${p}.1`);
    truncateSync(p, 0);
    await waitUntil(() => src.stats().truncations === 1, 'the truncation is seen');
    writeSync(fd, 'line-3\nline-4\n');
    closeSync(fd);
    await c.waitForLines(4);
    await settle(150);
    await src.stop();
    assert.deepEqual(c.lines, ['line-1 with some padding to be longer', 'line-2 with some padding to be longer', 'line-3', 'line-4']);
    assert.deepEqual(pick(src, 'rotations', 'truncations'), { rotations: 0, truncations: 1 });
  });

  it('waits for a file that does not exist yet and reads it from its beginning', async () => {
    const p = fresh();
    const { c, src } = await follow({ input: p });
    await settle(100);
    writeFileSync(p, 'first\nsecond\n');
    await c.waitForLines(2);
    appendFileSync(p, 'third\n');
    await c.waitForLines(3);
    await src.stop();
    assert.deepEqual(c.lines, ['first', 'second', 'third']);
    assert.deepEqual(pick(src, 'rotations', 'truncations', 'errors'), { rotations: 0, truncations: 0, errors: 0 });
  });

  it('cuts a 5 MB line to maxLineBytes, counts it, and carries on', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const { c, src } = await follow({ input: p, maxLineBytes: 1024 });
    appendFileSync(p, `${'Z'.repeat(5 * 1024 * 1024)}\nafter\n`);
    await c.waitForLines(2);
    await src.stop();
    assert.equal(c.lines[0], 'Z'.repeat(1024));
    assert.equal(c.lines[1], 'after');
    assert.deepEqual(pick(src, 'lines', 'oversized', 'bytes'), { lines: 2, oversized: 1, bytes: 5 * 1024 * 1024 + 7 });
  });

  it('the poll alone still follows appends and rotation (filesystems without change events)', async () => {
    const p = fresh();
    writeFileSync(p, '');
    const c = collector();
    const src = createFileSource({ input: p }, { ...FAST, useWatch: false });
    await src.start(c.onBatch);
    appendFileSync(p, 'p1\n');
    await c.waitForLines(1);
    renameSync(p, `${p}.1`);
    writeFileSync(p, 'p2\n');
    await c.waitForLines(2);
    await src.stop();
    assert.deepEqual(c.lines, ['p1', 'p2']);
    assert.equal(src.stats().rotations, 1);
  });

  it('refuses to follow a gzip file (replay it with once)', async () => {
    const p = fresh('access.log.gz');
    writeFileSync(p, gzipSync('a\n'));
    const src = createFileSource({ input: p }, FAST);
    await assert.rejects(src.start(() => {}), (e: unknown) => isCwError(e) && e.code === 'CW_INPUT_UNREADABLE' && e.message.includes(p) && e.message.includes('--once'));
    await src.stop();
  });

  it('stop() releases the watcher, the poll timer and every file handle', async () => {
    const p = fresh();
    writeFileSync(p, 'x\n');
    const baseline = handleCounts();
    const { c, src } = await follow({ input: p });
    appendFileSync(p, 'y\n');
    await c.waitForLines(1);
    renameSync(p, `${p}.1`);
    writeFileSync(p, 'z\n');
    await c.waitForLines(2);
    assert.notDeepEqual(leakedSince(baseline), []);
    await src.stop();
    await src.done;
    assert.deepEqual(leakedSince(baseline), []);
  });
});

describe('file source: once (replay)', () => {
  async function replay(spec: SourceSpec) {
    const c = collector();
    const src = createFileSource({ once: true, ...spec });
    await src.start(c.onBatch);
    await src.done;
    return { c, src };
  }

  it('reads from the beginning to the end and finishes', async () => {
    const p = fresh();
    writeFileSync(p, 'a\nb\r\n\nc\n');
    const { c, src } = await replay({ input: p });
    assert.deepEqual(c.lines, ['a', 'b', 'c']);
    assert.deepEqual(src.stats(), { ...ZERO, lines: 3, bytes: 8, batches: 1 });
  });

  it('delivers a final line that has no newline', async () => {
    const p = fresh();
    writeFileSync(p, 'a\nlast-without-newline');
    const { c } = await replay({ input: p });
    assert.deepEqual(c.lines, ['a', 'last-without-newline']);
  });

  it('start: end replays nothing', async () => {
    const p = fresh();
    writeFileSync(p, 'a\nb\n');
    const { c, src } = await replay({ input: p, start: 'end' });
    assert.deepEqual(c.lines, []);
    assert.equal(src.stats().lines, 0);
  });

  it('reads gzip files (detected by magic bytes, not the name)', async () => {
    const p = fresh('rotated-archive');
    const text = Array.from({ length: 1000 }, (_, i) => `{"i":${i}}`).join('\n');
    writeFileSync(p, gzipSync(text));
    const { c, src } = await replay({ input: p });
    assert.equal(c.lines.length, 1000);
    assert.equal(c.lines[0], '{"i":0}');
    assert.equal(c.lines[999], '{"i":999}');
    assert.deepEqual(pick(src, 'lines', 'bytes', 'errors'), { lines: 1000, bytes: Buffer.byteLength(text), errors: 0 });
  });

  it('reads concatenated gzip members (cat a.gz b.gz)', async () => {
    const p = fresh('joined.gz');
    writeFileSync(p, Buffer.concat([gzipSync('a1\na2\n'), gzipSync('b1\nb2')]));
    const { c, src } = await replay({ input: p });
    assert.deepEqual(c.lines, ['a1', 'a2', 'b1', 'b2']);
    assert.equal(src.stats().errors, 0);
  });

  it('counts a cut-off gzip archive as one error and still finishes', async () => {
    const p = fresh('cut.gz');
    const full = gzipSync(Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n'));
    writeFileSync(p, full.subarray(0, Math.floor(full.length / 2)));
    const { c, src } = await replay({ input: p });
    assert.equal(src.stats().errors, 1);
    assert.ok(c.lines.length < 20_000);
    assert.deepEqual(c.lines, Array.from({ length: c.lines.length }, (_, i) => `line ${i}`));
  });

  it('a missing file is CW_INPUT_UNREADABLE naming the path', async () => {
    const p = fresh('missing.log');
    const src = createFileSource({ input: p, once: true });
    await assert.rejects(src.start(() => {}), (e: unknown) => isCwError(e) && e.code === 'CW_INPUT_UNREADABLE' && e.line().includes(p));
    await src.stop();
  });

  it('a directory is CW_INPUT_UNREADABLE', async () => {
    const src = createFileSource({ input: tmp.dir, once: true });
    await assert.rejects(src.start(() => {}), (e: unknown) => isCwError(e) && e.code === 'CW_INPUT_UNREADABLE' && e.message.includes('not a regular file'));
    await src.stop();
  });

  it('binary garbage does not crash: bytes decode as UTF-8 with replacement', async () => {
    const p = fresh('garbage.bin');
    writeFileSync(p, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3, 0x28, 0x0a, 0x0d, 0x0a, 0xe2, 0x82]));
    const { c, src } = await replay({ input: p });
    assert.deepEqual(c.lines, ['\uFFFD\uFFFD\u0000A', '\uFFFD(', '\uFFFD']);
    assert.deepEqual(pick(src, 'lines', 'errors'), { lines: 3, errors: 0 });
  });

  it('cuts oversized lines in once mode too', async () => {
    const p = fresh();
    writeFileSync(p, `short\n${'L'.repeat(5 * 1024 * 1024)}\nend`);
    const { c, src } = await replay({ input: p, maxLineBytes: 4096 });
    assert.deepEqual(c.lines.map((l) => l.length), [5, 4096, 3]);
    assert.equal(src.stats().oversized, 1);
  });

  it('streams a 50 MB file with bounded memory', async () => {
    const p = fresh('big.log');
    const line = `{"msec":"1498092107.412","host":"www.example.jp","uri":"/mypage","status":200,"ucs":"HIT","pad":"${'p'.repeat(100)}"}\n`;
    const perChunk = 10_000;
    const chunk = line.repeat(perChunk);
    const chunks = Math.ceil((50 * 1024 * 1024) / Buffer.byteLength(chunk));
    const fd = openSync(p, 'w');
    for (let i = 0; i < chunks; i++) writeSync(fd, chunk);
    closeSync(fd);
    const expectedLines = chunks * perChunk;

    const mem = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = mem();
    let peak = 0;
    let lines = 0;
    let batches = 0;
    const src = createFileSource({ input: p, once: true });
    await src.start((b) => {
      lines += b.lines.length;
      if (++batches % 20 === 0) peak = Math.max(peak, mem() - baseline);
    });
    await src.done;
    assert.equal(lines, expectedLines);
    assert.equal(src.stats().bytes, chunks * Buffer.byteLength(chunk));
    // Holding the file would need 50+ MB; streaming needs the read buffer plus garbage awaiting GC.
    assert.ok(peak < 40 * 1024 * 1024, `memory grew by ${Math.round(peak / 1024 / 1024)} MB while reading a 50 MB file`);
  });

  it('stop() during a replay ends it and resolves done', async () => {
    const p = fresh('big2.log');
    writeFileSync(p, 'x'.repeat(100).concat('\n').repeat(200_000));
    const baseline = handleCounts();
    let seen = 0;
    const src = createFileSource({ input: p, once: true, name: 'replay' });
    let stopping: Promise<void> | undefined;
    await src.start((b) => {
      seen += b.lines.length;
      stopping ??= src.stop();
    });
    await stopping;
    await src.done;
    assert.ok(seen < 200_000);
    assert.deepEqual(leakedSince(baseline), []);
  });
});
