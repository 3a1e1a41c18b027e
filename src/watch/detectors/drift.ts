/**
 * watch/drift: the share of personalized-route responses that come from the cache leaves ~0.
 * Personalized routes should never hit; when a CDN switch or a config change starts caching them,
 * the ratio jumps within seconds. Windowed per edge, in event time.
 */
import { SHARED_OUTCOMES } from '../../core/event.ts';
import { defineDetector } from './define.ts';

const T0 = Date.UTC(2026, 10, 21, 9, 41, 0);

interface Window {
  /** Per-second buckets: [second, requests, shared]. */
  buckets: Array<[number, number, number]>;
  lastReported: number;
}

function stream(n: number, every: number, shared: (i: number) => boolean) {
  return Array.from({ length: n }, (_, i) => ({
    time: T0 + i * every,
    edge: 'e1',
    method: 'GET',
    url: '/mypage',
    outcome: shared(i) ? ('HIT' as const) : ('PASS' as const),
    status: 200,
  }));
}

export default defineDetector({
  id: 'watch/drift',
  severity: 'high',
  crossIdentity: false,
  needs: ['cache'],
  docs: {
    title: 'Cache hit ratio on personalized routes left zero',
    description:
      'Over a short sliding window (default 10 s) per edge, the share of successful (2xx) responses on `personalized:` routes served from the cache (hit, stale or collapsed) rose above the threshold (default 2 %, with at least 20 requests). This is the CDN-switch signal of 2017: it fires within seconds of a change that starts caching personal pages, before anyone reports a leak.',
    fix: 'Find what changed (CDN, cache rule, origin headers) in the last minutes and roll it back; check the other open incidents for the routes involved.',
    references: ['logs-and-alerting research §7 R4'],
  },
  messages: {
    drift: '{ratio} % of personalized responses came from the cache on {edge} in the last {window} s ({shared} of {requests})',
  },
  examples: {
    bad: [{ name: 'a switch: every other /mypage response is a hit', events: stream(40, 100, (i) => i % 2 === 0), expect: ['drift'] }],
    good: [{ name: 'personalized routes always pass', events: stream(100, 100, () => false) }],
  },
  create(ctx) {
    const { windowMs, threshold, minRequests } = ctx.options.drift;
    const byEdge = new Map<string, Window>();
    return {
      event(e) {
        if (e.status < 200 || e.status > 299 || !ctx.personalized(e.url)) return;
        let w = byEdge.get(e.edge);
        if (!w) {
          w = { buckets: [], lastReported: -Infinity };
          byEdge.set(e.edge, w);
        }
        const sec = Math.floor(e.time / 1000);
        let b = w.buckets.find((x) => x[0] === sec);
        if (!b) {
          b = [sec, 0, 0];
          w.buckets.push(b);
          w.buckets.sort((x, y) => x[0] - y[0]);
        }
        b[1]++;
        if (SHARED_OUTCOMES.has(e.outcome)) b[2]++;
        const newest = w.buckets[w.buckets.length - 1]![0];
        const oldest = newest - Math.ceil(windowMs / 1000) + 1;
        while (w.buckets.length > 0 && w.buckets[0]![0] < oldest) w.buckets.shift();
        let requests = 0;
        let shared = 0;
        for (const [, r, s] of w.buckets) {
          requests += r;
          shared += s;
        }
        if (requests < minRequests || shared / requests < threshold || e.time - w.lastReported < windowMs) return;
        w.lastReported = e.time;
        ctx.report({
          messageId: 'drift',
          data: { edge: e.edge, ratio: Math.round((shared / requests) * 100), shared, requests, window: Math.round(windowMs / 1000) },
          event: e,
          target: 'personalized routes',
        });
      },
    };
  },
});
