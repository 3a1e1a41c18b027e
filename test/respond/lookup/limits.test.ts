/**
 * Rate limiting: per client address (429 with Retry-After after `max`), and per person (the
 * token's hashed sub) when the same person comes from many addresses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { headlineOf, mint, start } from './helpers.ts';

describe('lookup rate limits', () => {
  it('per client address: 429 with Retry-After after max requests, valid token or not', async () => {
    const s = await start({ rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const t = await mint();
      const codes: number[] = [];
      for (const auth of [`Bearer ${t}`, 'Bearer forged', `Bearer ${t}`, `Bearer ${t}`, `Bearer ${t}`]) {
        const r = await request(`${s.url}/api/status`, { headers: { authorization: auth } });
        codes.push(r.statusCode);
        if (r.statusCode === 429) {
          assert.equal(r.headers['retry-after'], '60');
          assert.deepEqual(await r.body.json(), { error: 'too_many_requests', message: 'Too many requests. Please wait a moment and try again.' });
        } else await r.body.dump();
      }
      assert.deepEqual(codes, [200, 401, 200, 429, 429]);
      // The page shares the same address budget and says so in its language.
      const page = await request(`${s.url}/?lang=ja`);
      assert.equal(page.statusCode, 429);
      assert.equal(page.headers['cache-control'], 'no-store, private');
      assert.equal(headlineOf(await page.body.text()), 'アクセスが集中しています。しばらく待ってから、もう一度お試しください。');
      // Health stays reachable.
      const health = await request(`${s.url}/healthz`);
      assert.equal(health.statusCode, 200);
      await health.body.dump();
    } finally {
      await s.close();
    }
  });

  it('per person: the same sub from many addresses is limited too, other people are not', async () => {
    const s = await start({ rateLimit: { max: 2, windowMs: 60_000 }, trustProxy: true });
    try {
      const alice = await mint({ sub: 'alice' });
      const dave = await mint({ sub: 'dave' });
      const codes: number[] = [];
      let retry: string | string[] | undefined;
      for (let i = 0; i < 4; i++) {
        const r = await request(`${s.url}/api/status`, { headers: { authorization: `Bearer ${alice}`, 'x-forwarded-for': `192.0.2.${10 + i}` } });
        codes.push(r.statusCode);
        if (r.statusCode === 429) retry = r.headers['retry-after'];
        await r.body.dump();
      }
      assert.deepEqual(codes, [200, 200, 429, 429]);
      assert.equal(retry, '60');
      const other = await request(`${s.url}/api/status`, { headers: { authorization: `Bearer ${dave}`, 'x-forwarded-for': '192.0.2.50' } });
      assert.equal(other.statusCode, 200);
      await other.body.dump();
    } finally {
      await s.close();
    }
  });
});
