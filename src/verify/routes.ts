/**
 * The exchanges verify asks a configuration about: for each `personalized:` glob, sample paths;
 * for each path, a request per variant (session cookie, bearer token, anonymous); and the origin
 * response, from `origin.headers` when declared, else the worst realistic origin (no cache headers).
 */
import { globToRegExp } from '../core/glob.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../semantics/types.ts';
import type { RequestVariant, VerifySettings } from './rules/define.ts';
import type { SourceLocation } from './types.ts';

/** Placeholder credentials: verify never sees a real one. */
export const SAMPLE_SESSION = 'cw-verify-session';
export const SAMPLE_TOKEN = 'cw-verify-token';
const SAMPLE_SEGMENT = 'cw-sample';

/**
 * Concrete paths for a glob: wildcards inside the path become a sample segment, a trailing `*`
 * after a name is dropped (`/mypage*` → `/mypage`), after a slash it becomes a segment
 * (`/transactions/*` → `/transactions/cw-sample`); `?` becomes `x`.
 */
export function samplePaths(glob: string): string[] {
  let g = glob.startsWith('/') ? glob : `/${glob}`;
  if (g.endsWith('*') && !g.endsWith('/*')) g = g.replace(/\*+$/, '');
  const path = g.replace(/\*+/g, SAMPLE_SEGMENT).replace(/\?/g, 'x');
  return [path === '' ? '/' : path];
}

/** Every sample path of the personalized globs, each with the glob it came from (duplicates dropped). */
export function personalizedRoutes(globs: readonly string[]): Array<{ path: string; glob: string }> {
  const out: Array<{ path: string; glob: string }> = [];
  const seen = new Set<string>();
  for (const glob of globs) {
    for (const path of samplePaths(glob)) {
      if (seen.has(path)) continue;
      seen.add(path);
      out.push({ path, glob });
    }
  }
  return out;
}

/** URLs under which lenient origins also serve a personalized page (web cache deception). */
export function deceptionUrls(path: string): string[] {
  const base = path.replace(/\/$/, '');
  return [`${base}/cw.css`, `${base}/cw.js`, `${base}/cw.png`, `${base};cw.css`, `${base}%2Fcw.css`];
}

export function requestFor(url: string, variant: RequestVariant, settings: VerifySettings): HttpRequestInfo {
  const headers: Record<string, string> = { accept: url.includes('/api/') ? 'application/json' : 'text/html' };
  if (settings.host) headers.host = settings.host;
  if (variant === 'cookie') headers.cookie = `${settings.sessionCookie}=${SAMPLE_SESSION}`;
  if (variant === 'authorization') headers.authorization = `Bearer ${SAMPLE_TOKEN}`;
  const req: HttpRequestInfo = { method: 'GET', url, scheme: 'https', headers };
  if (settings.host) req.host = settings.host;
  return req;
}

export interface OriginResponse {
  response: HttpResponseInfo;
  declared: boolean;
  at: SourceLocation | undefined;
}

/** The origin's response for a path: the first matching `origin.headers` entry, else no cache headers. */
export function originResponseFor(url: string, settings: VerifySettings, now: number): OriginResponse {
  const path = url.split('?')[0] ?? url;
  const contentType = path.includes('/api/') ? 'application/json' : 'text/html; charset=utf-8';
  const base: Record<string, string> = { 'content-type': contentType, date: new Date(now).toUTCString() };
  for (const entry of settings.originHeaders) {
    if (globToRegExp(entry.glob).test(path)) {
      const headers: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(entry.headers)) headers[k.toLowerCase()] = v;
      return { response: { status: 200, headers, receivedAt: now }, declared: true, at: entry.at };
    }
  }
  return { response: { status: 200, headers: base, receivedAt: now }, declared: false, at: undefined };
}
