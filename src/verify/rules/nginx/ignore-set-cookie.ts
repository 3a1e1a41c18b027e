/**
 * Catalogue CW-NX-02: `proxy_ignore_headers … Set-Cookie`. nginx never caches a response that sets
 * a cookie unless told to ignore Set-Cookie; then the stored copy keeps the header and replays it
 * to everyone served from the cache, unless `proxy_hide_header Set-Cookie` is in effect (lab S2b:
 * one visitor's rolling session cookie handed to every other visitor). Structural: every caching
 * location where the line applies without the hide. Scoped: where a personalized route is cached,
 * the line is wrong even with the hide (the page is stored, only its cookie is hidden).
 */
import { directiveText } from '../../nginx/ast.ts';
import type { NginxDirective } from '../../nginx/ast.ts';
import { effective } from '../../nginx/inherit.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { cachedForOthers, isNginx, personalExchanges, type CacheModule } from './lib/exchanges.ts';
import { cachingBlocks, linesNaming } from './lib/structure.ts';

/** `<p>_hide_header Set-Cookie` in effect at the end of the chain. */
function cookieHidden(module: CacheModule, chain: readonly NginxDirective[]): boolean {
  return effective(`${module}_hide_header`, chain).some((d) => d.args.some((a) => a.toLowerCase() === 'set-cookie'));
}

export default defineVerifyRule({
  id: 'verify/nginx/ignore-set-cookie',
  severity: 'critical',
  kinds: ['nginx'],
  catalogue: 'CW-NX-02',
  docs: {
    title: 'proxy_ignore_headers Set-Cookie replays one visitor\'s cookie to everybody',
    description:
      'nginx does not cache a response that carries `Set-Cookie`. `proxy_ignore_headers Set-Cookie` (or the `fastcgi_`, `uwsgi_`, `scgi_` forms) lifts that, but the stored copy still carries the header: every visitor served from the cache receives the cookie of the visitor whose request filled it. With rolling sessions (an app that re-sends `Set-Cookie: sid=…` on every response to a logged-in user) that is the first visitor\'s session, and the browsers of everyone else then present it and see that person\'s account (lab scenario S2b; the 2025 ticketing incident). Reported at every caching location where the line applies and `proxy_hide_header Set-Cookie` does not. Where a personalized route is cached for logged-in requests it is reported even with the hide: the response that set a cookie is usually the personal one, and hiding the header does not keep the page out of the cache.',
    fix: 'Remove `Set-Cookie` from `proxy_ignore_headers`. Where a location must cache despite cookies (static files, a catalogue rendered for anonymous visitors), also add `proxy_hide_header Set-Cookie;` and stop forwarding the visitor\'s cookie (`proxy_set_header Cookie "";`) so the app has no session to render or renew. Never ignore Set-Cookie on personalized routes.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ignore_headers',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_hide_header',
      'RFC 9111 §3 (storing responses), RFC 6265 §4.1 (Set-Cookie)',
      'research: config-semantics.md §1.3, CW-NX-02',
    ],
  },
  messages: {
    replayed:
      '{directive} makes {module}_cache store responses that set a cookie, and no {module}_hide_header Set-Cookie applies there: the stored copy hands the cookie (often a session) of the visitor who filled it to everyone served from the cache',
    personalized:
      '{directive} applies where personalized routes are cached for logged-in requests: a response that sets a cookie (typically the personal one) is stored and served to others; {module}_hide_header Set-Cookie hides only the cookie, not the page',
  },
  examples: {
    bad: [
      {
        name: 'a catalogue cached despite the rolling session cookie',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location /items/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Set-Cookie;
      proxy_cache_valid 200 1m;
    }
    location / {
      proxy_pass http://app;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'replayed', line: 8 }],
      },
      {
        name: 'Set-Cookie ignored and hidden on a personalized route',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Set-Cookie;
      proxy_hide_header Set-Cookie;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'personalized', line: 8 }],
      },
    ],
    good: [
      {
        name: 'a catalogue rendered for anonymous visitors, cookie hidden and not forwarded',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location /items/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_set_header Cookie "";
      proxy_ignore_headers Set-Cookie;
      proxy_hide_header Set-Cookie;
      proxy_cache_valid 200 1m;
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
      config(model) {
        if (!isNginx(model)) return;
        for (const b of cachingBlocks(model)) {
          if (cookieHidden(b.module, b.chain)) continue;
          for (const { directive } of linesNaming(`${b.module}_ignore_headers`, b.chain, ['Set-Cookie'])) {
            ctx.report({
              messageId: 'replayed',
              data: { directive: directiveText(directive), module: b.module },
              at: directive.at,
              related: [{ option: 'cache', at: b.cache.at, text: directiveText(b.cache) }],
            });
          }
        }
      },
      route(route, model) {
        for (const x of personalExchanges(route, model, ctx.settings) ?? []) {
          if (!cachedForOthers(x) || !x.module) continue;
          const hidden = cookieHidden(x.module, x.outcome.chain);
          for (const { directive } of linesNaming(`${x.module}_ignore_headers`, x.outcome.chain, ['Set-Cookie'])) {
            ctx.report({
              messageId: hidden ? 'personalized' : 'replayed',
              data: { directive: directiveText(directive), module: x.module },
              at: directive.at,
              related: provenanceFor(x.evaluation, 'cache', 'hideHeaders'),
              route: route.path,
              reasons: x.verdict.response.store.reasons,
            });
          }
        }
      },
    };
  },
});
