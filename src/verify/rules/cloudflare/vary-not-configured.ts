/**
 * Catalogue CW-CF-06: the origin relies on `Vary: Cookie` (or Authorization, or another identity
 * header) to keep users apart on a personalized route, but no cache rule `vary` setting applies
 * there, so Cloudflare ignores that Vary (it honours only Accept-Encoding by default) and the first
 * user's page is stored once under the URL. Asked with the origin headers declared for the route
 * (`origin.headers`); reported at the setting that makes the route cacheable, where the `vary`
 * object belongs.
 */
import type { CloudflareEvaluation } from '../../cloudflare/index.ts';
import { defineVerifyRule } from '../define.ts';
import { ask, cachedForOthers, identifiedExchanges, RouteFindings } from './lib/exchanges.ts';
import { eligibleBy, isCloudflare, varyFor } from './lib/zone.ts';

const IGNORED = 'cloudflare/vary-ignored';

export default defineVerifyRule({
  id: 'verify/cloudflare/vary-not-configured',
  severity: 'high',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-06',
  docs: {
    title: 'The origin relies on Vary: Cookie, but no cache rule vary setting applies',
    description:
      'Some applications let a shared cache keep personal pages and rely on `Vary: Cookie` (or `Vary: Authorization`) to keep one copy per user. Cloudflare ignores Vary except `Accept-Encoding` unless a cache rule carries a `vary` setting that says what to do with each header the origin names: `normalize` or `passthrough` (the header value selects the stored variant) or `bypass` (such a response is not stored). Without it, a page sent with `Cache-Control: public, max-age=60` and `Vary: Cookie` is stored once under the URL and served to everyone. The rule reads the origin headers declared for each personalized route (`origin.headers` in cachewarden.yaml), and fires when they vary on the session cookie or another identity header while the route is cached for logged-in requests and the semantics core says the Vary is ignored. Without a declaration there is nothing to check: the rule stays silent.',
    fix: 'Bypass the cache for personalized routes and for requests with a session (a last cache rule with `"cache": false`). If the pages must be cached per user, add a `vary` object to the cache rule that makes them eligible, mapping the identity headers to `bypass` (or to `passthrough`, one copy per cookie value): `"vary": {"default": {"action": "bypass"}, "headers": {"accept-language": {"action": "normalize"}}}`.',
    references: [
      'https://developers.cloudflare.com/cache/concepts/vary/',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#vary',
      'RFC 9111 §4.1 (Vary)',
      'research: config-semantics.md §1.4, CW-CF-06',
    ],
  },
  messages: {
    ignored:
      '{by} caches personalized routes for requests with {credentials}, and the origin relies on {vary} ({declared}) to keep users apart, but no cache rule vary setting applies: Cloudflare ignores that Vary and serves the first user\'s page to everyone',
  },
  examples: {
    bad: [
      {
        name: 'account pages cached for a minute with Vary: Cookie',
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
        "cache": true,
        "edge_ttl": { "mode": "respect_origin" }
      }
    }
  ]
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'public, max-age=60', Vary: 'Accept-Encoding, Cookie' } },
        expect: [{ messageId: 'ignored', line: 9 }],
      },
    ],
    good: [
      {
        name: 'the same rule with a vary setting that bypasses any other header',
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
        "cache": true,
        "edge_ttl": { "mode": "respect_origin" },
        "vary": {
          "default": { "action": "bypass" },
          "headers": { "accept-language": { "action": "normalize" } }
        }
      }
    }
  ]
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'public, max-age=60', Vary: 'Accept-Encoding, Cookie' } },
      },
    ],
  },
  create(ctx) {
    const identity = (field: string): boolean =>
      field === 'cookie' || (ctx.settings.identity.headers ?? []).some((h) => h.toLowerCase() === field);
    return {
      route(route, model) {
        if (!isCloudflare(model) || !route.declared) return;
        const vary = typeof route.response.headers.vary === 'string' ? route.response.headers.vary : '';
        const fields = vary.split(',').map((f) => f.trim().toLowerCase()).filter(identity);
        if (fields.length === 0) return;
        const xs = identifiedExchanges<CloudflareEvaluation>(route, model, ctx);
        if (!xs) return;
        const found = new RouteFindings(ctx);
        for (const x of xs) {
          // The Vary that should keep this variant apart: Cookie for the session cookie, the identity header for bearer requests.
          const relied = fields.filter((f) => (x.variant === 'cookie') === (f === 'cookie'));
          if (relied.length === 0 || !cachedForOthers(x)) continue;
          const option = varyFor(x.evaluation, model);
          const v = option ? ask(x.evaluation, x.evaluation.response, ctx.settings, { vary: option }) : x.verdict;
          if (v.sharedAcrossIdentities.value !== 'yes' || !v.response.varyOn.reasons.some((r) => r.rule === IGNORED)) continue;
          const by = eligibleBy(model, x.evaluation);
          const cc = route.response.headers['cache-control'];
          found.add('ignored', by.at, x.variant, () => ({
            data: (credentials) => ({
              by: by.text,
              credentials,
              vary: `Vary: ${relied.map((f) => f.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())).join(', ')}`,
              declared: `origin.headers "${route.glob}": Cache-Control ${typeof cc === 'string' ? cc : '(none)'}`,
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
