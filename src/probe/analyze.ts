/**
 * What the probe keeps of a response: the cache outcome and POPs, a copy of the cache-relevant
 * headers, a hash of the body, whose canary markers the body carried, whom the origin's owner tag
 * and any Set-Cookie name, and — when the body carried none of the requester's markers — which
 * kinds of personal data it holds. Never the body, never a cookie value, never a credential.
 *
 * A collapse race can hand a real user's page to the probe: the body of such a response is read
 * here and dropped, and only field *kinds* survive ("email", "phone"), plus the body hash.
 */
import type { IdentityHash, IdentityHasher } from '../core/identity.ts';
import { parseCacheStatus } from '../semantics/index.ts';
import { ANONYMOUS, type ProbeResponse, type Who } from './types.ts';

/** What analysis needs to know about the canaries (built by `createSessions`). */
export interface IdentityView {
  /** Each account's markers, in config order. */
  readonly markers: ReadonlyArray<readonly [account: string, markers: readonly string[]]>;
  /** The account a credential hash belongs to (its current or an earlier session), if any. */
  accountOfHash(hash: IdentityHash): string | undefined;
  /**
   * True when every account's session credential is known. Only then may an owner tag that
   * matches no canary be called a stranger's (else it may be a canary whose credential is unknown).
   */
  allCredentialsKnown(): boolean;
  /** Cookie names that carry a session identity (`identity.cookies`). */
  readonly identityCookies: readonly string[];
  readonly hasher: IdentityHasher;
}

/** One exchange as the client saw it; the body is the decoded, bounded part kept for analysis. */
export interface RawExchange {
  who: Who;
  edge: string;
  url: string;
  method: 'GET' | 'HEAD';
  status: number;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: Buffer;
  bodyBytes: number;
  bodySha256: string;
  ttfbMs: number;
  totalMs: number;
  sentAt: number;
  error?: string;
}

/* ------------------------------------------------------------------ headers */

/** Response headers copied into `ProbeResponse.headers` (besides the owner tag header). */
export const KEPT_HEADERS = [
  'cache-control',
  'expires',
  'vary',
  'age',
  'cache-status',
  'x-cache',
  'x-cache-status',
  'x-cache-remote',
  'x-cache-hits',
  'x-proxy-cache',
  'x-rack-cache',
  'x-varnish',
  'cf-cache-status',
  'akamai-cache-status',
  'x-served-by',
  'x-amz-cf-pop',
  'cf-ray',
  'via',
  'date',
  'last-modified',
  'etag',
  'content-type',
  'content-length',
  'surrogate-control',
  'cdn-cache-control',
  'pragma',
  'fastly-debug-path',
  'fastly-debug-ttl',
] as const;

function lines(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

function get(headers: RawExchange['headers'], name: string): string | undefined {
  const l = lines(headers[name]);
  return l.length === 0 ? undefined : l.join(', ');
}

/**
 * The cache-relevant headers as received, lower-case names. `set-cookie` keeps cookie names only
 * (`sid, theme`), `location` keeps the path only (a query may carry a token), and
 * `server-timing` is kept only when it carries a `cdn-cache` entry.
 */
export function keptHeaders(headers: RawExchange['headers'], ownerHeader: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...KEPT_HEADERS, ownerHeader.toLowerCase()]) {
    const v = get(headers, name);
    if (v !== undefined) out[name] = v;
  }
  const st = get(headers, 'server-timing');
  if (st !== undefined && /cdn-cache/i.test(st)) out['server-timing'] = st;
  const sc = lines(headers['set-cookie']);
  if (sc.length > 0) out['set-cookie'] = sc.map((l) => parseSetCookie(l).name).join(', ');
  const loc = get(headers, 'location');
  if (loc !== undefined) out['location'] = locationPath(loc);
  return out;
}

/** A Location value without query or fragment (`/login?next=…` → `/login?…`). */
export function locationPath(loc: string): string {
  const cut = loc.search(/[?#]/);
  return cut === -1 ? loc : `${loc.slice(0, cut)}${loc[cut] === '?' ? '?…' : ''}`;
}

export interface SetCookie {
  name: string;
  /** The value (a secret; never stored in a ProbeResponse). */
  value: string;
  /** The cookie is being deleted (empty value, `Max-Age` ≤ 0, or `Expires` in the past). */
  deletes: boolean;
}

export function parseSetCookie(line: string, now = Date.now()): SetCookie {
  const [pair = '', ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
  let value = eq === -1 ? '' : pair.slice(eq + 1).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  let deletes = value === '';
  for (const a of attrs) {
    const i = a.indexOf('=');
    const key = (i === -1 ? a : a.slice(0, i)).trim().toLowerCase();
    const v = i === -1 ? '' : a.slice(i + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(v) && Number(v) <= 0) deletes = true;
    if (key === 'expires') {
      const t = Date.parse(v);
      if (!Number.isNaN(t) && t < now) deletes = true;
    }
  }
  return { name, value, deletes };
}

/* ------------------------------------------------------------------ body text */

const JSON_ESCAPE = /\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g;
const JSON_SIMPLE: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Undoes JSON string escapes (`\u0040` → `@`, `\/` → `/`); other text is left as it is. */
export function jsonUnescape(text: string): string {
  return text.replace(JSON_ESCAPE, (_m, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : JSON_SIMPLE[e]!));
}

const HTML_NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Undoes HTML character references (`&#39;`, `&#x40;`, `&amp;`...). */
export function htmlUnescape(text: string): string {
  return text.replace(/&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/g, (m, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return HTML_NAMED[ref.toLowerCase()] ?? m;
  });
}

/** The body as text, plus its JSON-unescaped and HTML-unescaped forms where they differ. */
export function textForms(body: Buffer | string): string[] {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const forms = [text];
  if (text.includes('\\')) {
    const j = jsonUnescape(text);
    if (j !== text) forms.push(j);
  }
  if (text.includes('&')) {
    const h = htmlUnescape(text);
    if (h !== text) forms.push(h);
  }
  return forms;
}

/** The accounts (in config order) whose markers appear in any form of the text; case-sensitive substrings. */
export function markersIn(forms: readonly string[], markers: IdentityView['markers']): string[] {
  const out: string[] = [];
  for (const [account, list] of markers) {
    if (list.some((m) => m !== '' && forms.some((f) => f.includes(m)))) out.push(account);
  }
  return out;
}

/* ------------------------------------------------------------------ personal data kinds */

/**
 * The personal-data field kinds `strangerFields` can name. A small, deliberately plain set; each
 * is a shape, not a proof (a public page's support address is an `email` too), so techniques
 * read it next to the cache outcome.
 * - `email`: an address `local@domain.tld` (image names like `logo@2x.png` excluded);
 * - `phone`: 10–13 digits in 2–4 groups separated by `-` or space, optionally `+CC` or `(area)`;
 * - `postal-code`: `〒123-4567` or a bare `123-4567` (Japan), `12345-6789` (US ZIP+4), UK postcodes;
 * - `card-number`: 13–19 digits (optionally grouped) passing the Luhn check, starting 2–6;
 * - `card-last4`: a masked number (`•••• 1234`, `**** **** **** 1234`) or `last4`/`ending in` + 4 digits;
 * - `card-expiry`: `exp`/`expires`/`expiry`/`valid thru`/`有効期限` followed by `MM/YY` or `MM/YYYY`;
 * - `bank-account`: `bank`/`account number`/`acct`/`口座` followed within 60 characters by 6–12 digits, or an IBAN passing mod 97.
 */
export const PERSONAL_DATA_KINDS = ['email', 'phone', 'postal-code', 'card-number', 'card-last4', 'card-expiry', 'bank-account'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.([A-Za-z]{2,24})\b/g;
const NOT_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'avif', 'ico', 'css', 'js']);
const PHONE = /(?<![\w+.-]|\d[ -])(?:\+\d{1,3}[ -]?)?(?:\(\d{1,5}\)[ -]?|\d{1,5}[ -])\d{2,5}(?:[ -]\d{2,5}){0,2}(?![\w-]|[ -]\d)/g;
const POSTAL = /(?:〒\s?\d{3}-?\d{4}|(?<![\w-])(?<![\d)][ -])\d{3}-\d{4}(?![\w-])|(?<![\w-])\d{5}-\d{4}(?![\w-])|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b)/;
const CARD_DIGITS = /(?<![\w-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\w-])/g;
const CARD_LAST4 = /(?:[•●*xX]{4}[ -]?){1,3}\d{4}(?!\d)|(?:ending(?:\s+in)?|last[\s_-]?(?:4|four)(?:\s+digits)?|末尾|下4桁)\W{0,10}\d{4}(?!\d)/i;
const CARD_EXPIRY = /(?:\bexp(?:ires|iry|iration)?(?:[\s_-]?date)?|\bvalid\s*(?:thru|through)|有効期限)\W{0,12}(?:0[1-9]|1[0-2])\s?\/\s?(?:\d{4}|\d{2})(?!\d)/i;
const BANK = /(?:\bbank|account[\s_-]?(?:number|no\b\.?|#)|\bacct|口座)[^\n]{0,60}?(?<![\d-])\d{6,12}(?![\d-])/i;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, '');
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

function anyMatch(re: RegExp, text: string, accept: (m: RegExpExecArray) => boolean): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (accept(m)) return true;
  }
  return false;
}

/** The personal-data kinds found in any of the text forms (names only, in `PERSONAL_DATA_KINDS` order). */
export function personalDataKinds(forms: readonly string[]): PersonalDataKind[] {
  const found = new Set<PersonalDataKind>();
  for (const text of forms) {
    if (!found.has('email') && anyMatch(EMAIL, text, (m) => !NOT_TLDS.has(m[1]!.toLowerCase()))) found.add('email');
    if (
      !found.has('phone') &&
      anyMatch(PHONE, text, (m) => {
        const n = m[0].replace(/\D/g, '').length;
        return n >= 10 && n <= 13;
      })
    ) {
      found.add('phone');
    }
    if (!found.has('postal-code') && POSTAL.test(text)) found.add('postal-code');
    if (
      !found.has('card-number') &&
      anyMatch(CARD_DIGITS, text, (m) => {
        const d = m[0].replace(/\D/g, '');
        return d.length >= 13 && d.length <= 19 && luhn(d);
      })
    ) {
      found.add('card-number');
    }
    if (!found.has('card-last4') && CARD_LAST4.test(text)) found.add('card-last4');
    if (!found.has('card-expiry') && CARD_EXPIRY.test(text)) found.add('card-expiry');
    if (!found.has('bank-account') && (BANK.test(text) || anyMatch(IBAN, text, (m) => ibanValid(m[0])))) found.add('bank-account');
  }
  return PERSONAL_DATA_KINDS.filter((k) => found.has(k));
}

/* ------------------------------------------------------------------ the whole response */

/** Builds the ProbeResponse of one exchange. The raw body is only read here. */
export function analyzeResponse(raw: RawExchange, view: IdentityView, ownerHeader: string): ProbeResponse {
  const cs = parseCacheStatus(raw.headers);
  const forms = raw.body.length > 0 ? textForms(raw.body) : [];
  const markersOf = forms.length > 0 ? markersIn(forms, view.markers) : [];

  const res: ProbeResponse = {
    who: raw.who,
    edge: raw.edge,
    url: raw.url,
    method: raw.method,
    status: raw.status,
    ttfbMs: raw.ttfbMs,
    totalMs: raw.totalMs,
    sentAt: raw.sentAt,
    outcome: cs.outcome,
    pops: cs.pops,
    headers: keptHeaders(raw.headers, ownerHeader),
    bodySha256: raw.bodySha256,
    bodyBytes: raw.bodyBytes,
    markersOf,
    setCookies: [],
  };
  if (cs.age !== undefined) res.age = cs.age;

  const tag = get(raw.headers, ownerHeader.toLowerCase())?.trim();
  if (tag) {
    // A tag is a keyed hash already; anything else is hashed before it is kept.
    const hash = view.hasher.hash(tag);
    if (hash !== undefined) {
      res.ownerTag = hash;
      const owner = view.accountOfHash(hash);
      if (owner !== undefined) res.ownerIs = owner;
      else if (view.allCredentialsKnown()) res.ownerIs = 'stranger';
    }
  }

  const identityNames = new Set(view.identityCookies.map((n) => n.toLowerCase()));
  for (const line of lines(raw.headers['set-cookie'])) {
    const c = parseSetCookie(line);
    const entry: ProbeResponse['setCookies'][number] = { name: c.name };
    if (c.value !== '') {
      const h = view.hasher.hash(c.value);
      if (h !== undefined) {
        entry.valueHash = h;
        const owner = view.accountOfHash(h);
        if (owner !== undefined) entry.sessionOf = owner;
        else if (!c.deletes && identityNames.has(c.name.toLowerCase())) entry.sessionOf = 'stranger';
      }
    }
    res.setCookies.push(entry);
  }

  // Personal data in a body that is not the requester's own page: whose it is, nobody here can say.
  const own = raw.who === ANONYMOUS ? markersOf.length > 0 : markersOf.includes(raw.who);
  if (!own && forms.length > 0) res.strangerFields = personalDataKinds(forms);

  if (raw.error !== undefined) res.error = raw.error;
  return res;
}
