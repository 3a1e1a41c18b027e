/**
 * Catalogue CW-FY-08 (scoped): a personalized route whose response carries no freshness headers
 * (as declared, or the worst realistic origin when nothing is declared) gets Fastly's fallback TTL
 * — the boilerplate's `set beresp.ttl = 3600s;` under its "no Expires, no max-age" test, or the
 * service's general.default_ttl without a vcl_fetch — and is stored under a key other users read.
 * Reported at the fallback statement (or the request's handler when there is no vcl_fetch).
 */
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from '../varnish/lib/hits.ts';
import { ask, credentialName, identifiedVariants, storedForOthers } from '../varnish/lib/probes.ts';
import { asVcl, place, quote } from '../varnish/lib/vcl.ts';

export default defineVerifyRule({
  id: 'verify/fastly/fallback-ttl',
  severity: 'medium',
  kinds: ['fastly'],
  catalogue: 'CW-FY-08',
  docs: {
    title: 'The fallback TTL caches personalized responses that carry no freshness headers',
    description:
      'When a response has no `Surrogate-Control: max-age`, `s-maxage`, `max-age` or `Expires`, the Fastly boilerplate sets `beresp.ttl` to the service\'s fallback TTL (`general.default_ttl`, 3600 s unless changed): dynamic pages and API responses that forgot their headers are cached for an hour. On a personalized route that is looked up with the session, that is one user\'s page served to others for the whole TTL. verify requests each personalized path with the session cookie and with a bearer token, with the origin response declared in `origin.headers` (or, without a declaration, one with no cache headers at all), and reports the fallback statement when it gives the response its TTL and the response is stored under a key other users read. Medium: it needs an origin response without freshness headers; declaring the route\'s real headers settles it.',
    fix: 'Make the fallback 0 for dynamic content (`set beresp.ttl = 0s; return(pass);` under the no-freshness test, or `general.default_ttl = 0` with explicit `Surrogate-Control: max-age` on cacheable routes), and pass personalized requests in `vcl_recv`.',
    references: [
      'Fastly: controlling caching (fallback TTL): https://docs.fastly.com/en/guides/controlling-caching',
      'Fastly cache freshness: https://www.fastly.com/documentation/guides/concepts/edge-state/cache/cache-freshness/',
      'research: config-semantics.md §1.1, CW-FY-08',
    ],
  },
  messages: {
    fallback:
      '{statement} gives {url} a TTL of {ttl} s because the response {headers}: requested with {credentials}, it is stored under a key other users read',
  },
  examples: {
    bad: [
      {
        name: 'the boilerplate fallback on a looked-up API',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    if (!beresp.http.Expires && !beresp.http.Surrogate-Control ~ "max-age" && !beresp.http.Cache-Control ~ "(?:s-maxage|max-age)") {
        set beresp.ttl = 3600s;
    }
    return(deliver);
}
`,
        },
        personalized: ['/api/me*'],
        expect: [{ messageId: 'fallback', line: 12 }],
      },
    ],
    good: [
      {
        name: 'responses without freshness headers pass',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    if (!beresp.http.Expires && !beresp.http.Surrogate-Control ~ "max-age" && !beresp.http.Cache-Control ~ "(?:s-maxage|max-age)") {
        set beresp.ttl = 0s;
        return(pass);
    }
    return(deliver);
}
`,
        },
        personalized: ['/api/me*'],
      },
    ],
  },
  create(ctx) {
    const identity = ctx.settings.identity;
    return {
      route(route, model) {
        const vcl = asVcl(model, 'fastly');
        const variants = identifiedVariants(ctx.settings);
        if (!vcl || route.variant !== variants[0]) return;
        const fallback = vcl.fastlyFallback;
        const hits = new Hits<{ label: string; ttl: number; credentials: string[]; related: Provenance[] }>();
        for (const variant of variants) {
          const view = variant === route.variant ? route : ask(ctx, vcl, route.path, variant);
          for (const e of view.evaluations) {
            const v = view.verdict(e);
            if (!storedForOthers(v, identity)) continue;
            let statement: Provenance | undefined;
            let label = '';
            if (fallback) {
              statement = provenanceFor(e, 'fetch.ttl').find((p) => p.at.line === fallback.stmt.at.line && p.at.file === fallback.stmt.at.file);
              if (statement) label = quote(statement);
            } else if (vcl.subs('vcl_fetch').length === 0 && v.response.ttl.reasons.some((r) => r.rule === 'fastly/ttl-fallback')) {
              statement = { option: 'defaultTtl', at: e.handler.at, text: e.handler.label };
              label = `The service's fallback TTL (no vcl_fetch; ${e.handler.label} at ${place(e.handler.at)})`;
            }
            if (!statement) continue;
            const found = statement;
            const d = hits.add(found, route.path, () => ({ label, ttl: v.response.ttl.value, credentials: [], related: e.provenance.filter((p) => p !== found) })).detail;
            const name = credentialName(variant, ctx.settings);
            if (!d.credentials.includes(name)) d.credentials.push(name);
          }
        }
        const headers = route.declared ? 'is declared without Expires, Surrogate-Control max-age, s-maxage or max-age' : 'has no cache headers (nothing is declared for it in origin.headers)';
        reportHits(ctx, hits, ({ detail: d }) => ({
          messageId: 'fallback',
          data: { statement: d.label, url: route.path, ttl: d.ttl, headers, credentials: d.credentials.join(' or ') },
          related: d.related,
        }));
      },
    };
  },
});
