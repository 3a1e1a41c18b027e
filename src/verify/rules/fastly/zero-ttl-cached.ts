/**
 * Catalogue CW-FY-02, the 2017 rule in VCL (scoped): Fastly stores a response with `no-cache` and
 * a past `Expires`, `max-age=0` or `s-maxage=0` as a TTL-0 object and hands it to every request
 * collapsed behind its fetch; a bare `no-cache` gets the fallback TTL. Only a `return(pass)` in
 * vcl_fetch prevents it. Asked on each personalized path with the session cookie and with a bearer
 * token, with those responses: where vcl_fetch lets one through and another user can receive it,
 * the `return(deliver)` (or the end of vcl_fetch, or the missing vcl_fetch) is reported.
 */
import type { Provenance, RouteEvaluation } from '../../types.ts';
import type { VclModel } from '../../vcl/index.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from '../varnish/lib/hits.ts';
import { ask, credentialName, identifiedVariants, probeList, type ProbeId } from '../varnish/lib/probes.ts';
import { asVcl, place, quote } from '../varnish/lib/vcl.ts';
import { deliveredAt, fastlyOptions, type Delivery } from './lib/fetch.ts';

const PROBED: readonly ProbeId[] = ['incident2017', 'maxAge0', 'noCache'];

/** Where the response got into the cache: vcl_fetch's deliver, or (no vcl_fetch at all) the request's handler. */
function culprit(vcl: VclModel, e: RouteEvaluation): Delivery | undefined {
  if (fastlyOptions(e).fetch) return deliveredAt(vcl, e);
  if (vcl.subs('vcl_fetch').length > 0) return undefined;
  const ret = provenanceFor(e, 'recv').at(-1);
  const statement = ret ?? { option: 'recv', at: e.handler.at, text: 'sub vcl_recv' };
  return { statement, label: `${ret ? `${quote(ret)} in vcl_recv` : `the end of \`sub vcl_recv\` (${place(e.handler.at)})`}, with no vcl_fetch to pass the response,` };
}

export default defineVerifyRule({
  id: 'verify/fastly/zero-ttl-cached',
  severity: 'critical',
  kinds: ['fastly'],
  catalogue: 'CW-FY-02',
  docs: {
    title: 'no-cache, max-age=0 or a past Expires cached on personalized routes (the 2017 rule)',
    description:
      'On Fastly, `Cache-Control: no-cache`, `max-age=0`, `s-maxage=0` and an `Expires` in the past are TTLs, not "do not store": the response is stored with TTL 0 and, through request collapsing, handed to every request that arrived while it was being fetched. A bare `no-cache` (no max-age, no Expires) is worse: the boilerplate gives it the fallback TTL, an hour by default. This is how a CDN switch in 2017 showed tens of thousands of users other people\'s account pages: the origin sent `no-cache` with a 1970 `Expires`, which the previous CDN never shared. verify requests each personalized path with the session cookie and with a bearer token, with each of those responses, and reports where `vcl_fetch` lets one into the cache so that another user can receive it.',
    fix: 'In `vcl_fetch`, before any `return(deliver)`: `if (beresp.ttl <= 0s || beresp.http.Cache-Control ~ "(?i)(no-cache|max-age=0|s-maxage=0)") { set beresp.ttl = 120s; return(pass); }` (a hit-for-pass marker instead of a shared TTL-0 object); better still, pass personalized requests in `vcl_recv` and have the origin send `Cache-Control: private, no-store`.',
    references: [
      'Fastly request collapsing guide: https://www.fastly.com/documentation/guides/concepts/edge-state/cache/request-collapsing/',
      'Fastly cache freshness (TTL sources): https://www.fastly.com/documentation/guides/concepts/edge-state/cache/cache-freshness/',
      'Mercari incident report, 2017-06-22: https://engineering.mercari.com/blog/entry/2017-06-22-204500/',
      'research: config-semantics.md §0 items 1–2, §1.1, CW-FY-02',
    ],
  },
  messages: {
    zeroTtlCached:
      '{statement} lets a response with {kinds} to {url} (asked with {credentials}) into the cache: Fastly stores it ({outcome}) and another user can receive it; no `return(pass)` on no-cache, max-age=0 or TTL ≤ 0 runs first',
  },
  examples: {
    bad: [
      {
        name: 'the boilerplate without a zero-TTL pass',
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
    if (!beresp.http.Expires && !beresp.http.Surrogate-Control ~ "max-age" && !beresp.http.Cache-Control ~ "(?:s-maxage|max-age)") {
        set beresp.ttl = 3600s;
    }
    return(deliver);
}
`,
        },
        personalized: ['/mypage*'],
        origin: { '/mypage*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
        expect: [{ messageId: 'zeroTtlCached', line: 17 }],
      },
    ],
    good: [
      {
        name: 'zero-TTL responses pass',
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
    if (beresp.ttl <= 0s || beresp.http.Cache-Control ~ "(?i)(no-cache|max-age=0|s-maxage=0)") {
        set beresp.ttl = 120s;
        return(pass);
    }
    return(deliver);
}
`,
        },
        personalized: ['/mypage*'],
        origin: { '/mypage*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        const vcl = asVcl(model, 'fastly');
        const variants = identifiedVariants(ctx.settings);
        if (!vcl || route.variant !== variants[0]) return;
        const hits = new Hits<{ label: string; probes: Set<ProbeId>; credentials: string[]; outcome: string; related: Provenance[] }>();
        for (const variant of variants) {
          for (const probe of PROBED) {
            const view = ask(ctx, vcl, route.path, variant, probe);
            for (const e of view.evaluations) {
              const v = view.verdict(e);
              if (v.sharedAcrossIdentities.value === 'no') continue;
              const c = culprit(vcl, e);
              if (!c) continue;
              const outcome = v.sharedAcrossIdentities.value === 'yes' ? `TTL ${v.response.ttl.value} s` : 'TTL 0, handed to collapsed requests';
              const d = hits.add(c.statement, route.path, () => ({ label: c.label, probes: new Set(), credentials: [], outcome, related: e.provenance.filter((p) => p !== c.statement) })).detail;
              d.probes.add(probe);
              const name = credentialName(variant, ctx.settings);
              if (!d.credentials.includes(name)) d.credentials.push(name);
            }
          }
        }
        reportHits(ctx, hits, ({ detail: d }) => ({
          messageId: 'zeroTtlCached',
          data: { statement: d.label, kinds: probeList(d.probes), url: route.path, credentials: d.credentials.join(' or '), outcome: d.outcome },
          related: d.related,
        }));
      },
    };
  },
});
