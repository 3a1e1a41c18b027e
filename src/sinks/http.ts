/**
 * HTTP delivery shared by the webhook, Slack, PagerDuty and Teams sinks: one POST with a
 * per-request timeout, no redirects followed, and every outcome mapped onto SinkError
 * (network errors, timeouts, 408, 429 and 5xx are retryable; other statuses are not).
 *
 * Webhook URLs and keys are secrets. Messages name the target by `redactUrl` and pass
 * through a `Scrubber` that knows the sink's secrets, and no error keeps the raw cause.
 */
import type { Alert } from '../core/incident.ts';
import type { SinkDeps } from './deps.ts';
import { SinkError, type Sink, type SinkType } from './types.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * A URL safe to print: scheme, host and port, the first path segment when more follow, and
 * `***` for the rest (path, query, credentials). `https://hooks.slack.com/services/T0/B0/xyz`
 * becomes `https://hooks.slack.com/services/***`.
 */
export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '<unparseable URL>';
  }
  const segments = u.pathname.split('/').filter((s) => s !== '');
  const hidden = segments.length > 0 || u.search !== '' || u.hash !== '';
  const keep = segments.length > 1 ? `/${segments[0]}` : '';
  return `${u.protocol}//${u.host}${keep}${hidden ? '/***' : ''}`;
}

/** Replaces every occurrence of known secret strings (and their URL-encoded forms) with `***`. */
export class Scrubber {
  readonly #secrets: string[];
  constructor(secrets: ReadonlyArray<string | undefined>) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (s === undefined || s.length < 4) continue;
      all.add(s);
      all.add(encodeURIComponent(s));
      try {
        const u = new URL(s);
        // The parts of a secret URL that carry the secret, each on its own.
        // Plain lower-case words (`services`, `workflows`, `triggers`) are path structure, not secrets,
        // and the first segment stays visible in redactUrl when more follow.
        const segments = u.pathname.split('/').filter((seg) => seg !== '');
        if (u.pathname.length > 4) all.add(u.pathname);
        if (u.search.length > 4) all.add(u.search.slice(1));
        for (const seg of segments.length > 1 ? segments.slice(1) : segments) {
          if (seg.length >= 8 && !/^[a-z]+$/.test(seg)) all.add(seg);
        }
        for (const v of u.searchParams.values()) if (v.length >= 8 && !/^[a-z]+$/.test(v)) all.add(v);
        if (u.username) all.add(u.username);
        if (u.password) all.add(u.password);
      } catch {
        // not a URL
      }
    }
    this.#secrets = [...all].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  }
  scrub(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join('***');
    return out;
  }
  toJSON(): string {
    return '[Scrubber]';
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Whether an HTTP status is worth retrying. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export interface PostOptions {
  url: string;
  body: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  fetch?: FetchLike;
  scrubber: Scrubber;
  /** Statuses that count as delivered; default any 2xx. */
  ok?: (status: number) => boolean;
  now?: () => number;
}

export interface PostResult {
  status: number;
  text: string;
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function networkReason(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  if (err?.name === 'AbortError') return 'aborted';
  const code = err?.cause?.code ?? err?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  const causeName = err?.cause?.name;
  if (typeof causeName === 'string' && /^[A-Za-z]+$/.test(causeName)) return causeName;
  return 'network error';
}

/** POST a JSON body; resolve on success, throw SinkError otherwise. */
export async function postJson(opts: PostOptions): Promise<PostResult> {
  const target = redactUrl(opts.url);
  const doFetch: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const signal = AbortSignal.timeout(opts.timeoutMs);
  // fetch refuses URLs with credentials; send them as Basic auth instead (unless a header is set).
  let url = opts.url;
  const auth: Record<string, string> = {};
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed && (parsed.username || parsed.password)) {
    const basic = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    auth['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
    url = parsed.href;
  }
  let res: Response;
  let text: string;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'cachewarden', ...auth, ...opts.headers },
      body: opts.body,
      redirect: 'manual',
      signal,
    });
    text = await res.text();
  } catch (e) {
    const reason = networkReason(e);
    const why = reason === 'timed out' ? `no answer within ${opts.timeoutMs} ms` : reason;
    throw new SinkError(opts.scrubber.scrub(`POST ${target} failed: ${why}`), { retryable: true });
  }
  const ok = opts.ok ?? ((s: number) => s >= 200 && s < 300);
  if (ok(res.status)) return { status: res.status, text };
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), opts.now?.() ?? Date.now());
  const detail = oneLine(text);
  let message: string;
  if (res.status === 0 || (res.status >= 300 && res.status < 400)) {
    message = `POST ${target} answered with a redirect (${res.status}); configure the final URL`;
  } else {
    message = `POST ${target} answered ${res.status}${detail ? ` ${detail}` : ''}`;
    if (retryAfterMs !== undefined) message += ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`;
  }
  const retryable = res.status !== 0 && retryableStatus(res.status);
  throw new SinkError(opts.scrubber.scrub(message), retryAfterMs === undefined ? { retryable } : { retryable, retryAfterMs });
}

/** A healthcheck failure: one line, never a secret. */
export function healthProblem(scrubber: Scrubber, message: string): SinkError {
  return new SinkError(scrubber.scrub(message), { retryable: false });
}

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/** What distinguishes one POST-a-JSON-body sink (Slack, Teams) from another. */
export interface JsonPostSinkSpec {
  type: SinkType;
  name: string;
  url: string;
  timeoutMs: number;
  deps: SinkDeps;
  /** The request body for one alert. */
  body(alert: Alert): unknown;
  /** What a plain-http URL should be instead (health check). */
  httpsHint: string;
  /** Further URL checks: a problem sentence, or undefined. */
  checkUrl?(url: URL): string | undefined;
}

/** A sink that POSTs one JSON body per alert to a secret URL (never printed whole). */
export class JsonPostSink implements Sink {
  readonly type: SinkType;
  readonly name: string;
  readonly #spec: JsonPostSinkSpec;
  readonly #scrubber: Scrubber;

  constructor(spec: JsonPostSinkSpec) {
    this.type = spec.type;
    this.name = spec.name;
    this.#spec = spec;
    this.#scrubber = new Scrubber([spec.url]);
  }

  async send(alert: Alert): Promise<void> {
    const { url, timeoutMs, deps } = this.#spec;
    await postJson({
      url,
      body: JSON.stringify(this.#spec.body(alert)),
      timeoutMs,
      scrubber: this.#scrubber,
      now: deps.now ?? Date.now,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  async healthcheck(): Promise<void> {
    const u = new URL(this.#spec.url);
    if (u.protocol === 'http:' && !isLoopback(this.#spec.url)) {
      throw healthProblem(this.#scrubber, `${redactUrl(this.#spec.url)} is plain http; ${this.#spec.httpsHint}`);
    }
    const problem = this.#spec.checkUrl?.(u);
    if (problem) throw healthProblem(this.#scrubber, `${redactUrl(this.#spec.url)} ${problem}`);
  }

  async close(): Promise<void> {}

  toJSON(): Record<string, string> {
    return { type: this.type, name: this.name, url: redactUrl(this.#spec.url) };
  }
}
