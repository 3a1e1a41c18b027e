/**
 * Catalogue CW-NX-09: nginx gives personalized routes a positive lifetime for the CDN in front:
 * `proxy_hide_header Cache-Control` with `add_header Cache-Control "public, max-age=…"`, or a
 * positive `expires` (which replaces the app's Cache-Control by itself). The app's `private,
 * no-store` never reaches the CDN; the page is cached and served to others. Judged with the
 * semantics core on the response nginx sends, under `profile:` (every vendor profile when rfc9111).
 */
import { directiveText } from '../../nginx/ast.ts';
import { defineVerifyRule } from '../define.ts';
import { personalExchanges } from './lib/exchanges.ts';
import { frontJudgements } from './lib/front.ts';

export default defineVerifyRule({
  id: 'verify/nginx/hide-and-replace-cache-control',
  severity: 'high',
  kinds: ['nginx'],
  catalogue: 'CW-NX-09',
  docs: {
    title: 'nginx replaces the app\'s Cache-Control with a public lifetime on personalized routes',
    description:
      'When nginx is the origin of a CDN, the CDN sees nginx\'s headers, not the app\'s. `proxy_hide_header Cache-Control` followed by `add_header Cache-Control "public, max-age=300"` (a common "let the CDN cache more" change), or a positive `expires` (which replaces the app\'s `Cache-Control` without any hide), turns the app\'s `private, no-store` on a personal page into a lifetime every shared cache honours: the CDN stores the page and serves it to everyone who asks for the URL. An `add_header Cache-Control "public…"` without the hide does the same on routes where the app sends no `Cache-Control` of its own. The rule computes the headers nginx sends for each personalized route (with nginx\'s inheritance) once with an app that says `private, no-store` and once with the route\'s declared (or missing) headers, and asks the semantics core whether the CDN named by `profile:` (every vendor profile when it is `rfc9111`) can then serve the page to another user. Zero lifetimes (`expires -1`, `no-cache`) are expires-rewrites-cache-control\'s business.',
    fix: 'Scope the rewrite to shared content (a `/static/` or catalogue location); on personalized locations keep the app\'s header (drop `proxy_hide_header Cache-Control` and `expires`) or send `add_header Cache-Control "private, no-store" always;`.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_hide_header',
      'https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header',
      'https://nginx.org/en/docs/http/ngx_http_headers_module.html#expires',
      'RFC 9111 §5.2.2.7 (private), §4.2.1 (freshness lifetime)',
      'research: config-semantics.md §1.3, CW-NX-09',
    ],
  },
  messages: {
    expires:
      '{directive} replaces the Cache-Control of personalized routes with "{sent}", even when the app sends private, no-store: under {profiles} the shared cache in front stores the page and serves it to other users ({why})',
    addHeader:
      '{directive} sends "{sent}" on personalized routes{hidden}: under {profiles} the shared cache in front stores the page and serves it to other users ({why})',
  },
  examples: {
    bad: [
      {
        name: 'the app\'s header hidden and replaced by a public one',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_hide_header Cache-Control;
      add_header Cache-Control "public, max-age=300";
    }
  }
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'private, no-store' } },
        expect: [{ messageId: 'addHeader', line: 7 }],
      },
      {
        name: 'a positive expires on every page',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    expires 1h;
    location / {
      proxy_pass http://app;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        profile: { id: 'akamai' },
        expect: [{ messageId: 'expires', line: 4 }],
      },
    ],
    good: [
      {
        name: 'public lifetimes for static files, the app\'s header kept on pages',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    location /static/ {
      proxy_pass http://app;
      proxy_hide_header Cache-Control;
      add_header Cache-Control "public, max-age=86400";
      expires 1d;
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
              if (w.class !== 'positive') continue;
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
