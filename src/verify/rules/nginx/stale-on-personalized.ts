/**
 * Catalogue CW-G-05 (nginx form): stale serving on a personalized route cached in shared entries.
 * `proxy_cache_use_stale updating` hands an expired entry to every request that arrives while one
 * request refreshes it, and `error`/`timeout`/`http_5xx` serve it with no time limit while the
 * upstream fails; `proxy_cache_background_update on` serves it to the refreshing request too.
 * A 1 s micro-cache becomes "someone else's page for as long as traffic keeps coming" (lab S6).
 */
import { directiveText } from '../../nginx/ast.ts';
import { effective, effectiveOne } from '../../nginx/inherit.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { cachedForOthers, personalExchanges } from './lib/exchanges.ts';

export default defineVerifyRule({
  id: 'verify/nginx/stale-on-personalized',
  severity: 'medium',
  kinds: ['nginx'],
  catalogue: 'CW-G-05',
  docs: {
    title: 'Stale serving on personalized routes',
    description:
      '`proxy_cache_use_stale updating` lets nginx answer with an expired entry while one request fetches a fresh one, and `error`, `timeout` and `http_5xx` let it answer with an expired entry, with no time limit, while the upstream fails; `proxy_cache_background_update on` also gives the expired entry to the request that triggers the refresh. These settings are often set once at server level for the catalogue and inherited by every location. On a personalized route cached in entries other users read, they stretch any leak far beyond its lifetime: a 1-second micro-cache serves one user\'s page to everyone who arrives during each refresh, for as long as traffic keeps coming (lab scenario S6), and an upstream outage serves it for hours. Medium: it needs the page to be stored in the first place (reported by the other rules); this rule shows how far the damage reaches, and what still serves old entries after a fix until the cache is purged.',
    fix: 'Set `proxy_cache_use_stale off;` and `proxy_cache_background_update off;` in blocks that serve personalized routes (or keep stale serving only in the static/catalogue locations), make logged-in requests skip the cache, and purge the zone after changing what it may store.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_use_stale',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_background_update',
      'RFC 5861 (stale-while-revalidate, stale-if-error)',
      'research: config-semantics.md §1.3, CW-G-05',
    ],
  },
  messages: {
    useStale: '{directive} applies to personalized routes cached for logged-in requests: an expired entry (one user\'s page) is served to others while it is refreshed or while the upstream fails',
    backgroundUpdate: '{directive} applies to personalized routes cached for logged-in requests: the request that triggers a refresh gets the expired entry (one user\'s page) too',
  },
  examples: {
    bad: [
      {
        name: 'server-wide stale settings inherited by a micro-cached account area (lab S6)',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    proxy_cache_use_stale updating error timeout;
    proxy_cache_background_update on;
    location /account/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_cache_valid 200 1s;
    }
  }
}
`,
        },
        personalized: ['/account/*'],
        expect: [
          { messageId: 'useStale', line: 5 },
          { messageId: 'backgroundUpdate', line: 6 },
        ],
      },
    ],
    good: [
      {
        name: 'stale serving for the catalogue only; logged-in requests pass',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location /items/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_cache_use_stale updating;
      proxy_cache_background_update on;
    }
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_cache_use_stale updating;
      proxy_cache_bypass $cookie_sid $http_authorization;
      proxy_no_cache $cookie_sid $http_authorization;
    }
  }
}
`,
        },
        personalized: ['/account/*'],
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        for (const x of personalExchanges(route, model, ctx.settings) ?? []) {
          if (!cachedForOthers(x)) continue;
          const chain = x.outcome.chain;
          const related = provenanceFor(x.evaluation, 'cache', 'valid');
          for (const d of effective(`${x.module}_cache_use_stale`, chain)) {
            if (d.args.length === 0 || d.args.every((a) => a === 'off')) continue;
            ctx.report({ messageId: 'useStale', data: { directive: directiveText(d) }, at: d.at, related, route: route.path, reasons: x.verdict.response.stale.reasons });
          }
          const background = effectiveOne(`${x.module}_cache_background_update`, chain);
          if (background?.args[0] === 'on') {
            ctx.report({ messageId: 'backgroundUpdate', data: { directive: directiveText(background) }, at: background.at, related, route: route.path, reasons: x.verdict.response.stale.reasons });
          }
        }
      },
    };
  },
});
