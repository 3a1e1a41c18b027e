/**
 * Express end to end on loopback: `scrubRequestLog` logs one line per request through a line
 * function and through a real pino logger; a card number in the query, the body, a header and the
 * path, and a bearer token, never reach either log.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import pino from 'pino';
import { request } from 'undici';
import { scrubRequestLog, type ScrubbedExpressRequest } from '../../../src/scrub/index.ts';
import { assertNoCard, jsonLines } from './leak.ts';

const TOKEN = 'tok_test_1a2b3c4d5e6f';

function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, base: `http://127.0.0.1:${port}` });
    });
  });
}

/** Waits until `count()` reaches `n` (the log line is written when the response finishes). */
async function until(count: () => number, n: number): Promise<void> {
  while (count() < n) await new Promise((r) => setImmediate(r));
}

describe('express: scrubRequestLog', () => {
  const lines: string[] = [];
  let pinoOut = '';
  let appLog = '';
  let server: Server;
  let base: string;

  before(async () => {
    const app = express();
    const logger = pino({ base: null }, { write: (s: string) => void (pinoOut += s) });
    app.use(scrubRequestLog({ logger: (line) => lines.push(line), body: true }));
    app.use(scrubRequestLog({ logger, headers: false }));
    app.use(express.json());
    app.post('/cards/:pan', (req, res) => {
      appLog += JSON.stringify((req as ScrubbedExpressRequest).scrubbed!.body()) + '\n';
      res.status(201).json({ ok: true });
    });
    ({ server, base } = await listen(app));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('logs one scrubbed line per request; no card number or token reaches any log', { timeout: 10_000 }, async () => {
    const res = await request(`${base}/cards/6011111111111117?card=4111%201111%201111%201111&page=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'x-card-number': '5555-5555-5555-4444' },
      body: JSON.stringify({ payment: { card_number: '3530111333300000', cvv: '123' }, pan: 5555555555554444, qty: 2 }),
    });
    assert.equal(res.statusCode, 201);
    await res.body.json();
    await until(() => lines.length, 1);
    await until(() => pinoOut.split('\n').length - 1, 1);

    for (const [what, text] of [['line log', lines.join('\n')], ['pino log', pinoOut], ['app log', appLog]] as const) {
      assertNoCard(text, `express ${what}`);
      assert.equal(text.includes(TOKEN), false, `express ${what}: the bearer token is in the log`);
    }
    assert.equal(lines.length, 1);
    const [line] = jsonLines(lines[0]!, 'line log') as Record<string, any>[];
    assert.deepEqual(Object.keys(line!), ['method', 'url', 'status', 'durationMs', 'headers', 'body']);
    assert.equal(line!.method, 'POST');
    assert.equal(line!.status, 201);
    assert.equal(typeof line!.durationMs, 'number');
    assert.match(line!.url, /^\/cards\/[^/?]+\?card=[^&]+&page=2$/);
    assert.equal(line!.headers.authorization, 'Bearer ***');
    assert.equal(line!.headers['x-card-number'].replace(/\D/g, ''), '5555554444');
    assert.equal(line!.body.qty, 2);
    assert.equal(String(line!.body.pan).replace(/\D/g, ''), '5555554444');

    const [viaPino] = jsonLines(pinoOut, 'pino log') as Record<string, any>[];
    assert.equal(viaPino!.msg, 'request completed');
    assert.equal(viaPino!.url, line!.url);
    assert.equal(viaPino!.headers, undefined);
    const [appBody] = jsonLines(appLog, 'app log') as Record<string, any>[];
    assert.equal(appBody!.payment.card_number.replace(/\D/g, ''), '3530110000');
  });
});
