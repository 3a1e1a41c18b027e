/**
 * The migration matrix of config-semantics.md §1.8 as data: the origin header profiles (rows) and
 * the engine configurations (columns). `render-matrix.ts` prints the implementation's answers for
 * docs/semantics.md; test/semantics/migration-matrix.test.ts asserts every cell.
 */
import type { HttpRequestInfo, HttpResponseInfo, ProfileSpec } from './types.ts';

/** Date of every matrix response (the Mercari incident day); requests are asked at that moment. */
export const MATRIX_DATE = 'Thu, 22 Jun 2017 05:00:00 GMT';
export const MATRIX_NOW = Date.parse('2017-06-22T05:00:00Z');

export interface MatrixRow {
  id: string;
  /** What the origin sends, as the research matrix words it. */
  label: string;
  /** The request carries the session cookie `sid` (only the "personalised, no headers" pair differs). */
  withCookie: boolean;
  headers: Record<string, string>;
}

export const MATRIX_ROWS: readonly MatrixRow[] = [
  { id: 'no-cache', label: '`no-cache` only', withCookie: false, headers: { 'cache-control': 'no-cache' } },
  {
    id: 'mercari',
    label: '`no-cache` + Expires past (Mercari)',
    withCookie: false,
    headers: { 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT' },
  },
  { id: 'max-age-0', label: '`max-age=0`', withCookie: false, headers: { 'cache-control': 'max-age=0' } },
  { id: 'private', label: '`private`', withCookie: false, headers: { 'cache-control': 'private' } },
  { id: 'no-store', label: '`no-store`', withCookie: false, headers: { 'cache-control': 'no-store' } },
  { id: 'none-cookie', label: 'no cache headers, personalised (request with session Cookie)', withCookie: true, headers: {} },
  { id: 'none-anonymous', label: 'no cache headers, personalised (request without Cookie)', withCookie: false, headers: {} },
  {
    id: 'set-cookie',
    label: '`Set-Cookie` + `max-age=60`',
    withCookie: false,
    headers: { 'cache-control': 'max-age=60', 'set-cookie': 'sid=new-session; Path=/; HttpOnly' },
  },
];

export interface MatrixColumn {
  id: string;
  label: string;
  spec: ProfileSpec;
  /** Request path (default `/mypage`, a personalised HTML page). */
  path?: string;
}

export const MATRIX_COLUMNS: readonly MatrixColumn[] = [
  { id: 'rfc9111', label: 'RFC 9111 shared cache', spec: { id: 'rfc9111' } },
  { id: 'fastly', label: 'Fastly (boilerplate)', spec: { id: 'fastly' } },
  { id: 'varnish7', label: 'Varnish 7 builtin', spec: { id: 'varnish7' } },
  { id: 'varnish8', label: 'Varnish 8 builtin', spec: { id: 'varnish8' } },
  { id: 'nginx', label: 'nginx proxy_cache (no proxy_cache_valid)', spec: { id: 'nginx' } },
  { id: 'cloudflare-default', label: 'Cloudflare OCC on, default level (HTML page)', spec: { id: 'cloudflare' } },
  { id: 'cloudflare-static', label: 'Cloudflare OCC on, default level (static extension)', spec: { id: 'cloudflare' }, path: '/mypage/avatar.png' },
  { id: 'cloudflare-everything', label: 'Cloudflare OCC on, Cache Everything (HTML page)', spec: { id: 'cloudflare', options: { cacheLevel: 'cache-everything' } } },
  {
    id: 'cloudfront-min0',
    label: 'CloudFront MinTTL 0 (custom 0/86400/31536000)',
    spec: { id: 'cloudfront', options: { policy: { minTtl: 0, defaultTtl: 86400, maxTtl: 31536000 } } },
  },
  { id: 'cloudfront-optimized', label: 'CloudFront MinTTL>0 (CachingOptimized)', spec: { id: 'cloudfront', options: { policy: 'CachingOptimized' } } },
  { id: 'akamai', label: 'Akamai (honour origin, defaults)', spec: { id: 'akamai' } },
];

export function matrixRequest(row: MatrixRow, col: MatrixColumn): HttpRequestInfo {
  return {
    method: 'GET',
    url: col.path ?? '/mypage',
    host: 'shop.test',
    scheme: 'https',
    headers: row.withCookie ? { host: 'shop.test', cookie: 'sid=s3ss10n-of-user-a' } : { host: 'shop.test' },
  };
}

export function matrixResponse(row: MatrixRow): HttpResponseInfo {
  return { status: 200, headers: { date: MATRIX_DATE, 'content-type': 'text/html; charset=utf-8', ...row.headers } };
}
