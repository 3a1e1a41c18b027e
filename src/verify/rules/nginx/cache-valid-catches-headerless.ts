/**
 * Catalogue CW-NX-06: a `proxy_cache_valid` line (or fastcgi_/uwsgi_/scgi_) in effect on a
 * personalized route that is cached for logged-in requests. nginx stores a response without
 * X-Accel-Expires, Cache-Control max-age or Expires only when such a line gives it a lifetime, so
 * the line turns "the app forgot its cache headers" into "the page is served to others" (lab S3).
 * Reported at the first line that matches the route's status, once per line.
 */
import { explain } from '../../../semantics/index.ts';
import type { HttpResponseInfo, ProfileSpec } from '../../../semantics/types.ts';
import { directiveText } from '../../nginx/ast.ts';
import { effective } from '../../nginx/inherit.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { cachedForOthers, personalExchanges } from './lib/exchanges.ts';
import { validFor } from './lib/structure.ts';

const CACHE_HEADERS = ['cache-control', 'expires', 'x-accel-expires', 'surrogate-control', 'pragma'];

function withoutCacheHeaders(r: HttpResponseInfo): HttpResponseInfo {
  return { ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !CACHE_HEADERS.includes(k.toLowerCase()))) };
}

export default defineVerifyRule({
  id: 'verify/nginx/cache-valid-catches-headerless',
  severity: 'high',
  kinds: ['nginx'],
  catalogue: 'CW-NX-06',
  docs: {
    title: 'proxy_cache_valid applies to personalized routes',
    description:
      'Without a lifetime nginx stores nothing: a response with no `X-Accel-Expires`, no `max-age`/`s-maxage` and no `Expires` is not cached, unless a `proxy_cache_valid` line matches its status. On a personalized route that line is what turns a missing header into a leak: a new endpoint, an error path or a framework that sends no `Cache-Control` is stored for the configured time and served to every other user (lab scenario S3: `proxy_cache_valid 200 1m` on an API whose `/api/me` sends no cache headers). Lines inherited from the server or http level count (`proxy_cache_valid` is inherited when a location has none of its own), `any` and lines without codes (200, 301, 302) included. The rule fires where a personalized route is cached for logged-in requests, whatever the origin sends today.',
    fix: 'Do not give personalized routes a default validity: move `proxy_cache_valid` into the locations that serve shared content, or pass logged-in requests (`proxy_cache_bypass` + `proxy_no_cache` on the session cookie and Authorization). Let the app label what may be cached with `Cache-Control: public, max-age=…`.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_valid',
      'RFC 9111 §4.2.2 (heuristic freshness: a shared cache should not invent lifetimes for personal responses)',
      'research: config-semantics.md §1.3, CW-NX-06',
    ],
  },
  messages: {
    headerless:
      '{directive} applies to personalized routes cached for logged-in requests: a response without Cache-Control or Expires (status {status}) is stored for {time} s and served to other users',
  },
  examples: {
    bad: [
      {
        name: 'a server-wide validity inherited by the account pages',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    proxy_cache edge;
    proxy_cache_valid 200 301 5m;
    location / {
      proxy_pass http://app;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'headerless', line: 6 }],
      },
    ],
    good: [
      {
        name: 'the validity only where shared content is served',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    proxy_cache edge;
    location /items/ {
      proxy_pass http://app;
      proxy_cache_valid 200 5m;
    }
    location / {
      proxy_pass http://app;
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
          // Ask the core what the configuration does to the same response without its cache headers.
          const bare = withoutCacheHeaders(x.evaluation.response);
          const v = explain(x.evaluation.request, bare, { ...x.evaluation.profile, identity: ctx.settings.identity } as ProfileSpec);
          if (v.response.store.value !== 'store' || !v.response.store.reasons.some((r) => r.rule === 'nginx/proxy-cache-valid')) continue;
          const line = effective(`${x.module}_cache_valid`, x.outcome.chain).find((d) => validFor(d, bare.status));
          if (!line) continue;
          ctx.report({
            messageId: 'headerless',
            data: { directive: directiveText(line), status: bare.status, time: v.response.ttl.value },
            at: line.at,
            related: provenanceFor(x.evaluation, 'cache', 'ignoreHeaders'),
            route: route.path,
            reasons: v.response.store.reasons,
          });
        }
      },
    };
  },
});
