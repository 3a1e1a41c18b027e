/**
 * watch/cross-identity-inferred: without owner tags, infer whose page a hit carried by joining it
 * to the fill that made the object: a response fetched from the origin (MISS/EXPIRED/BYPASS) for
 * identity A on a personalized route, then served from cache (HIT, stale, or collapsed onto that
 * very fetch) to identity B on the same edge and key, within the object's life.
 *
 * The join runs in event time. A hit waits up to the lateness allowance for a fill line that
 * arrives late or out of order (a collapsed waiter's line is often written before the line of
 * the request it waited on); it is then joined to the latest fill that ended no later than it did
 * and started no later than it started. When several identities' fetches of the key overlapped
 * (concurrent misses without a cache lock), the log cannot say which copy the cache kept: the
 * finding then names the viewer but no owner. Lines that carry an owner tag are left to
 * watch/owner-mismatch, which needs no inference.
 */
import { FILL_OUTCOMES, SHARED_OUTCOMES, type CacheEvent } from '../../core/event.ts';
import type { IdentityHash } from '../../core/identity.ts';
import { KeyedState } from '../state.ts';
import { defineDetector, exampleIdentity, keyOf, viewerOf } from './define.ts';

interface Fill {
  time: number;
  start: number;
  viewer: IdentityHash | undefined;
  event: CacheEvent;
}

interface PendingHit {
  key: string;
  event: CacheEvent;
  arrivedAt: number;
}

const T0 = Date.UTC(2026, 10, 21, 9, 41, 0);
const A = exampleIdentity('A');
const B = exampleIdentity('B');
const C = exampleIdentity('C');

const ok = (e: CacheEvent) => e.status >= 200 && e.status < 300;
const startOf = (e: CacheEvent) => e.time - (e.durationMs ?? 0);

export default defineDetector({
  id: 'watch/cross-identity-inferred',
  severity: 'critical',
  crossIdentity: true,
  needs: ['identity', 'cache'],
  docs: {
    title: 'Personalized object filled for one identity, served to another (inferred)',
    description:
      'For logs without owner tags: a personalized route was fetched from the origin for identity A (the fill) and the stored or in-flight object was then served to identity B on the same edge and key: as a hit within the object\'s life, as a stale copy, or collapsed onto the fill itself (the 2017 mechanism: concurrent requests parked behind one fetch all get its page). Joins run in event time with a lateness allowance, so out-of-order lines still pair up. When several identities fetched the key at the same time (concurrent misses, no cache lock), the log cannot say which copy the cache kept: the finding then names the viewer and no owner. Owner tags make this exact; see watch/owner-mismatch.',
    fix: 'As for any cross-user serve: make the route uncacheable and non-collapsible at the cache (pass for the route and for requests with a session), send Cache-Control: private, no-store from the origin, purge. Add owner tags (docs/log-recipes.md) so future findings name owners exactly.',
    references: ['RFC 9111 §4 (collapsing only when reuse is allowed)', 'Fastly request collapsing', 'nginx proxy_cache_lock'],
  },
  messages: {
    served: '{url} filled for one identity was served to another ({outcome}, {gap} ms after the fill) on {edge}',
    ambiguous: '{url} was fetched concurrently for {n} identities and then served from the cache ({outcome}) to one of them or another on {edge}; the log cannot tell which copy the cache kept',
  },
  examples: {
    bad: [
      {
        name: 'collapsed waiters logged before the fill they waited on',
        events: [
          { time: T0 + 300, durationMs: 280, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, viewer: B },
          { time: T0 + 300, durationMs: 300, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'MISS', status: 200, viewer: A },
          { time: T0 + 301, durationMs: 250, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200 },
        ],
        expect: ['served', 'served'],
      },
      {
        name: 'A and C fetched /orders at the same time; B then got one of the two copies',
        events: [
          { time: T0 + 300, durationMs: 300, edge: 'e1', method: 'GET', url: '/orders', outcome: 'MISS', status: 200, viewer: A },
          { time: T0 + 301, durationMs: 299, edge: 'e1', method: 'GET', url: '/orders', outcome: 'MISS', status: 200, viewer: C },
          { time: T0 + 900, edge: 'e1', method: 'GET', url: '/orders', outcome: 'HIT', status: 200, viewer: B },
        ],
        expect: ['ambiguous'],
      },
      {
        name: 'a page stored for A is a hit for B a minute later',
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/orders', outcome: 'MISS', status: 200, viewer: A },
          { time: T0 + 60_000, edge: 'e1', method: 'GET', url: '/orders', outcome: 'HIT', status: 200, viewer: B },
        ],
        expect: ['served'],
      },
    ],
    good: [
      {
        name: 'hits by the identity that filled, and a new fill per identity',
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'MISS', status: 200, viewer: A },
          { time: T0 + 10, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, viewer: A },
          { time: T0 + 2000, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'EXPIRED', status: 200, viewer: C },
          { time: T0 + 2010, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, viewer: C },
        ],
      },
      {
        name: 'public routes, other edges, anonymous fills',
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'MISS', status: 200, viewer: A },
          { time: T0 + 10, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'HIT', status: 200, viewer: B },
          { time: T0, edge: 'e1', method: 'GET', url: '/mypage', outcome: 'MISS', status: 200, viewer: A },
          { time: T0 + 10, edge: 'e2', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, viewer: B },
          { time: T0, edge: 'e3', method: 'GET', url: '/mypage', outcome: 'MISS', status: 302 },
          { time: T0 + 10, edge: 'e3', method: 'GET', url: '/mypage', outcome: 'HIT', status: 302, viewer: B },
        ],
      },
    ],
  },
  create(ctx) {
    const { latenessMs, objectLifeMs, joinToleranceMs } = ctx.options;
    const fills = new KeyedState<Fill[]>(ctx.options.maxKeys, () => ctx.count('evicted_keys'));
    // Hits waiting for late fill lines, in arrival order.
    const pending: PendingHit[] = [];
    let head = 0;

    function decide(h: PendingHit): void {
      const e = h.event;
      const start = startOf(e);
      // Fills that could have made the object this response came from: started before it did and
      // ended before it ended (a collapsed waiter ends with its fill, give or take the tolerance).
      const candidates = (fills.get(h.key) ?? []).filter((f) => f.time <= e.time + joinToleranceMs && f.start <= start + joinToleranceMs);
      let fill: Fill | undefined;
      for (const f of candidates) if (!fill || f.time > fill.time) fill = f;
      if (!fill) return ctx.count('hits_without_fill');
      const gap = e.time - fill.time;
      if (gap > objectLifeMs) return ctx.count('hits_beyond_object_life');
      // Concurrent misses (no cache lock): each stores its own copy and the log cannot say which one
      // the cache kept. Name no owner then, rather than guess one.
      const chosen = fill;
      const concurrent = candidates.filter((f) => f.start < chosen.time && chosen.start < f.time);
      const owners = new Set(concurrent.map((f) => f.viewer));
      const data = { url: e.url, outcome: e.outcome, edge: e.edge, gap: Math.max(0, gap) };
      if (owners.size > 1) {
        owners.delete(e.viewer);
        if (owners.size === 0 || [...owners].every((o) => o === undefined)) return;
        ctx.count('ambiguous_joins');
        ctx.report({ messageId: 'ambiguous', data: { ...data, n: concurrent.length }, event: e, viewer: viewerOf(e), related: concurrent.map((f) => f.event) });
        return;
      }
      if (fill.viewer === undefined || fill.viewer === e.viewer) return;
      ctx.report({ messageId: 'served', data, event: e, owner: fill.viewer, viewer: viewerOf(e), related: [fill.event] });
    }

    return {
      event(e, arrivedAt) {
        if (!ok(e) || e.owner !== undefined || !ctx.personalized(e.url)) return;
        const key = `${e.edge}\u0000${keyOf(e)}`;
        if (FILL_OUTCOMES.has(e.outcome)) {
          const list = fills.get(key) ?? [];
          list.push({ time: e.time, start: startOf(e), viewer: e.viewer, event: e });
          // Keep the fills that can still be joined: those within the object life of the newest.
          const newest = Math.max(...list.map((f) => f.time));
          fills.set(key, list.filter((f) => newest - f.time <= objectLifeMs + latenessMs).slice(-16), e.time);
        } else if (SHARED_OUTCOMES.has(e.outcome)) {
          pending.push({ key, event: e, arrivedAt });
        }
      },
      tick(watermark, now, final) {
        while (head < pending.length) {
          const h = pending[head]!;
          if (!final && now - h.arrivedAt < latenessMs && watermark < h.event.time) break;
          decide(h);
          head++;
        }
        if (head > 4096 && head * 2 > pending.length) {
          pending.splice(0, head);
          head = 0;
        }
        fills.evictOlderThan(watermark - objectLifeMs - latenessMs);
      },
    };
  },
});
