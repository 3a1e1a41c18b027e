/**
 * Tokens that must be refused (forged, expired, too old, without sub, none at all) all get the
 * same 401 body; the reason goes to the log only, without the token. Also the ?token= redirect
 * and its cookie, the security headers, and the health check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { COOKIE_NAME, SECURITY_HEADERS } from '../../../src/respond/lookup/index.ts';
import { b64, headlineOf, MAX_AGE_MS, mint, NOW_S, start } from './helpers.ts';

const GENERIC_JSON = { error: 'unauthorized', message: 'We could not confirm who you are. Please open this page again from your account page.' };
const GENERIC_HEADLINE = 'We could not confirm who you are. Please open this page again from your account page.';

interface Case {
  name: string;
  token: () => Promise<string | undefined>;
  reason: string;
}

const CASES: Case[] = [
  { name: 'signed with another key', token: () => mint({ key: 'another-token-key-0123456789abcdef012345' }), reason: 'bad signature' },
  { name: 'alg none', token: async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', iat: NOW_S, exp: NOW_S + 300 })}.`, reason: 'algorithm not allowed (only HS256)' },
  { name: 'HS512 with the same key', token: () => mint({ alg: 'HS512' }), reason: 'algorithm not allowed (only HS256)' },
  {
    name: 'payload tampered (sub changed, signature kept)',
    token: async () => {
      const [h, , s] = (await mint({ sub: 'dave' })).split('.');
      return `${h}.${b64({ sub: 'alice', iat: NOW_S, exp: NOW_S + 300 })}.${s}`;
    },
    reason: 'bad signature',
  },
  { name: 'expired (beyond the 30 s tolerance)', token: () => mint({ iat: NOW_S - 120, exp: NOW_S - 31 }), reason: 'expired (exp)' },
  { name: 'iat older than maxAge', token: () => mint({ iat: NOW_S - MAX_AGE_MS / 1000 - 31, exp: NOW_S + 300 }), reason: 'too old (iat older than the maximum age)' },
  { name: 'iat in the future', token: () => mint({ iat: NOW_S + 120, exp: NOW_S + 300 }), reason: 'iat in the future' },
  { name: 'no sub', token: () => mint({ sub: undefined }), reason: 'claim sub missing' },
  { name: 'empty sub', token: () => mint({ sub: '' }), reason: 'claim sub missing' },
  { name: 'no exp', token: () => mint({ exp: undefined }), reason: 'claim exp missing' },
  { name: 'no iat', token: () => mint({ iat: undefined }), reason: 'claim iat missing' },
  { name: 'another audience', token: () => mint({ aud: 'billing' }), reason: 'claim aud names another audience' },
  { name: 'sub shaped like an identity hash', token: () => mint({ sub: 'h:G2R8nADfOLCOagmVjsKNIg' }), reason: 'claim sub has the form of an identity hash' },
  { name: 'not a JWT', token: async () => 'not-a-token', reason: 'malformed (ERR_JWS_INVALID)' },
  { name: 'no token', token: async () => undefined, reason: 'no token' },
];

describe('lookup refuses bad tokens', () => {
  let server: Awaited<ReturnType<typeof start>>;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  for (const c of CASES) {
    it(`${c.name}: API 401 with the generic body, reason logged without the token`, async () => {
      const token = await c.token();
      server.logs.length = 0;
      const r = await request(`${server.url}/api/status`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      assert.equal(r.statusCode, 401);
      assert.equal(r.headers['www-authenticate'], 'Bearer');
      assert.deepEqual(await r.body.json(), GENERIC_JSON);
      assert.deepEqual(server.logs, [`cachewarden: lookup: 401 on /api/status: token refused: ${c.reason}`]);
    });

    it(`${c.name}: page 401 with the generic page (as ?token= and as cookie)`, async () => {
      const token = await c.token();
      const viaQuery = await request(`${server.url}/?token=${encodeURIComponent(token ?? '')}`);
      const viaCookie = await request(`${server.url}/`, { headers: token === undefined ? {} : { cookie: `${COOKIE_NAME}=${token}` } });
      for (const r of [viaQuery, viaCookie]) {
        assert.equal(r.statusCode, 401);
        assert.equal(r.headers['set-cookie'], undefined);
        assert.equal(headlineOf(await r.body.text()), GENERIC_HEADLINE);
      }
    });
  }

  it('all refusals have byte-identical bodies', async () => {
    const bodies = new Set<string>();
    for (const c of CASES) {
      const token = await c.token();
      const r = await request(`${server.url}/api/status`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      bodies.add(await r.body.text());
    }
    assert.deepEqual([...bodies], [JSON.stringify(GENERIC_JSON)]);
  });

  it('a token within the clock tolerance is accepted; aud cachewarden-lookup is accepted', async () => {
    for (const token of [await mint({ iat: NOW_S - 100, exp: NOW_S - 29 }), await mint({ aud: 'cachewarden-lookup' }), await mint({ iat: NOW_S + 29 })]) {
      const r = await request(`${server.url}/api/status`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.statusCode, 200);
      await r.body.dump();
    }
  });

  it('requireAudience refuses a token without aud', async () => {
    const s = await start({ requireAudience: true });
    try {
      const without = await request(`${s.url}/api/status`, { headers: { authorization: `Bearer ${await mint()}` } });
      assert.equal(without.statusCode, 401);
      await without.body.dump();
      assert.deepEqual(s.logs, ['cachewarden: lookup: 401 on /api/status: token refused: claim aud missing']);
      const withAud = await request(`${s.url}/api/status`, { headers: { authorization: `Bearer ${await mint({ aud: 'cachewarden-lookup' })}` } });
      assert.equal(withAud.statusCode, 200);
      await withAud.body.dump();
    } finally {
      await s.close();
    }
  });

  it('a token on the API as ?token= or cookie is not enough: only Bearer', async () => {
    const t = await mint();
    const q = await request(`${server.url}/api/status?token=${t}`);
    const c = await request(`${server.url}/api/status`, { headers: { cookie: `${COOKIE_NAME}=${t}` } });
    assert.deepEqual([q.statusCode, c.statusCode], [401, 401]);
    await q.body.dump();
    await c.body.dump();
  });
});

describe('lookup ?token= redirect and headers', () => {
  let server: Awaited<ReturnType<typeof start>>;
  before(async () => {
    server = await start({ trustProxy: true });
  });
  after(() => server.close());

  it('?token= sets an HttpOnly SameSite=Strict cookie and redirects to / without the token', async () => {
    const t = await mint({ sub: 'alice', iat: NOW_S, exp: NOW_S + 300 });
    const r = await request(`${server.url}/?token=${t}`);
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers['location'], '/');
    assert.equal(r.headers['set-cookie'], `${COOKIE_NAME}=${t}; Path=/; Max-Age=300; HttpOnly; SameSite=Strict`);
    await r.body.dump();
    const next = await request(`${server.url}${r.headers['location']}`, { headers: { cookie: `${COOKIE_NAME}=${t}` } });
    assert.equal(next.statusCode, 200);
    assert.equal(headlineOf(await next.body.text()), 'Your personal data was shown to someone else.');
  });

  it('the cookie lives until the earlier of exp and iat + maxAge; ?lang= survives the redirect', async () => {
    const t = await mint({ sub: 'dave', iat: NOW_S - 500, exp: NOW_S + 3600 });
    const r = await request(`${server.url}/?lang=ja&token=${t}`);
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers['location'], '/?lang=ja');
    assert.equal(r.headers['set-cookie'], `${COOKIE_NAME}=${t}; Path=/; Max-Age=100; HttpOnly; SameSite=Strict`);
    await r.body.dump();
  });

  it('behind a TLS proxy the cookie is Secure', async () => {
    const t = await mint();
    const r = await request(`${server.url}/?token=${t}`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(r.headers['set-cookie'], `${COOKIE_NAME}=${t}; Path=/; Max-Age=300; HttpOnly; SameSite=Strict; Secure`);
    await r.body.dump();
  });

  it('every response carries the security headers (200, 303, 401, 404, health)', async () => {
    const t = await mint();
    const responses = [
      await request(`${server.url}/api/status`, { headers: { authorization: `Bearer ${t}` } }),
      await request(`${server.url}/`, { headers: { cookie: `${COOKIE_NAME}=${t}` } }),
      await request(`${server.url}/?token=${t}`),
      await request(`${server.url}/api/status`),
      await request(`${server.url}/`),
      await request(`${server.url}/nowhere`),
      await request(`${server.url}/healthz`),
    ];
    assert.deepEqual(
      responses.map((r) => r.statusCode),
      [200, 200, 303, 401, 401, 404, 200],
    );
    for (const r of responses) {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[k], v, `${k} on ${r.statusCode}`);
      await r.body.dump();
    }
    assert.equal(SECURITY_HEADERS['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'");
    assert.equal(SECURITY_HEADERS['cache-control'], 'no-store, private');
  });

  it('GET /healthz answers ok and nothing else', async () => {
    const r = await request(`${server.url}/healthz`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(await r.body.text(), 'ok');
  });
});
