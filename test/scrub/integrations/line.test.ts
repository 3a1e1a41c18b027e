/**
 * The shared pieces: credential masking by name, number quoting, scrubJsonLine's JSON guarantee,
 * URL and header scrubbing, and the library's `redact` / `scan`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  maskCredential,
  maskSensitiveJson,
  redact,
  scan,
  scrubHeaders,
  scrubJsonLine,
  scrubUrl,
  scrubValue,
} from '../../../src/scrub/index.ts';
import { quoteNumbersUnder } from '../../../src/scrub/integrations/line.ts';
import { assertNoCard } from './leak.ts';

const digits = (v: unknown): string => String(v).replace(/\D/g, '');

describe('credential masking by name', () => {
  it('keeps the scheme, cookie names and Set-Cookie attributes; masks the secrets', () => {
    assert.equal(maskCredential('Authorization', 'Bearer abc.def.ghi'), 'Bearer ***');
    assert.equal(maskCredential('authorization', 'opaque'), '***');
    assert.equal(maskCredential('cookie', 'sid=abc; theme=dark;'), 'sid=***; theme=***');
    assert.equal(maskCredential('set-cookie', 'sid=abc; Path=/; HttpOnly'), 'sid=***; Path=/; HttpOnly');
    assert.equal(maskCredential('x-api-key', 'k-123'), '***');
  });

  it('masks sensitive keys anywhere in a JSON text, case-insensitively, strings and arrays', () => {
    const json = JSON.stringify({ a: { Authorization: 'Basic dXNlcjpwYXNz' }, 'set-cookie': ['a=1; Path=/', 'b=2'], cookies: 'x', note: 'cookie' });
    const out = maskSensitiveJson(json);
    assert.deepEqual(JSON.parse(out), {
      a: { Authorization: 'Basic ***' },
      'set-cookie': ['a=***; Path=/', 'b=***'],
      cookies: 'x',
      note: 'cookie',
    });
    assert.equal(maskSensitiveJson('{"msg":"no keys here"}'), '{"msg":"no keys here"}');
    assert.deepEqual(JSON.parse(maskSensitiveJson('{"x-session":"s1"}', new Set(['x-session']))), { 'x-session': '***' });
  });
});

describe('quoteNumbersUnder', () => {
  it('quotes only bare number tokens that overlap a span, never text inside strings', () => {
    const json = '{"t":1591195061437,"pan":5555555555554444,"s":"5555555555554444"}';
    const start = json.indexOf('5555');
    assert.equal(
      quoteNumbersUnder(json, [{ start, end: start + 16 }]),
      '{"t":1591195061437,"pan":"5555555555554444","s":"5555555555554444"}',
    );
    const inString = json.lastIndexOf('5555');
    assert.equal(quoteNumbersUnder(json, [{ start: inString, end: inString + 16 }]), json);
  });
});

describe('scrubJsonLine', () => {
  it('masks a card logged as a JSON number and keeps the line valid JSON with its newline', () => {
    const out = scrubJsonLine('{"level":30,"time":1591195061437,"pan":5555555555554444}\n');
    assert.ok(out.endsWith('}\n'));
    const parsed = JSON.parse(out) as Record<string, unknown>;
    assert.equal(parsed.time, 1591195061437);
    assert.equal(digits(parsed.pan), '5555554444');
    assertNoCard(out, 'number line');
  });

  it('leaves a line with nothing to mask byte for byte', () => {
    const line = '{"level":30,"msg":"order A-1001 shipped","qty":3}\n';
    assert.equal(scrubJsonLine(line), line);
  });

  it('redacts text that is not JSON as plain text', () => {
    const out = scrubJsonLine('paid with 4111 1111 1111 1111');
    assertNoCard(out, 'plain text');
    assert.equal(digits(out), '4111111111');
  });

  it('scrubValue: a deep copy with cards masked, the input untouched, cycles survived', () => {
    const input: Record<string, unknown> = { card: { number: '4111111111111111' }, list: [6011111111111117], n: 7 };
    input.self = input;
    const out = scrubValue(input) as Record<string, any>;
    assert.equal((input.card as { number: string }).number, '4111111111111111');
    assert.equal(digits(out.card.number), '4111111111');
    assert.equal(digits(out.list[0]), '6011111117');
    assert.equal(out.n, 7);
    assert.equal(out.self, '[Circular]');
    assert.equal(digits(scrubValue(4111111111111111)), '4111111111');
  });
});

describe('URLs and headers', () => {
  it('scrubUrl: query values with `+`, `%20` and dashes, a card in the path; untouched parts kept', () => {
    const url = '/pay/4111111111111111?card_number=5555+5555+5555+4444&c2=3782%20822463%2010005&ref=A-1001&flag#frag';
    const out = scrubUrl(url);
    assertNoCard(out, 'url');
    assert.match(out, /^\/pay\/[^/?]+\?card_number=[^&]+&c2=[^&]+&ref=A-1001&flag#frag$/);
    assert.equal(scrubUrl('/health?x=1'), '/health?x=1');
    assert.equal(scrubUrl('/cb?access_token=abc123&x=1'), '/cb?access_token=***&x=1');
  });

  it('scrubHeaders: credentials by name, URL headers as URLs, card numbers by content', () => {
    const out = scrubHeaders({
      authorization: 'Bearer t0k3n',
      cookie: ['a=1', 'b=2'],
      referer: 'https://shop.example/pay?card=4111111111111111',
      'x-card': '5555 5555 5555 4444',
      'content-length': 42,
      absent: undefined,
    });
    assert.equal(out.authorization, 'Bearer ***');
    assert.deepEqual(out.cookie, ['a=***', 'b=***']);
    assert.equal(out['content-length'], '42');
    assert.equal('absent' in out, false);
    assertNoCard(JSON.stringify(out), 'headers');
  });
});

describe('library entry point', () => {
  it('redact returns the masked text; scan returns masked findings', () => {
    const text = 'paid with 4111111111111111';
    const masked = redact(text);
    assert.equal(digits(masked), '4111111111');
    const findings = scan(text, { types: ['card-number'] });
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.type, 'card-number');
    assert.equal(text.slice(findings[0]!.start, findings[0]!.end), '4111111111111111');
    assert.equal(digits(findings[0]!.masked), '4111111111');
  });
});
