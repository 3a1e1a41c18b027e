/**
 * Catalogue CW-CF-08 (needs a live probe): a personalized route is cacheable on the zone and the
 * origin protects it only with `no-cache`, `max-age=0` or `s-maxage=0`. With Origin Cache Control
 * on, Cloudflare documents that as "cache and always revalidate": the page is stored. Whether the
 * requests waiting on the cache lock while it is fetched receive it is not documented; the
 * semantics core assumes they do (unverified), which is the 2017 mechanism. Reported at the
 * setting that makes the route cacheable, with the declared origin header in the message.
 */
import type { CloudflareEvaluation } from '../../cloudflare/index.ts';
import { defineVerifyRule } from '../define.ts';
import { identifiedExchanges, RouteFindings } from './lib/exchanges.ts';
import { eligibleBy, isCloudflare } from './lib/zone.ts';

const REVALIDATE_COLLAPSE = 'cloudflare/collapse-revalidate-object';

export default defineVerifyRule({
  id: 'verify/cloudflare/revalidate-only-on-personalized',
  severity: 'high',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-08',
  docs: {
    title: 'Personalized routes cached on no-cache or max-age=0 ("cache and always revalidate")',
    description:
      'With Origin Cache Control on, Cloudflare reads `no-cache`, `max-age=0` and `s-maxage=0` as "cache and always revalidate": the response is stored and every later use is validated with the origin first. That is safe for later requests when the origin validates per user, but requests for the same URL that arrive while the page is being fetched wait on Cloudflare\'s cache lock, and what they receive when the locked response is such an object is not documented. If they get the stored page, this is the 2017 incident: an origin that protected personal pages with `no-cache` and a past Expires had them handed to concurrent visitors when it moved to a CDN that collapses requests. The rule reads the origin headers declared for each personalized route (`origin.headers`) and fires when they protect it only this way while the zone looks the route up for logged-in requests. Certainty: unverified until `cachewarden probe` (technique probe/concurrent-race) measures it; treat it as verify/origin/zero-ttl-is-not-private until then.',
    fix: 'Send `Cache-Control: private, no-store` on personal pages (Cloudflare then never stores them), and bypass the cache for personalized routes and for requests with a session (a last cache rule with `"cache": false`).',
    references: [
      'https://developers.cloudflare.com/cache/concepts/cache-control/',
      'https://developers.cloudflare.com/cache/concepts/revalidation/',
      'RFC 9111 §5.2.2.4 (no-cache)',
      'Mercari incident report, 2017-06-22',
      'research: config-semantics.md §1.4, §1.8, CW-CF-08',
    ],
  },
  messages: {
    revalidateOnly:
      '{by} makes personalized routes cacheable for requests with {credentials}, and the origin sends Cache-Control: {cacheControl} there ({declared}): Cloudflare stores the page and revalidates it on every use, and requests waiting on the cache lock may receive another user\'s page (unverified; confirm with cachewarden probe)',
  },
  examples: {
    bad: [
      {
        name: 'Cache Everything, and account pages marked no-cache only',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Cache pages",
      "expression": "(not starts_with(http.request.uri.path, \\"/static/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true
      }
    }
  ]
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
        expect: [{ messageId: 'revalidateOnly', line: 9 }],
      },
    ],
    good: [
      {
        name: 'the same rule, and account pages marked private, no-store',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Cache pages",
      "expression": "(not starts_with(http.request.uri.path, \\"/static/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true
      }
    }
  ]
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'private, no-store' } },
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        if (!isCloudflare(model) || !route.declared) return;
        const xs = identifiedExchanges<CloudflareEvaluation>(route, model, ctx);
        if (!xs) return;
        const found = new RouteFindings(ctx);
        for (const x of xs) {
          const v = x.verdict;
          if (v.sharedAcrossIdentities.value !== 'collapsing-only' || !v.response.collapse.reasons.some((r) => r.rule === REVALIDATE_COLLAPSE)) continue;
          const by = eligibleBy(model, x.evaluation);
          const cc = route.response.headers['cache-control'];
          found.add('revalidateOnly', by.at, x.variant, () => ({
            data: (credentials) => ({
              by: by.text,
              credentials,
              cacheControl: typeof cc === 'string' ? cc : String(cc),
              declared: `origin.headers "${route.glob}"`,
            }),
            related: x.evaluation.provenance,
            reasons: v.sharedAcrossIdentities.reasons,
            route: route.path,
          }));
        }
        found.flush();
      },
    };
  },
});
