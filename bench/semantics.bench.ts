/**
 * The semantics core on a mixed corpus of exchanges (the header profiles of the migration
 * matrix plus common public/static responses), every profile. Baseline: http-cache-semantics
 * (the RFC 7234 policy library most Node caches use) answering its narrower question
 * (storable? TTL?) on the same exchanges.
 */
import CachePolicy from 'http-cache-semantics';
import { explain } from '../src/semantics/index.ts';
import { PROFILE_IDS, type HttpRequestInfo, type HttpResponseInfo, type ProfileSpec } from '../src/semantics/types.ts';
import { compare, measure, type BenchResult } from './harness.ts';

const RESPONSES: Array<Record<string, string>> = [
  { 'cache-control': 'no-cache' },
  { 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT' },
  { 'cache-control': 'max-age=0' },
  { 'cache-control': 'private' },
  { 'cache-control': 'no-store' },
  {},
  { 'cache-control': 'max-age=60', 'set-cookie': 'sid=abc; Path=/' },
  { 'cache-control': 'public, max-age=86400', 'content-type': 'text/css' },
  { 'cache-control': 'public, max-age=60', vary: 'Cookie' },
  { 'cache-control': 's-maxage=30, stale-while-revalidate=60', 'last-modified': 'Sat, 21 Nov 2026 00:00:00 GMT' },
];
const REQUESTS: HttpRequestInfo[] = [
  { method: 'GET', url: '/mypage', host: 'shop.test', headers: { host: 'shop.test', cookie: 'sid=abc123' } },
  { method: 'GET', url: '/static/app.css', host: 'shop.test', headers: { host: 'shop.test' } },
  { method: 'GET', url: '/api/me', host: 'shop.test', headers: { host: 'shop.test', authorization: 'Bearer t0k3n' } },
];
const NOW = Date.parse('2026-11-21T12:00:00Z');
const date = new Date(NOW).toUTCString();
const exchanges: Array<[HttpRequestInfo, HttpResponseInfo]> = [];
for (const req of REQUESTS) for (const h of RESPONSES) exchanges.push([req, { status: 200, headers: { date, ...h } }]);

export async function run(ms: number): Promise<BenchResult[]> {
  const profiles: ProfileSpec[] = PROFILE_IDS.map((id) => ({ id }) as ProfileSpec);
  const subject = await measure(
    'cachewarden explain() (all answers, with reasons)',
    () => {
      for (const p of profiles) for (const [req, res] of exchanges) explain(req, res, p, NOW);
      return profiles.length * exchanges.length;
    },
    ms,
  );
  const baseline = await measure(
    'http-cache-semantics CachePolicy (storable + TTL)',
    () => {
      for (let i = 0; i < profiles.length; i++) {
        for (const [req, res] of exchanges) {
          const policy = new CachePolicy({ method: req.method, url: req.url, headers: req.headers as Record<string, string> }, res as CachePolicy.Response, { shared: true });
          policy.storable();
          policy.timeToLive();
        }
      }
      return profiles.length * exchanges.length;
    },
    ms,
  );
  return [
    compare('semantics: exchanges judged per second', subject, baseline, [
      `${exchanges.length} exchanges x ${profiles.length} profiles; cachewarden answers 9 questions with reasons, the baseline 2 without`,
    ]),
  ];
}
