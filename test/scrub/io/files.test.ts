/**
 * The file helpers: binary sniffing, UTF-8 decoding that notices invalid bytes (also when a
 * character or a literal U+FFFD is split across chunks), and the directory walk (sorted, symlink
 * loops skipped, a file reached twice listed once).
 */
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { looksBinary, Utf8Decoder, walkPaths } from '../../../src/scrub/files.ts';
import { tempDir } from './helpers.ts';

function decode(chunks: Buffer[]): { text: string; invalid: boolean } {
  const d = new Utf8Decoder();
  let text = '';
  for (const c of chunks) text += d.write(c);
  text += d.end();
  return { text, invalid: d.invalid };
}

/** Every way of cutting `b` in two. */
const cuts = (b: Buffer) => [...Array(b.length + 1).keys()].map((i) => [b.subarray(0, i), b.subarray(i)]);

describe('looksBinary', () => {
  it('says binary for a NUL byte or mostly control bytes, text for logs with tabs and ANSI colours', () => {
    assert.equal(looksBinary(Buffer.from('GET / 200\n')), false);
    assert.equal(looksBinary(Buffer.from('\u001b[31mERROR\u001b[0m\tcafé\r\n')), false);
    assert.equal(looksBinary(Buffer.from([0x47, 0x00, 0x41])), true);
    assert.equal(looksBinary(Buffer.from([1, 2, 3, 4, 65, 66, 67, 68, 69, 70])), true);
    assert.equal(looksBinary(Buffer.alloc(0)), false);
  });
});

describe('Utf8Decoder', () => {
  it('joins characters split across chunks, valid however cut', () => {
    const b = Buffer.from('é😀全 \uFFFD ok');
    for (const parts of cuts(b)) assert.deepEqual(decode(parts), { text: 'é😀全 \uFFFD ok', invalid: false });
  });

  it('replaces invalid bytes with U+FFFD and says so, however cut', () => {
    const b = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' \uFFFD x'), Buffer.from([0xf0, 0x9f])]);
    for (const parts of cuts(b)) assert.deepEqual(decode(parts), { text: 'caf\uFFFD \uFFFD x\uFFFD', invalid: true });
  });
});

describe('walkPaths', () => {
  it('walks sorted, follows links, skips loops and lists a file once', () => {
    const { dir, put } = tempDir('cw-walk-');
    put('b/2.log', 'x');
    put('b/1.log', 'x');
    put('a.log', 'x');
    symlinkSync('..', join(dir, 'b/up'));
    symlinkSync('1.log', join(dir, 'b/again.log'));
    const r = walkPaths([dir, join(dir, 'a.log')]);
    assert.deepEqual(r.files.map((f) => f.slice(dir.length + 1)), ['a.log', 'b/1.log', 'b/2.log']);
    assert.deepEqual(r.loops.map((f) => f.slice(dir.length + 1)), ['b/up']);
    assert.deepEqual(r.problems, []);
  });

  it('refuses a named path that does not exist, in one line', () => {
    assert.throws(() => walkPaths(['/nonexistent/cw.log']), { message: 'scan: cannot read /nonexistent/cw.log: no such file or directory; check the path' });
  });
});
