/**
 * The lookup server (fastify): one person learns their own status from a scope report.
 *
 * Routes:
 *   GET /            the page. `?token=<jwt>` is checked, stored in an HttpOnly cookie, and the
 *                    browser is sent back to `/` (303) so the token leaves the address bar and
 *                    history; later visits use the cookie. `?lang=en|ja` overrides Accept-Language.
 *   GET /api/status  the same answer as JSON, token in `Authorization: Bearer <jwt>`.
 *   GET /healthz     `ok` (no data; not rate-limited).
 *
 * The only input that selects a person is the verified token's `sub`, hashed at once with the
 * identity key. Every failure of the token gets the same 401 body; the reason goes to the log
 * only. Every response carries a strict CSP and `Cache-Control: no-store, private`.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { CwError } from '../../core/errors.ts';
import { IdentityHasher, type IdentityHash } from '../../core/identity.ts';
import type { IncidentInfo, ScopeReport } from '../types.ts';
import { renderAnswerPage, renderMessagePage } from './page.ts';
import { identityKeyId } from './report.ts';
import { ABSENT, buildViews } from './status.ts';
import { buildAnswer, langOf, pickLang, UI, type Lang } from './text.ts';
import { verifyLookupToken, type TokenCheck } from './token.ts';

export interface LookupOptions {
  /** The scope report, already loaded and validated (`loadReport`). */
  report: ScopeReport;
  /** The HMAC key the report's people ids were made with (checked against `report.identity.keyId`). */
  identityKey: string;
  /** The HS256 key shared with the login service that issues tokens; at least 32 characters. */
  tokenKey: string;
  /** Oldest token accepted, by its `iat` (its `exp` applies too). */
  maxAgeMs: number;
  /** Requests per client address (and per person) per window. */
  rateLimit: { max: number; windowMs: number };
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Incident facts to show; default `report.incident`. */
  incident?: IncidentInfo;
  /** Clock for token checks (ms since the epoch). */
  now?: () => number;
  /** `false`: no log. A function receives each log line. Default: stderr. */
  logger?: false | ((line: string) => void);
  /** Refuse tokens without `aud: "cachewarden-lookup"` (a token that names another audience is always refused). */
  requireAudience?: boolean;
  /** Behind a TLS proxy: trust its X-Forwarded-For/-Proto (fastify `trustProxy`), for the client address and the Secure cookie. */
  trustProxy?: boolean | string | string[];
}

export interface LookupServer {
  url: string;
  close(): Promise<void>;
}

export const COOKIE_NAME = 'cw_lookup';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store, private',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

function checkOptions(o: LookupOptions): void {
  if (o.tokenKey.length < 32) {
    throw new CwError('CW_CONFIG_INVALID_VALUE', 'lookup: the token key must be at least 32 characters of secret material (respond.lookup.tokenKey or CACHEWARDEN_LOOKUP_KEY)');
  }
  if (Buffer.byteLength(o.identityKey, 'utf8') < 16) {
    throw new CwError('CW_CONFIG_INVALID_VALUE', 'lookup: the identity key must be at least 16 bytes; use the key the report was made with');
  }
  const mine = identityKeyId(o.identityKey);
  if (mine !== o.report.identity.keyId) {
    throw new CwError(
      'CW_CONFIG_INVALID_VALUE',
      `lookup: the report was made with another identity key (report key id ${o.report.identity.keyId}, this key's id ${mine}); start lookup with the identity key scope used`,
    );
  }
  if (o.report.identity.kind !== 'user') {
    throw new CwError(
      'CW_INPUT_UNREADABLE',
      'lookup: the report counts people by session credential, not by user id, so a user id cannot be found in it; run scope again with --sessions (or a user-id log field)',
    );
  }
  if (!(o.maxAgeMs >= 1000)) throw new CwError('CW_CONFIG_INVALID_VALUE', 'lookup: the token maximum age must be at least 1s (respond.lookup.maxAge)');
  if (!(Number.isInteger(o.rateLimit.max) && o.rateLimit.max >= 1 && o.rateLimit.windowMs >= 1)) {
    throw new CwError('CW_CONFIG_INVALID_VALUE', 'lookup: the rate limit needs max ≥ 1 and a window ≥ 1ms (respond.lookup.rateLimit)');
  }
}

/** A fixed-window counter per person hash: the second rate-limit key, after the client address. */
class PersonLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #counts = new Map<string, { n: number; until: number }>();
  #sweepAt = 0;

  constructor(max: number, windowMs: number) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Seconds to wait when over the limit, else 0. */
  hit(key: string, now: number): number {
    if (now >= this.#sweepAt) {
      for (const [k, e] of this.#counts) if (e.until <= now) this.#counts.delete(k);
      this.#sweepAt = now + this.#windowMs;
    }
    let e = this.#counts.get(key);
    if (!e || e.until <= now) this.#counts.set(key, (e = { n: 0, until: now + this.#windowMs }));
    e.n += 1;
    return e.n > this.#max ? Math.max(1, Math.ceil((e.until - now) / 1000)) : 0;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startLookup(opts: LookupOptions): Promise<LookupServer> {
  checkOptions(opts);
  const report = opts.report;
  const incident = opts.incident ?? report.incident;
  const now = opts.now ?? Date.now;
  const log = opts.logger === false ? () => undefined : (opts.logger ?? ((line: string) => void process.stderr.write(`${line}\n`)));
  const hasher = new IdentityHasher(opts.identityKey, { memo: 0 });
  const views = buildViews(report);
  const perPerson = new PersonLimiter(opts.rateLimit.max, opts.rateLimit.windowMs);
  const check: TokenCheck = {
    key: new TextEncoder().encode(opts.tokenKey),
    maxAgeMs: opts.maxAgeMs,
    requireAudience: opts.requireAudience ?? false,
    now,
  };

  const app = Fastify({ logger: false, trustProxy: opts.trustProxy ?? false, forceCloseConnections: true, return503OnClosing: true });

  const langFor = (req: FastifyRequest): Lang => pickLang((req.query as Record<string, unknown> | undefined)?.['lang'], req.headers['accept-language']);
  const isApi = (req: FastifyRequest): boolean => req.url.startsWith('/api/');

  const sendMessage = (req: FastifyRequest, reply: FastifyReply, status: number, text: (lang: Lang) => string, error: string) => {
    const lang = langFor(req);
    if (isApi(req)) return reply.code(status).type('application/json; charset=utf-8').send({ error, message: text(lang) });
    return reply.code(status).type('text/html; charset=utf-8').send(renderMessagePage(lang, text(lang)));
  };
  const unauthorized = (req: FastifyRequest, reply: FastifyReply, reason: string) => {
    log(`cachewarden: lookup: 401 on ${req.routeOptions.url ?? req.url.split('?')[0]}: token refused: ${reason}`);
    if (isApi(req)) void reply.header('www-authenticate', 'Bearer');
    return sendMessage(req, reply, 401, (l) => UI[l].unauthorized, 'unauthorized');
  };
  const tooMany = (req: FastifyRequest, reply: FastifyReply, retryAfterS: number) =>
    sendMessage(req, reply.header('retry-after', String(retryAfterS)), 429, (l) => UI[l].tooMany, 'too_many_requests');

  /** The token's person, or a refusal already sent. */
  const resolve = async (req: FastifyRequest, reply: FastifyReply, token: string | undefined): Promise<{ id: IdentityHash; until: number } | undefined> => {
    if (token === undefined || token === '') {
      await unauthorized(req, reply, 'no token');
      return undefined;
    }
    const r = await verifyLookupToken(token, check);
    if (!r.ok) {
      await unauthorized(req, reply, r.reason);
      return undefined;
    }
    const id = hasher.hash(r.sub);
    if (id === undefined) {
      await unauthorized(req, reply, 'claim sub empty');
      return undefined;
    }
    const wait = perPerson.hit(id, now());
    if (wait > 0) {
      await tooMany(req, reply, wait);
      return undefined;
    }
    return { id, until: r.until };
  };

  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
    return payload;
  });
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status === 429) {
      const after = reply.getHeader('retry-after');
      return tooMany(req, reply, typeof after === 'number' || typeof after === 'string' ? Number(after) : Math.ceil(opts.rateLimit.windowMs / 1000));
    }
    if (status >= 500) log(`cachewarden: lookup: ${status} on ${req.url.split('?')[0]}: ${(err as Error).message ?? 'error'}`);
    return sendMessage(req, reply, status >= 500 ? 500 : 400, (l) => (l === 'ja' ? 'リクエストを処理できませんでした。' : 'The request could not be handled.'), status >= 500 ? 'internal' : 'bad_request');
  });

  app.get('/healthz', { config: { rateLimit: false } }, async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok'));

  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimit.max,
    timeWindow: opts.rateLimit.windowMs,
    hook: 'onRequest',
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_req, ctx) => ({ statusCode: ctx.statusCode, error: 'too_many_requests' }),
  });

  app.get('/', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    if (query['token'] !== undefined) {
      const who = await resolve(req, reply, typeof query['token'] === 'string' ? query['token'] : undefined);
      if (!who) return reply;
      const maxAge = Math.max(1, Math.floor((who.until - now()) / 1000));
      const secure = req.protocol === 'https' ? '; Secure' : '';
      const lang = typeof query['lang'] === 'string' ? langOf(query['lang']) : undefined;
      return reply
        .header('set-cookie', `${COOKIE_NAME}=${query['token'] as string}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`)
        .redirect(lang ? `/?lang=${lang}` : '/', 303);
    }
    const who = await resolve(req, reply, readCookie(req.headers.cookie, COOKIE_NAME));
    if (!who) return reply;
    const answer = buildAnswer(views.get(who.id) ?? ABSENT, report, incident, langFor(req));
    return reply.type('text/html; charset=utf-8').send(renderAnswerPage(answer));
  });

  app.get('/api/status', async (req, reply) => {
    const who = await resolve(req, reply, bearer(req.headers.authorization));
    if (!who) return reply;
    return reply.type('application/json; charset=utf-8').send(buildAnswer(views.get(who.id) ?? ABSENT, report, incident, langFor(req)));
  });

  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (req, reply) => sendMessage(req, reply, 404, (l) => UI[l].notFound, 'not_found'));

  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (e) {
    await app.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    const fix = code === 'EADDRINUSE' ? 'pick another port or stop what is listening there' : code === 'EACCES' ? 'ports below 1024 need privileges; use a higher port' : 'check the host and port';
    throw new CwError('CW_USAGE_BAD_FLAG', `lookup: cannot listen on ${formatUrl(opts.host, opts.port).slice(7)}: ${code ?? (e as Error).message}; ${fix}`);
  }
  const a = app.server.address();
  const url = a && typeof a === 'object' ? formatUrl(a.address, a.port) : formatUrl(opts.host, opts.port);
  return {
    url,
    close: async () => {
      await app.close();
    },
  };
}
