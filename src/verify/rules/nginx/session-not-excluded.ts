/**
 * Catalogue CW-NX-04 (the nginx form of CW-G-04): a personalized route is cached and requests that
 * carry the session cookie or Authorization are looked up and stored like anonymous ones: no
 * `proxy_cache_bypass` + `proxy_no_cache` pair passes them, and the cache key does not carry the
 * identity. Whether one user's page reaches the next then depends on the origin's headers alone
 * (lab S3 and S4: one missing or wrong header and it leaks). Reported at the `*_cache` line in
 * effect, once per line, naming the credentials that are not excluded.
 */
import { directiveText, type NginxDirective } from '../../nginx/ast.ts';
import { effectiveOne } from '../../nginx/inherit.ts';
import { defineVerifyRule, provenanceFor, type FindingInput } from '../define.ts';
import { cachedForOthers, credentialName, personalExchanges } from './lib/exchanges.ts';

export default defineVerifyRule({
  id: 'verify/nginx/session-not-excluded',
  severity: 'high',
  kinds: ['nginx'],
  catalogue: 'CW-NX-04',
  docs: {
    title: 'Personalized routes cached without excluding the session or Authorization',
    description:
      'nginx pays no attention to request cookies or `Authorization` when it caches: a request with a session is looked up under the same key as everybody else\'s and its response is stored like any other. On a personalized route only the origin\'s response headers then stand between one user\'s page and the next visitor: today they may say `private, no-store`, but a missing header on a new endpoint, a framework upgrade or a `proxy_cache_valid` line is enough (lab scenario S3: an API without cache headers and a default validity; S4: `Vary: Cookie` ignored). The rule fires when a personalized route is cached for requests carrying the session cookie (`identity.cookies`) or a bearer token, and neither a `proxy_cache_bypass` + `proxy_no_cache` pair on that credential nor a `proxy_cache_key` that contains it separates them. A bypass without the matching no_cache is reported by bypass-without-no-cache instead. Requests whose credential is not forwarded (`proxy_set_header Cookie "";`) are not counted: the origin cannot personalize them.',
    fix: 'In the block that caches personalized routes: `proxy_cache_bypass $cookie_<session> $http_authorization; proxy_no_cache $cookie_<session> $http_authorization;` (or do not cache there at all: `proxy_cache off;`). Keying on the session (`proxy_cache_key $scheme$host$request_uri$cookie_<session>;`) also separates users, at the cost of one entry per session.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_bypass',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_no_cache',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_key',
      'RFC 9111 §3.5 (storing responses to authenticated requests)',
      'research: config-semantics.md §1.3, CW-NX-04, CW-G-04',
    ],
  },
  messages: {
    notExcluded:
      '{directive} caches personalized routes for requests with {credentials}: no {module}_cache_bypass + {module}_no_cache pair on it and no {module}_cache_key containing it, so only the origin\'s headers keep one user\'s page from the next',
  },
  examples: {
    bad: [
      {
        name: 'an API cached with a default validity (lab S3)',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=api:1m;
  server {
    listen 80;
    location /api/ {
      proxy_pass http://app;
      proxy_cache api;
      proxy_cache_valid 200 1m;
    }
  }
}
`,
        },
        personalized: ['/api/me*'],
        expect: [{ messageId: 'notExcluded', line: 7 }],
      },
    ],
    good: [
      {
        name: 'the session and bearer requests pass; the per-user endpoint keyed by the token',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=api:1m;
  server {
    listen 80;
    location /api/ {
      proxy_pass http://app;
      proxy_cache api;
      proxy_cache_bypass $cookie_sid $http_authorization;
      proxy_no_cache $cookie_sid $http_authorization;
    }
    location /api/me {
      proxy_pass http://app;
      proxy_cache api;
      proxy_cache_key $scheme$host$request_uri$cookie_sid$http_authorization;
    }
  }
}
`,
        },
        personalized: ['/api/me*', '/api/orders*'],
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        const xs = personalExchanges(route, model, ctx.settings);
        if (!xs) return;
        const byLine = new Map<NginxDirective, { credentials: Set<string>; input: Omit<FindingInput<'notExcluded'>, 'data'>; module: string }>();
        for (const x of xs) {
          if (!cachedForOthers(x) || !x.module || x.verdict.request.action.value !== 'lookup') continue;
          const cache = effectiveOne(`${x.module}_cache`, x.outcome.chain);
          if (!cache) continue;
          const entry = byLine.get(cache) ?? {
            credentials: new Set<string>(),
            module: x.module,
            input: { messageId: 'notExcluded', at: cache.at, related: provenanceFor(x.evaluation, 'key', 'bypass', 'noCache', 'valid'), route: route.path, reasons: [...x.verdict.request.action.reasons, ...x.verdict.request.key.reasons] },
          };
          entry.credentials.add(credentialName(x.variant, ctx.settings));
          byLine.set(cache, entry);
        }
        for (const [cache, e] of byLine) {
          ctx.report({ ...e.input, data: { directive: directiveText(cache), credentials: [...e.credentials].join(' or '), module: e.module } });
        }
      },
    };
  },
});
