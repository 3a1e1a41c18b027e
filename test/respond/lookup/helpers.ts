/**
 * Shared pieces of the lookup tests: the fixture report (one person per status), the keys it was
 * made with, a fixed clock, and token minting with jose.
 */
import { SignJWT } from 'jose';
import { loadReport, startLookup, type LookupOptions, type LookupServer } from '../../../src/respond/lookup/index.ts';
import type { ScopeReport } from '../../../src/respond/types.ts';

export const FIXTURE = new URL('../fixtures/lookup-report.json', import.meta.url).pathname;
export const IDENTITY_KEY = 'test-identity-key-0123456789abcdef';
export const TOKEN_KEY = 'test-token-key-0123456789abcdef0123456789';
/** The test clock: the day after the incident window. */
export const NOW_MS = Date.parse('2026-11-22T09:00:00.000Z');
export const NOW_S = NOW_MS / 1000;
export const MAX_AGE_MS = 600_000;

/** User ids in the fixture and their hashes under IDENTITY_KEY. `zoe` is not in the report. */
export const USERS = {
  alice: 'h:G2R8nADfOLCOagmVjsKNIg',
  bob: 'h:VP-yQkrbbuHczxVKdfUQdA',
  carol: 'h:VKHs-Acxkla2-WA3bqMMTQ',
  dave: 'h:ezIPX-Gi1DAeC9GNqiyI3A',
  zoe: 'h:vgSjl3DJb6xu_vMq8C6q4A',
} as const;
export type User = keyof typeof USERS;

export function fixtureReport(): ScopeReport {
  return loadReport(FIXTURE);
}

export interface TokenSpec {
  sub?: string | undefined;
  iat?: number | undefined;
  exp?: number | undefined;
  aud?: string | undefined;
  alg?: 'HS256' | 'HS512';
  key?: string;
}

/** A token as a login service would issue it; every claim can be overridden or left out (undefined). */
export async function mint(spec: TokenSpec = {}): Promise<string> {
  const claims: Record<string, unknown> = {};
  const sub = 'sub' in spec ? spec.sub : 'alice';
  const iat = 'iat' in spec ? spec.iat : NOW_S;
  const exp = 'exp' in spec ? spec.exp : NOW_S + 300;
  if (sub !== undefined) claims['sub'] = sub;
  if (iat !== undefined) claims['iat'] = iat;
  if (exp !== undefined) claims['exp'] = exp;
  if (spec.aud !== undefined) claims['aud'] = spec.aud;
  return new SignJWT(claims).setProtectedHeader({ alg: spec.alg ?? 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(spec.key ?? TOKEN_KEY));
}

export function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export async function start(over: Partial<LookupOptions> = {}): Promise<LookupServer & { logs: string[] }> {
  const logs: string[] = [];
  const server = await startLookup({
    report: fixtureReport(),
    identityKey: IDENTITY_KEY,
    tokenKey: TOKEN_KEY,
    maxAgeMs: MAX_AGE_MS,
    rateLimit: { max: 1000, windowMs: 60_000 },
    host: '127.0.0.1',
    port: 0,
    now: () => NOW_MS,
    logger: (line) => logs.push(line),
    ...over,
  });
  return Object.assign(server, { logs });
}

/** The text of `<p id="headline">` on a page. */
export function headlineOf(html: string): string | undefined {
  return /<p id="headline" class="headline">([^<]*)<\/p>/.exec(html)?.[1];
}
