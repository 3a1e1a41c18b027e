/**
 * Catalogue CW-VN-05: `unset beresp.http.Set-Cookie` in vcl_backend_response (or a sub it calls)
 * that is not kept to static files. builtin never sees the cookie, so the body that came with it —
 * a login redirect, a page rendered for the session it just set — is stored and served to others.
 * Asked with a synthetic Set-Cookie response on every personalized path and public page: a
 * statement that removes the header on one of them, where the body is then stored under a key
 * other users read, has no guard that keeps it to static paths or content types.
 */
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from './lib/hits.ts';
import { ask, storedForOthers, targets, urlList } from './lib/probes.ts';
import { asVcl, quote, subName } from './lib/vcl.ts';

export default defineVerifyRule({
  id: 'verify/varnish/set-cookie-stripped',
  severity: 'critical',
  kinds: ['varnish'],
  catalogue: 'CW-VN-05',
  docs: {
    title: 'Set-Cookie removed from dynamic responses before builtin sees it',
    description:
      'builtin.vcl refuses to store a response that sets a cookie. Removing `Set-Cookie` in `vcl_backend_response` is a common way to cache static files that an application decorates with a session cookie — and, without a guard, a way to cache everything else too: the login response, the page rendered right after the session was created, an account page whose session was refreshed. The cookie is gone from the stored copy, but the body that belonged to it is served to every later visitor. verify asks the configuration about every personalized path and public page with a response that sets the session cookie (`Cache-Control: public, max-age=60`, so only the cookie stands in the way) and reports the statement that removed it wherever the body is then stored under a key other users read. A guard on a static path or content type keeps the statement from those pages, and then nothing is reported.',
    fix: 'Keep the removal to static files: `if (bereq.url ~ "^/(static|assets)/") { unset beresp.http.Set-Cookie; }` (a path prefix the application does not route, rather than an extension), or remove cookies from those requests in `vcl_recv` so the origin has no reason to set one. Never remove Set-Cookie from HTML or API responses.',
    references: [
      'Varnish builtin.vcl (vcl_beresp_cookie): https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/builtin.vcl',
      'RFC 9111 §7.3 (Set-Cookie and shared caches)',
      'research: config-semantics.md §1.2, CW-VN-05',
    ],
  },
  messages: {
    stripped:
      '{statement} in {sub} removes Set-Cookie from {urls} with no guard that keeps it to static files: builtin never sees the cookie, and the body that came with it is stored under a key other users read',
  },
  examples: {
    bad: [
      {
        name: 'cookies removed from every response for the hit rate',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    # "Analytics cookies ruin the hit rate."
    unset beresp.http.Set-Cookie;
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'stripped', line: 7 }],
      },
    ],
    good: [
      {
        name: 'cookies removed from static files only',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (bereq.url ~ "^/static/") {
        unset beresp.http.Set-Cookie;
        set beresp.ttl = 1d;
    }
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    const identity = ctx.settings.identity;
    return {
      config(model) {
        const vcl = asVcl(model, 'varnish');
        if (!vcl) return;
        const hits = new Hits<{ related: Provenance[] }>();
        for (const { url, variant } of targets(ctx.settings)) {
          const view = ask(ctx, vcl, url, variant, 'setCookie');
          for (const e of view.evaluations) {
            if (!storedForOthers(view.verdict(e), identity)) continue;
            for (const statement of provenanceFor(e, 'backendResponse.unsetSetCookie')) hits.add(statement, url, () => ({ related: e.provenance.filter((p) => p !== statement) }));
          }
        }
        reportHits(ctx, hits, (h) => ({
          messageId: 'stripped',
          data: { statement: quote(h.statement), sub: subName(vcl, h.statement.at), urls: urlList(h.urls) },
          related: h.detail.related,
        }));
      },
    };
  },
});
