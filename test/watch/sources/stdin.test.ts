import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { emptyStats, LineSplitter } from '../../../src/watch/sources/common.ts';
import { createStdinSource } from '../../../src/watch/sources/stdin.ts';
import { collector } from './helpers.ts';

describe('stdin source', () => {
  it('reads an injected stream to EOF; done resolves then', async () => {
    const stream = new PassThrough();
    const c = collector();
    const src = createStdinSource({ input: '-' }, { stream });
    assert.equal(src.name, 'stdin');
    assert.equal(src.kind, 'stdin');
    assert.equal(src.address, undefined);
    await src.start(c.onBatch);
    stream.write('{"a":1}\n{"b"');
    stream.write(':2}\r\n');
    await c.waitForLines(2);
    stream.end('tail-without-newline');
    await src.done;
    assert.deepEqual(c.lines, ['{"a":1}', '{"b":2}', 'tail-without-newline']);
    assert.deepEqual(src.stats(), { lines: 3, bytes: 37, batches: 3, rotations: 0, truncations: 0, oversized: 0, rejected: 0, errors: 0 });
    assert.ok(c.batches.every((b) => b.source === 'stdin'));
  });

  it('cuts huge lines, takes a name, and survives binary input', async () => {
    const stream = Readable.from([Buffer.from('x'.repeat(100)), Buffer.from('x'.repeat(100) + '\n'), Buffer.from([0xff, 0x0a, 0x61, 0x0a])]);
    const c = collector();
    const src = createStdinSource({ input: '-', name: 'pipe', maxLineBytes: 50 }, { stream });
    await src.start(c.onBatch);
    await src.done;
    assert.deepEqual(c.lines, ['x'.repeat(50), '\uFFFD', 'a']);
    assert.equal(src.stats().oversized, 1);
    assert.ok(c.batches.every((b) => b.source === 'pipe'));
  });

  it('a stream error ends the input: counted, done resolves', async () => {
    const stream = new PassThrough();
    const c = collector();
    const src = createStdinSource({ input: '-' }, { stream });
    await src.start(c.onBatch);
    stream.write('ok\n');
    await c.waitForLines(1);
    stream.destroy(new Error('EPIPE'));
    await src.done;
    assert.deepEqual(c.lines, ['ok']);
    assert.equal(src.stats().errors, 1);
  });

  it('stop() before EOF stops reading and resolves done', async () => {
    const stream = new PassThrough();
    const c = collector();
    const src = createStdinSource({ input: '-' }, { stream });
    await src.start(c.onBatch);
    stream.write('one\n');
    await c.waitForLines(1);
    await src.stop();
    await src.done;
    stream.write('two\n');
    stream.end();
    assert.deepEqual(c.lines, ['one']);
    assert.equal(stream.listenerCount('data'), 0);
  });
});

describe('line splitting', () => {
  function split(chunks: Array<string | Buffer>, max = 1 << 20) {
    const stats = emptyStats();
    const s = new LineSplitter(max, stats);
    const out: string[] = [];
    for (const ch of chunks) s.push(typeof ch === 'string' ? Buffer.from(ch) : ch, out);
    s.flush(out);
    return { out, oversized: stats.oversized };
  }

  it('joins lines across chunks and strips CR even when CR and LF are in different chunks', () => {
    assert.deepEqual(split(['ab', 'c\r', '\nd', 'e\r\n', '\n\n', 'f']).out, ['abc', 'de', 'f']);
  });

  it('a line of exactly maxLineBytes is whole, with or without CRLF; one byte more is cut', () => {
    assert.deepEqual(split(['12345\n', '12345\r\n', '123456\n'], 5), { out: ['12345', '12345', '12345'], oversized: 1 });
    assert.deepEqual(split(['123', '45\r', '\n', '12', '3456\n'], 5), { out: ['12345', '12345'], oversized: 1 });
  });

  it('a multi-byte character cut at the limit becomes U+FFFD, never an exception', () => {
    assert.deepEqual(split(['aé\n'], 2), { out: ['a\uFFFD'], oversized: 1 });
  });

  it('skipping the rest of an oversized line spans many chunks without holding them', () => {
    const chunks = ['head', ...Array.from({ length: 1000 }, () => 'y'.repeat(1000)), 'end\nnext\n'];
    assert.deepEqual(split(chunks, 10), { out: ['headyyyyyy', 'next'], oversized: 1 });
  });
});
