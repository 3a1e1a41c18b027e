/**
 * createRedactStream and LineSplitter: chunks split mid-line and mid-character give the same output
 * as whole-line redaction, CRLF and a last line without newline are kept byte for byte, a line over
 * the cap is redacted in windows with cards at the cut points, and the counts by type are exact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText } from '../../../src/scrub/engine.ts';
import { createRedactStream, LineSplitter, type RedactStreamOptions } from '../../../src/scrub/stream.ts';
import { CARDS, hasRawCard, masked } from './helpers.ts';

const CARD_ONLY = { types: ['card-number'] as const };

/** Feeds `input` to a fresh redact stream in chunks cut at `cuts` (byte offsets); resolves the output and stats. */
async function through(input: Buffer, cuts: number[], opts: RedactStreamOptions = CARD_ONLY) {
  const s = createRedactStream(opts);
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise<void>((resolve, reject) => {
    s.on('end', resolve);
    s.on('error', reject);
  });
  let at = 0;
  for (const c of [...cuts, input.length]) {
    if (c > at) s.write(input.subarray(at, c));
    at = Math.max(at, c);
  }
  s.end();
  await done;
  return { out: Buffer.concat(parts).toString('utf8'), stats: s.stats };
}

/** What redaction line by line must give: each line redacted whole, line endings kept. */
function expected(input: string, opts = CARD_ONLY): string {
  return input
    .split('\n')
    .map((l) => (l.endsWith('\r') ? `${redactText(l.slice(0, -1), opts).text}\r` : redactText(l, opts).text))
    .join('\n');
}

const SAMPLE = [
  `{"event":"charge","card_number":"${CARDS[0]}","holder":"Tarō Yamada 山田"}`,
  `2026-11-21T09:00:00Z café 😀 pan=${CARDS[1]} ok\r`,
  '',
  `{"msg":"全角 ok","card_number":"${CARDS[2]}"}\r`,
  `last line without newline card_number=${CARDS[3]}`,
].join('\n');

describe('createRedactStream', () => {
  it('masks every card and keeps everything else byte for byte (CRLF, empty line, last line without newline)', async () => {
    const { out, stats } = await through(Buffer.from(SAMPLE), []);
    assert.equal(out, expected(SAMPLE));
    assert.equal(hasRawCard(out), false);
    for (const c of CARDS.slice(0, 4)) assert.ok(out.includes(masked(c)), masked(c));
    assert.equal(out.split('\r\n').length, 3);
    assert.ok(!out.endsWith('\n'));
    assert.deepEqual(stats, { lines: 5, masked: 4, byType: { 'card-number': 4 }, longLines: 0 });
  });

  it('gives the same output whatever the chunking: every byte alone, and every single cut (mid-line, mid-character)', async () => {
    const input = Buffer.from(SAMPLE);
    const want = expected(SAMPLE);
    const oneByOne = await through(input, [...Array(input.length).keys()]);
    assert.equal(oneByOne.out, want);
    for (let cut = 1; cut < input.length; cut++) {
      const r = await through(input, [cut]);
      if (r.out !== want) assert.fail(`output differs when the input is cut at byte ${cut}`);
      assert.equal(r.stats.masked, 4);
    }
  });

  it('passes a final CRLF and a lone final newline through', async () => {
    assert.equal((await through(Buffer.from('a\r\nb\r\n'), [2])).out, 'a\r\nb\r\n');
    assert.equal((await through(Buffer.from('\n'), [])).out, '\n');
    assert.equal((await through(Buffer.from(''), [])).out, '');
  });

  it('redacts a line over the cap in windows: cards at the cut points masked once, the rest unchanged', async () => {
    const maxLine = 4096;
    let line = '';
    // Cards every ~1,000 characters, so some sit on every possible cut point of the windows.
    for (let i = 0; line.length < 60_000; i++) line += `${'é'.repeat(200 + ((i * 337) % 800))} card_number=${CARDS[i % CARDS.length]} ${i % 5 === 0 ? '😀' : ''}`;
    const input = `${line}\nshort card_number=${CARDS[0]}\r\n${line}`;
    const want = expected(input);
    const cardsIn = (input.match(/card_number=/g) ?? []).length;
    for (const cuts of [[], [5000, 5001, 5002], [...Array(200).keys()].map((i) => i * 613)]) {
      const r = await through(Buffer.from(input), cuts, { ...CARD_ONLY, maxLine });
      assert.equal(r.out, want);
      assert.equal(r.stats.masked, cardsIn);
      assert.equal(r.stats.longLines, 2);
      assert.equal(r.stats.lines, 3);
    }
  });

  it('passes each complete line on as soon as its chunk arrives', async () => {
    const s = createRedactStream(CARD_ONLY);
    const got: string[] = [];
    s.on('data', (d: Buffer) => got.push(d.toString()));
    s.write(`a card_number=${CARDS[0]}\nb par`);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, [`a card_number=${masked(CARDS[0])}\n`]);
    s.end('tial\n');
    await new Promise((r) => s.on('end', r));
    assert.deepEqual(got, [`a card_number=${masked(CARDS[0])}\n`, 'b partial\n']);
  });
});

describe('LineSplitter', () => {
  it('numbers lines from 1 and hands over windows that overlap', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter(
      {
        line: (text, n, offset, eol) => void seen.push(`line ${n} @${offset} ${JSON.stringify(text)} ${JSON.stringify(eol)}`),
        window: (text, n, offset) => {
          seen.push(`window ${n} @${offset} ${text.length}`);
          return 20;
        },
      },
      32,
    );
    splitter.push('ab\r\n');
    splitter.push('x'.repeat(70));
    splitter.push('\nlast');
    splitter.end();
    assert.deepEqual(seen, ['line 1 @0 "ab" "\\r\\n"', 'window 2 @0 32', 'window 2 @20 32', 'line 2 @40 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "\\n"', 'line 3 @0 "last" ""']);
    assert.equal(splitter.lines, 3);
  });
});
