/**
 * HTTP request parts made safe to log: the URL (path and query string, each query value redacted
 * with its parameter name as context, `+` and `%xx` decoded first) and the headers (credentials
 * masked by name, other values redacted). Used by the Fastify and Express integrations.
 */
import { redactText } from '../engine.ts';
import { maskCredential, scrubValue, sensitiveKeySet, type ScrubOptions } from './line.ts';

/** Header values as Node gives them. */
export type HeaderValue = string | string[] | number | undefined;
export type Headers = Record<string, HeaderValue>;

/** Headers whose value is a URL: scrubbed like the request URL. */
const URL_HEADERS = new Set(['referer', 'referrer', 'location', 'content-location', 'origin']);

/**
 * A request URL (or a path with a query string) with personal data masked. Each query parameter
 * is decoded and redacted as `name=value`, so the parameter name counts as context
 * (`?card_number=4111+1111+…`); changed parameters are re-encoded, untouched ones keep their
 * original form. The path and fragment are redacted as they are.
 */
export function scrubUrl(url: string, opts?: ScrubOptions): string {
  const q = url.indexOf('?');
  const hash = url.indexOf('#', q < 0 ? 0 : q);
  const pathEnd = q >= 0 ? q : hash >= 0 ? hash : url.length;
  const path = redactText(url.slice(0, pathEnd), opts).text;
  const query = q >= 0 ? scrubQuery(url.slice(q + 1, hash >= 0 ? hash : url.length), opts) : undefined;
  const fragment = hash >= 0 ? redactText(url.slice(hash), opts).text : '';
  return path + (query === undefined ? '' : `?${query}`) + fragment;
}

function scrubQuery(query: string, opts?: ScrubOptions): string {
  if (query === '') return '';
  const keys = sensitiveKeySet(opts);
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const rawName = eq >= 0 ? part.slice(0, eq) : part;
      const rawValue = eq >= 0 ? part.slice(eq + 1) : '';
      const name = decodeQueryPart(rawName);
      const value = decodeQueryPart(rawValue);
      if (keys.has(name.toLowerCase()) || /^(access_)?token$|^api_?key$/i.test(name)) {
        return `${rawName}=${encodeURIComponent(maskCredential(name, value))}`;
      }
      if (eq < 0) {
        const r = redactText(name, opts);
        return r.findings.length === 0 ? part : encodeURIComponent(r.text);
      }
      // Redact `name=value` so the name counts as context; keep the original form when unchanged.
      const prefix = `${name}=`;
      const r = redactText(prefix + value, opts);
      if (r.findings.length === 0) {
        // Also try the raw form: an encoding the decoder did not undo must not hide a number.
        const raw = redactText(part, opts);
        return raw.findings.length === 0 ? part : raw.text;
      }
      if (r.text.startsWith(prefix)) return `${rawName}=${encodeURIComponent(r.text.slice(prefix.length))}`;
      return encodeURIComponent(r.text); // a finding spans the name too: the whole pair is masked
    })
    .join('&');
}

function decodeQueryPart(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/**
 * A copy of `headers` safe to log: credential headers (see SENSITIVE_KEYS, plus
 * `opts.sensitiveKeys`) masked by name, URL-valued headers scrubbed as URLs, every other value
 * redacted by the engine with the header name as context. Names are kept as given.
 */
export function scrubHeaders(headers: Headers, opts?: ScrubOptions): Record<string, string | string[]> {
  const keys = sensitiveKeySet(opts);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const one = (v: string | number): string => scrubHeaderValue(name, String(v), keys, opts);
    out[name] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return out;
}

function scrubHeaderValue(name: string, value: string, keys: ReadonlySet<string>, opts?: ScrubOptions): string {
  const key = name.toLowerCase();
  if (keys.has(key)) return maskCredential(key, value);
  if (URL_HEADERS.has(key)) return scrubUrl(value, opts);
  const prefix = `${key}: `;
  const r = redactText(prefix + value, opts);
  if (r.findings.length === 0) return value;
  return r.text.startsWith(prefix) ? r.text.slice(prefix.length) : redactText(value, opts).text;
}

/** Scrubbed views of one request, for code that wants to log parts of it itself. */
export interface ScrubbedRequest {
  /** The request URL (path and query) with personal data masked. */
  readonly url: string;
  /** The request headers with credentials masked and personal data redacted. */
  readonly headers: Record<string, string | string[]>;
  /** The parsed body (as a body parser left it, read when called) as a scrubbed deep copy. */
  body(): unknown;
  /** Any text with personal data masked. */
  text(text: string): string;
  /** Any value as a scrubbed deep copy (objects through JSON). */
  value(value: unknown): unknown;
}

/** The request shape both Fastify and Express (and plain `node:http`) requests satisfy. */
export interface RequestLike {
  method?: string | undefined;
  url?: string | undefined;
  originalUrl?: string | undefined;
  headers?: Headers | undefined;
  body?: unknown;
}

/** Lazy scrubbed views of `req`: each part is scrubbed when first read. */
export function scrubbedRequest(req: RequestLike, opts?: ScrubOptions): ScrubbedRequest {
  let url: string | undefined;
  let headers: Record<string, string | string[]> | undefined;
  return {
    get url() {
      return (url ??= scrubUrl(req.originalUrl ?? req.url ?? '', opts));
    },
    get headers() {
      return (headers ??= scrubHeaders(req.headers ?? {}, opts));
    },
    body: () => scrubValue(req.body, opts),
    text: (text) => redactText(text, opts).text,
    value: (value) => scrubValue(value, opts),
  };
}
