/**
 * A deterministic (seeded) generator of labelled log lines for the scrub engine: nginx access
 * (combined and JSON), app JSON logs (pino style), payment-gateway request/response logs (JSON and
 * key=value) and Japanese text. A share of lines carry personal data — published test card numbers
 * of every major brand in many encodings, CVV, expiry, track data, e-mail, phones, postal codes —
 * and every line has decoys: order ids (some Luhn-valid, under `order_id`), 13-digit ms timestamps,
 * request ids, UUIDs, IBAN-like strings, amounts. Each line carries its labels (type + span).
 *
 *   generateCorpus({ lines: 10_000, seed: 7 })          // ~25 % of lines with PII
 *   generateCorpus({ lines: 400_000, seed: 1, piiRate: 0.01 })
 */
import type { FindingType } from '../../../src/scrub/types.ts';

export interface Label {
  type: FindingType;
  start: number;
  end: number;
  /** For card numbers: the digits and how they were written. */
  digits?: string;
  encoding?: CardEncoding;
}

export type LineFormat = 'nginx' | 'nginx-json' | 'app-json' | 'gateway-json' | 'gateway-kv' | 'ja-text';

export interface CorpusLine {
  text: string;
  format: LineFormat;
  /** JSON lines must stay valid JSON after redaction. */
  json: boolean;
  labels: Label[];
}

export interface CorpusOptions {
  lines: number;
  seed: number;
  /** Share of lines that carry personal data (default 0.25). */
  piiRate?: number;
}

export const CARD_ENCODINGS = ['plain', 'spaced', 'dashed', 'pct20', 'plus', 'fullwidth', 'json-number', 'json-string', 'url-query', 'split-escape'] as const;
export type CardEncoding = (typeof CARD_ENCODINGS)[number];

/** A deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function luhnValid(d: string): boolean {
  let sum = 0;
  for (let k = 0; k < d.length; k++) {
    let v = d.charCodeAt(d.length - 1 - k) - 48;
    if (k % 2 === 1) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return sum % 10 === 0;
}

/** `body` + the Luhn check digit. */
export function withCheckDigit(body: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(body + c)) return body + c;
  throw new Error('unreachable');
}

/** Published test card numbers (Stripe, Adyen, Braintree lists) plus clearly fake ones for lengths those lists lack. */
export const TEST_CARDS: readonly { brand: string; digits: string }[] = [
  { brand: 'visa', digits: '4111111111111111' },
  { brand: 'visa', digits: '4242424242424242' },
  { brand: 'visa', digits: '4000056655665556' },
  { brand: 'visa', digits: '4012888888881881' },
  { brand: 'visa', digits: '4222222222222' },
  { brand: 'visa', digits: withCheckDigit('411111111111111111') },
  { brand: 'mastercard', digits: '5555555555554444' },
  { brand: 'mastercard', digits: '5105105105105100' },
  { brand: 'mastercard', digits: '5200828282828210' },
  { brand: 'mastercard', digits: '5454545454545454' },
  { brand: 'mastercard', digits: '2223003122003222' },
  { brand: 'mastercard', digits: withCheckDigit('272099000000000') },
  { brand: 'amex', digits: '378282246310005' },
  { brand: 'amex', digits: '371449635398431' },
  { brand: 'amex', digits: '340000000000009' },
  { brand: 'discover', digits: '6011111111111117' },
  { brand: 'discover', digits: '6011000990139424' },
  { brand: 'discover', digits: '6445644564456445' },
  { brand: 'discover', digits: withCheckDigit('601100000000000000') },
  { brand: 'jcb', digits: '3530111333300000' },
  { brand: 'jcb', digits: '3566002020360505' },
  { brand: 'diners', digits: '30569309025904' },
  { brand: 'diners', digits: '36227206271667' },
  { brand: 'diners', digits: '38520000023237' },
  { brand: 'diners', digits: '3056930009020004' },
  { brand: 'unionpay', digits: '6200000000000005' },
  { brand: 'unionpay', digits: '6205500000000000004' },
  { brand: 'maestro', digits: '6759649826438453' },
  { brand: 'maestro', digits: '6799990100000000019' },
  { brand: 'maestro', digits: withCheckDigit('50180000000') },
  { brand: 'maestro', digits: withCheckDigit('630400000000') },
];

for (const c of TEST_CARDS) if (!luhnValid(c.digits)) throw new Error(`test card of ${c.brand} fails Luhn`);

/** Card groups as printed: Amex 4-6-5, 14-digit Diners 4-6-4, others in fours. */
export function groups(d: string): string[] {
  if (d.length === 15) return [d.slice(0, 4), d.slice(4, 10), d.slice(10)];
  if (d.length === 14) return [d.slice(0, 4), d.slice(4, 10), d.slice(10)];
  const out: string[] = [];
  for (let k = 0; k < d.length; k += 4) out.push(d.slice(k, k + 4));
  if (out.length > 1 && out[out.length - 1]!.length === 1) out[out.length - 2] += out.pop()!;
  return out;
}

const WIDE = '０１２３４５６７８９';
export function fullWidth(s: string): string {
  let o = '';
  for (const ch of s) o += ch >= '0' && ch <= '9' ? WIDE[Number(ch)] : ch === '-' ? '－' : ch;
  return o;
}

/** A line under construction: appends text and remembers label spans. */
class Builder {
  text = '';
  labels: Label[] = [];
  add(s: string): this {
    this.text += s;
    return this;
  }
  pii(type: FindingType, s: string, extra?: Partial<Label>): this {
    const start = this.text.length;
    this.text += s;
    this.labels.push({ type, start, end: this.text.length, ...extra });
    return this;
  }
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function digits(r: () => number, n: number, first = '123456789'): string {
  let s = pick(r, first.split(''));
  while (s.length < n) s += String(Math.floor(r() * 10));
  return s;
}

/**
 * An order id of 16 digits: one in four is a card look-alike (starts with 4 and passes Luhn), the
 * rest are random (about one in ten of those pass Luhn too, as real ids do).
 */
function luhnOrderId(r: () => number): string {
  return r() < 0.25 ? withCheckDigit(`4${digits(r, 14, '0123456789')}`) : digits(r, 16);
}

function uuid(r: () => number): string {
  const h = () => Math.floor(r() * 16).toString(16);
  let s = '';
  for (const n of [8, 4, 4, 4, 12]) {
    if (s) s += '-';
    for (let k = 0; k < n; k++) s += h();
  }
  return s;
}

const T0 = Date.UTC(2026, 10, 21, 0, 41, 0);
const PATHS = ['/', '/items/i', '/static/app.css', '/api/cart', '/search?q=shoes&page=', '/mypage', '/api/v1/orders/'];
const UAS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Version/18.1 Mobile/15E148 Safari/604.1', 'curl/8.5.0'];
const NAMES = ['alice', 'bob.smith', 'carol+shop', 'dave_99', 'yamada.taro'];
const DOMAINS = ['example.com', 'example.jp', 'mail.example.org'];
const IBANS = ['GB82WEST12345698765432', 'DE89 3704 0044 0532 0130 00', 'FR1420041010050500013M02606'];

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** How a card is written in a text context (not JSON-only encodings). */
function cardText(d: string, enc: CardEncoding): string {
  const g = groups(d);
  switch (enc) {
    case 'spaced':
      return g.join(' ');
    case 'dashed':
      return g.join('-');
    case 'pct20':
      return g.join('%20');
    case 'plus':
      return g.join('+');
    case 'fullwidth':
      return fullWidth(g.join('-'));
    default:
      return d;
  }
}

/** Card as a JSON value (the text between the key's colon and the next comma). */
function cardJsonValue(d: string, enc: CardEncoding): { before: string; value: string; after: string } {
  switch (enc) {
    case 'json-number':
      return { before: '', value: d, after: '' };
    case 'split-escape':
      return { before: '"', value: `\\u003${d[0]}${d.slice(1, 6)}\\u003${d[6]}${d.slice(7)}`, after: '"' };
    case 'url-query':
    case 'plain':
    case 'json-string':
      return { before: '"', value: d, after: '"' };
    default:
      return { before: '"', value: cardText(d, enc), after: '"' };
  }
}

const CARD_KEYS = ['card_number', 'pan', 'cc', 'cardNo', 'cardNumber', 'credit_card'];
const TEXT_ENCODINGS: readonly CardEncoding[] = ['plain', 'spaced', 'dashed', 'pct20', 'plus', 'fullwidth', 'url-query'];

function nginxCombined(r: () => number, t: number, pii: boolean): Builder {
  const b = new Builder();
  const ip = `203.0.113.${int(r, 1, 254)}`;
  const d = new Date(t);
  const stamp = `${String(d.getUTCDate()).padStart(2, '0')}/Nov/2026:${d.toISOString().slice(11, 19)} +0000`;
  b.add(`${ip} - - [${stamp}] "GET `);
  if (pii) {
    const card = pick(r, TEST_CARDS);
    const kind = r();
    if (kind < 0.7) {
      const enc = pick(r, ['plain', 'pct20', 'plus', 'url-query'] as const);
      b.add(`/checkout/confirm?${pick(r, CARD_KEYS)}=`).pii('card-number', cardText(card.digits, enc), { digits: card.digits, encoding: enc }).add(`&exp=12%2F27&order_id=${luhnOrderId(r)}`);
    } else if (kind < 0.85) {
      b.add('/pay/').pii('card-number', card.digits, { digits: card.digits, encoding: 'plain' }).add('/confirm');
    } else {
      b.add('/signup?email=').pii('email', `${pick(r, NAMES)}%40${pick(r, DOMAINS)}`).add('&plan=basic');
    }
  } else {
    const p = pick(r, PATHS);
    b.add(p.endsWith('=') || p.endsWith('/') || p.endsWith('i') ? `${p}${int(r, 1, 99999)}` : p);
  }
  b.add(` HTTP/1.1" ${pick(r, [200, 200, 200, 304, 404, 302])} ${int(r, 200, 90000)} "https://shop.example.test/items/i${int(r, 1, 5000)}" "${pick(r, UAS)}" rt=${(r() * 0.3).toFixed(3)} ts=${t}`);
  return b;
}

function nginxJson(r: () => number, t: number, pii: boolean): Builder {
  const b = new Builder();
  b.add(`{"time":"${isoTime(t)}","msec":${(t / 1000).toFixed(3)},"remote_addr":"198.51.100.${int(r, 1, 254)}","host":"shop.example.test","method":"${pii ? 'POST' : 'GET'}","uri":"`);
  if (pii) {
    const card = pick(r, TEST_CARDS);
    if (r() < 0.5) {
      const enc = pick(r, TEXT_ENCODINGS);
      b.add(`/api/pay?${pick(r, CARD_KEYS)}=`).pii('card-number', cardText(card.digits, enc), { digits: card.digits, encoding: enc }).add('&save=1"');
      b.add(`,"request_body":"-"`);
    } else {
      b.add('/api/pay"');
      const enc = pick(r, ['plain', 'spaced', 'dashed', 'plus'] as const);
      b.add(`,"request_body":"amount=1200&${pick(r, CARD_KEYS)}=`).pii('card-number', cardText(card.digits, enc), { digits: card.digits, encoding: enc }).add('&cvv=').pii('card-cvv', String(int(r, 100, 999))).add('"');
    }
  } else {
    b.add(`${pick(r, PATHS)}${int(r, 1, 9999)}"`).add(`,"request_body":"-"`);
  }
  b.add(`,"status":${pick(r, [200, 200, 201, 304, 404])},"bytes":${int(r, 100, 90000)},"request_time":${(r() * 0.2).toFixed(3)},"request_id":"${uuid(r).replace(/-/g, '')}","upstream_addr":"10.0.${int(r, 0, 9)}.${int(r, 1, 254)}:8080","http_user_agent":"${pick(r, UAS)}"}`);
  return b;
}

function appJson(r: () => number, t: number, pii: boolean): Builder {
  const b = new Builder();
  b.add(`{"level":${pick(r, [30, 30, 30, 40, 50])},"time":${t},"pid":${int(r, 1000, 65000)},"hostname":"app-${int(r, 1, 9)}","reqId":"req-${int(r, 1, 99999).toString(36)}","trace_id":"${uuid(r)}"`);
  if (pii) {
    const card = pick(r, TEST_CARDS);
    const kind = r();
    if (kind < 0.45) {
      const enc = pick(r, ['json-number', 'json-string', 'split-escape', 'spaced', 'dashed', 'fullwidth'] as const);
      const v = cardJsonValue(card.digits, enc);
      b.add(`,"msg":"payment request","req":{"body":{"card":{"number":${v.before}`).pii('card-number', v.value, { digits: card.digits, encoding: enc }).add(`${v.after},"cvc":"`).pii('card-cvv', String(int(r, 100, 999))).add('","exp_month":').pii('card-expiry', String(int(r, 1, 12))).add(',"exp_year":').pii('card-expiry', String(int(r, 2026, 2032))).add('}}}');
    } else if (kind < 0.75) {
      const enc = pick(r, ['plain', 'spaced', 'dashed'] as const);
      b.add(`,"msg":"charge failed for card `).pii('card-number', cardText(card.digits, enc), { digits: card.digits, encoding: enc }).add(`: insufficient funds","order_id":"${luhnOrderId(r)}"`);
    } else if (kind < 0.9) {
      b.add(`,"msg":"login","user":{"email":"`).pii('email', `${pick(r, NAMES)}@${pick(r, DOMAINS)}`).add('"},"headers":{"authorization":"').pii('credential', `Bearer eyJhbGciOiJIUzI1NiJ9.${uuid(r).replace(/-/g, '')}.sig`).add('","cookie":"sid=').pii('credential', uuid(r).replace(/-/g, '')).add('"}');
    } else {
      b.add(`,"msg":"swipe","track2":"`).pii('track-data', `;${card.digits}=2712101000000000?`).add('"');
    }
  } else {
    b.add(`,"msg":"${pick(r, ['request completed', 'cache miss', 'render ok', 'user session refreshed'])}","res":{"statusCode":${pick(r, [200, 200, 304, 404])}},"responseTime":${(r() * 50).toFixed(2)},"order_id":"${luhnOrderId(r)}","amount":${int(r, 100, 99999)}`);
  }
  b.add(`,"v":1}`);
  return b;
}

function gatewayJson(r: () => number, t: number, pii: boolean): Builder {
  const b = new Builder();
  b.add(`{"ts":"${isoTime(t)}","gw":"pay.example","dir":"${pii ? 'request' : 'response'}","order_id":"${luhnOrderId(r)}","request_id":${digits(r, 18)},"amount":${int(r, 100, 99999)},"currency":"JPY"`);
  if (pii) {
    const card = pick(r, TEST_CARDS);
    const enc = pick(r, ['json-string', 'json-number', 'spaced', 'dashed', 'split-escape'] as const);
    const v = cardJsonValue(card.digits, enc);
    b.add(`,"${pick(r, CARD_KEYS)}":${v.before}`).pii('card-number', v.value, { digits: card.digits, encoding: enc }).add(`${v.after},"expiry":"`).pii('card-expiry', `${String(int(r, 1, 12)).padStart(2, '0')}/${int(r, 26, 32)}`).add('","cvv":"').pii('card-cvv', String(int(r, 100, 999))).add('"');
  } else {
    b.add(`,"status":"approved","auth_code":"A${int(r, 10000, 99999)}","masked_pan":"411111******1111","iban":"${pick(r, IBANS)}"`);
  }
  b.add(`,"latency_ms":${int(r, 20, 900)}}`);
  return b;
}

function gatewayKv(r: () => number, t: number, pii: boolean): Builder {
  const b = new Builder();
  b.add(`${isoTime(t)} gw=pay.example dir=${pii ? 'req' : 'res'} order_id=${luhnOrderId(r)} ts=${t} amount=${int(r, 100, 99999)}`);
  if (pii) {
    const card = pick(r, TEST_CARDS);
    const enc = pick(r, ['plain', 'plus', 'pct20', 'dashed'] as const);
    b.add(` ${pick(r, CARD_KEYS)}=`).pii('card-number', cardText(card.digits, enc), { digits: card.digits, encoding: enc }).add(' exp=').pii('card-expiry', `${String(int(r, 1, 12)).padStart(2, '0')}${int(r, 26, 32)}`).add(' cvv=').pii('card-cvv', String(int(r, 100, 999)));
    if (r() < 0.2) b.add(' track1=').pii('track-data', `%B${card.digits}^YAMADA/TARO^2712101000000000000000?`);
  } else {
    b.add(` status=approved auth=A${int(r, 10000, 99999)} uid=${digits(r, 16)} trace=${uuid(r)}`);
  }
  b.add(` rt=${int(r, 20, 900)}ms`);
  return b;
}

function jaText(r: () => number, t: number, pii: boolean): Builder {
  const b = new Builder();
  b.add(`${isoTime(t).replace('T', ' ').slice(0, 19)} [INFO] 注文受付 注文番号：${luhnOrderId(r)}`);
  if (pii) {
    const card = pick(r, TEST_CARDS);
    const enc = pick(r, ['plain', 'spaced', 'dashed', 'fullwidth'] as const);
    b.add(' お客様 電話：').pii('phone', pick(r, ['090-1234-5678', '03-1234-5678', '080 9876 5432'])).add(' 〒').pii('postal-code-jp', pick(r, ['100-0001', '150-0002', '１００－０００１'])).add(' カード番号：').pii('card-number', cardText(card.digits, enc), { digits: card.digits, encoding: enc });
    if (r() < 0.3) b.add(' マイナンバー：').pii('my-number', pick(r, ['123456789018', '4652 8126 6333']));
  } else {
    b.add(` 商品数：${int(r, 1, 9)} 合計：${int(r, 100, 99999)}円 処理時間：${int(r, 1, 500)}ms`);
  }
  return b;
}

const FORMATS: readonly [LineFormat, (r: () => number, t: number, pii: boolean) => Builder, boolean][] = [
  ['nginx', nginxCombined, false],
  ['nginx-json', nginxJson, true],
  ['app-json', appJson, true],
  ['gateway-json', gatewayJson, true],
  ['gateway-kv', gatewayKv, false],
  ['ja-text', jaText, false],
];

/** `lines` labelled lines, the same for the same seed. */
export function generateCorpus(opts: CorpusOptions): CorpusLine[] {
  const r = rng(opts.seed);
  const rate = opts.piiRate ?? 0.25;
  const out: CorpusLine[] = [];
  for (let i = 0; i < opts.lines; i++) {
    const [format, make, json] = FORMATS[i % FORMATS.length]!;
    const b = make(r, T0 + i * 37, r() < rate);
    out.push({ text: b.text, format, json, labels: b.labels });
  }
  return out;
}
