/**
 * watch/cached-set-cookie: a response served from cache carried Set-Cookie. A stored Set-Cookie
 * is replayed to everyone who gets the object; when it sets the session cookie, each of them is
 * logged in as the person it was issued to.
 */
import { SHARED_OUTCOMES } from '../../core/event.ts';
import { defineDetector, exampleIdentity, viewerOf } from './define.ts';

const T0 = Date.UTC(2026, 10, 21, 9, 41, 0);
const A = exampleIdentity('A');
const B = exampleIdentity('B');

export default defineDetector({
  id: 'watch/cached-set-cookie',
  severity: 'critical',
  crossIdentity: true,
  needs: ['setCookie'],
  docs: {
    title: 'Set-Cookie served from cache',
    description:
      'A cache hit (or a stale or collapsed response) carried Set-Cookie. The cookie was stored with the object and is handed to every later requester; when it is the session cookie, they are logged in as its owner (the Pia 2025 pattern). The owner is the identity whose session the cookie carries, the viewer the identity that received it.',
    fix: 'Never store responses that set cookies: remove `proxy_ignore_headers Set-Cookie` (nginx) or the early `return (deliver)` that skips the builtin Set-Cookie check (Varnish); if a route must be cached, strip Set-Cookie (`proxy_hide_header Set-Cookie`, `unset beresp.http.Set-Cookie`) only on routes that never issue sessions. Invalidate the sessions that were handed out.',
    references: ['RFC 9111 §7.3 (Set-Cookie does not inhibit caching)', 'nginx proxy_ignore_headers', 'Varnish builtin.vcl vcl_beresp_cookie'],
  },
  messages: {
    replayed: '{url} served from cache ({outcome}) with a stored Set-Cookie on {edge}',
    session: '{url} served from cache ({outcome}) handed out another identity\'s session cookie on {edge}',
  },
  examples: {
    bad: [
      {
        name: "A's session cookie replayed to B by a hit",
        events: [
          { time: T0, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'MISS', status: 200, viewer: A, setCookie: true, setCookieOwner: A },
          { time: T0 + 80, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'HIT', status: 200, viewer: B, setCookie: true, setCookieOwner: A },
        ],
        expect: ['session'],
      },
      {
        name: 'a stored tracking cookie',
        events: [{ time: T0, edge: 'e1', method: 'GET', url: '/', outcome: 'HIT', status: 200, setCookie: true }],
        expect: ['replayed'],
      },
    ],
    good: [
      {
        name: 'Set-Cookie only on fresh responses',
        events: [
          { time: T0, edge: 'e1', method: 'POST', url: '/login', outcome: 'PASS', status: 302, setCookie: true, setCookieOwner: A },
          { time: T0 + 80, edge: 'e1', method: 'GET', url: '/items/1', outcome: 'HIT', status: 200, viewer: A },
        ],
      },
    ],
  },
  create(ctx) {
    return {
      event(e) {
        if (!e.setCookie || !SHARED_OUTCOMES.has(e.outcome)) return;
        const viewer = viewerOf(e);
        const data = { url: e.url, outcome: e.outcome, edge: e.edge };
        if (e.setCookieOwner !== undefined) {
          // Handing a session back to its own holder exposes nothing new.
          if (e.setCookieOwner === e.viewer) return;
          ctx.report({ messageId: 'session', data, event: e, owner: e.setCookieOwner, viewer });
        } else {
          ctx.report({ messageId: 'replayed', data, event: e, viewer });
        }
      },
    };
  },
});
