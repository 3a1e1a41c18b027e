/**
 * Catalogue CW-NX-01: `proxy_ignore_headers Cache-Control` / `Expires` (or the fastcgi_, uwsgi_,
 * scgi_ forms) in effect where a personalized route is cached. The app's `private`, `no-store`,
 * `no-cache` or past `Expires` then no longer stop nginx from storing a personal page; any validity
 * (a `*_cache_valid` line, a max-age) hands it to other users. Reported at the ignore line, once per
 * line, with every personalized route it covers.
 */
import { directiveText } from '../../nginx/ast.ts';
import { effective } from '../../nginx/inherit.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { cachedForOthers, personalExchanges } from './lib/exchanges.ts';
import { linesNaming, validFor } from './lib/structure.ts';

/** X-Accel-Expires alone is not reported: ignoring it leaves the standard headers in charge (and is CW-NX-10's advice). */
const WATCHED = ['Cache-Control', 'Expires'];

export default defineVerifyRule({
  id: 'verify/nginx/ignore-cache-control',
  severity: 'critical',
  kinds: ['nginx'],
  catalogue: 'CW-NX-01',
  docs: {
    title: 'proxy_ignore_headers Cache-Control or Expires where personalized pages are cached',
    description:
      'nginx refuses to cache a response whose `Cache-Control` says `private`, `no-store` or `no-cache`, or whose `Expires` is in the past. `proxy_ignore_headers Cache-Control Expires` (and the `fastcgi_`, `uwsgi_`, `scgi_` forms) switches that off: the response is then stored whenever a `proxy_cache_valid` line (or a max-age or X-Accel-Expires) gives it a lifetime, and the next request for the URL, from anyone, receives it. The rule fires where a personalized route is cached for requests that carry a session cookie or a bearer token (not passed by `proxy_cache_bypass` + `proxy_no_cache`, not keyed by the identity), whatever the origin sends today: the app\'s `private, no-store` is exactly what this line disregards. This is the micro-cache of the 2017 incident and of lab scenarios S1, S2a and S6. Ignoring only `X-Accel-Expires` is not reported here (it leaves the standard headers in charge; see untrusted-x-accel-expires).',
    fix: 'Ignore the origin\'s headers only in locations that serve nothing personal (a `/static/` prefix); on personalized routes keep them authoritative, and make requests with a session skip the cache: `proxy_cache_bypass $cookie_<session> $http_authorization; proxy_no_cache $cookie_<session> $http_authorization;`.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ignore_headers',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_valid',
      'RFC 9111 §5.2.2.5 (no-store), §5.2.2.7 (private)',
      'research: config-semantics.md §1.3, CW-NX-01',
    ],
  },
  messages: {
    ignored:
      '{directive} is in effect where personalized routes are cached for logged-in requests: the origin\'s {headers} can no longer keep a personal page out of the cache, and {consequence}',
  },
  examples: {
    bad: [
      {
        name: 'a micro-cache that ignores the app\'s headers on every page',
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
        origin: { '/account*': { 'Cache-Control': 'private, no-store' } },
        expect: [{ messageId: 'ignored', line: 8 }],
      },
    ],
    good: [
      {
        name: 'headers ignored for static files only; personal pages keep them and skip the cache',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location /static/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Cache-Control Expires;
      proxy_cache_valid 200 1d;
    }
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
      route(route, model) {
        for (const x of personalExchanges(route, model, ctx.settings) ?? []) {
          if (!cachedForOthers(x)) continue;
          const valid = effective(`${x.module}_cache_valid`, x.outcome.chain).find((d) => validFor(d, route.response.status));
          for (const { directive, named } of linesNaming(`${x.module}_ignore_headers`, x.outcome.chain, WATCHED)) {
            ctx.report({
              messageId: 'ignored',
              data: {
                directive: directiveText(directive),
                headers: named.join(' and '),
                consequence: valid
                  ? `${directiveText(valid)} stores it for everyone who asks next`
                  : 'any max-age or X-Accel-Expires the app sends stores it for everyone who asks next',
              },
              at: directive.at,
              related: provenanceFor(x.evaluation, 'cache', 'valid', 'key'),
              route: route.path,
              reasons: x.verdict.response.store.reasons,
            });
          }
        }
      },
    };
  },
});
