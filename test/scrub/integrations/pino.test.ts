/**
 * pino end to end: a real pino logger writing to a real file, through the `streamWrite` hook and
 * through the wrapped destination. The file must hold no card number, no credential, only valid
 * JSON lines, and card masks of at most BIN + last four.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino, { type Logger } from 'pino';
import { scrubDestination, scrubPinoOptions } from '../../../src/scrub/index.ts';
import { assertNoCard, jsonLines } from './leak.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-scrub-pino-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Digits of a masked value: BIN + last four for a card masked `bin-last4`. */
const digits = (v: unknown): string => String(v).replace(/\D/g, '');

/** The records every test logs: strings, separators, a JSON number, arrays, an error, bindings. */
function logAll(logger: Logger): void {
  logger.info({ card: '4111 1111 1111 1111', nested: { pan: 5555555555554444 } }, 'paid with 4111111111111111');
  logger.info({ items: [{ card_number: '378282246310005' }, 3530111333300000], amount: 1200 });
  logger.error(new Error('card 6011111111111117 declined'));
  logger.child({ card_number: '4111-1111-1111-1111' }).info('child logger');
  logger.info({ headers: { authorization: 'Bearer tok_test_abcdef123456', cookie: 'sid=s3cr3t-session; theme=dark' } }, 'headers');
  logger.info({ order_id: 'A-1001', time_ms: 1591195061437 }, 'nothing to mask');
}

function checkFile(file: string, what: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  assertNoCard(text, what);
  assert.equal(text.includes('tok_test_abcdef123456'), false, `${what}: the bearer token is in the log`);
  assert.equal(text.includes('s3cr3t-session'), false, `${what}: the session cookie is in the log`);
  const lines = jsonLines(text, what);
  assert.equal(lines.length, 6);

  const [paid, items, error, child, headers, plain] = lines as [
    Record<string, any>,
    Record<string, any>,
    Record<string, any>,
    Record<string, any>,
    Record<string, any>,
    Record<string, any>,
  ];
  assert.equal(paid.level, 30);
  assert.equal(digits(paid.card), '4111111111');
  assert.equal(typeof paid.nested.pan, 'string', 'a card logged as a JSON number becomes a masked string');
  assert.equal(digits(paid.nested.pan), '5555554444');
  assert.match(paid.msg, /^paid with /);
  assert.equal(digits(paid.msg), '4111111111');

  assert.equal(digits(items.items[0].card_number), '3782820005');
  assert.equal(digits(items.items[1]), '3530110000');
  assert.equal(items.amount, 1200);

  assert.equal(error.level, 50);
  assert.equal(digits(error.err.message), '6011111117');
  assert.match(error.err.stack, /^Error: card .* declined\n {4}at /);

  assert.equal(digits(child.card_number), '4111111111');
  assert.equal(headers.headers.authorization, 'Bearer ***');
  assert.equal(headers.headers.cookie, 'sid=***; theme=***');
  assert.deepEqual([plain.order_id, plain.time_ms, plain.msg], ['A-1001', 1591195061437, 'nothing to mask']);
  return lines;
}

describe('pino: hooks.streamWrite (scrubPinoOptions)', () => {
  it('writes no card number or credential to the file; every line stays JSON', () => {
    const file = join(dir, `hook-${n++}.log`);
    const dest = pino.destination({ dest: file, sync: true });
    logAll(pino({ level: 'info', ...scrubPinoOptions() }, dest));
    dest.flushSync();
    checkFile(file, 'pino hook');
  });

  it('keeps a streamWrite hook of your own, running it first', () => {
    const file = join(dir, `hook-${n++}.log`);
    const dest = pino.destination({ dest: file, sync: true });
    const logger = pino(scrubPinoOptions({}, { hooks: { streamWrite: (s: string) => s.replace('"msg":"tag me"', '"msg":"tagged 4111111111111111"') } }), dest);
    logger.info('tag me');
    dest.flushSync();
    const text = readFileSync(file, 'utf8');
    assertNoCard(text, 'chained hook');
    const [line] = jsonLines(text, 'chained hook');
    assert.equal(digits(line!.msg), '4111111111');
  });

  it('hash mode: equal card numbers give equal tokens, no digits of the card', () => {
    const file = join(dir, `hook-${n++}.log`);
    const dest = pino.destination({ dest: file, sync: true });
    const logger = pino(scrubPinoOptions({ mask: 'hash', key: 'test-key-0123456789abcdef' }), dest);
    logger.info({ card_number: '4111111111111111' }, 'first');
    logger.info({ card_number: '4111111111111111' }, 'second');
    dest.flushSync();
    const text = readFileSync(file, 'utf8');
    assertNoCard(text, 'hash mode');
    const [a, b] = jsonLines(text, 'hash mode') as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(a.card_number, b.card_number);
    assert.notEqual(a.card_number, '4111111111111111');
  });
});

describe('pino: scrubDestination', () => {
  it('writes no card number or credential to the file; every line stays JSON', () => {
    const file = join(dir, `dest-${n++}.log`);
    const dest = scrubDestination(pino.destination({ dest: file, sync: true }));
    logAll(pino({ level: 'info' }, dest));
    dest.flushSync(); // methods reach the wrapped destination
    checkFile(file, 'pino destination');
  });

  it('scrubs a chunk of several lines line by line', () => {
    const chunks: string[] = [];
    const dest = scrubDestination({ write: (s: string) => void chunks.push(s) });
    dest.write('{"a":"4111111111111111"}\n{"b":5555555555554444}\n');
    assert.equal(chunks.length, 1);
    assertNoCard(chunks[0]!, 'multi-line chunk');
    assert.equal(jsonLines(chunks[0]!, 'multi-line chunk').length, 2);
  });
});
