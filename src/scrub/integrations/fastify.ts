/**
 * Fastify integration: request logging that never writes card data or credentials.
 *
 *   import Fastify from 'fastify';
 *   import { scrubFastifyLogger, scrubFastify } from 'cachewarden/scrub';
 *
 *   const app = Fastify({ logger: scrubFastifyLogger({ headers: true }, { level: 'info' }) });
 *   await app.register(scrubFastify, { logBody: true });     // optional: request.scrubbed, body log
 *   app.post('/pay', async (request) => {
 *     request.log.info({ body: request.body }, 'payment');  // scrubbed on the way out
 *   });
 *
 * `scrubFastifyLogger` gives logger options with three layers: `req`/`res` serializers that log
 * the URL with its query string scrubbed and (optionally) the headers with Authorization, Cookie
 * and Set-Cookie values masked; and the pino `streamWrite` hook, which scrubs every finished line,
 * so whatever the app logs itself (bodies, errors with stacks) is covered too.
 * With `loggerInstance`, build the pino logger with `scrubPinoOptions()` and add
 * `scrubRequestSerializers()` to its `serializers`.
 */
import type { FastifyLoggerOptions, FastifyPluginCallback } from 'fastify';
import type { LoggerOptions as PinoLoggerOptions } from 'pino';
import { scrubbedRequest, scrubHeaders, scrubUrl, type Headers, type ScrubbedRequest } from './http.ts';
import { scrubValue, type ScrubOptions } from './line.ts';
import { scrubPinoOptions } from './pino.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Scrubbed views of this request (set by the `scrubFastify` plugin). */
    scrubbed: ScrubbedRequest;
  }
}

export interface ScrubFastifyLoggerOptions extends ScrubOptions {
  /** Also log the scrubbed request and response headers in `req` / `res` (default false). */
  headers?: boolean;
}

/** Fastify logger options (what `Fastify({ logger })` takes). */
export type FastifyLoggerConfig = FastifyLoggerOptions & PinoLoggerOptions;

interface FastifyRequestLike {
  method?: string;
  url?: string;
  headers?: Headers;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number | undefined } | null;
}
interface FastifyReplyLike {
  statusCode: number;
  getHeaders?: () => Headers;
}

/** `req` and `res` log serializers with the URL and headers scrubbed (Fastify's own fields otherwise). */
export function scrubRequestSerializers(opts: ScrubFastifyLoggerOptions = {}) {
  return {
    req(req: FastifyRequestLike) {
      return {
        method: req.method,
        url: scrubUrl(req.url ?? '', opts),
        version: headerString(req.headers?.['accept-version']),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
        ...(opts.headers && req.headers ? { headers: scrubHeaders(req.headers, opts) } : {}),
      };
    },
    res(reply: FastifyReplyLike) {
      const headers = opts.headers && typeof reply.getHeaders === 'function' ? reply.getHeaders() : undefined;
      return { statusCode: reply.statusCode, ...(headers ? { headers: scrubHeaders(headers, opts) } : {}) };
    },
  };
}

function headerString(v: Headers[string]): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : undefined;
}

/**
 * Logger options for `Fastify({ logger })`: `base` (level, stream, file, your own serializers and
 * hooks) plus the scrub serializers and the scrub `streamWrite` hook. Your own `req`/`res`
 * serializers still run; their output is scrubbed.
 */
export function scrubFastifyLogger(opts: ScrubFastifyLoggerOptions = {}, base: FastifyLoggerConfig = {}): FastifyLoggerConfig {
  const ours = scrubRequestSerializers(opts);
  const theirs = base.serializers as Record<string, ((v: never) => unknown) | undefined> | undefined;
  const wrap = (own: ((v: never) => unknown) | undefined, fallback: (v: never) => Record<string, unknown>) =>
    own ? (v: never) => scrubValue(own(v), opts) as Record<string, unknown> : fallback;
  const serializers = {
    ...theirs,
    req: wrap(theirs?.req, ours.req as (v: never) => Record<string, unknown>),
    res: wrap(theirs?.res, ours.res as (v: never) => Record<string, unknown>),
  };
  return scrubPinoOptions(opts, { ...base, serializers } as FastifyLoggerConfig);
}

export interface ScrubFastifyPluginOptions extends ScrubOptions {
  /** Log the scrubbed parsed body of each request that has one, at `info` (default false). */
  logBody?: boolean;
}

/**
 * A plugin (not encapsulated: it applies to the whole app) that gives every request
 * `request.scrubbed` (URL, headers, body(), text(), value()) and, with `logBody`, logs each
 * request's scrubbed body once it is parsed.
 */
export const scrubFastify: FastifyPluginCallback<ScrubFastifyPluginOptions> = Object.assign(
  function scrubFastify(app: Parameters<FastifyPluginCallback<ScrubFastifyPluginOptions>>[0], opts: ScrubFastifyPluginOptions, done: (err?: Error) => void) {
    app.decorateRequest('scrubbed', null as unknown as ScrubbedRequest);
    app.addHook('onRequest', (request, _reply, next) => {
      request.scrubbed = scrubbedRequest(request, opts);
      next();
    });
    if (opts.logBody) {
      app.addHook('preHandler', (request, _reply, next) => {
        if (request.body !== undefined) request.log.info({ body: request.scrubbed.body() }, 'request body');
        next();
      });
    }
    done();
  },
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'cachewarden-scrub' },
);
