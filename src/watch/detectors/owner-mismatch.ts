/**
 * watch/owner-mismatch: the origin tagged the response with the identity it was rendered for
 * (X-Cachewarden-Owner), and the cache gave it to a different identity. Exact: both parties are
 * known from one log line, so it pages immediately.
 */
import { defineDetector, exampleIdentity, viewerOf } from './define.ts';

const T0 = Date.UTC(2026, 10, 21, 9, 41, 0);
const A = exampleIdentity('A');
const B = exampleIdentity('B');

export default defineDetector({
  id: 'watch/owner-mismatch',
  severity: 'critical',
  crossIdentity: true,
  needs: ['owner'],
  docs: {
    title: 'Response served to an identity other than its owner',
    description:
      'The origin marks every personalized response with X-Cachewarden-Owner, a keyed hash of the credential it was rendered for, and the cache logs it. A log line whose owner tag differs from the hash of the requester\'s own identity means a cache handed one person\'s page to someone else. Anonymous requesters receiving a tagged response count too.',
    fix: 'Stop the cache from storing or sharing the route: make the origin send Cache-Control: private, no-store on personalized responses and remove cache rules that override it (see `cachewarden explain` for the profile in use); purge the cached objects.',
    references: ['RFC 9111 §3 (private, no-store)', 'docs/log-recipes.md (owner tag)'],
  },
  messages: {
    mismatch: '{url} rendered for one identity was served to another ({outcome}) on {edge}',
  },
  examples: {
    bad: [
      {
        name: 'a cached page tagged for A is served to B',
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'MISS', status: 200, viewer: A, owner: A },
          { time: T0 + 50, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, viewer: B, owner: A },
        ],
        expect: ['mismatch'],
      },
      {
        name: 'an anonymous visitor gets a tagged page',
        events: [{ time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, owner: A }],
        expect: ['mismatch'],
      },
    ],
    good: [
      {
        name: 'each identity gets its own tagged page',
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'MISS', status: 200, viewer: A, owner: A },
          { time: T0 + 50, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'PASS', status: 200, viewer: B, owner: B },
        ],
      },
      {
        name: 'a public page without a tag',
        events: [{ time: T0, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'HIT', status: 200, viewer: B }],
      },
    ],
  },
  create(ctx) {
    return {
      event(e) {
        if (e.owner === undefined || e.owner === e.viewer) return;
        ctx.report({ messageId: 'mismatch', data: { url: e.url, outcome: e.outcome, edge: e.edge }, event: e, owner: e.owner, viewer: viewerOf(e) });
      },
    };
  },
});
