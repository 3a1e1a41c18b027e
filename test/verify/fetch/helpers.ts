/**
 * Local stand-ins for provider APIs (fastify on 127.0.0.1) and assertions on fetch errors.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { isCwError } from '../../../src/core/errors.ts';

export interface LocalApi {
  url: string;
  app: FastifyInstance;
  /** `METHOD path?query` of every request, in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts a fastify server on 127.0.0.1 with the routes `register` adds. */
export async function localApi(register: (app: FastifyInstance) => void): Promise<LocalApi> {
  const app = Fastify({ forceCloseConnections: true });
  const requests: string[] = [];
  app.addHook('onRequest', async (req) => {
    requests.push(`${req.method} ${req.url}`);
  });
  register(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app, requests, close: () => app.close() };
}

/** The URL of a loopback port nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Asserts `p` rejects with a CW_VERIFY_FETCH error whose line is exactly `message`, one line, without any of `secrets`. */
export async function rejectsWithFetchError(p: Promise<unknown>, message: string, secrets: readonly string[] = []): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected the fetch to fail');
  assert.ok(isCwError(caught), `expected a CwError, got ${String(caught)}`);
  assert.equal(caught.code, 'CW_VERIFY_FETCH');
  assert.equal(caught.message, message);
  assert.doesNotMatch(caught.line(), /\n/);
  for (const s of secrets) assert.ok(!caught.line().includes(s), `the message leaks a secret: ${caught.line()}`);
}

export const FIXED_NOW = () => new Date('2025-03-04T05:06:07.089Z');
