/**
 * Fastify end to end on loopback: a request with a card number in its query string and in its
 * JSON body, plus an Authorization header and a session cookie; the app logs the body and the
 * headers itself. The captured log must hold no card number and no raw credential.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { scrubFastify, scrubFastifyLogger } from '../../../src/scrub/index.ts';
import { assertNoCard, jsonLines } from './leak.ts';

const TOKEN = 'tok_test_9f8e7d6c5b4a';
const COOKIE = 'sess_test_0a1b2c3d';

describe('fastify: scrubFastifyLogger + scrubFastify', () => {
  let app: FastifyInstance;
  let base: string;
  let log = '';

  before(async () => {
    app = Fastify({
      logger: scrubFastifyLogger({ headers: true }, { level: 'info', stream: { write: (s: string) => void (log += s) } }),
    });
    await app.register(scrubFastify, { logBody: true });
    app.post('/pay', async (req) => {
      req.log.info({ body: req.body, headers: req.headers }, 'payment received');
      req.log.info({ url: req.scrubbed.url }, 'scrubbed url view');
      return { ok: true };
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app.close());

  it('a card number in the query and in the body, and a bearer token, never reach the log', async () => {
    const res = await request(`${base}/pay?card_number=4111+1111+1111+1111&pan=5555555555554444&ref=A-1001`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, cookie: `sid=${COOKIE}; lang=ja` },
      body: JSON.stringify({ card: { number: '3782 822463 10005', cvv: '123', exp: '12/34' }, amount: 1200, note: 'card 6011-1111-1111-1117' }),
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(await res.body.json(), { ok: true });

    assertNoCard(log, 'fastify log');
    assert.equal(log.includes(TOKEN), false, 'the bearer token is in the log');
    assert.equal(log.includes(COOKIE), false, 'the session cookie is in the log');
    const lines = jsonLines(log, 'fastify log').filter((l) => l.reqId !== undefined);
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['incoming request', 'request body', 'payment received', 'scrubbed url view', 'request completed'],
    );
    const [incoming, bodyLine, received, urlView, completed] = lines as Record<string, any>[];
    // The URL keeps its shape: parameter names, the untouched `ref`, BIN + last four of the cards.
    assert.match(incoming!.req.url, /^\/pay\?card_number=[^&]+&pan=[^&]+&ref=A-1001$/);
    assert.equal(decodeURIComponent(incoming!.req.url).replace(/\D/g, ''), '411111111155555544441001');
    assert.equal(incoming!.req.headers.authorization, 'Bearer ***');
    assert.equal(incoming!.req.headers.cookie, 'sid=***; lang=***');
    assert.equal(received!.headers.authorization, 'Bearer ***');
    assert.equal(bodyLine!.body.amount, 1200);
    assert.equal(received!.body.amount, 1200);
    assert.equal(received!.body.card.number.replace(/\D/g, ''), '3782820005');
    assert.equal(received!.body.card.cvv, '***', 'a CVV next to a card number is masked (PCI DSS 3.3.1)');
    assert.equal(urlView!.url, incoming!.req.url);
    assert.equal(completed!.res.statusCode, 200);
  });
});
