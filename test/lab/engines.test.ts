/**
 * Engine launchers: config checks, placeholders, loopback addresses, response labels, and
 * the access log formats field by field (docs/lab.md).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { parseNginxLine, parseVarnishLine, readAccessLog } from '../../lab/engines/logs.ts';
import { startNginx } from '../../lab/engines/nginx.ts';
import { renderTemplate } from '../../lab/engines/template.ts';
import { EngineConfigError } from '../../lab/engines/types.ts';
import type { EngineInstance } from '../../lab/engines/types.ts';
import { startVarnish } from '../../lab/engines/varnish.ts';
import { startOrigin } from '../../lab/origin/server.ts';
import type { Origin } from '../../lab/origin/server.ts';
import { engineSkip, requireEngine } from './helpers.ts';

const NGINX_KEYS = [
  'time', 'msec', 'edge', 'host', 'method', 'uri', 'status', 'cache', 'identity', 'identity_kind', 'owner', 'set_cookie',
  'cache_control', 'expires', 'vary', 'age', 'bytes', 'request_time', 'upstream_response_time', 'upstream_status', 'request_id',
];
const VARNISH_KEYS = [
  'time', 'msec', 'edge', 'host', 'method', 'uri', 'status', 'cache', 'handling', 'waitinglist', 'identity', 'identity_kind', 'owner',
  'set_cookie', 'cache_control', 'expires', 'vary', 'age', 'bytes', 'duration_us', 'ttfb', 'fetch_time', 'vxid', 'hit_vxid',
];

let origin: Origin;
let scratch: string;
before(async () => {
  origin = await startOrigin({ delayMs: 0, publicDelayMs: 0 });
  scratch = mkdtempSync(join(tmpdir(), 'cw-lab-engines-test-'));
});
after(async () => {
  await origin.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function login(base: string, userId: string): Promise<string> {
  const c = origin.credentialsFor(userId);
  const res = await request(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user: c.user, password: c.password }).toString(),
  });
  await res.body.dump();
  return /sid=([0-9a-f]+)/.exec(String(res.headers['set-cookie']))![1] as string;
}

async function bearer(base: string, userId: string): Promise<string> {
  const c = origin.credentialsFor(userId);
  const res = await request(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: c.user, password: c.password }),
  });
  return ((await res.body.json()) as { token: string }).token;
}

async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(base + path, { headers });
  await res.body.dump();
  return { status: res.statusCode, headers: res.headers as Record<string, string | undefined> };
}

test('templates: unknown placeholders are an error', () => {
  assert.equal(renderTemplate('listen {{LISTEN}};', { LISTEN: '127.0.0.1:1' }), 'listen 127.0.0.1:1;');
  assert.throws(() => renderTemplate('x {{LISTN}}', { LISTEN: 'a' }, 'S9.conf'), /S9\.conf: unknown placeholder \{\{LISTN\}\}/);
});

test('engines listen on loopback only', async () => {
  await assert.rejects(startNginx({ origin: origin.url, scenario: 'SAFE', address: '0.0.0.0' }), /loopback/);
  await assert.rejects(startVarnish({ origin: origin.url, scenario: 'SAFE', address: '10.0.0.1' }), /loopback/);
  await assert.rejects(startNginx({ origin: 'http://192.0.2.1:80', scenario: 'SAFE' }), /loopback/);
});

test('nginx: a broken config is rejected early with nginx\'s own message, leaving nothing behind', { skip: engineSkip('nginx') }, async () => {
  requireEngine('nginx');
  const bad = join(scratch, 'broken.conf');
  writeFileSync(bad, readFileSync(new URL('../../lab/scenarios/nginx/S2a.conf', import.meta.url), 'utf8').replace('proxy_cache_valid 200 10m;', 'proxy_cache_valid 200 banana;'));
  const err = await startNginx({ origin: origin.url, configFile: bad }).then(
    () => assert.fail('started'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EngineConfigError);
  assert.equal(err.engine, 'nginx');
  assert.match(err.message, /broken\.conf/);
  assert.match(err.engineMessage, /\[emerg\] invalid time value "banana"/);
  // nginx names the rendered file in the run's temp dir; that dir is gone already.
  const tmpDirs = err.engineMessage.match(/\/tmp\/cachewarden-lab-nginx-[^/\s]+/g) ?? [];
  assert.ok(tmpDirs.length > 0, err.engineMessage);
  for (const d of tmpDirs) assert.equal(existsSync(d), false, d);
});

test('varnish: a broken VCL is rejected early with the VCC compiler\'s message', { skip: engineSkip('varnish') }, async () => {
  requireEngine('varnish');
  const bad = join(scratch, 'broken.vcl');
  writeFileSync(bad, readFileSync(new URL('../../lab/scenarios/varnish/S2a.vcl', import.meta.url), 'utf8').replace('set beresp.ttl = 10m;', 'set beresp.ttl = banana;'));
  const err = await startVarnish({ origin: origin.url, configFile: bad }).then(
    () => assert.fail('started'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof EngineConfigError);
  assert.equal(err.engine, 'varnish');
  assert.match(err.engineMessage, /VCC-compiler/);
  assert.match(err.engineMessage, /banana/);
});

/**
 * The same four requests through an engine running S2a (account pages cached 10 min):
 * u01 logs in and loads /mypage (MISS), an anonymous visitor loads /mypage (HIT: u01's page),
 * u02 calls /api/me with a bearer token (not cached), and /static/app.css is loaded twice.
 */
async function scriptedRequests(e: EngineInstance) {
  const sid = await login(e.url, 'u01');
  const miss = await get(e.url, '/mypage', { cookie: `sid=${sid}` });
  const hit = await get(e.url, '/mypage');
  const token = await bearer(e.url, 'u02');
  const api = await get(e.url, '/api/me', { authorization: `Bearer ${token}` });
  const css1 = await get(e.url, '/static/app.css');
  const css2 = await get(e.url, '/static/app.css');
  await e.syncLog({ minLines: 7 });
  return { sid, token, miss, hit, api, css1, css2 };
}

test('nginx: X-Cache / X-Served-By headers and the JSON access log, field by field', { skip: engineSkip('nginx') }, async () => {
  requireEngine('nginx');
  const t0 = Date.now();
  const e = await startNginx({ origin: origin.url, scenario: 'S2a', address: '127.0.0.2', edge: 'edge-tyo-1' });
  try {
    assert.match(e.url, /^http:\/\/127\.0\.0\.2:\d+$/);
    assert.equal(e.logFormat, 'nginx-json');
    const r = await scriptedRequests(e);
    assert.deepEqual([r.miss.headers['x-cache'], r.hit.headers['x-cache'], r.api.headers['x-cache'], r.css1.headers['x-cache'], r.css2.headers['x-cache']], ['MISS', 'HIT', 'PASS', 'MISS', 'HIT']);
    for (const x of [r.miss, r.hit, r.api, r.css1]) assert.equal(x.headers['x-served-by'], 'edge-tyo-1');

    const lines = readFileSync(e.accessLog, 'utf8').trim().split('\n');
    assert.equal(lines.length, 7);
    const raw = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const j of raw) assert.deepEqual(Object.keys(j), NGINX_KEYS);
    const recs = lines.map((l) => parseNginxLine(l)!);
    assert.deepEqual(
      recs.map((x) => [x.method, x.uri, x.status, x.cache, x.outcome, x.identityKind ?? '']),
      [
        ['POST', '/login', 302, '-', 'PASS', ''],
        ['GET', '/mypage', 200, 'MISS', 'MISS', 'cookie'],
        ['GET', '/mypage', 200, 'HIT', 'HIT', ''],
        ['POST', '/api/login', 200, '-', 'PASS', ''],
        ['GET', '/api/me', 200, '-', 'PASS', 'bearer'],
        ['GET', '/static/app.css', 200, 'MISS', 'MISS', ''],
        ['GET', '/static/app.css', 200, 'HIT', 'HIT', ''],
      ],
    );
    const tag1 = origin.ownerTagFor('u01');
    assert.equal(recs[1]!.identity, r.sid);
    assert.equal(recs[1]!.owner, tag1);
    assert.equal(recs[2]!.identity, undefined);
    assert.equal(recs[2]!.owner, tag1); // the HIT carries u01's tag to an anonymous visitor
    assert.equal(recs[2]!.cacheControl, 'private, no-store');
    assert.equal(recs[4]!.identity, r.token);
    assert.equal(recs[4]!.owner, origin.ownerTagFor('u02'));
    assert.equal(recs[0]!.setCookie, `sid=${r.sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800`);
    for (const x of recs) {
      assert.equal(x.edge, 'edge-tyo-1');
      assert.equal(x.host, '127.0.0.2');
      assert.ok(x.time >= t0 - 1000 && x.time <= Date.now() + 1000);
      assert.equal(Number.isInteger(x.time), true);
      assert.match(String(x.raw.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      assert.match(String(x.raw.request_id), /^[0-9a-f]{32}$/);
      assert.equal(typeof x.raw.msec, 'number');
      assert.equal(typeof x.raw.request_time, 'number');
      assert.equal(x.age, undefined); // nginx 1.22 never sends Age
    }
    assert.equal(recs[2]!.upstreamTime, undefined); // a HIT has no upstream
    assert.match(recs[1]!.upstreamTime!, /^\d+\.\d{3}$/);
    assert.deepEqual(e.readLog(), readAccessLog(e.accessLog, 'nginx-json'));
  } finally {
    await e.stop();
  }
});

test('varnish: X-Cache / X-Served-By headers and the varnishncsa JSON log, field by field', { skip: engineSkip('varnish') }, async () => {
  requireEngine('varnish');
  const t0 = Date.now();
  const e = await startVarnish({ origin: origin.url, scenario: 'S2a', address: '127.0.0.3', edge: 'edge-osa-2' });
  try {
    assert.match(e.url, /^http:\/\/127\.0\.0\.3:\d+$/);
    assert.equal(e.logFormat, 'varnishncsa-json');
    assert.equal(e.pids.length, 2);
    const r = await scriptedRequests(e);
    assert.deepEqual([r.miss.headers['x-cache'], r.hit.headers['x-cache'], r.api.headers['x-cache'], r.css1.headers['x-cache'], r.css2.headers['x-cache']], ['MISS', 'HIT', 'PASS', 'MISS', 'HIT']);
    for (const x of [r.miss, r.hit, r.api, r.css1]) assert.equal(x.headers['x-served-by'], 'edge-osa-2');

    const all = readAccessLog(e.accessLog, 'varnishncsa-json', { includeProbes: true });
    assert.ok(all.length > 7 && all.filter((x) => x.probe).every((x) => x.status === 204 && x.cache === 'SYNTH' && x.handling === 'synth'));
    const lines = readFileSync(e.accessLog, 'utf8').trim().split('\n').filter((l) => !l.includes('"uri":"/__lab/'));
    assert.equal(lines.length, 7);
    for (const l of lines) assert.deepEqual(Object.keys(JSON.parse(l) as object), VARNISH_KEYS);
    const recs = lines.map((l) => parseVarnishLine(l)!);
    assert.deepEqual(
      recs.map((x) => [x.method, x.uri, x.status, x.cache, x.handling, x.outcome, x.identityKind ?? '']),
      [
        ['POST', '/login', 302, 'PASS', 'pass', 'PASS', ''],
        ['GET', '/mypage', 200, 'MISS', 'miss', 'MISS', 'cookie'],
        ['GET', '/mypage', 200, 'HIT', 'hit', 'HIT', ''],
        ['POST', '/api/login', 200, 'PASS', 'pass', 'PASS', ''],
        ['GET', '/api/me', 200, 'PASS', 'pass', 'PASS', 'bearer'],
        ['GET', '/static/app.css', 200, 'MISS', 'miss', 'MISS', ''],
        ['GET', '/static/app.css', 200, 'HIT', 'hit', 'HIT', ''],
      ],
    );
    const tag1 = origin.ownerTagFor('u01');
    assert.equal(recs[1]!.identity, r.sid);
    assert.equal(recs[1]!.owner, tag1);
    assert.equal(recs[2]!.identity, undefined);
    assert.equal(recs[2]!.owner, tag1);
    assert.equal(recs[2]!.cacheControl, 'private, no-store');
    assert.equal(recs[2]!.waitinglist, false);
    assert.equal(recs[4]!.identity, r.token);
    assert.equal(recs[0]!.setCookie, `sid=${r.sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800`);
    for (const x of recs) {
      assert.equal(x.edge, 'edge-osa-2');
      assert.match(x.host, /^127\.0\.0\.3:\d+$/);
      assert.ok(x.time >= t0 - 1000 && x.time <= Date.now() + 1000);
      assert.match(String(x.raw.msec), /^\d+\.\d{6}$/);
      assert.match(String(x.raw.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
      assert.equal(typeof x.raw.duration_us, 'number');
      assert.equal(x.age !== undefined, true);
    }
    assert.match(String(recs[2]!.raw.hit_vxid), /^\d+$/);
    assert.equal(recs[1]!.raw.hit_vxid, '');
  } finally {
    await e.stop();
  }
});
