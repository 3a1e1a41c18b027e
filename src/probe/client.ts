/**
 * The pinned HTTP client of the probe: one per edge.
 *
 * Every request connects to the edge's IP address at the target's port while sending the
 * target's `Host` header and, for https, the target name as TLS SNI, verified against the
 * certificate as usual. Each account (and `anonymous`) has its own keep-alive connections;
 * `freshConnection` puts a request on a connection of its own, opened before the request is
 * released. The client sends GET and HEAD only, never follows redirects, reads each body fully
 * (the first 2 MiB are analysed, the rest only counted and hashed) and keeps a `ProbeResponse`,
 * never the body.
 *
 * The collapse race uses `prepare()`: it takes the limiter slots of all sides at once, resolves
 * their sessions and opens their fresh connections, and hands back `send()` functions that
 * dispatch immediately — so a technique can release both sides at the same instant or at exact
 * offsets, with nothing left between `send()` and the bytes on the wire but the request itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate, constants as zc } from 'node:zlib';
import type { Transform } from 'node:stream';
import { Client, Pool, buildConnector, type Dispatcher } from 'undici';
import type { Sessions } from './accounts.ts';
import { analyzeResponse, type RawExchange } from './analyze.ts';
import { edgeOrigin, openPinnedSocket, parseTarget, pinnedConnectOptions, unreachableError } from './edges.ts';
import type { ProbeTls, Target } from './edges.ts';
import { Limiter, type LimiterClock, type Slot } from './limiter.ts';
import { ANONYMOUS, type Edge, type EdgeClient, type FetchOptions, type PreparedFetch, type ProbeResponse, type ProbeSettings, type Who } from './types.ts';

export const MAX_ANALYZED_BODY = 2 * 1024 * 1024;
export const BUST_PARAM = 'cwprobe';

export interface EdgeClientDeps {
  /** Extra TLS trust (tests, private CAs). Certificates are always verified against the target name. */
  tls?: ProbeTls;
  /** Clock for the rate limiter (tests). */
  clock?: LimiterClock;
  /** Token-bucket size (default: a tenth of a second's worth of `rate`, at least 1). */
  burst?: number;
  /** Body bytes analysed per response (default 2 MiB); the rest is counted and hashed. */
  maxBodyBytes?: number;
  /** `User-Agent` sent (default `cachewarden-probe`). */
  userAgent?: string;
}

/** One request of a `prepare()` group. */
export interface PrepareRequest {
  who: Who;
  path: string;
  opts?: FetchOptions;
}

export interface PinnedEdgeClient extends EdgeClient {
  readonly limiter: Limiter;
  prepare(requests: readonly PrepareRequest[]): Promise<PreparedFetch[]>;
}

const METHODS = new Set(['GET', 'HEAD']);

/** `path` plus a fresh `cwprobe=<random>` parameter (before any fragment). */
export function bustPath(path: string): string {
  const hash = path.indexOf('#');
  const base = hash === -1 ? path : path.slice(0, hash);
  const frag = hash === -1 ? '' : path.slice(hash);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${BUST_PARAM}=${randomBytes(8).toString('hex')}${frag}`;
}

interface Ready {
  who: Who;
  /** As sent (busted if asked). */
  url: string;
  method: 'GET' | 'HEAD';
  anonymous: boolean;
  opts: FetchOptions;
  headers: Record<string, string>;
  generation: number;
  socket: Socket | undefined;
}

class ProbeTimeout extends Error {}

/** Decodes up to `max` bytes of a content-encoded body; a truncated stream gives what it has. */
async function decodeBounded(buf: Buffer, encoding: string | undefined, max: number): Promise<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  let z: Transform;
  if (enc === 'gzip' || enc === 'x-gzip') z = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH });
  else if (enc === 'deflate') z = createInflate({ finishFlush: zc.Z_SYNC_FLUSH });
  else if (enc === 'br') z = createBrotliDecompress({ finishFlush: zc.BROTLI_OPERATION_FLUSH });
  else return buf.subarray(0, max);
  return new Promise<Buffer>((resolve) => {
    const out: Buffer[] = [];
    let n = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      z.destroy();
      resolve(Buffer.concat(out).subarray(0, max));
    };
    z.on('data', (c: Buffer) => {
      out.push(c);
      n += c.length;
      if (n >= max) finish();
    });
    z.on('end', finish);
    z.on('error', finish);
    z.end(buf);
  });
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The client for one edge. `sessions` supplies each account's headers and re-logins;
 * `settings` its limits (`concurrency`, `rate`, `timeout`), target and owner header.
 */
export function createEdgeClient(
  edge: Edge,
  settings: Pick<ProbeSettings, 'target' | 'concurrency' | 'rate' | 'timeout' | 'ownerHeader'>,
  sessions: Sessions,
  deps: EdgeClientDeps = {},
): PinnedEdgeClient {
  const target: Target = parseTarget(settings.target);
  const origin = edgeOrigin(target, edge.address);
  const timeout = settings.timeout;
  const maxBody = deps.maxBodyBytes ?? MAX_ANALYZED_BODY;
  const userAgent = deps.userAgent ?? 'cachewarden-probe';
  const limiter = new Limiter({ concurrency: settings.concurrency, rate: settings.rate, burst: deps.burst, clock: deps.clock });
  const connect = pinnedConnectOptions(target, deps.tls, timeout);
  const pools = new Map<string, Pool>();
  const freshClients = new Set<Client>();
  const closing = new AbortController();
  let closed = false;

  const poolFor = (who: Who): Pool => {
    let p = pools.get(who);
    if (!p) {
      p = new Pool(origin, {
        connections: settings.concurrency,
        pipelining: 1,
        allowH2: false,
        connect,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      pools.set(who, p);
    }
    return p;
  };

  /** A Client that sends its first request on the pre-opened socket. */
  const freshClient = (socket: Socket): Client => {
    let pre: Socket | undefined = socket;
    const base = buildConnector({ ...connect, allowH2: false });
    const c = new Client(origin, {
      pipelining: 1,
      allowH2: false,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: (o, cb) => {
        const s = pre;
        pre = undefined;
        // Asynchronously, as a real connect would: undici ignores a resume requested from inside its own.
        if (s && !s.destroyed) process.nextTick(() => cb(null, s));
        else base(o, cb);
      },
    });
    freshClients.add(c);
    return c;
  };

  const validate = (r: PrepareRequest): void => {
    const method = r.opts?.method ?? 'GET';
    if (!METHODS.has(method)) throw new RangeError(`the probe client sends GET and HEAD only, not ${String(method)}`);
    if (typeof r.path !== 'string' || !r.path.startsWith('/')) throw new RangeError(`probe paths start with "/", got ${JSON.stringify(r.path)}`);
    if (/[^\u0021-\u00ff]/.test(r.path)) throw new RangeError(`probe path has characters that must be percent-encoded: ${JSON.stringify(r.path)}`);
    for (const k of Object.keys(r.opts?.headers ?? {})) {
      if (k.toLowerCase() === 'host') throw new RangeError('the probe client keeps the target Host; a request cannot override it');
    }
    if (r.who !== ANONYMOUS && !sessions.accounts.includes(r.who)) throw new RangeError(`unknown probe account "${r.who}"`);
  };

  const setUp = async (r: PrepareRequest): Promise<Ready> => {
    const opts = r.opts ?? {};
    const anonymous = r.who === ANONYMOUS || opts.anonymous === true;
    const who = anonymous ? ANONYMOUS : r.who;
    const s = anonymous ? { headers: {}, generation: 0 } : await sessions.headersFor(who);
    const headers: Record<string, string> = {
      'user-agent': userAgent,
      accept: 'text/html,application/json;q=0.9,*/*;q=0.8',
      'accept-encoding': 'gzip, br',
      ...s.headers,
    };
    for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
    headers['host'] = target.hostHeader;
    const url = opts.bust ? bustPath(r.path) : r.path;
    const socket = opts.freshConnection ? await openFresh() : undefined;
    return { who, url, method: opts.method ?? 'GET', anonymous, opts, headers, generation: s.generation, socket };
  };

  const openFresh = async (): Promise<Socket> => {
    try {
      return await openPinnedSocket(target, edge.address, deps.tls, timeout);
    } catch (e) {
      throw unreachableError(target, edge, e) ?? e;
    }
  };

  /** Sends one request and analyses its answer. Connection failures reject with a CwError. */
  const exchange = async (r: Ready, socket: Socket | undefined): Promise<{ res: ProbeResponse; status: number; location: string | undefined }> => {
    const dispatcher: Dispatcher = socket ? freshClient(socket) : poolFor(r.who);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new ProbeTimeout(`timeout after ${timeout} ms`)), timeout);
    const onClose = () => ac.abort(new Error('probe client closed'));
    closing.signal.addEventListener('abort', onClose, { once: true });
    const sentAt = Date.now();
    const t0 = performance.now();
    let ttfb = 0;
    let status = 0;
    let headers: RawExchange['headers'] = {};
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let bytes = 0;
    let error: string | undefined;
    try {
      const pending = dispatcher.request({ method: r.method, path: r.url, headers: r.headers, signal: ac.signal });
      // The timeout holds even if the dispatcher never settles an aborted request.
      const aborted = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }));
      aborted.catch(() => undefined);
      pending.then((late) => (ac.signal.aborted ? late.body.destroy() : undefined)).catch(() => undefined);
      const res = await Promise.race([pending, aborted]);
      ttfb = performance.now() - t0;
      status = res.statusCode;
      headers = res.headers;
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        hash.update(b);
        bytes += b.length;
        if (keptBytes < maxBody) {
          const part = b.subarray(0, maxBody - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
      }
    } catch (e) {
      const unreachable = unreachableError(target, edge, e);
      if (unreachable && status === 0) throw unreachable;
      const reason = ac.signal.reason;
      if (reason instanceof ProbeTimeout) error = reason.message;
      else if (closing.signal.aborted) error = 'probe client closed';
      else {
        const err = e as { code?: string; message?: string };
        error = `${err.code ?? 'error'}: ${(err.message ?? String(e)).split('\n')[0]}`;
      }
    } finally {
      clearTimeout(timer);
      closing.signal.removeEventListener('abort', onClose);
      if (socket) {
        const c = dispatcher as Client;
        void c
          .close()
          .catch(() => c.destroy())
          .finally(() => freshClients.delete(c));
      }
    }
    const totalMs = performance.now() - t0;
    const location = typeof headers['location'] === 'string' ? headers['location'] : undefined;
    const encoding = typeof headers['content-encoding'] === 'string' ? headers['content-encoding'] : undefined;
    const body = kept.length === 0 ? Buffer.alloc(0) : await decodeBounded(Buffer.concat(kept), encoding, maxBody);
    const raw: RawExchange = {
      who: r.who,
      edge: edge.address,
      url: r.url,
      method: r.method,
      status,
      headers,
      body,
      bodyBytes: bytes,
      bodySha256: hash.digest('hex'),
      ttfbMs: round(status === 0 ? totalMs : ttfb),
      totalMs: round(totalMs),
      sentAt,
    };
    if (error !== undefined) raw.error = error;
    return { res: analyzeResponse(raw, sessions.view, settings.ownerHeader), status, location };
  };

  /** Sends a prepared request; re-logs in and retries once when the session expired. Releases the slot. */
  const run = async (r: Ready, slot: Slot): Promise<ProbeResponse> => {
    let held: Slot | undefined = slot;
    try {
      let first = await exchange(r, r.socket);
      // A keep-alive connection the server had just closed: the request never reached it; send it once more.
      if (first.status === 0 && !r.socket && /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)\b/.test(first.res.error ?? '')) first = await exchange(r, undefined);
      if (r.anonymous || first.res.error !== undefined || !sessions.isExpired(r.who, first.status, first.location)) return first.res;
      if (!sessions.canRelogin(r.who)) {
        first.res.error = `account ${r.who}: the site no longer accepts its session (${first.status}); renew its headers in probe.accounts`;
        return first.res;
      }
      held.release();
      held = undefined;
      await sessions.relogin(r.who, r.generation);
      const [again] = await limiter.acquire(1, closing.signal);
      held = again!;
      const retry = await setUp({ who: r.who, path: r.url, opts: { ...r.opts, bust: false } });
      const second = await exchange(retry, retry.socket);
      if (sessions.isExpired(r.who, second.status, second.location) && second.res.error === undefined) {
        second.res.error = `account ${r.who}: the session was not accepted (${second.status}) even after logging in again`;
      }
      return second.res;
    } finally {
      held?.release();
    }
  };

  const client: PinnedEdgeClient = {
    edge,
    limiter,
    bust: bustPath,

    async prepare(requests) {
      if (closed) throw new Error('probe client closed');
      if (requests.length === 0) return [];
      for (const r of requests) validate(r);
      const slots = await limiter.acquire(requests.length, closing.signal);
      const settled = await Promise.allSettled(requests.map((r) => setUp(r)));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        for (const s of settled) if (s.status === 'fulfilled') s.value.socket?.destroy();
        for (const s of slots) s.release();
        throw failed.reason;
      }
      return settled.map((s, i) => {
        const ready = (s as PromiseFulfilledResult<Ready>).value;
        const slot = slots[i]!;
        let sent: Promise<ProbeResponse> | undefined;
        return {
          send: () => (sent ??= run(ready, slot)),
          cancel: () => {
            if (sent) return;
            sent = Promise.reject(new Error('prepared probe request was cancelled'));
            sent.catch(() => undefined);
            ready.socket?.destroy();
            slot.release();
          },
        };
      });
    },

    async fetch(who, path, opts = {}) {
      const [p] = await client.prepare([{ who, path, opts }]);
      return p!.send();
    },

    async close() {
      if (closed) return;
      closed = true;
      limiter.close(new Error('probe client closed'));
      closing.abort();
      await Promise.all([...pools.values()].map((p) => p.close().catch(() => p.destroy())));
      await Promise.all([...freshClients].map((c) => c.destroy().catch(() => undefined)));
    },
  };
  return client;
}
