/** Shared helpers for the probe client tests: settings, small loopback servers, a throwaway certificate. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { IdentityHasher } from '../../../src/core/identity.ts';
import { LAB_IDENTITY_KEY } from '../../../lab/origin/index.ts';
import type { AccountConfig, ProbeSettings } from '../../../src/probe/types.ts';

export const hasher = () => new IdentityHasher(LAB_IDENTITY_KEY, { memo: 0 });

export function settingsFor(target: string, accounts: AccountConfig[], over: Partial<ProbeSettings> = {}): ProbeSettings {
  return {
    target,
    edges: ['127.0.0.1'],
    every: 60_000,
    accounts,
    publicPaths: ['/'],
    concurrency: 8,
    rate: 1000,
    timeout: 5000,
    raceRounds: 4,
    ownerHeader: 'x-cachewarden-owner',
    state: ':memory:',
    ...over,
  };
}

/** Starts a fastify app on a loopback address and port (0 = free). */
export async function listen(app: FastifyInstance, host = '127.0.0.1', port = 0): Promise<number> {
  await app.listen({ host, port });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected listen address');
  return addr.port;
}

export function fastify(): FastifyInstance {
  return Fastify({ logger: false, forceCloseConnections: true });
}

/** A self-signed certificate for `name`, made with the openssl CLI in a temp dir. */
export function selfSignedCert(name: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cw-probe-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
        '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`,
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls `cond` until it holds (no duration assertion: the test's own timeout bounds it). */
export async function until(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
