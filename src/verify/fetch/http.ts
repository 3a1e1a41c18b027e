/**
 * The small HTTP client the Fastly, Cloudflare and Akamai fetchers share (CloudFront goes
 * through the AWS SDK). GET only, JSON or text answers, no redirects, no retries, a time limit
 * on connecting, on the headers and on the body of every request, and answers capped at 32 MiB.
 *
 * Every failure becomes one line, `CwError('CW_VERIFY_FETCH')`:
 * `<provider>: cannot fetch <what> (GET <path>): <why>`, where `why` is the HTTP status and the
 * API's own error text, a timeout, a refused connection or an unknown host. Known secrets
 * (tokens, client secrets) are cut out of anything that reaches the message.
 */
import { Agent, request } from 'undici';
import { CwError } from '../../core/errors.ts';
import { SAFE_ID } from './snapshot.ts';
import type { Provider } from './types.ts';

export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export interface ApiClientOptions {
  provider: Provider;
  /** Base URL; request paths are appended to it. */
  base: string;
  /** Headers for one request (computed per URL so EdgeGrid can sign each). */
  headers: (url: URL) => Record<string, string>;
  timeoutMs: number;
  /** Values that must never appear in a message. */
  secrets: readonly string[];
  /** The API's own error text in an error answer, if it has one. */
  errorText: (json: unknown, text: string) => string | undefined;
}

export interface ApiAnswer {
  status: number;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface ApiClient {
  /** GET; resolves with any HTTP status, rejects (CwError) when there is no answer. */
  get(path: string, what: string): Promise<ApiAnswer>;
  /** GET that must answer 2xx with JSON. */
  getJson(path: string, what: string): Promise<unknown>;
  /** The one-line error for `what`, with `GET path` when given. */
  fail(what: string, why: string, path?: string): CwError;
  close(): Promise<void>;
}

/** Replaces every known secret in `text` and folds it onto one line. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/\s+/g, ' ').trim();
}

/** At most `max` characters of `text`, on one line. */
export function clip(text: string, max = 240): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/** The one-line error every fetcher throws. */
export function fetchError(provider: Provider, what: string, why: string, secrets: readonly string[], path?: string, cause?: unknown): CwError {
  const where = path ? ` (GET ${path})` : '';
  return new CwError('CW_VERIFY_FETCH', scrub(`${provider}: cannot fetch ${what}${where}: ${why}`, secrets), { cause });
}

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why a request got no answer, in words. Shared with the CloudFront fetcher. */
export function transportWhy(e: unknown, host: string, timeoutMs: number): string {
  const name = (e as Error | undefined)?.name;
  const code = errCode(e);
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return `no answer from ${host} within ${timeoutMs} ms`;
  }
  if (code === 'ECONNREFUSED') return `connection refused by ${host}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${host.replace(/:\d+$/, '')}`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `connection to ${host} closed before the answer was complete`;
  if (code && (code.startsWith('CERT_') || code.startsWith('ERR_TLS') || code.includes('SELF_SIGNED') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')) {
    return `TLS certificate of ${host} not accepted (${code})`;
  }
  return `${code ?? name ?? 'error'}: ${(e as Error | undefined)?.message ?? String(e)}`;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * `url` parsed, when it is https, or plain http to a loopback address (tests, a local proxy):
 * credentials never travel unencrypted over a network.
 */
export function checkEndpoint(provider: Provider, what: string, url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw fetchError(provider, what, `the endpoint ${JSON.stringify(url)} is not a URL`, []);
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) return u;
  throw fetchError(provider, what, `the endpoint ${u.origin} must use https (plain http only to 127.0.0.1, [::1] or localhost)`, []);
}

/** Runs every task; resolves with all results, or rejects with the first failure in list order. */
export async function allInOrder<T extends readonly unknown[]>(tasks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export function createApiClient(o: ApiClientOptions): ApiClient {
  const base = o.base.replace(/\/+$/, '');
  const agent = new Agent({ connect: { timeout: o.timeoutMs }, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
  const fail = (what: string, why: string, path?: string, cause?: unknown) => fetchError(o.provider, what, why, o.secrets, path, cause);

  const get = async (path: string, what: string): Promise<ApiAnswer> => {
    const url = checkEndpoint(o.provider, what, base + path);
    try {
      const res = await request(url, {
        method: 'GET',
        headers: o.headers(url),
        dispatcher: agent,
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          res.body.destroy();
          throw fail(what, `answer larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`, path);
        }
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, text, json };
    } catch (e) {
      if (e instanceof CwError) throw e;
      throw fail(what, transportWhy(e, url.host, o.timeoutMs), path, e);
    }
  };

  const getJson = async (path: string, what: string): Promise<unknown> => {
    const a = await get(path, what);
    if (a.status < 200 || a.status > 299) throw fail(what, httpWhy(a, o.errorText), path);
    if (a.json === undefined) throw fail(what, `HTTP ${a.status} but the answer is not JSON (${JSON.stringify(clip(a.text, 60))})`, path);
    return a.json;
  };

  return { get, getJson, fail, close: () => agent.close() };
}

/** `HTTP 403 <the API's own message>`. */
export function httpWhy(a: ApiAnswer, errorText: ApiClientOptions['errorText']): string {
  const own = errorText(a.json, a.text) ?? (a.json === undefined && a.text.trim() !== '' && !a.text.trimStart().startsWith('<') ? a.text : undefined);
  return own ? `HTTP ${a.status} ${clip(own)}` : `HTTP ${a.status}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `value` when it is a plain id (see SAFE_ID), else the one-line error. */
export function requireId(provider: Provider, what: string, label: string, value: unknown): string {
  if (typeof value === 'string' && SAFE_ID.test(value)) return value;
  throw fetchError(provider, what, `the ${label} ${JSON.stringify(value)} is not an id (letters, digits, "_", "." and "-")`, []);
}

/** The one-line error naming environment variables that are not set. */
export function missingEnvError(provider: Provider, what: string, missing: readonly string[], hint = ''): CwError {
  const list = missing.length === 1 ? `${missing[0]} is not set` : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)} are not set`;
  return fetchError(provider, what, `${list}${hint ? ` (${hint})` : ''}`, []);
}

/** The values of `names` in `env`, or the one-line error naming every variable that is not set. */
export function requireEnv(provider: Provider, what: string, env: Readonly<Record<string, string | undefined>>, names: readonly string[], hint = ''): string[] {
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0) throw missingEnvError(provider, what, missing, hint);
  return names.map((n) => env[n]!);
}
