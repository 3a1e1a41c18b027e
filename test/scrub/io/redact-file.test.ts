/**
 * redactFileInPlace: the file is replaced atomically by its redacted copy with the original kept as
 * a backup (or none), gzip stays gzip, the mode is kept, no temporary file is left, and a file that
 * cannot be read is left alone with a one-line error.
 */
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CwError } from '../../../src/core/errors.ts';
import { redactFileInPlace } from '../../../src/scrub/redact-file.ts';
import { CARDS, hasRawCard, masked, tempDir } from './helpers.ts';

const CARD_ONLY = { types: ['card-number'] as const };
const LOG = `{"card_number":"${CARDS[0]}","n":1}\nplain line\r\nend card_number=${CARDS[1]}`;
const CLEAN = `{"card_number":"${masked(CARDS[0])}","n":1}\nplain line\r\nend card_number=${masked(CARDS[1])}`;

describe('redactFileInPlace', () => {
  const { dir, put } = tempDir('cw-inplace-');

  it('rewrites a plain file and keeps the original as <file>.bak with the same mode', async () => {
    const p = put('app.log', LOG);
    chmodSync(p, 0o640);
    const r = await redactFileInPlace(p, CARD_ONLY);
    assert.equal(readFileSync(p, 'utf8'), CLEAN);
    assert.equal(readFileSync(`${p}.bak`, 'utf8'), LOG);
    assert.equal(statSync(p).mode & 0o777, 0o640);
    assert.deepEqual(r, { file: p, gzip: false, backup: `${p}.bak`, stats: { lines: 3, masked: 2, byType: { 'card-number': 2 }, longLines: 0 } });
  });

  it('keeps a gzip file gzip (recognised by content) and honours the backup suffix', async () => {
    const p = put('gateway.1', gzipSync(LOG));
    const r = await redactFileInPlace(p, { ...CARD_ONLY, backupSuffix: '.orig' });
    const raw = readFileSync(p);
    assert.deepEqual([raw[0], raw[1]], [0x1f, 0x8b]);
    assert.equal(gunzipSync(raw).toString('utf8'), CLEAN);
    assert.equal(gunzipSync(readFileSync(`${p}.orig`)).toString('utf8'), LOG);
    assert.equal(r.gzip, true);
  });

  it('keeps no backup with an empty suffix, and leaves no temporary file', async () => {
    const p = put('nobak/x.log', LOG);
    await redactFileInPlace(p, { ...CARD_ONLY, backupSuffix: '' });
    assert.deepEqual(readdirSync(join(dir, 'nobak')), ['x.log']);
    assert.equal(hasRawCard(readFileSync(p, 'utf8')), false);
  });

  it('leaves a damaged gzip file unchanged and says so in one line', async () => {
    const gz = gzipSync(`${LOG}\n${'filler\n'.repeat(10000)}`);
    const p = put('cut/x.gz', gz.subarray(0, gz.length - 40));
    await assert.rejects(redactFileInPlace(p, CARD_ONLY), (e: unknown) => {
      assert.ok(e instanceof CwError);
      assert.match(e.message, /^redact: .*x\.gz left unchanged: .+; check the file$/);
      return true;
    });
    assert.deepEqual(readFileSync(p), gz.subarray(0, gz.length - 40));
    assert.deepEqual(readdirSync(join(dir, 'cut')), ['x.gz']);
  });

  it('refuses a missing file', async () => {
    await assert.rejects(redactFileInPlace(join(dir, 'missing.log')), { message: /^redact: cannot read .*missing\.log: no such file or directory; check the path$/ });
  });
});
