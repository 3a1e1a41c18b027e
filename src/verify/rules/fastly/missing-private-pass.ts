/**
 * Catalogue CW-FY-01: Fastly decides cacheability from the status code only; `Cache-Control:
 * private` and `no-store` keep a response out of the cache only through a `return(pass)` in
 * vcl_fetch (the boilerplate's). Asked with synthetic private and no-store responses on every
 * personalized path and public page: where the user's vcl_fetch delivers one into the cache under
 * a key other users read, the `return(deliver)` it reached (or the end of vcl_fetch) is reported.
 */
import type { Provenance } from '../../types.ts';
import { defineVerifyRule } from '../define.ts';
import { Hits, reportHits } from '../varnish/lib/hits.ts';
import { ask, probeList, storedForOthers, targets, urlList, type ProbeId } from '../varnish/lib/probes.ts';
import { asVcl } from '../varnish/lib/vcl.ts';
import { deliveredAt } from './lib/fetch.ts';

const PROBED: readonly ProbeId[] = ['private', 'noStore'];

export default defineVerifyRule({
  id: 'verify/fastly/missing-private-pass',
  severity: 'critical',
  kinds: ['fastly'],
  catalogue: 'CW-FY-01',
  docs: {
    title: 'vcl_fetch stores responses marked private or no-store',
    description:
      'Fastly does not read `private` or `no-store`: whether a response is cacheable depends on its status code alone (200, 203, 300, 301, 302, 404, 410). The recommended VCL boilerplate therefore has `if (beresp.http.Cache-Control ~ "(?:private|no-store)") { return(pass); }` in `vcl_fetch`, and the comment above it says why. Custom VCL written without that line, copied from the 2015 template (which tests only `private`), or with a `return(deliver)` placed before it, stores a page the origin marked private and serves it to everyone. verify asks the configuration about every personalized path and public page with a `Cache-Control: private` and a `Cache-Control: no-store` response, and reports the `return(deliver)` (or the end of `vcl_fetch`) that let one into the cache under a key other users read.',
    fix: 'Put the boilerplate check at the top of `vcl_fetch`, before any `return(deliver)`: `if (beresp.http.Cache-Control ~ "(?i)(private|no-store)") { return(pass); }`. Keep it above cache-setting and TTL overrides too.',
    references: [
      'Fastly: beresp.cacheable (status codes): https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-cacheable/',
      'Fastly custom VCL boilerplate: https://www.fastly.com/documentation/guides/full-site-delivery/fastly-vcl/about-fastly-vcl/#custom-vcl',
      'research: config-semantics.md §1.1, CW-FY-01',
    ],
  },
  messages: {
    noPass:
      '{statement} delivers a response with {kinds} to {urls} into the cache: no `return(pass)` on Cache-Control private/no-store runs before it (Fastly itself ignores both), so it is stored under a key other users read',
  },
  examples: {
    bad: [
      {
        name: 'a custom vcl_fetch that only sets TTLs',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.Set-Cookie) {
        return(pass);
    }
    if (req.url.ext ~ "^(css|js|png)$") {
        set beresp.ttl = 1d;
    }
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'noPass', line: 14 }],
      },
    ],
    good: [
      {
        name: 'the boilerplate check before any deliver',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
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
        const hits = new Hits<{ label: string; probes: Set<ProbeId>; related: Provenance[] }>();
        for (const { url, variant } of targets(ctx.settings)) {
          for (const probe of PROBED) {
            const view = ask(ctx, vcl, url, variant, probe);
            for (const e of view.evaluations) {
              const d = deliveredAt(vcl, e);
              if (!d || !storedForOthers(view.verdict(e), identity)) continue;
              hits.add(d.statement, url, () => ({ label: d.label, probes: new Set(), related: e.provenance.filter((p) => p !== d.statement) })).detail.probes.add(probe);
            }
          }
        }
        reportHits(ctx, hits, ({ urls, detail }) => ({
          messageId: 'noPass',
          data: { statement: detail.label, kinds: probeList(detail.probes), urls: urlList(urls) },
          related: detail.related,
        }));
      },
    };
  },
});
