/**
 * Catalogue CW-NX-08, the add_header inheritance trap on a personalized route: an outer level
 * (http, server, location) says `add_header Cache-Control "private, no-store"`, and an inner block
 * that handles the route (a nested location, an `if`) has `add_header` lines of its own and none
 * for Cache-Control. nginx takes `add_header` from the innermost level that has any, so the
 * private header silently disappears there. Reported at the first add_header of the inner block.
 */
import { directiveHead, directiveText, directivesOf, type NginxDirective } from '../../nginx/ast.ts';
import { effective } from '../../nginx/inherit.ts';
import { defineVerifyRule } from '../define.ts';
import { isNginx, personalExchanges } from './lib/exchanges.ts';

const PROTECTIVE = /\b(private|no-store)\b/i;

function cacheControlLine(d: NginxDirective): boolean {
  return d.name === 'add_header' && (d.args[0] ?? '').toLowerCase() === 'cache-control';
}

export default defineVerifyRule({
  id: 'verify/nginx/add-header-dropped',
  severity: 'medium',
  kinds: ['nginx'],
  catalogue: 'CW-NX-08',
  docs: {
    title: 'A nested add_header drops the private Cache-Control of an outer block',
    description:
      'nginx takes `add_header` lines from one level only: the innermost block (location, nested location, `if`) that has any `add_header` at all. A `location` that adds `X-Frame-Options`, or an `if` that adds a debug header, therefore silently drops every `add_header` of the server or outer location, including an `add_header Cache-Control "private, no-store"` meant to protect the personal pages below it. The rule follows each personalized route through the configuration and fires when an outer level sends `Cache-Control` with `private` or `no-store` but the block that handles the route has its own `add_header` lines and none for Cache-Control. Medium: the app\'s own header may still protect the page, but the protection the configuration promises is gone (the same trap gixy\'s add_header_redefinition reports for security headers).',
    fix: 'Repeat the Cache-Control line in the inner block, or keep the shared lines in a snippet and `include` it in every block that has its own `add_header` (and in the `if` blocks).',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header',
      'gixy add_header_redefinition (yandex/gixy docs/en/plugins/addheaderredefinition.md)',
      'research: config-semantics.md CW-NX-08',
    ],
  },
  messages: {
    dropped:
      '{directive} in {block} replaces every add_header of the enclosing levels: {parent} ({parentAt}) no longer applies to personalized routes handled there',
  },
  examples: {
    bad: [
      {
        name: 'a security header in the account location drops the server\'s private header',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    add_header Cache-Control "private, no-store" always;
    location /account/ {
      proxy_pass http://app;
      add_header X-Frame-Options DENY;
    }
  }
}
`,
        },
        personalized: ['/account/*'],
        expect: [{ messageId: 'dropped', line: 7 }],
      },
    ],
    good: [
      {
        name: 'the inner block repeats the Cache-Control line',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  server {
    listen 80;
    add_header Cache-Control "private, no-store" always;
    location /account/ {
      proxy_pass http://app;
      add_header X-Frame-Options DENY;
      add_header Cache-Control "private, no-store" always;
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
        if (!isNginx(model)) return;
        for (const x of personalExchanges(route, model, ctx.settings) ?? []) {
          // nginx's own answers (return, redirects, files) carry no personal page.
          if (x.outcome.handler.kind !== 'pass') continue;
          const chain = x.outcome.chain;
          const applied = effective('add_header', chain);
          if (applied.length === 0 || applied.some(cacheControlLine)) continue;
          // The level the applied lines come from, and the private Cache-Control lines above it.
          const level = chain.findLastIndex((b) => directivesOf(b.block).some((d) => d.name === 'add_header'));
          const parent = chain
            .slice(0, level)
            .flatMap((b) => directivesOf(b.block))
            .filter((d) => cacheControlLine(d) && PROTECTIVE.test(d.args[1] ?? ''))
            .at(-1);
          if (!parent) continue;
          const inner = chain[level]!;
          const first = applied[0]!;
          ctx.report({
            messageId: 'dropped',
            data: {
              directive: directiveText(first),
              block: inner.name === 'if' || inner.name === 'location' ? `${directiveHead(inner)} (line ${inner.at.line})` : inner.name,
              parent: directiveText(parent),
              parentAt: `${parent.at.file.split('/').pop()}:${parent.at.line}`,
            },
            at: first.at,
            related: [{ option: 'response.cache-control', at: parent.at, text: directiveText(parent) }],
            route: route.path,
          });
        }
      },
    };
  },
});
