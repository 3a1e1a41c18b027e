import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { isCwError } from '../../../src/core/errors.ts';
import { createHttpSource, signBody } from '../../../src/watch/sources/http.ts';
import type { LineSource, SourceSpec } from '../../../src/watch/sources/types.ts';
import { collector, handleCounts, leakedSince } from './helpers.ts';

const agent = new Agent({ connections: 64 });
after(() => agent.close());

const running: LineSource[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function receiver(spec: Partial<SourceSpec> & { input?: string } = {}) {
  const c = collector();
  const src = createHttpSource({ input: 'http://127.0.0.1:0', ...spec });
  running.push(src);
  await src.start(c.onBatch);
  assert.match(src.address!, /^http:\/\/127\.0\.0\.1:\d+/);
  assert.doesNotMatch(src.address!, /:0(\/|$)/);
  return { c, src, url: src.address! };
}

async function post(url: string, body: string | Buffer | undefined, headers: Record<string, string> = {}, method: 'POST' | 'PUT' = 'POST') {
  const res = await request(url, { method, headers, body, dispatcher: agent });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const FASTLY_LINE = '{"ts_ms":1498092107412,"pop":"NRT","state":"HIT-WAIT","status":200,"url":"/mypage","viewer":"h1:2d1f9a0c7b3e","owner":"h1:8c0a44d1f620"}';
const CF_LINE = '{"RayID":"8f3a1c2b9d7e4a10","EdgeStartTimestamp":1498092107412000000,"CacheCacheStatus":"hit","ClientRequestURI":"/mypage"}';

describe('HTTP receiver: bodies', () => {
  it('takes NDJSON, one batch per request, and answers 200 with the count', async () => {
    const { c, src, url } = await receiver();
    const body = `${FASTLY_LINE}\n${CF_LINE}\r\n\n`;
    const r = await post(url, body, { 'content-type': 'application/x-ndjson' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { accepted: 2 });
    assert.deepEqual(c.lines, [FASTLY_LINE, CF_LINE]);
    assert.deepEqual(src.stats(), { lines: 2, bytes: Buffer.byteLength(body), batches: 1, rotations: 0, truncations: 0, oversized: 0, rejected: 0, errors: 0 });
  });

  it('accepts PUT (Fastly can be set to it) and a last line without a newline', async () => {
    const { c, url } = await receiver();
    const r = await post(`${url}/anything`, 'one\ntwo', {}, 'PUT');
    assert.equal(r.status, 200);
    assert.deepEqual(c.lines, ['one', 'two']);
  });

  it('only listens on the configured path', async () => {
    const { c, src, url } = await receiver({ input: 'http://127.0.0.1:0/fastly' });
    assert.match(url, /\/fastly$/);
    assert.equal((await post(url, 'ok\n')).status, 200);
    assert.equal((await post(url.replace(/\/fastly$/, '/other'), 'no\n')).status, 404);
    assert.deepEqual(c.lines, ['ok']);
    assert.deepEqual([src.stats().rejected, src.stats().errors], [0, 0]);
  });

  it('decompresses gzip (Cloudflare Logpush), with or without Content-Encoding', async () => {
    const { c, src, url } = await receiver();
    const text = `${CF_LINE}\n${CF_LINE.replace('hit', 'miss')}\n`;
    assert.equal((await post(url, gzipSync(text), { 'content-encoding': 'gzip', 'content-type': 'application/json' })).status, 200);
    assert.equal((await post(url, gzipSync('plain-label-missing\n'))).status, 200);
    assert.deepEqual(c.lines, [CF_LINE, CF_LINE.replace('hit', 'miss'), 'plain-label-missing']);
    assert.equal(src.stats().bytes, Buffer.byteLength(text) + 20);
  });

  it('decompresses zstd, deflate and br', async () => {
    const { c, url } = await receiver();
    assert.equal((await post(url, zstdCompressSync('z1\nz2\n'), { 'content-encoding': 'zstd' })).status, 200);
    assert.equal((await post(url, deflateSync('d1\n'), { 'content-encoding': 'deflate' })).status, 200);
    assert.equal((await post(url, brotliCompressSync('b1\n'), { 'content-encoding': 'br' })).status, 200);
    assert.deepEqual(c.lines, ['z1', 'z2', 'd1', 'b1']);
  });

  it('splits a JSON array body into one line per element, re-serialized', async () => {
    const { c, url } = await receiver();
    const r = await post(url, '[\n  {"a": 1, "b": "x y"},\n  {"nested": {"k": [1, 2]}},\n  "a plain text line"\n]', { 'content-type': 'application/json' });
    assert.deepEqual(r.json, { accepted: 3 });
    assert.deepEqual(c.lines, ['{"a":1,"b":"x y"}', '{"nested":{"k":[1,2]}}', 'a plain text line']);
  });

  it('a body that starts with "[" but is not JSON is taken as lines', async () => {
    const { c, url } = await receiver();
    await post(url, '[21/Nov/2026:11:45:56 +0000] GET /a\n[21/Nov/2026:11:45:57 +0000] GET /b\n');
    assert.deepEqual(c.lines, ['[21/Nov/2026:11:45:56 +0000] GET /a', '[21/Nov/2026:11:45:57 +0000] GET /b']);
  });

  it('an empty body (a sender\'s connectivity check) is answered 200 with nothing delivered', async () => {
    const { c, src, url } = await receiver();
    const r = await post(url, undefined);
    assert.deepEqual([r.status, r.json], [200, { accepted: 0 }]);
    assert.deepEqual(c.batches, []);
    assert.equal(src.stats().batches, 0);
  });

  it('cuts lines longer than maxLineBytes, in NDJSON and in arrays', async () => {
    const { c, src, url } = await receiver({ maxLineBytes: 16 });
    await post(url, `${'n'.repeat(40)}\nshort\n`);
    await post(url, JSON.stringify([{ long: 'v'.repeat(40) }, 'ok']));
    assert.deepEqual(c.lines, ['n'.repeat(16), 'short', '{"long":"vvvvvvv', 'ok']);
    assert.equal(src.stats().oversized, 2);
  });

  it('answers 413 above max-body, compressed or once decompressed, and counts it', async () => {
    const { c, src, url } = await receiver({ input: 'http://127.0.0.1:0/?max-body=1024' });
    assert.equal((await post(url, `${'a'.repeat(2000)}\n`)).status, 413);
    assert.equal((await post(url, gzipSync(`${'b'.repeat(100_000)}\n`), { 'content-encoding': 'gzip' })).status, 413);
    assert.equal((await post(url, 'fits\n')).status, 200);
    assert.deepEqual(c.lines, ['fits']);
    assert.deepEqual([src.stats().errors, src.stats().rejected, src.stats().batches], [2, 0, 1]);
  });

  it('answers 415 for an unknown Content-Encoding and 400 for a corrupt body', async () => {
    const { c, src, url } = await receiver();
    assert.equal((await post(url, 'x', { 'content-encoding': 'snappy' })).status, 415);
    assert.equal((await post(url, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status, 400);
    assert.deepEqual(c.lines, []);
    assert.equal(src.stats().errors, 2);
  });

  it('handles concurrent posts: every line once, each request\'s lines together', async () => {
    const { c, src, url } = await receiver();
    const requests = 40;
    const per = 250;
    const bodies = Array.from({ length: requests }, (_, r) => Array.from({ length: per }, (_, i) => `{"r":${r},"i":${i}}`).join('\n'));
    const results = await Promise.all(bodies.map((b, r) => post(url, r % 2 ? gzipSync(b) : b, r % 2 ? { 'content-encoding': 'gzip' } : {})));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(c.lines.length, requests * per);
    assert.deepEqual(new Set(c.lines).size, requests * per);
    for (const batch of c.batches) {
      const r = (JSON.parse(batch.lines[0]!) as { r: number }).r;
      assert.deepEqual(batch.lines, bodies[r]!.split('\n'));
    }
    assert.deepEqual([src.stats().batches, src.stats().lines], [requests, requests * per]);
  });
});

describe('HTTP receiver: authentication', () => {
  const secret = 'correct-horse-battery-staple-0123456789';

  it('accepts Authorization: Bearer <secret> and refuses a wrong or missing one with 401', async () => {
    const { c, src, url } = await receiver({ secret });
    assert.equal((await post(url, 'good\n', { authorization: `Bearer ${secret}` })).status, 200);
    const wrong = await post(url, 'bad-1\n', { authorization: `Bearer ${secret}x` });
    assert.equal(wrong.status, 401);
    assert.equal((await post(url, 'bad-2\n')).status, 401);
    assert.equal((await post(url, 'bad-3\n', { authorization: secret })).status, 401);
    assert.deepEqual(c.lines, ['good']);
    assert.deepEqual([src.stats().rejected, src.stats().lines, src.stats().errors], [3, 1, 0]);
  });

  it('accepts X-Cachewarden-Secret (Akamai custom header) and Basic with the secret as password', async () => {
    const { c, src, url } = await receiver({ secret });
    assert.equal((await post(url, 'hdr\n', { 'x-cachewarden-secret': secret })).status, 200);
    const basic = Buffer.from(`datastream:${secret}`).toString('base64');
    assert.equal((await post(url, 'basic\n', { authorization: `Basic ${basic}` })).status, 200);
    const badBasic = Buffer.from(`datastream:nope`).toString('base64');
    assert.equal((await post(url, 'x\n', { authorization: `Basic ${badBasic}` })).status, 401);
    assert.equal((await post(url, 'x\n', { 'x-cachewarden-secret': 'nope' })).status, 401);
    assert.deepEqual(c.lines, ['hdr', 'basic']);
    assert.equal(src.stats().rejected, 2);
  });

  it('accepts an HMAC-SHA256 signature over "<timestamp>." + raw body; refuses wrong, stale and replayed ones', async () => {
    const { c, src, url } = await receiver({ secret });
    const now = Math.floor(Date.now() / 1000);
    const body = gzipSync('signed-1\nsigned-2\n');
    const headers = (b: Buffer | string, ts: number, key = secret) => ({
      'content-encoding': 'gzip',
      'x-cachewarden-timestamp': String(ts),
      'x-cachewarden-signature': signBody(key, b, ts),
    });
    // The signature covers the bytes as sent (here: compressed).
    assert.equal((await post(url, body, headers(body, now))).status, 200);
    // Same request again: a replay.
    const replay = await post(url, body, headers(body, now));
    assert.equal(replay.status, 401);
    assert.match(String(replay.json?.error), /replay/);
    // Wrong key, tampered body, stale timestamp, future timestamp, missing timestamp, malformed.
    const other = gzipSync('other\n');
    assert.equal((await post(url, other, headers(other, now, 'another-secret'))).status, 401);
    assert.equal((await post(url, gzipSync('tampered\n'), headers(other, now))).status, 401);
    assert.equal((await post(url, other, headers(other, now - 320))).status, 401);
    assert.equal((await post(url, other, headers(other, now + 320))).status, 401);
    const noTs = { 'x-cachewarden-signature': signBody(secret, 'x\n', now) };
    assert.equal((await post(url, 'x\n', noTs)).status, 401);
    assert.equal((await post(url, 'x\n', { 'x-cachewarden-signature': 'md5=abc', 'x-cachewarden-timestamp': String(now) })).status, 401);
    // A timestamp within the window is fine. (Stale/future/late are 20 s clear of the 300 s edge,
    // so a second ticking over during the test cannot flip them.)
    const within = Buffer.from('late-but-ok\n');
    assert.equal((await post(url, within, { 'x-cachewarden-timestamp': String(now - 280), 'x-cachewarden-signature': signBody(secret, within, now - 280) })).status, 200);
    assert.deepEqual(c.lines, ['signed-1', 'signed-2', 'late-but-ok']);
    assert.deepEqual([src.stats().rejected, src.stats().batches], [7, 2]);
  });

  it('the signature is HMAC-SHA256 hex over "<timestamp>." + body (known answer from openssl)', () => {
    // printf '1700000000.body' | openssl dgst -sha256 -hmac k -hex
    assert.equal(signBody('k', 'body', 1700000000), 'sha256=75c6f5400ffe9efa801269319d42add2b0f1579efe1715c7b4eb052dd2bd4c58');
  });

  it('health and the Fastly challenge need no secret', async () => {
    const { url } = await receiver({ secret, input: 'http://127.0.0.1:0/logs?fastly-service-id=SU1Z0isxPaozGVKXdv0eY,*' });
    const base = url.replace(/\/logs$/, '');
    const health = await request(`${base}/healthz`, { dispatcher: agent });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(await health.body.json(), { status: 'ok' });
    const ch = await request(`${base}/.well-known/fastly/logging/challenge`, { dispatcher: agent });
    assert.equal(ch.statusCode, 200);
    assert.equal(await ch.body.text(), `${createHash('sha256').update('SU1Z0isxPaozGVKXdv0eY').digest('hex')}\n*\n`);
  });

  it('without fastly-service-id the challenge path is 404', async () => {
    const { url } = await receiver();
    const ch = await request(`${url}/.well-known/fastly/logging/challenge`, { dispatcher: agent });
    assert.equal(ch.statusCode, 404);
    await ch.body.dump();
  });
});

describe('HTTP receiver: lifecycle', () => {
  it('a port in use is CW_INPUT_UNREADABLE naming the input and the fix', async () => {
    const { src } = await receiver();
    const port = new URL(src.address!).port;
    const second = createHttpSource({ input: `http://127.0.0.1:${port}` });
    await assert.rejects(second.start(() => {}), (e: unknown) => isCwError(e) && e.code === 'CW_INPUT_UNREADABLE' && e.message.includes(`127.0.0.1:${port}`) && e.message.includes('address already in use') && e.message.includes('another port'));
    await second.stop();
  });

  it('stop() closes the server and its connections; done resolves', async () => {
    const baseline = handleCounts();
    const c = collector();
    const src = createHttpSource({ input: 'http://127.0.0.1:0' });
    await src.start(c.onBatch);
    const local = new Agent();
    const res = await request(src.address!, { method: 'POST', body: 'x\n', dispatcher: local });
    await res.body.dump();
    await src.stop();
    await src.done;
    await local.close();
    assert.deepEqual(leakedSince(baseline), []);
    assert.deepEqual(c.lines, ['x']);
  });
});
