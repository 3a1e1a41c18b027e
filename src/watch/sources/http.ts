/**
 * The HTTP receiver for push delivery (Fastly HTTPS logging, Cloudflare Logpush's HTTP
 * destination, Akamai DataStream 2 custom HTTPS endpoints, or any forwarder):
 * `http://host:port[/path][?fastly-service-id=<id>&max-body=<bytes>]`.
 *
 * POST (or PUT) bodies are newline-delimited lines (NDJSON) or a JSON array (one element per
 * line, re-serialized), optionally compressed (gzip, deflate, br, zstd; by Content-Encoding or by
 * the gzip/zstd magic bytes). Each accepted request becomes one batch, delivered before the reply.
 *
 * With a secret, a request must carry one of:
 *   - `Authorization: Bearer <secret>`
 *   - `X-Cachewarden-Secret: <secret>`
 *   - `Authorization: Basic <base64(any-user:secret)>`
 *   - `X-Cachewarden-Timestamp: <unix seconds>` and
 *     `X-Cachewarden-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>`,
 *     the timestamp within 300 s of the receiver's clock and the signature not seen before.
 * Anything else is answered 401 and counted in `rejected`; its lines are never delivered.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BatchSink, deferred, describeSystemError, emptyStats, inputError, LineSplitter, resolveMaxLineBytes } from './common.ts';
import { formatHostPort, parseInput } from './input.ts';
import type { LineSource, SourceBatch, SourceSpec, SourceStats } from './types.ts';

export const SECRET_HEADER = 'x-cachewarden-secret';
export const SIGNATURE_HEADER = 'x-cachewarden-signature';
export const TIMESTAMP_HEADER = 'x-cachewarden-timestamp';
/** How far a signed request's timestamp may be from the receiver's clock, seconds. */
export const SIGNATURE_TOLERANCE_S = 300;
export const HEALTH_PATH = '/healthz';
export const FASTLY_CHALLENGE_PATH = '/.well-known/fastly/logging/challenge';

/** `sha256=<hex>` for a body, as a sender computes it (exported for forwarders and tests). */
export function signBody(secret: string, body: Buffer | string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `sha256=${mac}`;
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);
const zstd = promisify(zlib.zstdDecompress);

/** Replay memory bound: signatures remembered at most. */
const MAX_REMEMBERED_SIGNATURES = 1_000_000;

export function createHttpSource(spec: SourceSpec): LineSource {
  const p = parseInput(spec.input);
  if (p.kind !== 'http') throw inputError(spec.input, 'not an HTTP receiver address', 'use http://host:port[/path]');
  return new HttpSource(spec, p.host, p.port, p.path, p.fastlyServiceIds, p.maxBodyBytes);
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

class HttpSource implements LineSource {
  readonly name: string;
  readonly kind = 'http' as const;
  readonly done: Promise<void>;

  readonly #input: string;
  readonly #host: string;
  readonly #port: number;
  readonly #path: string;
  readonly #fastlyIds: string[];
  readonly #maxBody: number;
  readonly #max: number;
  readonly #secretDigest: Buffer | undefined;
  readonly #secret: string | undefined;
  readonly #stats: SourceStats = emptyStats();
  readonly #sink: BatchSink;
  readonly #finished = deferred();
  /** Requests whose bearer/secret/basic credential checked out before the body was read. */
  readonly #authed = new WeakSet<object>();
  /** Accepted signatures → expiry (unix seconds), to refuse replays within the window. */
  readonly #seen = new Map<string, number>();
  #server: FastifyInstance | undefined;
  #address: string | undefined;
  #started = false;
  #stopped = false;

  constructor(spec: SourceSpec, host: string, port: number, path: string, fastlyIds: string[], maxBody: number) {
    this.name = spec.name ?? spec.input;
    this.#input = spec.input;
    this.#host = host;
    this.#port = port;
    this.#path = path;
    this.#fastlyIds = fastlyIds;
    this.#maxBody = maxBody;
    this.#max = resolveMaxLineBytes(spec.maxLineBytes);
    if (spec.secret !== undefined && spec.secret === '') throw inputError(spec.input, 'the receiver secret is empty', 'set a long random secret, or leave it out to accept unauthenticated posts');
    this.#secret = spec.secret;
    this.#secretDigest = spec.secret === undefined ? undefined : sha256(spec.secret);
    this.#sink = new BatchSink(this.name, this.#stats);
    this.done = this.#finished.promise;
  }

  get address(): string | undefined {
    return this.#address;
  }

  stats(): Readonly<SourceStats> {
    return { ...this.#stats };
  }

  async start(onBatch: (batch: SourceBatch) => void): Promise<void> {
    if (this.#started) throw new Error(`source ${this.name} was already started`);
    this.#started = true;
    this.#sink.attach(onBatch);
    const server = this.#build();
    try {
      await server.listen({ host: this.#host, port: this.#port });
    } catch (e) {
      await server.close().catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      const fix =
        code === 'EADDRINUSE'
          ? 'pick another port or stop what is listening there'
          : code === 'EACCES'
            ? 'ports below 1024 need privileges; use a higher port'
            : 'check the host and port';
      throw inputError(this.#input, `cannot listen on ${formatHostPort(this.#host, this.#port)}: ${describeSystemError(e)}`, fix, e);
    }
    this.#server = server;
    const a = server.server.address();
    if (a && typeof a === 'object') this.#address = `http://${formatHostPort(a.address, a.port)}${this.#path}`;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return this.done;
    this.#stopped = true;
    const server = this.#server;
    this.#server = undefined;
    // Close first: a request already being handled still delivers before the sink goes away;
    // connections mid-upload are cut, so their senders retry rather than believe a 200.
    if (server) await server.close().catch(() => undefined);
    this.#sink.detach();
    this.#finished.resolve();
  }

  #build(): FastifyInstance {
    const server = Fastify({ logger: false, bodyLimit: this.#maxBody, forceCloseConnections: true });
    server.removeAllContentTypeParsers();
    server.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: this.#maxBody }, (_req, body, done) => done(null, body));
    server.setErrorHandler((err: { statusCode?: number; code?: string }, _req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
      this.#stats.errors += 1;
      void reply.code(status).send({ error: status === 413 ? `body larger than ${this.#maxBody} bytes` : 'bad request' });
    });

    server.get(HEALTH_PATH, async () => ({ status: 'ok' }));
    server.get(FASTLY_CHALLENGE_PATH, async (_req, reply) => {
      if (this.#fastlyIds.length === 0) return reply.code(404).send({ error: 'no Fastly service ids configured (add ?fastly-service-id=<id> to the input)' });
      const lines = this.#fastlyIds.map((id) => (id === '*' ? '*' : createHash('sha256').update(id).digest('hex')));
      return reply.type('text/plain').send(`${lines.join('\n')}\n`);
    });

    const url = this.#path === '' ? '/*' : this.#path;
    const routeOptions = {
      onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
        if (this.#secretDigest === undefined) return;
        if (this.#tokenOk(req)) {
          this.#authed.add(req.raw);
          return;
        }
        if (req.headers[SIGNATURE_HEADER] !== undefined) return; // checked once the body is read
        this.#stats.rejected += 1;
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong secret' });
      },
    };
    const handler = async (req: FastifyRequest, reply: FastifyReply) => this.#ingest(req, reply);
    server.post(url, routeOptions, handler);
    server.put(url, routeOptions, handler);
    if (url === '/*') {
      server.post('/', routeOptions, handler);
      server.put('/', routeOptions, handler);
    }
    return server;
  }

  async #ingest(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (this.#secretDigest !== undefined && !this.#authed.has(req.raw)) {
      const why = this.#signatureProblem(req, raw);
      if (why !== undefined) {
        this.#stats.rejected += 1;
        return reply.code(401).send({ error: why });
      }
    }
    let body: Buffer;
    try {
      body = await this.#decode(raw, req.headers['content-encoding']);
    } catch (e) {
      this.#stats.errors += 1;
      const status = e instanceof HttpError ? e.status : 400;
      return reply.code(status).send({ error: e instanceof HttpError ? e.message : 'body could not be decompressed' });
    }
    this.#stats.bytes += body.length;
    const lines = this.#linesOf(body);
    this.#sink.deliver(lines);
    return reply.code(200).send({ accepted: lines.length });
  }

  /** Bearer, X-Cachewarden-Secret or Basic (password = secret), compared in constant time. */
  #tokenOk(req: FastifyRequest): boolean {
    const want = this.#secretDigest!;
    const header = req.headers[SECRET_HEADER];
    if (typeof header === 'string' && safeEqual(sha256(header), want)) return true;
    const auth = req.headers.authorization;
    if (typeof auth !== 'string') return false;
    const sp = auth.indexOf(' ');
    if (sp === -1) return false;
    const scheme = auth.slice(0, sp).toLowerCase();
    const value = auth.slice(sp + 1).trim();
    if (scheme === 'bearer') return safeEqual(sha256(value), want);
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon !== -1 && safeEqual(sha256(decoded.slice(colon + 1)), want);
    }
    return false;
  }

  /** Why the request's HMAC signature is not acceptable, or undefined when it is. */
  #signatureProblem(req: FastifyRequest, raw: Buffer): string | undefined {
    const sig = req.headers[SIGNATURE_HEADER];
    const ts = req.headers[TIMESTAMP_HEADER];
    if (typeof sig !== 'string') return 'missing or wrong secret';
    const m = /^sha256=([0-9a-fA-F]{64})$/.exec(sig.trim());
    if (!m) return 'malformed signature (want sha256=<64 hex digits>)';
    if (typeof ts !== 'string' || !/^\d{1,12}$/.test(ts.trim())) return `signed requests need ${TIMESTAMP_HEADER}: <unix seconds>`;
    const timestamp = Number(ts.trim());
    const now = Math.floor(Date.now() / 1000);
    if (Math.abs(now - timestamp) > SIGNATURE_TOLERANCE_S) return `timestamp outside the ${SIGNATURE_TOLERANCE_S} s window`;
    const expected = createHmac('sha256', this.#secret!).update(`${timestamp}.`).update(raw).digest();
    const given = Buffer.from(m[1]!, 'hex');
    if (!safeEqual(given, expected)) return 'signature does not match';
    const key = m[1]!.toLowerCase();
    this.#forgetExpired(now);
    if (this.#seen.has(key)) return 'signature already used (replay)';
    this.#seen.set(key, timestamp + SIGNATURE_TOLERANCE_S);
    return undefined;
  }

  #forgetExpired(now: number): void {
    for (const [key, expiry] of this.#seen) {
      if (expiry >= now && this.#seen.size <= MAX_REMEMBERED_SIGNATURES) break;
      this.#seen.delete(key);
    }
  }

  async #decode(raw: Buffer, encodingHeader: string | string[] | undefined): Promise<Buffer> {
    const encoding = (Array.isArray(encodingHeader) ? encodingHeader.join(',') : (encodingHeader ?? '')).trim().toLowerCase();
    const opts = { maxOutputLength: this.#maxBody };
    let codec = encoding;
    if (codec === '' || codec === 'identity') {
      // Some senders compress without saying so: trust the magic bytes.
      if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) codec = 'gzip';
      else if (raw.length >= 4 && raw.readUInt32LE(0) === 0xfd2fb528) codec = 'zstd';
      else return raw;
    }
    if (raw.length === 0) return raw;
    try {
      switch (codec) {
        case 'gzip':
        case 'x-gzip':
          return await gunzip(raw, opts);
        case 'deflate':
          return await inflate(raw, opts).catch((e: NodeJS.ErrnoException) => {
            if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw e;
            return inflateRaw(raw, opts); // some senders omit the zlib wrapper
          });
        case 'br':
          return await brotli(raw, opts);
        case 'zstd':
          return await zstd(raw, opts);
        default:
          throw new HttpError(415, `unsupported Content-Encoding "${encoding}" (use gzip, deflate, br or zstd)`);
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new HttpError(413, `body larger than ${this.#maxBody} bytes once decompressed`);
      }
      throw new HttpError(400, `body is not valid ${codec}`);
    }
  }

  #linesOf(body: Buffer): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i += 1;
    if (body[i] === 0x5b /* [ */) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined; // not a JSON array after all (a text line starting with "["): split lines
      }
      if (Array.isArray(parsed)) {
        for (const el of parsed) {
          let line = typeof el === 'string' ? el : JSON.stringify(el);
          if (line === undefined || line === '') continue;
          if (line.length * 3 > this.#max && Buffer.byteLength(line, 'utf8') > this.#max) {
            this.#stats.oversized += 1;
            line = Buffer.from(line, 'utf8').toString('utf8', 0, this.#max);
          }
          out.push(line);
        }
        return out;
      }
    }
    const splitter = new LineSplitter(this.#max, this.#stats);
    splitter.push(body, out);
    splitter.flush(out);
    return out;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
