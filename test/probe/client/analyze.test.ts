import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { IdentityHash } from '../../../src/core/identity.ts';
import {
  analyzeResponse,
  htmlUnescape,
  jsonUnescape,
  keptHeaders,
  personalDataKinds,
  type IdentityView,
  type RawExchange,
} from '../../../src/probe/analyze.ts';
import { hasher } from './helpers.ts';

const ALICE_SID = 'alice-session-0123456789abcdef';
const BOB_TOKEN = 'bob-token-fedcba9876543210';
const STRANGER_SID = 'someone-else-55555555555555';

function view(opts: { complete?: boolean } = {}): IdentityView {
  const h = hasher();
  const owners = new Map<IdentityHash, string>([
    [h.hash(ALICE_SID)!, 'alice'],
    [h.hash(BOB_TOKEN)!, 'bob'],
  ]);
  return {
    markers: [
      ['alice', ['Alice Canary-7Q2', 'alice.canary@example.test']],
      ['bob', ['Bob Canary-K9X']],
    ],
    accountOfHash: (x) => owners.get(x),
    allCredentialsKnown: () => opts.complete ?? true,
    identityCookies: ['sid'],
    hasher: h,
  };
}

function raw(who: string, body: string, headers: RawExchange['headers'] = {}, status = 200): RawExchange {
  const buf = Buffer.from(body);
  return {
    who,
    edge: '127.0.0.1',
    url: '/mypage',
    method: 'GET',
    status,
    headers,
    body: buf,
    bodyBytes: buf.length,
    bodySha256: createHash('sha256').update(buf).digest('hex'),
    ttfbMs: 1,
    totalMs: 2,
    sentAt: 0,
  };
}

test('markersOf: case-sensitive substrings, also JSON-escaped and HTML-escaped', () => {
  const v = view();
  assert.deepEqual(analyzeResponse(raw('alice', '<b>Alice Canary-7Q2</b>'), v, 'x-cachewarden-owner').markersOf, ['alice']);
  assert.deepEqual(analyzeResponse(raw('alice', '<b>alice canary-7q2</b>'), v, 'x-cachewarden-owner').markersOf, []);
  const json = JSON.stringify({ account: { email: 'alice.canary\u0040example.test' } }).replace('@', '\\u0040');
  assert.ok(json.includes('\\u0040'));
  assert.deepEqual(analyzeResponse(raw('bob', json), v, 'x-cachewarden-owner').markersOf, ['alice']);
  assert.deepEqual(analyzeResponse(raw('bob', '{"name":"Bob\\u0020Canary-K9X"}'), v, 'x-cachewarden-owner').markersOf, ['bob']);
  assert.deepEqual(analyzeResponse(raw('bob', '<p>Alice&#32;Canary-7Q2 and Bob Canary-K9X</p>'), v, 'x-cachewarden-owner').markersOf, ['alice', 'bob']);
  assert.equal(jsonUnescape('a\\/b\\"c\\u00e9'), 'a/b"cé');
  assert.equal(htmlUnescape('&lt;a&gt; &#x40; &amp;amp;'), '<a> @ &amp;');
});

test('owner tag: names the account whose session credential it hashes, or stranger', () => {
  const v = view();
  const h = hasher();
  const alice = analyzeResponse(raw('bob', 'x', { 'x-cachewarden-owner': h.hash(ALICE_SID)! }), v, 'x-cachewarden-owner');
  assert.equal(alice.ownerIs, 'alice');
  assert.equal(alice.ownerTag, h.hash(ALICE_SID));
  const bob = analyzeResponse(raw('bob', 'x', { 'X-Cachewarden-Owner': 'ignored-case-variant' }), v, 'x-cachewarden-owner');
  assert.equal(bob.ownerTag, undefined, 'header names arrive lower-case from undici; this one is not the owner header');
  const stranger = analyzeResponse(raw('alice', 'x', { 'x-cachewarden-owner': h.hash(STRANGER_SID)! }), v, 'x-cachewarden-owner');
  assert.equal(stranger.ownerIs, 'stranger');
  // A canary whose credential is not known yet: an unknown tag is not called a stranger's.
  const unsure = analyzeResponse(raw('alice', 'x', { 'x-cachewarden-owner': h.hash(STRANGER_SID)! }), view({ complete: false }), 'x-cachewarden-owner');
  assert.equal(unsure.ownerIs, undefined);
  assert.equal(unsure.ownerTag, h.hash(STRANGER_SID));
  // A raw (unhashed) tag is hashed before it is kept.
  const rawTag = analyzeResponse(raw('alice', 'x', { 'x-owner': ALICE_SID }), v, 'X-Owner');
  assert.equal(rawTag.ownerIs, 'alice');
  assert.equal(rawTag.headers['x-owner'], ALICE_SID, 'the owner header copy is as received (origins send a hash)');
});

test('Set-Cookie: names only; sessionOf an account, stranger for another identity cookie, nothing for other cookies', () => {
  const v = view();
  const r = analyzeResponse(
    raw('bob', 'x', {
      'set-cookie': [`sid=${ALICE_SID}; Path=/; HttpOnly`, `sid=${STRANGER_SID}; Path=/`, 'theme=dark; Path=/', 'sid=; Max-Age=0', `token=${BOB_TOKEN}`],
    }),
    v,
    'x-cachewarden-owner',
  );
  assert.deepEqual(
    r.setCookies.map(({ name, sessionOf }) => ({ name, sessionOf })),
    [
      { name: 'sid', sessionOf: 'alice' },
      { name: 'sid', sessionOf: 'stranger' },
      { name: 'theme', sessionOf: undefined },
      { name: 'sid', sessionOf: undefined },
      { name: 'token', sessionOf: 'bob' },
    ],
  );
  assert.equal(r.setCookies[0]!.valueHash, hasher().hash(ALICE_SID));
  assert.equal(r.headers['set-cookie'], 'sid, sid, theme, sid, token');
  const text = JSON.stringify(r);
  for (const secret of [ALICE_SID, STRANGER_SID, BOB_TOKEN, 'dark']) assert.ok(!text.includes(secret), `${secret} must not be kept`);
});

test('strangerFields: personal data in a body without the requester\'s markers; names only', () => {
  const v = view();
  const other = '<dl><dt>Name</dt><dd>Jane Roe</dd><dd>jane.roe@example.test</dd><dd>555-0101-2345</dd></dl>';
  const r = analyzeResponse(raw('alice', other), v, 'x-cachewarden-owner');
  assert.deepEqual(r.strangerFields, ['email', 'phone']);
  const text = JSON.stringify(r);
  assert.ok(!text.includes('jane.roe') && !text.includes('Jane Roe') && !text.includes('555-0101'));
  // The requester's own page: not a stranger's data.
  assert.equal(analyzeResponse(raw('alice', `Alice Canary-7Q2 ${other}`), v, 'x-cachewarden-owner').strangerFields, undefined);
  // Bob's page served to Alice: his fields are foreign to her.
  assert.deepEqual(analyzeResponse(raw('alice', `Bob Canary-K9X ${other}`), v, 'x-cachewarden-owner').strangerFields, ['email', 'phone']);
  // Anonymous: any canary's marker makes it a canary page (a leak the markers already name), not a stranger's.
  assert.equal(analyzeResponse(raw('anonymous', `Bob Canary-K9X ${other}`), v, 'x-cachewarden-owner').strangerFields, undefined);
  assert.deepEqual(analyzeResponse(raw('anonymous', '<p>Welcome</p>'), v, 'x-cachewarden-owner').strangerFields, []);
});

test('personal data kinds: the documented shapes, and common look-alikes that are not', () => {
  const kinds = (s: string) => personalDataKinds([s]);
  assert.deepEqual(kinds('mail me: a.b+c@shop.example.co.jp'), ['email']);
  assert.deepEqual(kinds('<img src="logo@2x.png">'), []);
  assert.deepEqual(kinds('call +81 3-1234-5678'), ['phone']);
  assert.deepEqual(kinds('(555) 123-4567'), ['phone']);
  assert.deepEqual(kinds('order 2024-01-02 at 12:30, id 1700000000000'), []);
  assert.deepEqual(kinds('〒000-1001 1-2-3 Oak Street'), ['postal-code']);
  assert.deepEqual(kinds('Card: 4111 1111 1111 1111'), ['card-number']);
  assert.deepEqual(kinds('Card: 4111 1111 1111 1112'), [], 'fails Luhn');
  assert.deepEqual(kinds('VISA •••• 4242, expires 03/27'), ['card-last4', 'card-expiry']);
  assert.deepEqual(kinds('{"card":{"brand":"VISA","last4":"4242","expiry":"03/27"}}'), ['card-last4', 'card-expiry']);
  assert.deepEqual(kinds('Example Lab Bank, Oak 012, 9001123'), ['bank-account']);
  assert.deepEqual(kinds('{"bank":{"bank":"Example Lab Bank","branch":"Oak 012","accountNumber":"9001123"}}'), ['bank-account']);
  assert.deepEqual(kinds('IBAN GB82 WEST 1234 5698 7654 32'), ['bank-account']);
  assert.deepEqual(kinds('IBAN GB82 WEST 1234 5698 7654 33'), [], 'fails mod 97');
});

test('kept headers: the cache-relevant ones, Set-Cookie names only, Location without its query', () => {
  const h = keptHeaders(
    {
      'cache-control': 'no-cache',
      expires: 'Thu, 01 Jan 1970 00:00:01 GMT',
      'x-served-by': 'cache-nrt-1, cache-nrt-2',
      'set-cookie': ['sid=secret; Path=/'],
      location: '/login?next=%2Fmypage&token=abc',
      'x-powered-by': 'Express',
      'server-timing': 'cdn-cache; desc=HIT, edge; dur=1',
      'x-cachewarden-owner': 'h:AAAAAAAAAAAAAAAAAAAAAA',
    },
    'x-cachewarden-owner',
  );
  assert.deepEqual(h, {
    'cache-control': 'no-cache',
    expires: 'Thu, 01 Jan 1970 00:00:01 GMT',
    'x-served-by': 'cache-nrt-1, cache-nrt-2',
    'x-cachewarden-owner': 'h:AAAAAAAAAAAAAAAAAAAAAA',
    'server-timing': 'cdn-cache; desc=HIT, edge; dur=1',
    'set-cookie': 'sid',
    location: '/login?…',
  });
});

test('outcome, pops and age come from the semantics parser', () => {
  const r = analyzeResponse(raw('alice', 'x', { 'cache-status': 'edge-1; hit; ttl=10', age: '7', 'x-served-by': 'cache-nrt-1' }), view(), 'x-cachewarden-owner');
  assert.equal(r.outcome, 'HIT');
  assert.equal(r.age, 7);
  assert.deepEqual(r.pops, ['cache-nrt-1']);
});
