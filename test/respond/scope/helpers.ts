/** Hand-made log lines and options for the scope tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespondSchema, WatchSchema } from '../../../src/config/schema.ts';
import { IdentityHasher } from '../../../src/core/identity.ts';
import type { ScopeOptions } from '../../../src/respond/scope/index.ts';
import type { ScopeReport } from '../../../src/respond/types.ts';

export const KEY = 'scope-test-identity-key-0123456789';
export const hasher = new IdentityHasher(KEY);
export const h = (raw: string) => hasher.hash(raw)!;
export const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);
export const PERSONALIZED = ['/mypage*', '/orders*', '/transactions/*', '/api/me*'];

export interface NginxLine {
  t: number;
  uri: string;
  cache: string;
  sid?: string;
  /** Raw credential the page was rendered for (logged as its hash, like an owner tag). */
  owner?: string;
  status?: number;
  edge?: string;
  rt?: number;
  setCookie?: string;
}

export function nginx(l: NginxLine): string {
  return JSON.stringify({
    time: new Date(l.t).toISOString(),
    msec: l.t / 1000,
    edge: l.edge ?? 'edge-1',
    host: 'shop.example.test',
    method: 'GET',
    uri: l.uri,
    status: l.status ?? 200,
    cache: l.cache,
    identity: l.sid ?? '',
    owner: l.owner ? h(l.owner) : '',
    set_cookie: l.setCookie ?? '',
    cache_control: 'private, no-store',
    request_time: l.rt ?? 0.002,
    request_id: `r${l.t}`,
  });
}

export interface FastlyLine {
  t: number;
  url: string;
  state: string;
  viewer?: string;
  status?: number;
  node?: string;
  us?: number;
}

export function fastly(l: FastlyLine): string {
  return JSON.stringify({
    time: l.t,
    node: l.node ?? 'cache-tyo-1',
    pop: 'TYO',
    host: 'shop.example.test',
    method: 'GET',
    url: l.url,
    status: l.status ?? 200,
    state: l.state,
    digest: `d-${l.url}`,
    viewer: l.viewer ?? '',
    owner: '',
    set_cookie: '',
    cache_control: '',
    age: '0',
    elapsed_us: l.us ?? 2000,
    request_id: `r${l.t}`,
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cw-scope-test-'));
}

export function writeLines(dir: string, name: string, lines: readonly string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return p;
}

export function options(inputs: string[], over: Partial<ScopeOptions> = {}): ScopeOptions {
  const w = WatchSchema.parse({});
  return {
    inputs,
    format: 'nginx-json',
    personalized: PERSONALIZED,
    identity: { key: KEY, cookies: ['sid'] },
    watch: { lateness: w.lateness, objectLife: w.objectLife, joinTolerance: w.joinTolerance, maxKeys: w.maxKeys },
    respond: RespondSchema.parse({
      routes: { '/mypage*': ['name', 'email', 'address', 'points'], '/orders*': ['name', 'history'], '/transactions/*': ['name', 'address'] },
    }),
    now: () => T0 + 86_400_000,
    ...over,
  };
}

/** The report without what may differ between runs over the same lines (generation time, file names). */
export function comparable(r: ScopeReport): unknown {
  const { generatedAt: _g, inputs, ...rest } = r;
  const { files: _f, sessions, relations, ...inp } = inputs;
  return { ...rest, inputs: { ...inp, sessions: sessions?.rows, relations: relations?.rows } };
}
