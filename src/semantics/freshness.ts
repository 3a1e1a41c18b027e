/**
 * Freshness arithmetic shared by all profiles (RFC 9111 §4.2): explicit lifetimes from
 * directives and Expires, ages, the heuristic, and the RFC 5861 stale extensions.
 * Profiles choose the order of sources; the arithmetic lives here once.
 */
import { directiveSeconds, type CacheControl } from './cache-control.ts';
import { residentSeconds, type ResponseCtx } from './exchange.ts';
import { header, parseHttpDate } from './headers.ts';

export type LifetimeSource = 's-maxage' | 'max-age' | 'expires';

export interface Lifetime {
  /** Freshness lifetime in seconds (never negative). */
  seconds: number;
  from: LifetimeSource | 'heuristic' | 'default';
  /** The value was malformed (`max-age=abc`, `Expires: 0`) and counts as already expired. */
  invalid: boolean;
  /** Expires lay before Date (or before the receive time). */
  past: boolean;
}

/** `Expires − Date` (RFC 9111 §4.2.1, §5.3); an invalid date such as `0` means already expired. */
export function expiresLifetime(s: ResponseCtx): Lifetime | undefined {
  const raw = header(s.headers, 'expires');
  if (raw === undefined) return undefined;
  const expires = parseHttpDate(raw);
  if (expires === undefined) return { seconds: 0, from: 'expires', invalid: true, past: true };
  const base = s.date ?? s.receivedAt;
  const seconds = Math.floor((expires - base) / 1000);
  return { seconds: Math.max(0, seconds), from: 'expires', invalid: false, past: seconds <= 0 };
}

/** How a lifetime source is named in reason texts. */
export const sourceLabel = (from: Lifetime['from']): string => (from === 'expires' ? 'Expires' : from);

/** A delta-seconds directive as a lifetime; malformed values count as 0 (RFC 9111 §4.2.1). */
export function directiveLifetime(cc: CacheControl, name: 's-maxage' | 'max-age'): Lifetime | undefined {
  const v = directiveSeconds(cc, name);
  if (v === undefined) return undefined;
  if (v === 'invalid') return { seconds: 0, from: name, invalid: true, past: true };
  return { seconds: v, from: name, invalid: false, past: v === 0 };
}

/** The first explicit lifetime in `order` (e.g. shared caches: s-maxage → max-age → Expires). */
export function explicitLifetime(
  cc: CacheControl,
  s: ResponseCtx,
  order: readonly LifetimeSource[],
): Lifetime | undefined {
  for (const src of order) {
    const l = src === 'expires' ? expiresLifetime(s) : directiveLifetime(cc, src);
    if (l !== undefined) return l;
  }
  return undefined;
}

/** RFC 9111 §4.2.3 corrected initial age: the larger of the Age header and the apparent age. */
export function initialAge(s: ResponseCtx): number {
  const apparent = s.date === undefined ? 0 : Math.max(0, Math.floor((s.receivedAt - s.date) / 1000));
  return Math.max(apparent, s.ageHeader ?? 0);
}

/** Age of the stored response at `now`. */
export function currentAge(s: ResponseCtx): number {
  return initialAge(s) + residentSeconds(s);
}

/** Freshness left at `now`; engines that ignore the Age header pass `countAge: false`. */
export function remaining(seconds: number, s: ResponseCtx, countAge = true): number {
  const age = countAge ? currentAge(s) : residentSeconds(s);
  return Math.max(0, seconds - age);
}

/**
 * RFC 9111 §4.2.2 heuristic: a fraction of the time since Last-Modified, else a fixed fallback.
 * Returns the lifetime and whether Last-Modified was used.
 */
export function heuristicLifetime(s: ResponseCtx, fraction: number, fallback: number): { seconds: number; fromLastModified: boolean } {
  const lm = parseHttpDate(header(s.headers, 'last-modified'));
  const base = s.date ?? s.receivedAt;
  if (lm !== undefined && lm < base) return { seconds: Math.floor(((base - lm) / 1000) * fraction), fromLastModified: true };
  return { seconds: fallback, fromLastModified: false };
}

/** RFC 5861 `stale-while-revalidate` / `stale-if-error` seconds (0 when absent or malformed). */
export function staleExtensions(cc: CacheControl): { whileRevalidate: number; ifError: number } {
  const n = (name: string): number => {
    const v = directiveSeconds(cc, name);
    return typeof v === 'number' ? v : 0;
  };
  return { whileRevalidate: n('stale-while-revalidate'), ifError: n('stale-if-error') };
}
