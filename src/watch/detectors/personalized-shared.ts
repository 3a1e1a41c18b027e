/**
 * watch/personalized-shared: a route declared personalized (the top-level `personalized:` globs)
 * was answered from a shared object: a hit, a stale copy, or a collapsed response. Even when the
 * log cannot tell whose page it was, a personalized page must never come out of a shared cache.
 */
import { SHARED_OUTCOMES } from '../../core/event.ts';
import { defineDetector, exampleIdentity, viewerOf } from './define.ts';

const T0 = Date.UTC(2026, 10, 21, 9, 41, 0);
const A = exampleIdentity('A');

export default defineDetector({
  id: 'watch/personalized-shared',
  severity: 'high',
  crossIdentity: false,
  needs: ['cache'],
  docs: {
    title: 'Personalized route served from a shared cache',
    description:
      'A successful (2xx) request for a route listed under `personalized:` was answered with a cache hit, a stale object or a collapsed response. Public routes shared across users are never reported, nor cached redirects to the login page. This fires even without identities in the log, and on the very first hit, before anyone can tell whose page it was.',
    fix: 'Make the route uncacheable at the cache (pass/bypass rule for the route and for requests with a session cookie or Authorization) and at the origin (Cache-Control: private, no-store); then purge it.',
    references: ['RFC 9111 §3', 'RFC 9211 (Cache-Status)'],
  },
  messages: {
    shared: 'personalized route {url} answered from the cache ({outcome}) on {edge}',
  },
  examples: {
    bad: [
      {
        name: 'a hit on /mypage',
        events: [{ time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, viewer: A }],
        expect: ['shared'],
      },
      {
        name: 'a collapsed response on /api/me',
        events: [{ time: T0, edge: 'e1', method: 'GET', url: '/api/me', outcome: 'COLLAPSED', status: 200 }],
        expect: ['shared'],
      },
    ],
    good: [
      {
        name: 'public and static hits, personalized misses and passes',
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'HIT', status: 200, viewer: A },
          { time: T0, edge: 'e1', method: 'GET', url: '/static/app.css', outcome: 'HIT', status: 200 },
          { time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'PASS', status: 200, viewer: A },
          { time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'MISS', status: 200, viewer: A },
        ],
      },
      {
        name: 'a cached login redirect for anonymous visitors',
        events: [{ time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 302 }],
      },
    ],
  },
  create(ctx) {
    return {
      event(e) {
        // A cached login redirect (302) on a personalized path carries nobody's data.
        if (!SHARED_OUTCOMES.has(e.outcome) || e.status < 200 || e.status > 299 || !ctx.personalized(e.url)) return;
        ctx.report({
          messageId: 'shared',
          data: { url: e.url, outcome: e.outcome, edge: e.edge },
          event: e,
          viewer: viewerOf(e),
          ...(e.owner !== undefined ? { owner: e.owner } : {}),
        });
      },
    };
  },
});
