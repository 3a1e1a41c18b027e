/**
 * Express (or plain `node:http`) request logging that never writes card data or credentials: one
 * line per request with the method, the scrubbed URL, the status, the duration and the scrubbed
 * headers, through a pino logger or a `(line) => void` function.
 *
 *   import express from 'express';
 *   import pino from 'pino';
 *   import { scrubRequestLog } from 'cachewarden/scrub';
 *
 *   const app = express();
 *   app.use(scrubRequestLog({ logger: pino() }));            // or { logger: (line) => out.write(line + '\n') }
 *   app.use(express.json());
 *   app.post('/pay', (req, res) => {
 *     console.log(req.scrubbed.body());                     // the parsed body, scrubbed
 *     res.sendStatus(204);
 *   });
 *
 * No Express types are imported: the middleware works on Node's request and response, which
 * Express extends. `req.scrubbed` is typed by {@link ScrubbedExpressRequest}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scrubbedRequest, type ScrubbedRequest } from './http.ts';
import { scrubJsonLine, type ScrubOptions } from './line.ts';

/** A pino-like logger (only `info` is used) or a function that takes one JSON line. */
export type RequestLogTarget = { info(obj: object, msg?: string): void } | ((line: string) => void);

export interface ScrubRequestLogOptions extends ScrubOptions {
  logger: RequestLogTarget;
  /** Include the scrubbed request headers (default true). */
  headers?: boolean;
  /** Include the scrubbed parsed body, when a body parser set one (default false). */
  body?: boolean;
  /** Message for pino loggers (default `request completed`). */
  message?: string;
}

/** The fields of one request log line. */
export interface RequestLogRecord {
  method: string;
  url: string;
  status: number;
  /** Milliseconds from the middleware to the end of the response, one decimal. */
  durationMs: number;
  /** True when the client went away before the response was finished. */
  aborted?: boolean;
  headers?: Record<string, string | string[]>;
  body?: unknown;
}

/** What the middleware adds to the request. */
export interface ScrubbedExpressRequest extends IncomingMessage {
  originalUrl?: string;
  body?: unknown;
  scrubbed?: ScrubbedRequest;
}

/**
 * Middleware that sets `req.scrubbed` and logs one scrubbed line when the response finishes (or
 * the connection closes first). Put it before the body parser; the body is read at the end.
 */
export function scrubRequestLog(options: ScrubRequestLogOptions) {
  const { logger, headers = true, body = false, message = 'request completed', ...opts } = options;
  return function scrubRequestLogMiddleware(req: ScrubbedExpressRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    const started = performance.now();
    const view = scrubbedRequest(req, opts);
    req.scrubbed = view;
    let logged = false;
    const log = (aborted: boolean): void => {
      if (logged) return;
      logged = true;
      const record: RequestLogRecord = {
        method: req.method ?? 'GET',
        url: view.url,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
      if (aborted) record.aborted = true;
      if (headers) record.headers = view.headers;
      if (body && req.body !== undefined) record.body = view.body();
      if (typeof logger === 'function') logger(scrubJsonLine(JSON.stringify(record), opts));
      else logger.info(record, message);
    };
    res.once('finish', () => log(false));
    res.once('close', () => log(!res.writableFinished));
    next();
  };
}
