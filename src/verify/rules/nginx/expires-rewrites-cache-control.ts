/**
 * Catalogue CW-NX-07, the origin-side form of the 2017 incident: `expires -1` / `epoch` / `0` (any
 * time not in the future) or `add_header Cache-Control "no-cache"` / `"max-age=0"` on a block that
 * serves a personalized route. `expires` replaces the app's Cache-Control, so `private, no-store`
 * leaves nginx as `no-cache` with an Expires in the past: the pair that Fastly, CloudFront and
 * Varnish 8 store as a TTL-0 object and hand to collapsed requests. Judged with the semantics core
 * under `profile:` (every vendor profile when it is rfc9111), on the response nginx sends.
 */
import { directiveText } from '../../nginx/ast.ts';
import { defineVerifyRule } from '../define.ts';
import { personalExchanges } from './lib/exchanges.ts';
import { frontJudgements } from './lib/front.ts';

export default defineVerifyRule({
  id: 'verify/nginx/expires-rewrites-cache-control',
  severity: 'critical',
  kinds: ['nginx'],
  catalogue: 'CW-NX-07',
  docs: {
    title: 'expires -1 or a no-cache add_header on personalized routes (the 2017 header pair)',
    description:
      'nginx\'s `expires` directive does not add to the app\'s headers, it replaces them: `expires -1` or `expires epoch` turns whatever `Cache-Control` the app sent, `private, no-store` included, into `Cache-Control: no-cache` plus an `Expires` in the past, and `expires 0` into `max-age=0`. Those look like "do not cache", but for a shared cache they only mean "revalidate": Fastly, CloudFront and Varnish 8 store such a response as a TTL-0 object and hand it to every request that was waiting for it (request collapsing), and Fastly keeps a bare `no-cache` for its fallback TTL. That is how a CDN switch in 2017 showed tens of thousands of users other people\'s pages, with an origin nginx that said `expires -1`. `add_header Cache-Control "no-cache"` or `"max-age=0"` does the same when the app sends nothing, or when `proxy_hide_header Cache-Control` removed what it sent. The rule computes the headers nginx sends for each personalized route (hide_header, expires, add_header, with nginx\'s inheritance) once with an app that says `private, no-store` and once with the route\'s declared (or missing) headers, and asks the semantics core whether the CDN named by `profile:` (every vendor profile when it is `rfc9111`) can then serve the page to another user.',
    fix: 'On personalized locations, remove `expires` (or set `expires off;`) and send `add_header Cache-Control "private, no-store" always;` (optionally `Surrogate-Control: no-store` for Fastly and Varnish tiers). Keep `expires` for static files.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_headers_module.html#expires',
      'https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header',
      'RFC 9111 §5.2.2.4 (no-cache), §5.2.2.5 (no-store), §5.2.2.7 (private), §5.3 (Expires)',
      'Mercari incident report, 2017-06-22',
      'research: config-semantics.md §0 finding 6, §1.3, §1.8, CW-NX-07, CW-G-01',
    ],
  },
  messages: {
    expires:
      '{directive} replaces the Cache-Control of personalized routes with "{sent}", even when the app sends private, no-store: under {profiles} the shared cache in front stores that and hands it to other users ({why})',
    addHeader:
      '{directive} sends "{sent}" on personalized routes{hidden}: no-cache and max-age=0 do not forbid storing; under {profiles} the shared cache in front stores the page and hands it to other users ({why})',
  },
  examples: {
    bad: [
      {
        name: 'expires -1 in front of the app',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      expires -1;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'private, no-store' } },
        profile: { id: 'fastly' },
        expect: [{ messageId: 'expires', line: 6 }],
      },
      {
        name: 'a no-cache header added to pages the app sends without one',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      add_header Cache-Control "no-cache" always;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'addHeader', line: 6 }],
      },
    ],
    good: [
      {
        name: 'private, no-store on personal pages, expires for static files only',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    location /static/ {
      proxy_pass http://app;
      expires -1;
    }
    location / {
      proxy_pass http://app;
      add_header Cache-Control "private, no-store" always;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        profile: { id: 'fastly' },
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        for (const x of personalExchanges(route, model, ctx.settings) ?? []) {
          for (const j of frontJudgements(route, x, ctx.settings)) {
            if (j.profiles.length === 0) continue;
            for (const w of j.writers) {
              if (w.class !== 'zero') continue;
              ctx.report({
                messageId: w.kind === 'expires' ? 'expires' : 'addHeader',
                data: {
                  directive: directiveText(w.directive),
                  sent: j.sent,
                  hidden: j.hidden ? ` after ${directiveText(j.hidden)} removed the app's own Cache-Control` : '',
                  profiles: j.profiles.join(', '),
                  why: j.why,
                },
                at: w.directive.at,
                related: j.hidden ? [{ option: 'response.cache-control', at: j.hidden.at, text: directiveText(j.hidden) }] : [],
                route: route.path,
              });
            }
          }
        }
      },
    };
  },
});
