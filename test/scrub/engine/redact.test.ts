/**
 * redactText and the masks: PCI 3.4.1 limits (never more than BIN + last four, at least five
 * hidden), the four mask modes, and structure: JSON stays JSON (bare numbers become strings),
 * key=value stays parseable, escapes and `%20` are replaced over their whole span.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { redactText } from '../../../src/scrub/engine.ts';
import { binDigitsShown, maskCard, maskValue } from '../../../src/scrub/mask.ts';

const KEY = 'test-key-0123456789abcdef';

describe('masks', () => {
  it('card masks per mode', () => {
    assert.equal(maskCard('4111111111111111', 'bin-last4'), '411111******1111');
    assert.equal(maskCard('378282246310005', 'bin-last4'), '378282*****0005');
    assert.equal(maskCard('4111111111111111', 'last4'), '************1111');
    assert.equal(maskCard('4111111111111111', 'full'), '****************');
    assert.match(maskCard('4111111111111111', 'hash', KEY), /^\[h:[A-Za-z0-9_-]{16}\]$/);
    assert.equal(maskCard('4111111111111111', 'hash', KEY), maskCard('4111111111111111', 'hash', KEY));
    assert.notEqual(maskCard('4111111111111111', 'hash', KEY), maskCard('5555555555554444', 'hash', KEY));
  });
  it('never shows more than BIN + last four, and hides at least five', () => {
    for (let len = 12; len <= 19; len++) {
      const shown = maskCard('4'.repeat(len), 'bin-last4').replace(/\*/g, '').length;
      assert.ok(shown <= 10 && len - shown >= 5, `length ${len}: ${shown} shown`);
      assert.ok(binDigitsShown(len) <= 6);
    }
  });
  it('hash mode needs a key of 16 bytes', () => {
    assert.throws(() => maskCard('4111111111111111', 'hash', 'short'), (e: unknown) => e instanceof CwError && e.code === 'CW_USAGE_BAD_FLAG');
    assert.throws(() => redactText('x', { mask: 'hash' }), CwError);
  });
  it('other types have their own short masks', () => {
    assert.equal(maskValue('email', 'alice@example.com'), 'a***@example.com');
    assert.equal(maskValue('phone', '09012345678'), '*********78');
    assert.equal(maskValue('card-cvv', '123'), '***');
  });
  it('masks hold no quote, backslash, &, =, space, comma, semicolon or pipe', () => {
    for (const m of [maskCard('4111111111111111', 'bin-last4'), maskCard('4111111111111111', 'hash', KEY), maskValue('track-data', '4111'), maskValue('card-expiry', '1227'), maskValue('email', 'a@b.co'), maskValue('my-number', '123456789018')]) {
      assert.doesNotMatch(m, /["'\\&= ,;|]/);
    }
  });
});

describe('redactText', () => {
  it('quotes a card that is a bare JSON number, and keeps JSON valid', () => {
    const r = redactText('{"amount":1200,"card":4111111111111111,"n":[5555555555554444]}');
    assert.equal(r.text, '{"amount":1200,"card":"411111******1111","n":["555555******4444"]}');
    JSON.parse(r.text);
    assert.equal(r.findings.length, 2);
  });
  it('replaces split escapes and %20 over the whole span', () => {
    assert.equal(redactText('{"pan":"\\u0034111111111111111"}').text, '{"pan":"411111******1111"}');
    assert.equal(redactText('GET /p?cc=4111%201111%201111%201111&a=1').text, 'GET /p?cc=411111******1111&a=1');
    assert.equal(redactText('q=４１１１ー１１１１ー１１１１ー１１１１').text, 'q=411111******1111');
  });
  it('keeps key=value lines parseable', () => {
    const r = redactText('pan=4111 1111 1111 1111 exp=1227 cvv=123 amount=1200');
    assert.equal(r.text, 'pan=411111******1111 exp=**** cvv=*** amount=1200');
  });
  it('leaves low-confidence look-alikes and text without findings untouched', () => {
    const t = 'order_id=4111111111111111 ts=1732181660123';
    const r = redactText(t);
    assert.equal(r.text, t);
    assert.deepEqual(r.findings, []);
  });
  it('mask modes and redactFrom', () => {
    assert.equal(redactText('cc=4111111111111111', { mask: 'last4' }).text, 'cc=************1111');
    assert.equal(redactText('cc=4111111111111111', { mask: 'full' }).text, 'cc=****************');
    assert.match(redactText('cc=4111111111111111 mail=a@example.com', { mask: 'hash', key: KEY }).text, /^cc=\[h:.{16}\] mail=\[h:.{16}\]$/);
    assert.equal(redactText('order_id=4111111111111111', { redactFrom: 'low' }).text, 'order_id=411111******1111');
    assert.equal(redactText('ref 4111111111111111', { redactFrom: 'high' }).text, 'ref 4111111111111111');
  });
  it('keeps header shape for credentials', () => {
    assert.equal(redactText('Authorization: Bearer abc.def.ghi').text, 'Authorization: Bearer ***');
    assert.equal(redactText('{"cookie":"sid=abc; theme=dark"}').text, '{"cookie":"sid=***; theme=***"}');
  });
  it('findings of redactText carry offsets into the input and the mask used', () => {
    const t = 'x cc=4111111111111111';
    const [f] = redactText(t, { mask: 'last4' }).findings;
    assert.equal(t.slice(f!.start, f!.end), '4111111111111111');
    assert.equal(f!.masked, '************1111');
  });
});
