import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { IdentityHasher } from '../../src/core/identity.ts';
import { LAB_IDENTITY_KEY } from '../../lab/origin/owner-tag.ts';
import { INCIDENT_2017_EXPIRES, lenientRewrite, startOrigin } from '../../lab/origin/server.ts';
import type { Origin } from '../../lab/origin/server.ts';

type Headers = Record<string, string | string[] | undefined>;

async function get(origin: Origin, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await request(origin.url + path, { headers });
  return { status: res.statusCode, headers: res.headers as Headers, body: await res.body.text() };
}

async function loginCookie(origin: Origin, userId: string, asJson = false): Promise<string> {
  const c = origin.credentialsFor(userId);
  const res = await request(origin.url + '/login', {
    method: 'POST',
    headers: { 'content-type': asJson ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: asJson ? JSON.stringify({ user: c.email, password: c.password }) : new URLSearchParams({ user: c.user, password: c.password }).toString(),
  });
  await res.body.dump();
  assert.equal(res.statusCode, 302);
  assert.equal(res.headers.location, '/mypage');
  const sc = String(res.headers['set-cookie']);
  const m = /^sid=([0-9a-f]{32}); Path=\/; HttpOnly; SameSite=Lax; Max-Age=1800$/.exec(sc);
  assert.ok(m, sc);
  return m[1] as string;
}

async function loginBearer(origin: Origin, userId: string): Promise<string> {
  const c = origin.credentialsFor(userId);
  const res = await request(origin.url + '/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: c.user, password: c.password }),
  });
  assert.equal(res.statusCode, 200);
  const body = (await res.body.json()) as { token: string; user: string };
  assert.equal(body.user, userId);
  return body.token;
}

let origin: Origin;
before(async () => {
  origin = await startOrigin({ delayMs: 0, publicDelayMs: 0 });
});
after(async () => {
  await origin.close();
});

test('listens on loopback only, free port', async () => {
  assert.match(origin.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(origin.port > 0);
  await assert.rejects(startOrigin({ host: '0.0.0.0' }), /loopback/);
});

test('public pages and static assets: exact cache headers, nobody personal', async () => {
  for (const path of ['/', '/about', '/items/i01']) {
    const r = await get(origin, path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['cache-control'], 'public, max-age=60');
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(r.headers['x-cachewarden-owner'], undefined);
    for (const p of origin.people) assert.ok(!r.body.includes(p.email) && !r.body.includes(p.name), `${path} shows ${p.id}`);
  }
  const css = await get(origin, '/static/app.css');
  assert.equal(css.headers['cache-control'], 'public, max-age=86400');
  assert.match(String(css.headers['content-type']), /^text\/css/);
  assert.equal((await get(origin, '/static/app.js')).status, 200);
  const png = await request(origin.url + '/static/logo.png');
  assert.equal(png.headers['content-type'], 'image/png');
  assert.equal((await png.body.arrayBuffer()).byteLength > 0, true);
});

test('logged-out requests: 302 to /login for HTML, 401 for the API', async () => {
  const html = await get(origin, '/mypage');
  assert.equal(html.status, 302);
  assert.equal(html.headers.location, '/login?next=%2Fmypage');
  for (const path of ['/api/me', '/api/orders', '/api/transactions/t001']) {
    const api = await get(origin, path);
    assert.equal(api.status, 401, path);
    assert.deepEqual(JSON.parse(api.body), { error: 'unauthorized' });
  }
  const bad = await request(origin.url + '/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'user=u01&password=nope',
  });
  assert.equal(bad.statusCode, 401);
  assert.equal(bad.headers['set-cookie'], undefined);
  await bad.body.dump();
});

test('/mypage shows the 2017 data classes of the logged-in user, with the owner tag', async () => {
  const sid = await loginCookie(origin, 'u03');
  const me = origin.person('u03')!;
  const r = await get(origin, '/mypage', { cookie: `sid=${sid}` });
  assert.equal(r.status, 200);
  for (const s of [me.name, me.email, me.phone, me.address.line, me.bank.accountNumber, me.card.last4, me.card.expiry, String(me.points)]) {
    assert.ok(r.body.includes(s), s);
  }
  // The tag hashes the session it was rendered for, in the same space as the viewer identity.
  assert.equal(r.headers['x-cachewarden-owner'], new IdentityHasher(LAB_IDENTITY_KEY).hash(sid));
  assert.equal(origin.ownerTagFor('u03'), r.headers['x-cachewarden-owner']);
  assert.equal(origin.userForOwnerTag(String(r.headers['x-cachewarden-owner'])), 'u03');
  assert.equal(origin.userForSession(sid), 'u03');
  // JSON login works too.
  const sid2 = await loginCookie(origin, 'u04', true);
  assert.equal(origin.userForSession(sid2), 'u04');
});

test('personalized header modes are exact', async () => {
  const sid = await loginCookie(origin, 'u05');
  const expected = {
    incident2017: { 'cache-control': 'no-cache', expires: INCIDENT_2017_EXPIRES, vary: undefined },
    private: { 'cache-control': 'private, no-store', expires: undefined, vary: undefined },
    none: { 'cache-control': undefined, expires: undefined, vary: undefined },
    'public-vary-cookie': { 'cache-control': 'public, max-age=60', expires: undefined, vary: 'Cookie' },
    'max-age': { 'cache-control': 'max-age=60', expires: undefined, vary: undefined },
  } as const;
  try {
    for (const [mode, want] of Object.entries(expected)) {
      origin.setPersonalizedHeaders(mode as keyof typeof expected);
      for (const path of ['/mypage', '/orders', '/api/me', '/api/orders']) {
        const r = await get(origin, path, { cookie: `sid=${sid}` });
        assert.equal(r.status, 200);
        assert.deepEqual(
          { 'cache-control': r.headers['cache-control'], expires: r.headers.expires, vary: r.headers.vary },
          want,
          `${mode} ${path}`,
        );
      }
    }
    assert.throws(() => origin.setPersonalizedHeaders('bogus' as 'none'), RangeError);
  } finally {
    origin.setPersonalizedHeaders('private');
  }
});

test("transaction pages: the seller sees a non-anonymous buyer's name and address (case 2)", async () => {
  const open = origin.transactions.find((t) => !t.anonymousShipping)!;
  const anon = origin.transactions.find((t) => t.anonymousShipping)!;
  const buyer = origin.person(open.buyerId)!;

  const sellerSid = await loginCookie(origin, open.sellerId);
  const sellerView = await get(origin, `/transactions/${open.id}`, { cookie: `sid=${sellerSid}` });
  assert.equal(sellerView.status, 200);
  assert.ok(sellerView.body.includes(buyer.name) && sellerView.body.includes(buyer.address.line));
  assert.ok(!sellerView.body.includes(buyer.email));
  const apiView = JSON.parse((await get(origin, `/api/transactions/${open.id}`, { cookie: `sid=${sellerSid}` })).body);
  assert.deepEqual(apiView.transaction.shipping, { anonymous: false, name: buyer.name, postalCode: buyer.address.postalCode, address: buyer.address.line });
  assert.equal(apiView.account.id, open.sellerId);

  const anonBuyer = origin.person(anon.buyerId)!;
  const anonSellerSid = await loginCookie(origin, anon.sellerId);
  const anonView = await get(origin, `/transactions/${anon.id}`, { cookie: `sid=${anonSellerSid}` });
  assert.ok(!anonView.body.includes(anonBuyer.name) && !anonView.body.includes(anonBuyer.address.line));

  const buyerSid = await loginCookie(origin, open.buyerId);
  const buyerView = await get(origin, `/transactions/${open.id}`, { cookie: `sid=${buyerSid}` });
  const seller = origin.person(open.sellerId)!;
  assert.equal(buyerView.status, 200);
  assert.ok(!buyerView.body.includes(seller.name) && buyerView.body.includes(seller.nickname));

  const stranger = origin.people.find((p) => p.id !== open.sellerId && p.id !== open.buyerId)!;
  const strangerSid = await loginCookie(origin, stranger.id);
  const denied = await get(origin, `/transactions/${open.id}`, { cookie: `sid=${strangerSid}` });
  assert.equal(denied.status, 404);
  assert.equal(denied.headers['x-cachewarden-owner'], undefined);
});

test('bearer tokens authenticate the JSON API', async () => {
  const token = await loginBearer(origin, 'u07');
  const me = JSON.parse((await get(origin, '/api/me', { authorization: `Bearer ${token}` })).body);
  const p = origin.person('u07')!;
  assert.deepEqual(me.account, {
    id: p.id,
    name: p.name,
    email: p.email,
    phone: p.phone,
    address: p.address,
    bank: p.bank,
    card: p.card,
    points: p.points,
  });
  const orders = JSON.parse((await get(origin, '/api/orders', { authorization: `Bearer ${token}` })).body);
  assert.deepEqual(orders.orders, p.orders);
  assert.equal(origin.userForToken(token), 'u07');
  assert.equal((await get(origin, '/api/me', { authorization: 'Bearer nope' })).status, 401);
});

test('lenient routing serves /mypage for trailing junk; strict routing does not', async () => {
  const sid = await loginCookie(origin, 'u08');
  for (const path of ['/mypage/x.css', '/mypage;x.css', '/mypage%2Fx.css', '/mypage/a/b.js?v=1', '/orders/y.png', '/api/me/z.css']) {
    const r = await get(origin, path, { cookie: `sid=${sid}` });
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['x-cachewarden-owner'], origin.ownerTagFor('u08'), path);
  }
  assert.equal(lenientRewrite('/transactions/t001;x.css?q=1'), '/transactions/t001?q=1');
  assert.equal(lenientRewrite('/mypagex.css'), '/mypagex.css');
  const strict = await startOrigin({ delayMs: 0, lenientRouting: false });
  try {
    const sid2 = await loginCookie(strict, 'u08');
    assert.equal((await get(strict, '/mypage/x.css', { cookie: `sid=${sid2}` })).status, 404);
    assert.equal((await get(strict, '/mypage', { cookie: `sid=${sid2}` })).status, 200);
  } finally {
    await strict.close();
  }
});

test('rolling sessions re-send the cookie everywhere and greet on public pages; otherwise public pages stay anonymous', async () => {
  const sid = await loginCookie(origin, 'u09');
  const plain = await get(origin, '/items/i02', { cookie: `sid=${sid}` });
  assert.equal(plain.headers['set-cookie'], undefined);
  assert.equal(plain.headers['x-cachewarden-owner'], undefined);
  assert.ok(!plain.body.includes(origin.person('u09')!.name));

  const rolling = await startOrigin({ delayMs: 0, rollingSession: true });
  try {
    const sid2 = await loginCookie(rolling, 'u09');
    for (const path of ['/', '/items/i02', '/mypage', '/api/me']) {
      const r = await get(rolling, path, { cookie: `sid=${sid2}` });
      assert.equal(r.headers['set-cookie'], `sid=${sid2}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800`, path);
      assert.equal(r.headers['x-cachewarden-owner'], rolling.ownerTagFor('u09'), path);
      assert.ok(r.body.includes(rolling.person('u09')!.name), path);
    }
    assert.equal((await get(rolling, '/items/i02', { cookie: `sid=${sid2}` })).headers['cache-control'], 'public, max-age=60');
    // Static assets are not behind the session.
    assert.equal((await get(rolling, '/static/app.css', { cookie: `sid=${sid2}` })).headers['set-cookie'], undefined);
    // Bearer clients get no cookie.
    const token = await loginBearer(rolling, 'u10');
    assert.equal((await get(rolling, '/api/me', { authorization: `Bearer ${token}` })).headers['set-cookie'], undefined);
  } finally {
    await rolling.close();
  }
});

test('owner tag can be switched off', async () => {
  const o = await startOrigin({ delayMs: 0, ownerTag: false });
  try {
    const sid = await loginCookie(o, 'u11');
    const r = await get(o, '/mypage', { cookie: `sid=${sid}` });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-cachewarden-owner'], undefined);
  } finally {
    await o.close();
  }
});

test('counters count what the origin answered', async () => {
  const o = await startOrigin({ delayMs: 0, publicDelayMs: 0 });
  try {
    const sid = await loginCookie(o, 'u12');
    await get(o, '/mypage', { cookie: `sid=${sid}` });
    await get(o, '/mypage/x.css', { cookie: `sid=${sid}` });
    await get(o, '/items/i01');
    await get(o, '/static/app.css');
    await get(o, '/nope');
    await get(o, '/mypage');
    assert.deepEqual(o.counters(), {
      total: 7,
      byClass: { personalized: 3, public: 1, static: 1, login: 1, other: 1 },
      byRoute: { '/login': 1, '/mypage': 3, '/items/:id': 1, '/static/:file': 1, '(404)': 1 },
      rendered: 2,
      logins: 1,
    });
    o.resetCounters();
    assert.equal(o.counters().total, 0);
  } finally {
    await o.close();
  }
});

test('a configurable session cookie name and extra personalized routes (for verify --prove)', async () => {
  const origin = await startOrigin({ delayMs: 0, sessionCookie: 'session', extraPersonalized: ['/account*', '/api/profile'] });
  try {
    const c = origin.credentialsFor('u01');
    const login = await fetch(`${origin.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: c.user, password: c.password }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /^session=[0-9a-f]{32}$/);
    const page = await fetch(`${origin.url}/account/settings`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes(origin.person('u01')!.name));
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    const api = await fetch(`${origin.url}/api/profile`, { headers: { cookie } });
    assert.equal((await api.json() as { account: { email: string } }).account.email, origin.person('u01')!.email);
    assert.equal((await fetch(`${origin.url}/elsewhere`, { headers: { cookie } })).status, 404);
    const anonymous = await fetch(`${origin.url}/account`, { redirect: 'manual' });
    assert.notEqual(anonymous.status, 200);
  } finally {
    await origin.close();
  }
});
