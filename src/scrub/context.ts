/**
 * Context around a value: the key it sits under (`"card_number":`, `pan=`, `cvv: `, `カード番号：`)
 * and words nearby. The key is read backwards from the value without allocating: its lower-cased
 * characters (minus `_` and `-`) are hashed, and every segment suffix (`billing_postal_code` →
 * `code`, `postalcode`, `billingpostalcode`; camelCase counts too) is looked up in one table. The
 * longest known suffix decides the key class. Negative keys (ids, timestamps, traces) lower
 * confidence; card keys raise it.
 */

export const K_NONE = 0;
export const K_CARD = 1;
export const K_NEG = 2;
export const K_CVV = 3;
export const K_EXPIRY = 4;
export const K_EXP_MONTH = 5;
export const K_EXP_YEAR = 6;
export const K_PHONE = 7;
export const K_POSTAL = 8;
export const K_BANK = 9;
export const K_MYNUMBER = 10;
export const K_EMAIL = 11;

const KEYS: Record<number, readonly string[]> = {
  [K_CARD]: [
    'card', 'cardnumber', 'cardno', 'cardnum', 'pan', 'cc', 'ccnumber', 'ccnum', 'ccno', 'creditcard',
    'creditcardnumber', 'primaryaccountnumber', 'cardpan', 'カード番号', 'クレジットカード番号', 'カード',
  ],
  [K_NEG]: [
    'id', 'uid', 'ts', 'timestamp', 'time', 'msec', 'epoch', 'trace', 'traceid', 'span', 'spanid', 'orderid', 'order',
    'orderno', 'ordernumber', 'requestid', 'reqid', 'rid', 'txid', 'transactionid', 'invoice', 'invoiceno', 'nonce',
    'seq', 'sequence', 'correlationid', 'messageid', 'eventid', 'version', 'bytes', 'size', 'length', 'count',
    'duration', 'elapsed', 'latency', 'port', '注文番号',
  ],
  [K_CVV]: ['cvv', 'cvc', 'cvv2', 'cvc2', 'cvn', 'csc', 'securitycode', 'cardcode', 'cardcvv', 'cardcvc', 'セキュリティコード'],
  [K_EXPIRY]: ['exp', 'expiry', 'expiration', 'expdate', 'expirydate', 'expirationdate', 'cardexpiry', 'ccexp', 'validthru', '有効期限'],
  [K_EXP_MONTH]: ['expmonth', 'expirymonth', 'expirationmonth', 'expm', 'expmm'],
  [K_EXP_YEAR]: ['expyear', 'expiryyear', 'expirationyear', 'expy', 'expyy', 'expyyyy'],
  [K_PHONE]: ['phone', 'tel', 'telephone', 'phonenumber', 'telno', 'mobile', 'cell', 'fax', 'msisdn', '電話', '電話番号', '携帯', '携帯番号'],
  [K_POSTAL]: ['postal', 'postalcode', 'postcode', 'zip', 'zipcode', '郵便番号', '〒'],
  [K_BANK]: ['bankaccount', 'bankaccountnumber', 'accountnumber', 'accountno', 'acctno', 'acctnumber', 'acct', 'iban', '口座番号', '口座'],
  [K_MYNUMBER]: ['mynumber', 'individualnumber', 'kojinbango', 'マイナンバー', '個人番号'],
  [K_EMAIL]: ['email', 'mail', 'emailaddress', 'メール', 'メールアドレス'],
};

const FNV_OFFSET = 0x811c9dc5 | 0;
function step(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

// Open-addressing table of int32 hashes (no Map, no heap numbers on the hot path).
const SLOTS = 1024;
const TKEY = new Int32Array(SLOTS);
const TVAL = new Uint8Array(SLOTS); // 0 = empty
function slot(h: number): number {
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}
function lookup(h: number): number {
  let i = slot(h);
  for (;;) {
    const v = TVAL[i]!;
    if (v === 0) return K_NONE;
    if (TKEY[i] === h) return v;
    i = (i + 1) & (SLOTS - 1);
  }
}
for (const [cls, words] of Object.entries(KEYS)) {
  for (const w of words) {
    let h = FNV_OFFSET;
    for (let k = w.length - 1; k >= 0; k--) h = step(h, w.charCodeAt(k));
    let i = slot(h);
    while (TVAL[i] !== 0 && TKEY[i] !== h) i = (i + 1) & (SLOTS - 1);
    TKEY[i] = h;
    TVAL[i] = Number(cls);
  }
}

/** Where the last key read by `keyClassAt` sits, for the finding's reason text. */
export const lastKey = { start: 0, end: 0, hash: 0 };

function at(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || (c >= 0x3040 && c <= 0x9fff) || c === 0x3012
  );
}

/**
 * The class of the key just before a value starting at `start`: `key=`, `key:`, `"key":"`,
 * `\"key\":`, `key%3D`, `キー：`, or a bare word and a space (`CVV 123`). K_NONE when there is none.
 */
export function keyClassAt(text: string, start: number): number {
  // A card's confidence asks again for the key its run was read under: answer from the last call.
  if (start === memo.start && text === memo.text) {
    lastKey.start = memo.keyStart;
    lastKey.end = memo.keyEnd;
    lastKey.hash = memo.hash;
    return memo.cls;
  }
  const cls = readKeyClass(text, start);
  memo.text = text;
  memo.start = start;
  memo.cls = cls;
  memo.keyStart = lastKey.start;
  memo.keyEnd = lastKey.end;
  memo.hash = lastKey.hash;
  return cls;
}

/** The last `keyClassAt` answer (a pure function of the text and the offset). */
const memo = { text: '', start: -1, cls: 0, keyStart: 0, keyEnd: 0, hash: 0 };

/** Forgets the last `keyClassAt` answer (the engine calls it per text, so no two texts are compared). */
export function resetKeyMemo(): void {
  memo.start = -1;
  memo.text = '';
}

function readKeyClass(text: string, start: number): number {
  let p = start - 1;
  let c = at(text, p);
  if (c === 34 || c === 39) {
    p--;
    if (at(text, p) === 92) p--;
    c = at(text, p);
  }
  let spaces = 0;
  while (c === 32 && spaces < 4) {
    p--;
    spaces++;
    c = at(text, p);
  }
  if (c === 58 || c === 61 || c === 0xff1a) {
    p--;
  } else if (at(text, p - 2) === 37 && at(text, p - 1) === 51 && (c === 68 || c === 100 || c === 65 || c === 97)) {
    p -= 3; // %3D %3A
  } else if (c === 0x3012) {
    lastKey.start = p;
    lastKey.end = p + 1;
    lastKey.hash = 0x3012;
    return K_POSTAL;
  } else if (spaces === 0 || !isWordChar(c)) {
    return K_NONE;
  }
  c = at(text, p);
  while (c === 32) c = at(text, --p);
  if (c === 34 || c === 39) {
    p--;
    if (at(text, p) === 92) p--;
    c = at(text, p);
  }
  const end = p + 1;
  let h = FNV_OFFSET;
  let best = K_NONE;
  let right = 0; // the character to the right of c (lower-case test for camelCase)
  let count = 0;
  while (p >= 0 && count < 48) {
    c = text.charCodeAt(p);
    if (!isWordChar(c)) break;
    if (c === 95 || c === 45) {
      if (count > 0) {
        const cls = lookup(h);
        if (cls !== K_NONE) best = cls;
      }
    } else {
      const upper = c >= 65 && c <= 90;
      h = step(h, upper ? c + 32 : c);
      count++;
      if (upper && right >= 97 && right <= 122) {
        const cls = lookup(h);
        if (cls !== K_NONE) best = cls;
      }
    }
    right = c;
    p--;
  }
  if (count > 0) {
    const cls = lookup(h);
    if (cls !== K_NONE) best = cls;
  }
  lastKey.start = p + 1;
  lastKey.end = end;
  lastKey.hash = h;
  return best;
}

/** The key text `keyClassAt` read last (allocates; for reasons only). */
export function lastKeyText(text: string): string {
  return text.slice(lastKey.start, lastKey.end);
}

const CARD_WORDS = /card|カード|クレジット|credit|visa|master|amex|american express|jcb|diners|discover|unionpay|maestro|cvv|cvc|expir|有効期限|(?:^|[^a-z])(?:pan|cc)(?:[^a-z]|$)/i;
const MYNUMBER_WORDS = /マイナンバー|個人番号|my.?number|individual.?number/i;
const PHONE_WORDS = /tel|phone|電話|携帯|mobile|fax/i;

/** A card word (`card`, `カード`, brand names, `pan`, `cvv` …) within `span` characters before `start`. */
export function cardWordsNear(text: string, start: number, span = 48): boolean {
  return CARD_WORDS.test(text.slice(Math.max(0, start - span), start));
}

export function myNumberWordsNear(text: string, start: number, span = 32): boolean {
  return MYNUMBER_WORDS.test(text.slice(Math.max(0, start - span), start));
}

export function phoneWordsNear(text: string, start: number, span = 24): boolean {
  return PHONE_WORDS.test(text.slice(Math.max(0, start - span), start));
}

// Three-letter key endings of the classes short values need (CVV, expiry, postal, bank): a cheap
// gate before `keyClassAt`, checked on the byte copy of the text. `amount` shares `…unt` with
// `bank_account` and is excluded by its fifth-last letter.
const TAIL = new Uint8Array(4096);
function tailIndex(a: number, b: number, c: number): number {
  return (Math.imul(a, 961) + b * 31 + c) & 4095;
}
for (const cls of [K_CVV, K_EXPIRY, K_EXP_MONTH, K_EXP_YEAR, K_POSTAL, K_BANK]) {
  for (const w of KEYS[cls]!) {
    const a = w.charCodeAt(w.length - 3);
    const b = w.charCodeAt(w.length - 2);
    const c = w.charCodeAt(w.length - 1);
    if (a < 128 && b < 128 && c < 128) TAIL[tailIndex(a, b, c)] = 1;
  }
}

/** Last characters of the Japanese keys short values need (番号, 期限, コード, 口座, 〒). */
const JP_KEY_END = new Set([0x53f7, 0x9650, 0x30c9, 0x5ea7, 0x3012]);
/** Their low bytes (what the byte copy holds for them). */
const JP_LOW = new Uint8Array(256);
for (const ch of JP_KEY_END) {
  if ((ch & 255) >= 48 && (ch & 255) <= 57) throw new Error('JP_LOW: a key end with a digit low byte breaks shortKeyPossible');
  JP_LOW[ch & 255] = 1;
}

function at8(buf: Uint8Array, p: number): number {
  return p >= 0 ? buf[p]! : 0;
}

function lowerByte(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Whether the key before a value at `i` may be one that short values need (CVV, expiry, postal,
 * bank). `buf` holds the text as bytes (`latin1`); non-ASCII characters pass, `keyClassAt` decides.
 */
export function shortKeyPossible(text: string, buf: Uint8Array, i: number): boolean {
  if (i <= 0) return false;
  const k = KEY_END[buf[i - 1]!]!;
  // Most digit runs follow `.`, `-`, `/` or a letter: no key form starts there (only `%3D`/`%3A`).
  if (k === 0) return i >= 3 && buf[i - 3] === 37 && buf[i - 2] === 51 && shortKeyAt(text, buf, i);
  if (k === 2 && i >= 2) {
    // `12:41:00`, `a=1=2`: no key this class needs ends in a digit other than the 2 of `cvv2`
    // (and no wanted Japanese key's last character has a digit as its low byte, see JP_LOW).
    const d = buf[i - 2]!;
    if (d >= 48 && d <= 57 && d !== 50) return false;
  }
  return shortKeyAt(text, buf, i);
}

/** Bytes that may end a key form before a value: quotes, space, `:` and `=` (2), non-ASCII low halves. */
const KEY_END = new Uint8Array(256);
for (let c = 0; c < 32; c++) KEY_END[c] = 1;
for (let c = 128; c < 256; c++) KEY_END[c] = 1;
for (const c of [34, 39, 32]) KEY_END[c] = 1;
KEY_END[58] = 2;
KEY_END[61] = 2;

function shortKeyAt(text: string, buf: Uint8Array, i: number): boolean {
  let p = i - 1;
  let c = buf[p]!;
  if (c === 34 || c === 39) {
    c = at8(buf, --p);
    if (c === 92) c = at8(buf, --p);
  }
  let spaces = 0;
  while (c === 32 && spaces < 4) {
    c = at8(buf, --p);
    spaces++;
  }
  if (c === 58 || c === 61) {
    c = at8(buf, --p);
    // `12:41:00`, `a=1=2`: no key this class needs ends in a digit other than the 2 of `cvv2`.
    if (c >= 48 && c <= 57 && c !== 50) return false;
  } else if (p >= 2 && buf[p - 2] === 37 && buf[p - 1] === 51) {
    p -= 3;
    c = at8(buf, p);
  } else if (c >= 128 || c < 32) {
    // Non-ASCII: a full-width colon after a Japanese key, or the key itself before a space.
    let ch = text.charCodeAt(p);
    if (ch === 0xff1a) {
      p--;
      while (p >= 0 && text.charCodeAt(p) === 32) p--;
      ch = p >= 0 ? text.charCodeAt(p) : 0;
    } else if (spaces === 0) return ch === 0x3012;
    return JP_KEY_END.has(ch);
  } else if (spaces === 0) return false;
  while (c === 32) c = at8(buf, --p);
  if (c === 34 || c === 39) {
    c = at8(buf, --p);
    if (c === 92) c = at8(buf, --p);
  }
  if (p < 2) return false;
  const c3 = buf[p]!;
  const b = buf[p - 1]!;
  const a = buf[p - 2]!;
  if (a < 128 && b < 128 && c3 < 128 && TAIL[tailIndex(lowerByte(a), lowerByte(b), lowerByte(c3))] !== 1) {
    // Not a wanted ending, unless the last byte was only the low half of the last character of a
    // wanted Japanese key (every wanted ASCII key has 3+ characters, so an ASCII last character
    // with a non-ASCII one before it ends no wanted key either).
    return JP_LOW[c3] === 1 && text.charCodeAt(p) !== c3;
  }
  if (a >= 128 || b >= 128 || c3 >= 128) return true;
  return !(p >= 4 && lowerByte(buf[p - 4]!) === 109 && lowerByte(c3) === 116); // amount
}
