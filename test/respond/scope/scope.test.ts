/**
 * scope on hand-made logs: the tiers per person (owner tags, inferred joins, collapsed fills, a
 * stored route), sessions map, relations, the window, categories, and bad input.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { keyIdOf, runScope } from '../../../src/respond/scope/index.ts';
import { T0, fastly, h, nginx, options, tempDir, writeLines } from './helpers.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** alice's /mypage stored, then served to bob and to an anonymous visitor; carol browses on her own. */
function ownerTagged(): string[] {
  return [
    nginx({ t: T0, uri: '/mypage', cache: 'MISS', sid: 'sa', owner: 'sa' }),
    nginx({ t: T0 + 100, uri: '/mypage', cache: 'HIT', sid: 'sb', owner: 'sa' }),
    nginx({ t: T0 + 200, uri: '/mypage', cache: 'HIT', owner: 'sa' }),
    nginx({ t: T0 + 300, uri: '/orders', cache: '-', sid: 'sc', owner: 'sc' }),
    nginx({ t: T0 + 400, uri: '/items/1', cache: 'MISS', sid: 'sc' }),
  ];
}

test('owner tags: the owner is shown (to bob and to an anonymous visitor), everybody else is not affected', async () => {
  const dir = tempDir();
  const r = await runScope(options([writeLines(dir, 'a.log', ownerTagged())]));
  assert.equal(r.identity.kind, 'session');
  assert.equal(r.identity.keyId, keyIdOf('scope-test-identity-key-0123456789'));
  assert.match(r.identity.keyId, /^[0-9a-f]{8}$/);
  assert.deepEqual(r.window, { from: iso(T0), to: iso(T0 + 400) });
  assert.deepEqual(r.observed, { from: iso(T0), to: iso(T0 + 400) });
  assert.deepEqual(
    r.people.map((p) => [p.id, p.status, p.fields, p.categories, p.active.requests]),
    [
      [h('sa'), 'shown', ['address', 'email', 'name', 'points'], ['identifying', 'other'], 1],
      ...[h('sb'), h('sc')].sort().map((id) => [id, 'not-affected', [], [], id === h('sb') ? 1 : 2]),
    ],
  );
  assert.deepEqual(r.people[0]!.shown, {
    first: iso(T0 + 100),
    last: iso(T0 + 200),
    urls: ['/mypage'],
    routes: ['/mypage*'],
    viewers: 2,
    anonymousServes: 1,
    serves: 2,
    edges: ['edge-1'],
  });
  assert.deepEqual(
    r.pairs.map((p) => [p.owner, p.viewer, p.url, p.route, p.edge, p.count, p.outcomes, p.rule, p.fields]),
    [
      [h('sa'), h('sb'), '/mypage', '/mypage*', 'edge-1', 1, ['HIT'], 'watch/owner-mismatch', ['address', 'email', 'name', 'points']],
      [h('sa'), 'anonymous', '/mypage', '/mypage*', 'edge-1', 1, ['HIT'], 'watch/owner-mismatch', ['address', 'email', 'name', 'points']],
    ],
  );
  assert.deepEqual(r.summary, {
    active: 3,
    shown: 1,
    derived: 0,
    possibly: 0,
    notAffected: 2,
    anyData: 1,
    directlyIdentifying: 1,
    upperBound: 1,
    perCategory: { identifying: 1, payment: 0, other: 1 },
    viewers: 2,
    pairs: 2,
    derivedPairs: 0,
    exposures: 2,
    unattributed: 0,
    firstExposure: iso(T0 + 100),
    lastExposure: iso(T0 + 200),
  });
  assert.deepEqual(r.timeline, { bucketMs: 1000, buckets: [{ start: iso(T0), exposures: 2, people: 1 }] });
  assert.deepEqual(r.byRoute, [{ key: '/mypage*', exposures: 2, people: 1 }]);
  assert.deepEqual(r.byEdge, [{ key: 'edge-1', exposures: 2, people: 1 }]);
  assert.deepEqual(r.inputs.rejected, {});
  assert.equal(r.inputs.lines, 5);
  assert.equal(r.inputs.events, 5);
  assert.equal(r.inputs.format, 'nginx-json');
  assert.deepEqual(r.categories.map((c) => [c.name, c.direct]), [['identifying', true], ['payment', false], ['other', false]]);
  assert.equal(r.incident.organisation, 'Example Co.');
});

test('inferred (fastly-json, no owner tags): a hit joined to its fill names the owner; concurrent fills make the candidates "possibly: collapsed"; other fills of a shared route are "possibly: stored"', async () => {
  const dir = tempDir();
  const lines = [
    // alice fills /orders; bob gets it from cache a second later: shown, inferred.
    fastly({ t: T0, url: '/orders', state: 'MISS', viewer: 'sa' }),
    fastly({ t: T0 + 1000, url: '/orders', state: 'HIT', viewer: 'sb' }),
    // carol and dave fetch /mypage at the same time (no lock); erin then gets one of the copies.
    fastly({ t: T0 + 5300, us: 300_000, url: '/mypage', state: 'MISS', viewer: 'sc' }),
    fastly({ t: T0 + 5301, us: 299_000, url: '/mypage', state: 'MISS', viewer: 'sd' }),
    fastly({ t: T0 + 5900, url: '/mypage', state: 'HIT', viewer: 'se' }),
    // frank fills /orders on the same edge, later: the cache was storing /orders there.
    fastly({ t: T0 + 3_000_000, url: '/orders?page=2', state: 'MISS', viewer: 'sf' }),
    // gina only on another edge: not stored.
    fastly({ t: T0 + 3_000_100, url: '/orders', state: 'MISS', viewer: 'sg', node: 'cache-osa-1' }),
  ];
  const r = await runScope(options([writeLines(dir, 'f.log', lines)], { format: 'auto' }));
  assert.equal(r.inputs.format, 'fastly-json');
  const status = Object.fromEntries(r.people.map((p) => [p.id, p.status]));
  assert.deepEqual(status, {
    [h('sa')]: 'shown',
    [h('sc')]: 'possibly',
    [h('sd')]: 'possibly',
    [h('sf')]: 'possibly',
    [h('sb')]: 'not-affected',
    [h('se')]: 'not-affected',
    [h('sg')]: 'not-affected',
  });
  assert.deepEqual(r.pairs.map((p) => [p.owner, p.viewer, p.url, p.rule, p.fields]), [[h('sa'), h('sb'), '/orders', 'watch/cross-identity-inferred', ['history', 'name']]]);
  const by = (raw: string) => r.people.find((p) => p.id === h(raw))!;
  // carol's fill was stored (the cache served /mypage from a shared object there) and collapsed.
  assert.deepEqual(by('sc').possibly, { first: iso(T0 + 5300), last: iso(T0 + 5900), urls: ['/mypage'], routes: ['/mypage*'], edges: ['cache-tyo-1'], reasons: ['stored', 'collapsed'] });
  assert.deepEqual(by('sc').fields, ['address', 'email', 'name', 'points']);
  assert.deepEqual(by('sf').possibly, { first: iso(T0 + 3_000_000), last: iso(T0 + 3_000_000), urls: ['/orders?page=2'], routes: ['/orders*'], edges: ['cache-tyo-1'], reasons: ['stored'] });
  // alice's own fill of the shared route is stored too, but shown is the more severe status.
  assert.deepEqual(by('sa').possibly?.reasons, ['stored']);
  assert.equal(r.summary.unattributed, 1);
  assert.deepEqual([r.summary.shown, r.summary.possibly, r.summary.notAffected, r.summary.upperBound], [1, 3, 3, 4]);
});

test('sessions map: people are users (two sessions of one user are one person; a user seeing their own other session is no exposure)', async () => {
  const dir = tempDir();
  const lines = [
    nginx({ t: T0, uri: '/mypage', cache: 'MISS', sid: 'sa1', owner: 'sa1' }),
    nginx({ t: T0 + 100, uri: '/mypage', cache: 'HIT', sid: 'sa2', owner: 'sa1' }), // alice's phone: same person
    nginx({ t: T0 + 200, uri: '/mypage', cache: 'HIT', sid: 'sb', owner: 'sa1' }), // bob
    nginx({ t: T0 + 300, uri: '/mypage', cache: 'HIT', sid: 'sx', owner: 'sa1' }), // a session the map does not know
  ];
  const sessions = join(dir, 'sessions.csv');
  writeFileSync(sessions, 'user,session,note\r\nalice,sa1,laptop\r\n"alice","sa2","phone, new"\r\nbob,sb,\r\nbroken,"unterminated\r\n');
  const notices: string[] = [];
  const r = await runScope(options([writeLines(dir, 'a.log', lines)], { sessions, onNotice: (l) => notices.push(l) }));
  assert.equal(r.identity.kind, 'user');
  assert.deepEqual(r.inputs.sessions, { file: sessions, rows: 3 });
  assert.deepEqual(r.pairs.map((p) => [p.owner, p.viewer, p.count]), [[h('alice'), h('bob'), 1], [h('alice'), h('sx'), 1]]);
  assert.deepEqual(r.people.map((p) => [p.id, p.status, p.active.requests]), [[h('alice'), 'shown', 2], ...[[h('bob'), 'not-affected', 1], [h('sx'), 'not-affected', 1]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1))]);
  assert.ok(notices.includes(`sessions map ${sessions}: 1 malformed row skipped (${sessions}:5); each row needs a session and a user`), notices.join('\n'));
  assert.ok(notices.includes('1 identities in the logs are not in the sessions map; each counts as its own person'));
});

test('relations: the buyer on the seller\'s transaction page gets a derived exposure when that page is shown to someone else (not to the buyer)', async () => {
  const dir = tempDir();
  const lines = [
    nginx({ t: T0, uri: '/transactions/t1', cache: 'MISS', sid: 'ss', owner: 'ss' }),
    nginx({ t: T0 + 100, uri: '/transactions/t1', cache: 'HIT', sid: 'sv', owner: 'ss' }), // a stranger: buyer derived
    nginx({ t: T0 + 200, uri: '/transactions/t1', cache: 'HIT', sid: 'sbuy', owner: 'ss' }), // the buyer sees own data
    nginx({ t: T0 + 300, uri: '/mypage', cache: 'HIT', owner: 'ss' }), // anonymous: mypage relation
  ];
  const sessions = join(dir, 'sessions.ndjson');
  writeFileSync(sessions, ['{"session":"ss","user":"seller"}', '{"session":"sv","user":"viewer"}', '{"session":"sbuy","user":"buyer"}', 'not json'].join('\n'));
  const relations = join(dir, 'relations.csv');
  writeFileSync(relations, 'owner,person,route,fields\nseller,buyer,/transactions/t1,name|address\nseller,buyer,/mypage,"name;address"\nseller,other,/transactions/t9,name\nseller,buyer,no-slash,name\n');
  const notices: string[] = [];
  const r = await runScope(options([writeLines(dir, 'a.log', lines)], { sessions, relations, onNotice: (l) => notices.push(l) }));
  assert.deepEqual(r.inputs.relations, { file: relations, rows: 3 });
  assert.deepEqual(
    r.derivedPairs.map((d) => [d.person, d.owner, d.viewer, d.url, d.route, d.fields, d.count]),
    [
      [h('buyer'), h('seller'), h('viewer'), '/transactions/t1', '/transactions/t1', ['address', 'name'], 1],
      [h('buyer'), h('seller'), 'anonymous', '/mypage', '/mypage', ['address', 'name'], 1],
    ],
  );
  const buyer = r.people.find((p) => p.id === h('buyer'))!;
  assert.equal(buyer.status, 'derived');
  assert.deepEqual(buyer.derived, { first: iso(T0 + 100), last: iso(T0 + 300), via: [h('seller')], routes: ['/mypage', '/transactions/t1'], fields: ['address', 'name'], serves: 2 });
  assert.deepEqual(buyer.categories, ['identifying']);
  assert.equal(buyer.active.requests, 1);
  assert.deepEqual([r.summary.shown, r.summary.derived, r.summary.anyData, r.summary.directlyIdentifying, r.summary.derivedPairs], [1, 1, 2, 2, 2]);
  assert.ok(notices.some((n) => n.includes(`${sessions}:4`)));
  assert.ok(notices.some((n) => n.includes(`relations file ${relations}: 1 malformed row skipped (${relations}:5)`)));
});

test('window: only what falls inside counts, but a fill before --from still joins a hit inside it', async () => {
  const dir = tempDir();
  const lines = [
    fastly({ t: T0 - 60_000, url: '/orders', state: 'MISS', viewer: 'sa' }), // before the window, within the object life
    fastly({ t: T0 - 30_000, url: '/orders', state: 'HIT', viewer: 'sz' }), // exposure before the window: not counted
    fastly({ t: T0 + 1000, url: '/orders', state: 'HIT', viewer: 'sb' }), // inside: alice shown to bob
    fastly({ t: T0 + 2000, url: '/mypage', state: 'PASS', viewer: 'sc' }),
    fastly({ t: T0 + 20_000, url: '/orders', state: 'HIT', viewer: 'sy' }), // after --to
    fastly({ t: T0 - 86_400_000, url: '/mypage', state: 'PASS', viewer: 'sold' }), // long before, out of order
  ];
  const r = await runScope(options([writeLines(dir, 'f.log', lines)], { format: 'fastly-json', from: T0, to: T0 + 10_000 }));
  assert.deepEqual(r.window, { from: iso(T0), to: iso(T0 + 10_000) });
  assert.deepEqual(r.observed, { from: iso(T0 + 1000), to: iso(T0 + 2000) });
  assert.equal(r.inputs.outsideWindow, 4);
  assert.equal(r.inputs.events, 6);
  assert.deepEqual(r.pairs.map((p) => [p.owner, p.viewer]), [[h('sa'), h('sb')]]);
  // alice made no request inside the window: her exposure times stand in for activity.
  assert.deepEqual(
    r.people.map((p) => [p.id, p.status, p.active]),
    [
      [h('sa'), 'shown', { first: iso(T0 + 1000), last: iso(T0 + 1000), requests: 0 }],
      ...[
        [h('sb'), 'not-affected', { first: iso(T0 + 1000), last: iso(T0 + 1000), requests: 1 }],
        [h('sc'), 'not-affected', { first: iso(T0 + 2000), last: iso(T0 + 2000), requests: 1 }],
      ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    ],
  );
  assert.equal(r.timeline.bucketMs, 1000);
  assert.equal(r.timeline.buckets.length, 11);
  assert.deepEqual(r.timeline.buckets[1], { start: iso(T0 + 1000), exposures: 1, people: 1 });
});

test('categories: per-category and tier B counts follow respond.categories; an unlisted personalized route shows "page" (tier A only)', async () => {
  const dir = tempDir();
  const lines = [
    nginx({ t: T0, uri: '/api/me', cache: 'HIT', sid: 'sb', owner: 'sa' }), // unlisted: page
    nginx({ t: T0 + 10, uri: '/orders', cache: 'HIT', sid: 'sa', owner: 'sc' }), // name, history
    nginx({ t: T0 + 20, uri: '/orders/2', cache: 'HIT', sid: 'sa', owner: 'sd' }),
  ];
  const base = options([writeLines(dir, 'a.log', lines)]);
  const respond = { ...base.respond, categories: { identifying: { fields: ['name'], direct: true }, history: { fields: ['history'], direct: false } } };
  const r = await runScope({ ...base, respond });
  const by = (raw: string) => r.people.find((p) => p.id === h(raw))!;
  assert.deepEqual([by('sa').fields, by('sa').categories], [['page'], []]);
  assert.deepEqual([by('sc').fields, by('sc').categories], [['history', 'name'], ['history', 'identifying']]);
  assert.deepEqual(r.summary.perCategory, { identifying: 2, history: 2 });
  assert.deepEqual([r.summary.anyData, r.summary.directlyIdentifying], [3, 2]);
  assert.deepEqual(r.categories, [{ name: 'identifying', fields: ['name'], direct: true }, { name: 'history', fields: ['history'], direct: false }]);
});

test('malformed lines are counted by reason, never fatal', async () => {
  const dir = tempDir();
  const good = ownerTagged();
  const lines = [...good.slice(0, 3), '{"broken json', '', '   ', JSON.stringify({ msec: T0 / 1000, status: 200 }), JSON.stringify({ msec: 'soon', uri: '/x', status: 200 }), ...good.slice(3), JSON.stringify({ msec: T0 / 1000, uri: '/x', status: 'ok' })];
  const r = await runScope(options([writeLines(dir, 'a.log', lines)]));
  assert.deepEqual(r.inputs.rejected, { bad_json: 1, bad_status: 1, bad_time: 1, missing_field: 1 });
  assert.equal(r.inputs.lines, 9); // blank lines are not lines
  assert.equal(r.inputs.events, 5);
  assert.equal(r.summary.shown, 1);
});

test('inputs: a missing file, a glob matching nothing and a file that is not the format are one-line errors', async () => {
  const dir = tempDir();
  await assert.rejects(runScope(options([join(dir, 'nope.log')])), { code: 'CW_INPUT_UNREADABLE', message: `input ${join(dir, 'nope.log')}: cannot open: no such file or directory; check the path` });
  await assert.rejects(runScope(options([join(dir, '*.log.gz')])), { code: 'CW_INPUT_UNREADABLE', message: `input ${join(dir, '*.log.gz')}: the pattern matches no file; check the path and the pattern (quote it so the shell does not expand it)` });
  const text = writeLines(dir, 'text.log', Array.from({ length: 30 }, (_, i) => `127.0.0.1 - - [21/Nov/2026:09:00:${String(i).padStart(2, '0')} +0000] "GET / HTTP/1.1" 200 12`));
  await assert.rejects(runScope(options([text])), { code: 'CW_INPUT_UNREADABLE', message: `input ${text}: 5 of the first 5 lines are not nginx-json; check --format and --field` });
  await assert.rejects(runScope(options([text], { from: T0 + 10, to: T0 })), { code: 'CW_USAGE_BAD_FLAG' });
});
