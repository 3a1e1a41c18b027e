/**
 * The parsed view of one request/response pair that every profile reads: URL parts, cookies,
 * the identity model, parsed Cache-Control, dates and ages. Built once per call.
 */
import { parseCacheControl, type CacheControl } from './cache-control.ts';
import { header, headerLines, listMembers, parseCookieHeader, parseDeltaSeconds, parseHttpDate } from './headers.ts';
import type { CacheKey, HeaderBag, HttpRequestInfo, HttpResponseInfo, IdentityHints } from './types.ts';

export interface IdentityModel {
  /** Session cookie names; `undefined` = every cookie counts as identity. */
  cookies: ReadonlySet<string> | undefined;
  /** Request header names (lower case) that carry identity; always includes `cookie`. */
  headers: ReadonlySet<string>;
}

export interface RequestCtx {
  method: string;
  /** Path without the query (`/mypage`). */
  path: string;
  /** Query without `?` (`a=1&b=2`), empty when none. */
  query: string;
  /** Path plus `?query` as sent. */
  requestUri: string;
  /** Lower-case host without port. */
  host: string;
  /** The Host header as sent (with port), when present. */
  hostHeader: string | undefined;
  scheme: 'http' | 'https';
  headers: HeaderBag;
  cookies: ReadonlyMap<string, string>;
  identity: IdentityModel;
}

export interface ResponseCtx {
  status: number;
  headers: HeaderBag;
  cc: CacheControl;
  /** When the response arrived (ms). */
  receivedAt: number;
  /** The moment the question is asked (ms). */
  now: number;
  /** Parsed Date header (ms), when valid. */
  date: number | undefined;
  /** Age header, seconds. */
  ageHeader: number | undefined;
  /** Set-Cookie present. */
  setCookie: boolean;
  /** Vary members, lower case (`*` kept). */
  vary: string[];
}

export interface Exchange {
  q: RequestCtx;
  s: ResponseCtx;
}

export function identityModel(hints: IdentityHints | undefined): IdentityModel {
  const headers = new Set((hints?.headers ?? ['authorization']).map((h) => h.toLowerCase()));
  headers.add('cookie');
  return { cookies: hints?.cookies ? new Set(hints.cookies) : undefined, headers };
}

export function isIdentityCookie(m: IdentityModel, name: string): boolean {
  return m.cookies === undefined || m.cookies.has(name);
}

/** `cookie` (the whole header) and the identity headers; `cookie:<name>` for a session cookie. */
export function isIdentityInput(m: IdentityModel, input: string): boolean {
  const lower = input.toLowerCase();
  if (lower.startsWith('cookie:')) return isIdentityCookie(m, input.slice('cookie:'.length));
  return m.headers.has(lower);
}

function splitUrl(url: string): { path: string; query: string; host?: string; scheme?: 'http' | 'https' } {
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    return {
      path: u.pathname,
      query: u.search.replace(/^\?/, ''),
      host: u.hostname.toLowerCase(),
      scheme: u.protocol === 'http:' ? 'http' : 'https',
    };
  }
  const q = url.indexOf('?');
  return q < 0 ? { path: url || '/', query: '' } : { path: url.slice(0, q) || '/', query: url.slice(q + 1) };
}

export function requestCtx(req: HttpRequestInfo, hints: IdentityHints | undefined): RequestCtx {
  const parts = splitUrl(req.url);
  const hostHeader = header(req.headers, 'host');
  const host = (req.host ?? hostHeader ?? parts.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const cookies = parseCookieHeader(headerLines(req.headers, 'cookie'));
  const identity = identityModel(hints);
  return {
    method: req.method.toUpperCase(),
    path: parts.path,
    query: parts.query,
    requestUri: parts.query === '' ? parts.path : `${parts.path}?${parts.query}`,
    host,
    hostHeader,
    scheme: req.scheme ?? parts.scheme ?? 'https',
    headers: req.headers,
    cookies,
    identity,
  };
}

export function responseCtx(res: HttpResponseInfo, now: number | undefined): ResponseCtx {
  const date = parseHttpDate(header(res.headers, 'date'));
  const receivedAt = res.receivedAt ?? date ?? now ?? Date.now();
  return {
    status: res.status,
    headers: res.headers,
    cc: parseCacheControl(headerLines(res.headers, 'cache-control')),
    receivedAt,
    now: now ?? receivedAt,
    date,
    ageHeader: parseDeltaSeconds(header(res.headers, 'age')),
    setCookie: headerLines(res.headers, 'set-cookie').length > 0,
    vary: listMembers(header(res.headers, 'vary')).map((v) => v.toLowerCase()),
  };
}

export function exchange(req: HttpRequestInfo, res: HttpResponseInfo, hints: IdentityHints | undefined, now?: number): Exchange {
  return { q: requestCtx(req, hints), s: responseCtx(res, now) };
}

/* ---------------------------------------------------------------- cache keys */

export interface KeyPart {
  name: string;
  value: string;
  /** The part is derived from the requester's identity. */
  identity: boolean;
}

/** Builds a CacheKey; `join` renders the parts the way the engine concatenates them. */
export function buildKey(parts: readonly KeyPart[], join: (values: string[]) => string = (v) => v.join('')): CacheKey {
  return {
    parts: parts.map(({ name, value }) => ({ name, value })),
    value: join(parts.map((p) => p.value)),
    includesIdentity: parts.some((p) => p.identity),
  };
}

/**
 * Extra key inputs written as request header names (`authorization`) or `cookie:<name>`,
 * as Fastly/Varnish `hashExtra` and CDN key settings list them.
 */
export function extraKeyParts(q: RequestCtx, inputs: readonly string[]): KeyPart[] {
  return inputs.map((input) => {
    const lower = input.toLowerCase();
    if (lower.startsWith('cookie:')) {
      const name = input.slice('cookie:'.length);
      return { name: `cookie:${name}`, value: q.cookies.get(name) ?? '', identity: isIdentityCookie(q.identity, name) };
    }
    return { name: `header:${lower}`, value: header(q.headers, lower) ?? '', identity: isIdentityInput(q.identity, lower) };
  });
}

/** Seconds between `receivedAt` and `now`, never negative. */
export function residentSeconds(s: ResponseCtx): number {
  return Math.max(0, Math.floor((s.now - s.receivedAt) / 1000));
}

/** Which of the listed inputs (`cookie`, `cookie:<name>`, header names) the request carries. */
export function presentInputs(q: RequestCtx, inputs: readonly string[]): string[] {
  return inputs.filter((input) => {
    const lower = input.toLowerCase();
    if (lower.startsWith('cookie:')) return q.cookies.has(input.slice('cookie:'.length));
    return header(q.headers, lower) !== undefined;
  });
}
