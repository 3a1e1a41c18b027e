/**
 * `proxy_ignore_headers Vary` (or fastcgi_/uwsgi_/scgi_) in effect where a personalized route is
 * cached (lab S4). nginx honours Vary since 1.7.7 and keeps one variant per value of the named
 * request headers; an app that marks a personal page cacheable with `Vary: Cookie` relies on that.
 * Ignoring Vary stores one variant for everybody. Reported at the ignore line, once per line.
 */
import { directiveText } from '../../nginx/ast.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { cachedForOthers, personalExchanges } from './lib/exchanges.ts';
import { linesNaming } from './lib/structure.ts';

export default defineVerifyRule({
  id: 'verify/nginx/ignore-vary',
  severity: 'high',
  kinds: ['nginx'],
  docs: {
    title: 'proxy_ignore_headers Vary where personalized pages are cached',
    description:
      'nginx keeps one stored variant per value of the request headers named in the response\'s `Vary` (since 1.7.7). Apps that let a shared cache store personal pages rely on it: `Cache-Control: public, max-age=60` with `Vary: Cookie` means "one copy per cookie". Because every visitor\'s cookie differs, the cache fills with single-use variants, and a common "fix" is `proxy_ignore_headers Vary`: from then on the first visitor\'s page is stored once under the URL and served to everybody (lab scenario S4; the Next.js RSC and CloudFront advisories about dropped Vary). The rule fires where a personalized route is cached for requests that carry a session cookie or a bearer token (not passed by `proxy_cache_bypass` + `proxy_no_cache`, not keyed by the identity), whatever the origin sends today.',
    fix: 'Remove `Vary` from `proxy_ignore_headers` in blocks that serve personalized routes, and pass logged-in requests instead of caching them (`proxy_cache_bypass` + `proxy_no_cache` on the session cookie and Authorization); have the app send `Cache-Control: private, no-store` on personal pages rather than relying on `Vary: Cookie`.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ignore_headers',
      'RFC 9110 §12.5.5 (Vary), RFC 9111 §4.1 (calculating cache keys with Vary)',
      'research: config-semantics.md §1.3 (Vary), CW-G-03',
    ],
  },
  messages: {
    ignored:
      '{directive} is in effect where personalized routes are cached for logged-in requests: a personal page that says Vary: Cookie or Vary: Authorization is stored once under the URL and served to everybody',
  },
  examples: {
    bad: [
      {
        name: 'Vary ignored to raise the hit rate (lab S4)',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Vary;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'public, max-age=60', Vary: 'Cookie' } },
        expect: [{ messageId: 'ignored', line: 8 }],
      },
    ],
    good: [
      {
        name: 'Vary ignored for media only; personal pages pass',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location /media/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Vary;
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
          for (const { directive } of linesNaming(`${x.module}_ignore_headers`, x.outcome.chain, ['Vary'])) {
            ctx.report({
              messageId: 'ignored',
              data: { directive: directiveText(directive) },
              at: directive.at,
              related: provenanceFor(x.evaluation, 'cache', 'key'),
              route: route.path,
              reasons: x.verdict.response.varyOn.reasons,
            });
          }
        }
      },
    };
  },
});
