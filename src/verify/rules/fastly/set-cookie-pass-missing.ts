/**
 * Catalogue CW-FY-03: Fastly stores a response that sets a cookie unless vcl_fetch passes it (the
 * boilerplate's `if (beresp.http.Set-Cookie) { return(pass); }`), and removing Set-Cookie before
 * that check defeats it. Asked with a synthetic response that sets the session cookie (and is
 * otherwise cacheable) on every personalized path and public page: where it ends up stored under a
 * key other users read, the statement that removed the cookie, or else the `return(deliver)` (or the
 * end of vcl_fetch) it reached without a pass, is reported.
 */
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from '../varnish/lib/hits.ts';
import { ask, headerOf, storedForOthers, targets, urlList } from '../varnish/lib/probes.ts';
import { asVcl, quote, subName } from '../varnish/lib/vcl.ts';
import { deliveredAt } from './lib/fetch.ts';

export default defineVerifyRule({
  id: 'verify/fastly/set-cookie-pass-missing',
  severity: 'critical',
  kinds: ['fastly'],
  catalogue: 'CW-FY-03',
  docs: {
    title: 'vcl_fetch stores responses that set a cookie',
    description:
      'Fastly caches a 200 whatever headers it carries; what keeps a `Set-Cookie` response out of the cache is the boilerplate\'s `if (beresp.http.Set-Cookie) { return(pass); }` in `vcl_fetch`. Without it, the response that logs a user in or refreshes their session is stored, and the next visitor receives the same cookie: they are now logged in as the first user. Removing the header first (`unset beresp.http.Set-Cookie;` to make pages cacheable) hides it from that check and stores the body that belonged to the session. verify asks the configuration about every personalized path and public page with a response that sets the session cookie (`Cache-Control: public, max-age=60`, so only the cookie stands in the way) and reports the statement that removed the cookie, or the `return(deliver)` reached without a pass, wherever the response is stored under a key other users read.',
    fix: 'Keep `if (beresp.http.Set-Cookie) { return(pass); }` near the top of `vcl_fetch`, before any `return(deliver)`. Remove Set-Cookie only inside a guard that keeps it to static files (`if (req.url.path ~ "^/static/") { unset beresp.http.Set-Cookie; }`), or remove cookies from those requests in `vcl_recv` so the origin never sets one there.',
    references: [
      'Fastly custom VCL boilerplate: https://www.fastly.com/documentation/guides/full-site-delivery/fastly-vcl/about-fastly-vcl/#custom-vcl',
      'Fastly blog, "Cache recipe for success": https://www.fastly.com/blog/cache-recipe-for-success',
      'RFC 9111 §7.3 (Set-Cookie and shared caches)',
      'research: config-semantics.md §1.1, CW-FY-03',
    ],
  },
  messages: {
    noPass:
      '{statement} delivers a response that sets a cookie ({urls}) into the cache: no `return(pass)` on Set-Cookie runs before it, so the next visitor receives the first one\'s session cookie',
    strippedBeforePass:
      '{statement} in {sub} removes Set-Cookie from {urls} before any pass check sees it: the body that came with the session cookie is stored under a key other users read',
  },
  examples: {
    bad: [
      {
        name: 'cookies removed from every response for the hit rate',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    # "Analytics cookies ruin the hit rate."
    unset beresp.http.Set-Cookie;
    if (beresp.http.Set-Cookie) {
        return(pass);
    }
    if (beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'strippedBeforePass', line: 9 }],
      },
      {
        name: 'a vcl_fetch without the Set-Cookie pass',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'noPass', line: 11 }],
      },
    ],
    good: [
      {
        name: 'cookies removed from static files only, the pass kept for everything else',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (req.url.path ~ "^/static/") {
        unset beresp.http.Set-Cookie;
    }
    if (beresp.http.Set-Cookie) {
        return(pass);
    }
    if (beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    return(deliver);
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
        const vcl = asVcl(model, 'fastly');
        if (!vcl) return;
        const hits = new Hits<{ messageId: 'noPass' | 'strippedBeforePass'; label: string; related: Provenance[] }>();
        for (const { url, variant } of targets(ctx.settings)) {
          const view = ask(ctx, vcl, url, variant, 'setCookie');
          for (const e of view.evaluations) {
            const d = deliveredAt(vcl, e);
            if (!d || !storedForOthers(view.verdict(e), identity)) continue;
            const removed = headerOf(e.response.headers, 'set-cookie') === undefined ? provenanceFor(e, 'response.set-cookie') : [];
            const culprits = removed.length > 0 ? removed.map((p) => ({ statement: p, label: quote(p), messageId: 'strippedBeforePass' as const })) : [{ ...d, messageId: 'noPass' as const }];
            for (const c of culprits) hits.add(c.statement, url, () => ({ messageId: c.messageId, label: c.label, related: e.provenance.filter((p) => p !== c.statement) }));
          }
        }
        reportHits(ctx, hits, ({ statement, urls, detail: d }) => ({
          messageId: d.messageId,
          data: { statement: d.label, sub: subName(vcl, statement.at), urls: urlList(urls) },
          related: d.related,
        }));
      },
    };
  },
});
