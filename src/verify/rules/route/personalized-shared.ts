/**
 * The simulation rule (catalogue CW-G-02): ask the semantics core what this configuration does to a
 * personalized response, on every personalized route, with the declared origin headers (or none).
 * Whatever combination of settings makes it so, if another user can receive the page, it is reported
 * at the block that handles the route, with the lines that made it happen.
 */
import { CONFIG_KINDS } from '../../types.ts';
import { defineVerifyRule, settingLines, where } from '../define.ts';

export default defineVerifyRule({
  id: 'verify/route/personalized-shared',
  severity: 'critical',
  kinds: CONFIG_KINDS,
  catalogue: 'CW-G-02',
  docs: {
    title: 'A personalized route can be served to another user',
    description:
      'For each `personalized:` route, verify builds a request with a session cookie and one with a bearer token, takes the origin response declared in `origin.headers` (or, without a declaration, a response with no cache headers at all), asks the configuration what it does to that exchange, and asks the cache-semantics core whether a different requester can then receive the response. `yes` means a later request gets it from the cache; `collapsing-only` means requests that arrive while it is being fetched get it (the 2017 incident). Either way one user\'s page reaches another.',
    fix: 'Make the route uncacheable for identified requests in the cache itself (pass/bypass on the session cookie and Authorization, or no cache on the location), and have the origin send `Cache-Control: private, no-store` on personal pages.',
    references: ['RFC 9111 §3 (storing responses in caches), §3.5 (Authorization), §5.2.2.7 (private)', '../shared research: config-semantics.md §1.8 (the migration matrix)'],
  },
  messages: {
    shared: 'a personalized response ({variant}) is stored and served to other users: {why} Set by: {lines}',
    collapsed: 'a personalized response ({variant}) is handed to every request that arrives while it is fetched (request collapsing): {why} Set by: {lines}',
  },
  examples: {
    bad: [
      {
        name: 'a micro-cache that ignores the origin\'s no-cache on personal pages',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Cache-Control Expires;
      proxy_cache_valid 200 1s;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
        expect: [
          { messageId: 'shared', line: 5 },
        ],
      },
    ],
    good: [
      {
        name: 'the same cache passes requests that carry a session',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_cache_bypass $cookie_sid $http_authorization;
      proxy_no_cache $cookie_sid $http_authorization;
    }
  }
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    return {
      route(route) {
        if (route.variant === 'anonymous') return;
        const { evaluation, verdict } = route.worst();
        const share = verdict.sharedAcrossIdentities.value;
        if (share === 'no') return;
        const lines = evaluation.provenance.length > 0 ? settingLines(evaluation.provenance) : `${evaluation.handler.label} (${where(evaluation.handler.at)})`;
        ctx.report({
          messageId: share === 'yes' ? 'shared' : 'collapsed',
          data: {
            variant: route.variant === 'cookie' ? 'session cookie' : 'bearer token',
            why: verdict.sharedAcrossIdentities.reasons.slice(0, 3).map((r) => r.text).join(' '),
            lines,
          },
          at: evaluation.handler.at,
          related: evaluation.provenance,
          route: route.path,
          reasons: verdict.sharedAcrossIdentities.reasons,
        });
      },
    };
  },
});
