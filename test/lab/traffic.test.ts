import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { makePopulation } from '../../lab/people.ts';
import * as render from '../../lab/origin/render.ts';
import { startOrigin } from '../../lab/origin/server.ts';
import type { Origin } from '../../lab/origin/server.ts';
import { createAttributor } from '../../lab/traffic/attribution.ts';
import { classifyPath, runTraffic } from '../../lab/traffic/run.ts';
import type { Observation } from '../../lab/traffic/types.ts';

test('classifyPath: route templates and classes', () => {
  const cases: [string, string, string][] = [
    ['/', '/', 'public'],
    ['/about', '/about', 'public'],
    ['/items/i03', '/items/:id', 'public'],
    ['/static/app.css', '/static/:file', 'static'],
    ['/mypage', '/mypage', 'personalized'],
    ['/orders?x=1', '/orders', 'personalized'],
    ['/transactions/t001', '/transactions/:id', 'personalized'],
    ['/api/me', '/api/me', 'personalized'],
    ['/api/transactions/t009', '/api/transactions/:id', 'personalized'],
    ['/login', '/login', 'login'],
    ['/api/login', '/api/login', 'login'],
    ['/mypage/cw12.css', '/mypage/*', 'deception'],
    ['/mypage;cw12.png', '/mypage/*', 'deception'],
    ['/orders%2Fcw12.js', '/orders/*', 'deception'],
    ['/transactions/t001/x.css', '/transactions/:id/*', 'deception'],
    ['/elsewhere', '/elsewhere', 'other'],
  ];
  for (const [url, route, routeClass] of cases) assert.deepEqual(classifyPath(url), { route, routeClass }, url);
});

test('attribution: owner from the account block, related people from the rest', () => {
  const pop = makePopulation();
  const attribute = createAttributor(pop.people);
  const p = pop.person('u05')!;
  // The to-do list names buyers of pending, non-anonymous sales.
  const pending = pop.transactions.filter((t) => t.sellerId === 'u05' && t.status === 'awaiting-shipment' && !t.anonymousShipping);
  assert.deepEqual(attribute(render.myPage(p, pop), 'text/html; charset=utf-8'), {
    owner: 'u05',
    ownerFields: ['name', 'email', 'phone', 'address', 'bank'],
    related: Object.fromEntries(pending.map((t) => [t.buyerId, ['name', 'address']])),
  });
  const tx = pop.transactions.find((t) => !t.anonymousShipping)!;
  const seller = pop.person(tx.sellerId)!;
  assert.deepEqual(attribute(render.transactionPage(seller, tx, pop), 'text/html'), {
    owner: seller.id,
    ownerFields: ['name', 'email'],
    related: { [tx.buyerId]: ['name', 'address'] },
  });
  assert.deepEqual(attribute(JSON.stringify(render.transactionJson(seller, tx, pop)), 'application/json'), {
    owner: seller.id,
    ownerFields: ['name', 'email'],
    related: { [tx.buyerId]: ['name', 'address'] },
  });
  assert.deepEqual(attribute(JSON.stringify(render.meJson(p)), 'application/json; charset=utf-8').owner, 'u05');
  // A greeting on a public page names the person by name only.
  assert.deepEqual(attribute(render.homePage(pop, { viewer: p }), 'text/html'), { owner: 'u05', ownerFields: ['name'], related: {} });
  assert.deepEqual(attribute(render.homePage(pop, {}), 'text/html'), { owner: null, ownerFields: [], related: {} });
  assert.deepEqual(attribute(render.APP_CSS, 'text/css'), { owner: null, ownerFields: [], related: {} });
});

let origin: Origin;
before(async () => {
  origin = await startOrigin({ delayMs: 20 });
});
after(async () => {
  await origin.close();
});

test('straight to the origin (no cache): everyone sees only their own data', async () => {
  const seen: Observation[] = [];
  const result = await runTraffic({
    target: origin.url,
    directory: origin,
    users: 6,
    anonymous: 2,
    auth: 'mixed',
    durationMs: 800,
    thinkMs: 40,
    burst: { intervalMs: 200, size: 3 },
    deception: 2,
    onObservation: (o) => seen.push(o),
  });
  assert.deepEqual(seen, result.observations);
  assert.deepEqual(result.stats.logins, { ok: 6, failed: 0 });
  assert.equal(result.stats.errors, 0);
  assert.equal(result.stats.leakResponses, 0);
  assert.deepEqual(result.leaks, []);
  assert.deepEqual(result.exposures, []);
  assert.deepEqual(result.sessionHandovers, []);
  assert.deepEqual(
    result.clients.map((c) => c.auth),
    ['cookie', 'bearer', 'cookie', 'bearer', 'cookie', 'bearer', 'anon', 'anon'],
  );
  assert.ok(result.stats.bursts > 0 && result.stats.deceptionPairs === 2);
  assert.ok(result.observations.some((o) => o.burst !== undefined));
  assert.deepEqual(result.observations.filter((o) => o.deception).map((o) => o.deception!.role).sort(), ['attacker', 'attacker', 'victim', 'victim']);
  for (const o of result.observations) {
    assert.equal(o.outcome, 'UNKNOWN'); // no X-Cache without a cache
    if (o.routeClass === 'personalized' && o.status === 200) {
      assert.equal(o.owner, o.user, o.url);
      assert.equal(o.ownerTagUser, o.user);
      assert.equal(o.session, o.user);
    }
    if (o.user === 'anon') assert.equal(o.owner, null);
  }
  // Raw identities map back to the accounts that logged in.
  assert.deepEqual(Object.values(result.identities).sort(), result.clients.filter((c) => c.auth !== 'anon').map((c) => c.user).sort());
});

test('client route sequences are reproducible from the seed', async () => {
  const run = () => runTraffic({ target: origin.url, directory: origin, users: 3, anonymous: 1, durationMs: 500, thinkMs: 30, burst: false, seed: 42 });
  const firstUrls = (r: Awaited<ReturnType<typeof run>>) =>
    Object.fromEntries(r.clients.map((c) => [c.client, r.observations.filter((o) => o.client === c.client).slice(0, 4).map((o) => `${o.user} ${o.method} ${o.url}`)]));
  const a = await run();
  const b = await run();
  assert.deepEqual(firstUrls(a), firstUrls(b));
  assert.deepEqual(a.clients, b.clients);
});

test('request budget and abort signal stop the run', async () => {
  const budget = await runTraffic({ target: origin.url, directory: origin, users: 2, anonymous: 0, durationMs: 30_000, maxRequests: 10, burst: false });
  assert.ok(budget.observations.length >= 10);
  assert.ok(budget.observations.length <= 10 + 2 * 4); // in-flight page views may still fetch their assets

  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 200);
  const aborted = await runTraffic({ target: origin.url, directory: origin, users: 2, durationMs: 60_000, signal: ctl.signal });
  assert.ok(aborted.observations.length > 0);
});

/**
 * A deliberately broken "cache" with scripted behaviour, so ground truth can be checked
 * exactly: every HTML response replays A's session cookie (a cached Set-Cookie), and the
 * JSON API always answers with A's data (a cached response).
 */
test('ground truth against a scripted broken cache: handovers, leaks via session and via cache, case-2 exposures', async () => {
  const pop = makePopulation();
  const sale = pop.transactions.find((t) => t.status === 'awaiting-shipment' && !t.anonymousShipping)!;
  const A = sale.sellerId;
  // Everyone whose shipping name and address is on A's pages.
  const buyers = pop.transactions.filter((t) => t.sellerId === A && t.status === 'awaiting-shipment' && !t.anonymousShipping).map((t) => t.buyerId);
  const [C, D] = pop.people.map((p) => p.id).filter((id) => id !== A && !buyers.includes(id));
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const sid = /sid=sid-(u\d+)/.exec(req.headers.cookie ?? '')?.[1];
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const user = new URLSearchParams(body).get('user') ?? (body ? (JSON.parse(body) as { user: string }).user : '');
      if (req.method === 'POST' && url === '/login') {
        res.writeHead(302, { location: '/mypage', 'set-cookie': `sid=sid-${user}; Path=/` }).end();
      } else if (req.method === 'POST' && url === '/api/login') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `tok-${user}` }));
      } else if (url.startsWith('/static/')) {
        res.writeHead(200, { 'content-type': 'text/css', 'x-cache': 'HIT' }).end('body{}');
      } else if (url.startsWith('/api/')) {
        const doc = url.startsWith('/api/orders') ? render.ordersJson(pop.person(A)!, pop) : render.meJson(pop.person(A)!);
        res.writeHead(200, { 'content-type': 'application/json', 'x-cache': 'HIT', 'x-served-by': 'fake-edge' }).end(JSON.stringify(doc));
      } else {
        const headers = { 'content-type': 'text/html', 'x-cache': 'HIT', 'x-served-by': 'fake-edge', 'set-cookie': `sid=sid-${A}; Path=/` };
        const viewer = sid ? pop.person(sid) : undefined;
        if ((url === '/mypage' || url === '/orders') && viewer) {
          res.writeHead(200, headers).end(url === '/mypage' ? render.myPage(viewer, pop) : render.ordersPage(viewer, pop));
        } else if (url === '/mypage' || url === '/orders' || url.startsWith('/transactions/')) {
          res.writeHead(url.startsWith('/transactions/') ? 404 : 302, { ...headers, location: '/login' }).end();
        } else {
          res.writeHead(200, headers).end(render.homePage(pop, {}));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await runTraffic({ target, directory: pop, userIds: [A, C!, D!], auth: 'mixed', anonymous: 1, durationMs: 1000, thinkMs: 30, burst: false, seed: 3 });
    assert.deepEqual(result.clients, [
      { client: 'c01', user: A, auth: 'cookie' },
      { client: 'c02', user: C, auth: 'bearer' },
      { client: 'c03', user: D, auth: 'cookie' },
      { client: 'a01', user: 'anon', auth: 'anon' },
    ]);
    const by = (user: string) => result.observations.filter((o) => o.user === user && o.routeClass !== 'login');
    // A only ever sees A.
    assert.ok(by(A).every((o) => !o.leak && o.sessionFrom === undefined));
    // The browser D and the anonymous visitor are each handed A's session exactly once...
    assert.deepEqual(
      result.sessionHandovers.map((h) => `${h.user}<-${h.from} ${h.outcome}`).sort(),
      [`${D}<-${A} HIT`, `anon<-${A} HIT`].sort(),
    );
    // ...and from then on every account page they get is A's, through the session.
    for (const u of [D!, 'anon']) {
      const first = by(u).findIndex((o) => o.sessionFrom === A);
      assert.ok(first >= 0);
      for (const o of by(u).slice(first + 1)) {
        assert.equal(o.session, A);
        if (o.routeClass === 'personalized' && o.status === 200) {
          assert.deepEqual([o.owner, o.leak, o.via], [A, true, 'session']);
        }
      }
    }
    // The app client C gets A's API responses through the "cache".
    const api = by(C!).filter((o) => o.status === 200 && o.routeClass === 'personalized');
    assert.ok(api.length > 0);
    for (const o of api) assert.deepEqual([o.owner, o.leak, o.via, o.outcome, o.edge, o.session], [A, true, 'cache', 'HIT', 'fake-edge', C]);
    // Leak pairs aggregate per (viewer, owner, url); B's address on A's pages is a case-2 exposure.
    for (const lp of result.leaks) assert.equal(lp.owner, A);
    assert.ok(result.leaks.some((lp) => lp.viewer === C && lp.via.includes('cache')));
    const mypageViews = result.observations.filter((o) => o.leak && o.url === '/mypage');
    assert.ok(mypageViews.length > 0);
    for (const o of mypageViews) assert.deepEqual(o.relatedFields, Object.fromEntries(buyers.map((b) => [b, ['name', 'address']])));
    assert.ok(result.exposures.length > 0);
    for (const ex of result.exposures) {
      assert.ok(buyers.includes(ex.person));
      assert.equal(ex.owner, A);
      assert.deepEqual(ex.fields, ['name', 'address']);
    }
    assert.equal(
      result.exposures.reduce((n, e) => n + e.count, 0),
      result.observations.filter((o) => o.leak).reduce((n, o) => n + o.related.length, 0),
    );
    assert.equal(result.stats.leakResponses, result.observations.filter((o) => o.leak).length);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
