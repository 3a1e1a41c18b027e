/**
 * Tricky cases per detector: timestamps, order ids, full-width digits, `%20`, `+`, JSON escapes,
 * Amex 15, Visa 13/19, Maestro 12, Diners 14, My Number check digit right and wrong, phones, and
 * offsets into the original text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findInText } from '../../../src/scrub/engine.ts';
import { myNumberValid } from '../../../src/scrub/detectors/my-number.ts';
import type { Finding } from '../../../src/scrub/types.ts';

function brief(fs: Finding[]): string[] {
  return fs.map((f) => `${f.type}/${f.confidence}/${f.masked}`);
}

function only(text: string, minConfidence: Finding['confidence'] = 'low'): string[] {
  return brief(findInText(text, { minConfidence }));
}

describe('card numbers', () => {
  const cases: [string, string[]][] = [
    ['card_number=4111111111111111', ['card-number/high/411111******1111']],
    ['paid with 4222222222222 ok', ['card-number/medium/4222*****2222']], // Visa 13: 4 + 4 shown, 5 hidden
    ['pan=4111111111111111113', []], // Visa 19 that fails Luhn
    ['cc=378282246310005', ['card-number/high/378282*****0005']], // Amex 15: 5 hidden
    ['cc=30569309025904', ['card-number/high/30569*****5904']], // Diners 14: 5 + 4 shown
    ['cc=501800000009', ['card-number/high/501*****0009']], // Maestro 12: 3 + 4 shown
    ['cc=6205500000000000004', ['card-number/high/620550*********0004']], // UnionPay 19
    ['cc=2223003122003222', ['card-number/high/222300******3222']], // Mastercard 2-series
    ['cc=4111%201111%201111%201111&x=1', ['card-number/high/411111******1111']],
    ['q=4111+1111+1111+1111', ['card-number/medium/411111******1111']],
    ['カード番号：４１１１－１１１１－１１１１－１１１１', ['card-number/high/411111******1111']],
    ['{"pan":"\\u0034111111111111111"}', ['card-number/high/411111******1111']],
    ['{"card":4111111111111111}', ['card-number/high/411111******1111']],
  ];
  for (const [text, want] of cases) it(text, () => assert.deepEqual(only(text), want));

  it('reports offsets into the original text across escapes and %20', () => {
    const text = 'x {"pan":"\\u0034111111111111111"} cc=4111%201111%201111%201111';
    const [a, b] = findInText(text);
    assert.equal(text.slice(a!.start, a!.end), '\\u0034111111111111111');
    assert.equal(text.slice(b!.start, b!.end), '4111%201111%201111%201111');
  });

  it('never flags 13-digit ms timestamps or Luhn-valid ids that fit no brand', () => {
    assert.deepEqual(only('ts=1732181660123 t=1700000000000 id=8000000000000001'), []);
  });

  it('a Luhn-valid IIN-valid order id under a negative key is low, without context medium', () => {
    assert.deepEqual(only('order_id=4111111111111111', 'low'), ['card-number/low/411111******1111']);
    assert.deepEqual(only('order_id=4111111111111111', 'medium'), []);
    assert.deepEqual(only('{"request_id":"5555555555554444","ts":1}', 'medium'), []);
    assert.deepEqual(only('ref 5555555555554444 done', 'medium'), ['card-number/medium/555555******4444']);
  });

  it('does not take digits glued to letters (IBAN, hex ids, UUIDs)', () => {
    assert.deepEqual(only('GB82WEST12345698765432 DE89370400440532013000 a4111111111111111 id=550e8400-e29b-41d4-a716-446655440000'), []);
  });

  it('takes the card out of a longer run of spaced numbers', () => {
    assert.deepEqual(only('charged 1200 4111111111111111'), ['card-number/medium/411111******1111']);
    assert.deepEqual(only('card 4111 1111 1111 1111 12/27 123'), ['card-number/high/411111******1111', 'card-expiry/medium/****', 'card-cvv/medium/***']);
  });

  it('gives the brand', () => {
    assert.equal(findInText('cc=3530111333300000')[0]!.brand, 'jcb');
    assert.equal(findInText('cc=6011111111111117')[0]!.brand, 'discover');
    assert.equal(findInText('cc=6759649826438453')[0]!.brand, 'maestro');
    assert.equal(findInText('cc=6200000000000005')[0]!.brand, 'unionpay');
  });
});

describe('track data', () => {
  it('track 1 and track 2 with and without sentinels', () => {
    assert.deepEqual(only('t=%B4111111111111111^DOE/JOHN^27121010000000?'), ['track-data/high/[track-data]']);
    assert.deepEqual(only('t=;5555555555554444=27121010000000?'), ['track-data/high/[track-data]']);
    assert.deepEqual(only('track2=4111111111111111=2712101123'), ['track-data/high/[track-data]']);
    assert.deepEqual(only('x=4111111111111111=12'), ['card-number/medium/411111******1111']);
  });
});

describe('cvv and expiry', () => {
  it('needs a key or a card next to it', () => {
    assert.deepEqual(only('status=123 code=456'), []);
    assert.deepEqual(only('{"cvc":"123","exp":"12/2027"}'), ['card-cvv/high/***', 'card-expiry/high/****']);
    assert.deepEqual(only('cvv2=1234 expiry=1227 有効期限：2027-12'), ['card-cvv/high/***', 'card-expiry/high/****', 'card-expiry/high/****']);
    assert.deepEqual(only('exp=13/27 expiry=1300'), []);
  });
});

describe('my number', () => {
  it('checks the check digit', () => {
    assert.equal(myNumberValid('123456789018'), true);
    assert.equal(myNumberValid('465281266333'), true);
    assert.equal(myNumberValid('123456789012'), false);
  });
  it('needs context', () => {
    assert.deepEqual(only('個人番号: 4652-8126-6333'), ['my-number/high/************']);
    assert.deepEqual(only('{"my_number":"123456789018"}'), ['my-number/high/************']);
    assert.deepEqual(only('{"my_number":"123456789012"}'), []);
    assert.deepEqual(only('n=123456789018'), []);
  });
});

describe('phone, postal code, bank account, e-mail', () => {
  it('phones', () => {
    assert.deepEqual(only('電話：090-1234-5678'), ['phone/high/*********78']);
    assert.deepEqual(only('x 03-1234-5678 y'), ['phone/medium/********78']);
    assert.deepEqual(only('to=%2B819012345678'), ['phone/medium/**********78']);
    assert.deepEqual(only('n=09012345678'), []);
    assert.deepEqual(only('trace=4566ce2e-e58d-0901-7431-357e7db480a5'), []);
  });
  it('postal codes', () => {
    assert.deepEqual(only('〒１００－０００１'), ['postal-code-jp/high/*******']);
    assert.deepEqual(only('postal_code=100-0001 bytes=1000001'), ['postal-code-jp/high/*******']);
  });
  it('bank accounts', () => {
    assert.deepEqual(only('{"bank":{"account_number":"1234567"},"account_id":7654321}'), ['bank-account/high/*******']);
  });
  it('e-mail addresses', () => {
    assert.deepEqual(only('from carol+shop@mail.example.org.'), ['email/medium/c***@mail.example.org']);
    assert.deepEqual(only('user@localhost @x a@b.c'), []);
  });
});

describe('credentials', () => {
  it('headers in text and JSON', () => {
    assert.deepEqual(only('Cookie: session=abc123; theme=dark'), ['credential/high/***', 'credential/medium/***']);
    assert.deepEqual(only('{"set-cookie":["sid=abc; Path=/; HttpOnly"]}'), ['credential/high/***']);
    assert.deepEqual(only('authorization=Basic dXNlcjpwYXNz'), ['credential/high/Basic ***']);
  });
});
