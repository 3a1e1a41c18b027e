/**
 * A caching reverse proxy driven by the cache-semantics core: per-route profiles, request
 * collapsing, hit-for-pass / hit-for-miss markers, Vary variants, stale serving. It lets the
 * demo and quick tests run without nginx or Varnish. It is not the ground truth: a test checks
 * that it agrees with the real engines on every scenario both express.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type { Outcome } from '../../src/core/event.ts';
import { compileRoutes } from '../../src/core/glob.ts';
import { decideRequest, decideResponse } from '../../src/semantics/index.ts';
import type { CollapseValue, HttpRequestInfo, ProfileSpec } from '../../src/semantics/types.ts';
import { CacheStore, type StoredEntry, type StoredResponse } from './store.ts';

export interface EmulatorRoute {
  /**
   * Which requests the route covers: a route glob (see src/core/glob.ts) on the path, or a
   * regular expression on the path and query (like an nginx regex location). First match wins.
   */
  match: string | RegExp;
  /** Only these methods (upper case); default any. */
  methods?: readonly string[];
  profile: ProfileSpec;
  /**
   * Request headers removed before the cache decides and before forwarding (Varnish
   * `unset req.http.Cookie`; nginx `proxy_set_header Cookie ""` where no cache directive
   * of the location reads that header).
   */
  stripRequestHeaders?: readonly string[];
}

export interface EmulatorOptions {
  /** Origin base URL, e.g. `http://127.0.0.1:8080`. */
  origin: string;
  host?: string;
  port?: number;
  /** Edge id written to the log and the X-Served-By header. */
  edge?: string;
  /** Per-route profiles; a request no route matches is passed to the origin uncached. */
  routes: readonly EmulatorRoute[];
  /** Append access-log lines (the lab's nginx JSON format) to this file. */
  accessLog?: string;
  /** Called with every access-log record (for live displays and tests). */
  onRecord?: (record: AccessRecord) => void;
  /** Cookie names whose value is logged as the viewer identity (default `sid`). */
  identityCookies?: readonly string[];
}

/** One access-log line; field names follow the lab's nginx JSON log (docs/lab.md). */
export interface AccessRecord {
  time: string;
  msec: number;
  edge: string;
  host: string;
  method: string;
  uri: string;
  status: number;
  cache: string;
  /** `collapsed` when this request waited behind another's origin fetch and got its response. */
  cache_detail: string;
  identity: string;
  owner: string;
  set_cookie: string;
  cache_control: string;
  age: string;
  request_time: number;
}

export interface Emulator {
  url: string;
  edge: string;
  accessLog: string | undefined;
  stats: Readonly<Record<Outcome, number>>;
  /** Drop every stored object (like a purge-all). */
  purge(): void;
  /** Resolves once every access-log line written so far is in the file. */
  flushLog(): Promise<void>;
  stop(): Promise<void>;
}

interface Served {
  response: StoredResponse;
  outcome: Outcome;
  collapsed?: boolean;
  age?: number;
  /** For responses served from the store: seconds of freshness left (negative when stale). */
  ttlLeft?: number;
}

interface FillResult {
  response: StoredResponse;
  collapse: CollapseValue;
  varyOn: readonly string[];
  varyValues: readonly string[];
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'host', 'content-length']);

function headerGetter(headers: IncomingMessage['headers']): (name: string) => string {
  return (name) => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : (v ?? '');
  };
}

function cookieValue(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The RFC 9211 Cache-Status member this cache adds for a response. */
function cacheStatus(edge: string, served: Served): string {
  const name = /^[A-Za-z*][A-Za-z0-9_\-.:%*/]*$/.test(edge) ? edge : `"${edge}"`;
  if (served.collapsed) return `${name}; fwd=miss; collapsed`;
  switch (served.outcome) {
    case 'HIT':
      return served.ttlLeft === undefined ? `${name}; hit` : `${name}; hit; ttl=${served.ttlLeft}`;
    case 'STALE':
      return `${name}; hit; ttl=${served.ttlLeft ?? -1}`;
    case 'UPDATING':
      return `${name}; hit; ttl=${served.ttlLeft ?? -1}; detail=updating`;
    case 'EXPIRED':
      return `${name}; fwd=stale`;
    case 'PASS':
    case 'BYPASS':
      return `${name}; fwd=bypass`;
    case 'ERROR':
      return `${name}; fwd=miss; detail=origin-error`;
    default:
      return `${name}; fwd=miss`;
  }
}

/** Does a miss for this profile wait behind an in-flight fetch of the same key? */
function waitsOnBusy(profile: ProfileSpec): boolean {
  switch (profile.id) {
    case 'nginx':
      return profile.options?.lock === true;
    case 'fastly':
      return profile.options?.hashIgnoreBusy !== true;
    default:
      return true;
  }
}

/** Whether a stale-servable object is refreshed in the background (true) or by the request that found it. */
function refreshesInBackground(profile: ProfileSpec, entry: StoredEntry): boolean {
  if (entry.stale.whileRevalidate > 0) return true;
  return profile.id === 'nginx' && profile.options?.backgroundUpdate === true;
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const edge = opts.edge ?? 'edge-emulator-1';
  const origin = new URL(opts.origin);
  const pool = new Pool(origin.origin, { connections: 64, pipelining: 1 });
  const store = new CacheStore();
  const inflight = new Map<string, Promise<FillResult>>();
  const matchers = opts.routes.map((r) => {
    const re = r.match;
    const matches = typeof re === 'string' ? compileRoutes([re]) : (url: string) => re.test(url);
    const methods = r.methods ? new Set(r.methods) : undefined;
    return { matches, methods, profile: r.profile, strip: (r.stripRequestHeaders ?? []).map((h) => h.toLowerCase()) };
  });
  const identityCookies = opts.identityCookies ?? ['sid'];
  const log: WriteStream | undefined = opts.accessLog ? createWriteStream(opts.accessLog, { flags: 'a' }) : undefined;
  const stats = Object.fromEntries(
    ['HIT', 'MISS', 'EXPIRED', 'REVALIDATED', 'STALE', 'UPDATING', 'COLLAPSED', 'PASS', 'BYPASS', 'ERROR', 'UNKNOWN'].map((o) => [o, 0]),
  ) as Record<Outcome, number>;

  async function fetchOrigin(req: IncomingMessage, body: Buffer | undefined): Promise<StoredResponse> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP_BY_HOP.has(k)) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    const r = await pool.request({
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as 'GET',
      headers,
      ...(body && body.length > 0 ? { body } : {}),
    });
    const buf = Buffer.from(await r.body.arrayBuffer());
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) {
      if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    }
    return { status: r.statusCode, headers: out, body: buf };
  }

  function info(req: IncomingMessage): HttpRequestInfo {
    return {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      host: req.headers.host ?? origin.host,
      scheme: 'http',
      headers: req.headers,
    };
  }

  /** Fetch from the origin as the filler of `key`; waiters on the same key get the FillResult. */
  async function fill(req: IncomingMessage, body: Buffer | undefined, key: string, profile: ProfileSpec, outcome: Outcome, register: boolean): Promise<Served> {
    let settle!: (r: FillResult) => void;
    let fail!: (e: unknown) => void;
    let mine: Promise<FillResult> | undefined;
    if (register) {
      mine = new Promise<FillResult>((res, rej) => {
        settle = res;
        fail = rej;
      });
      mine.catch(() => undefined);
      inflight.set(key, mine);
    }
    try {
      const response = await fetchOrigin(req, body);
      const decision = decideResponse(info(req), response, profile, Date.now());
      const get = headerGetter(req.headers);
      const varyOn = decision.varyOn.value.map((h) => h.toLowerCase());
      const varyValues = varyOn.map(get);
      const kind = decision.store.value;
      if (kind !== 'no-store') {
        store.put({
          kind,
          key,
          varyOn,
          varyValues,
          response: kind === 'store' ? response : undefined,
          storedAt: Date.now(),
          ttlMs: Math.max(0, decision.ttl.value) * 1000,
          stale: decision.stale.value,
        });
      }
      if (register) settle({ response, collapse: decision.collapse.value, varyOn, varyValues });
      return { response, outcome };
    } catch (e) {
      if (register) fail(e);
      throw e;
    } finally {
      if (mine && inflight.get(key) === mine) inflight.delete(key);
    }
  }

  function backgroundRefresh(req: IncomingMessage, key: string, profile: ProfileSpec): void {
    if (inflight.has(key)) return;
    void fill(req, undefined, key, profile, 'MISS', true).catch(() => undefined);
  }

  async function lookup(req: IncomingMessage, body: Buffer | undefined, key: string, profile: ProfileSpec): Promise<Served> {
    const get = headerGetter(req.headers);
    let mayWait = waitsOnBusy(profile);
    for (;;) {
      const now = Date.now();
      const entry = store.lookup(key, get, now);
      let expired = false;
      if (entry?.kind === 'hit-for-pass') return { response: await fetchOrigin(req, body), outcome: 'PASS' };
      if (entry?.kind === 'hit-for-miss') return fill(req, body, key, profile, 'MISS', false);
      if (entry?.response) {
        const freshness = store.freshness(entry, now);
        const age = Math.floor((now - entry.storedAt) / 1000);
        const ttlLeft = Math.floor((entry.storedAt + entry.ttlMs - now) / 1000);
        if (freshness === 'fresh') return { response: entry.response, outcome: 'HIT', age, ttlLeft };
        if (freshness === 'stale-servable') {
          if (inflight.has(key)) return { response: entry.response, outcome: 'UPDATING', age, ttlLeft: Math.min(-1, ttlLeft) };
          if (refreshesInBackground(profile, entry)) {
            backgroundRefresh(req, key, profile);
            return { response: entry.response, outcome: 'STALE', age, ttlLeft: Math.min(-1, ttlLeft) };
          }
        }
        expired = true;
      }
      const busy = inflight.get(key);
      if (busy && mayWait) {
        const result = await busy.catch(() => undefined);
        if (result === undefined) {
          mayWait = false;
          continue;
        }
        if (result.collapse === 'share' && result.varyOn.every((h, i) => get(h) === result.varyValues[i])) {
          return { response: result.response, outcome: 'HIT', collapsed: true, age: 0 };
        }
        if (result.collapse === 'serialize' || result.collapse === 'share') continue; // look up again; one waiter becomes the next filler
        mayWait = false; // forward: each waiter goes to the origin on its own
        return fill(req, body, key, profile, 'MISS', false);
      }
      return fill(req, body, key, profile, expired ? 'EXPIRED' : 'MISS', !busy);
    }
  }

  /** The raw session cookie or bearer token, written to the lab log (cachewarden hashes it when it reads the log). */
  function viewerIdentity(req: IncomingMessage): string {
    const get = headerGetter(req.headers);
    const cookie = get('cookie');
    for (const name of identityCookies) {
      const v = cookieValue(cookie, name);
      if (v) return v;
    }
    const authz = get('authorization');
    return /^bearer\s+/i.test(authz) ? authz.replace(/^bearer\s+/i, '').trim() : '';
  }

  function hiddenHeaders(profile: ProfileSpec): Set<string> {
    if (profile.id !== 'nginx') return new Set();
    return new Set((profile.options?.hideHeaders ?? []).map((h) => h.toLowerCase()));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const url = req.url ?? '/';
    const identity = viewerIdentity(req); // as the client sent it, before any header is stripped
    const method = req.method ?? 'GET';
    const route = matchers.find((m) => (!m.methods || m.methods.has(method)) && m.matches(url));
    for (const h of route?.strip ?? []) delete req.headers[h];
    let served: Served;
    let profile: ProfileSpec | undefined = route?.profile;
    try {
      if (!profile) {
        served = { response: await fetchOrigin(req, body), outcome: 'PASS' };
      } else {
        const decision = decideRequest(info(req), profile);
        const key = decision.key.value.value;
        switch (decision.action.value) {
          case 'pass':
            served = { response: await fetchOrigin(req, body), outcome: 'PASS' };
            break;
          case 'bypass':
            served = await fill(req, body, key, profile, 'BYPASS', false);
            break;
          default:
            served = await lookup(req, body, key, profile);
        }
      }
    } catch (e) {
      served = {
        response: { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`emulator: origin error: ${(e as Error).message}\n`) },
        outcome: 'ERROR',
      };
      profile = undefined;
    }
    const hide = profile ? hiddenHeaders(profile) : new Set<string>();
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(served.response.headers)) if (!hide.has(k)) headers[k] = v;
    headers['x-cache'] = served.outcome;
    headers['cache-status'] = cacheStatus(edge, served);
    headers['x-served-by'] = edge;
    if (served.age !== undefined) headers['age'] = String(served.age);
    stats[served.collapsed ? 'COLLAPSED' : served.outcome]++;
    res.writeHead(served.response.status, headers);
    res.end(req.method === 'HEAD' ? undefined : served.response.body);

    const sent = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(', ') : (v ?? '');
    };
    const ms = Date.now();
    const record: AccessRecord = {
      time: new Date(ms).toISOString(),
      msec: ms / 1000,
      edge,
      host: req.headers.host ?? '',
      method: req.method ?? 'GET',
      uri: url,
      status: served.response.status,
      cache: served.outcome,
      cache_detail: served.collapsed ? 'collapsed' : '',
      identity,
      owner: sent('x-cachewarden-owner'),
      set_cookie: sent('set-cookie'),
      cache_control: sent('cache-control'),
      age: served.age === undefined ? '' : String(served.age),
      request_time: Number(process.hrtime.bigint() - started) / 1e9,
    };
    log?.write(`${JSON.stringify(record)}\n`);
    opts.onRecord?.(record);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(`emulator: ${(e as Error).message}\n`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address}:${addr.port}`,
    edge,
    accessLog: opts.accessLog,
    stats,
    purge: () => store.clear(),
    flushLog: () => new Promise<void>((resolve) => (log ? log.write('', () => resolve()) : resolve())),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
      if (log) await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}
