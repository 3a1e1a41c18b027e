/**
 * Catalogue CW-CF-02: a cache rule with `cache: true` ("Eligible for cache", which is Cache
 * Everything) or a page rule `cache_level: cache_everything` makes a personalized route cacheable,
 * and nothing bypasses the cache for requests that carry the session cookie or Authorization
 * (no later `cache: false` rule on them, no `bypass_cache_on_cookie`, no custom key with them).
 * Only the origin's headers then keep one user's page from the next. Reported at the setting that
 * makes the route eligible, naming the credentials that are not bypassed.
 */
import type { CloudflareEvaluation } from '../../cloudflare/index.ts';
import { defineVerifyRule } from '../define.ts';
import { cachedForOthers, identifiedExchanges, RouteFindings } from './lib/exchanges.ts';
import { eligibilitySetting, isCloudflare, ownerOf, settingText } from './lib/zone.ts';

const EVERYTHING = 'cloudflare/cache-everything';

export default defineVerifyRule({
  id: 'verify/cloudflare/cache-everything-no-session-bypass',
  severity: 'high',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-02',
  docs: {
    title: 'Cache Everything on personalized routes without a bypass for sessions',
    description:
      'At its default level Cloudflare caches only static file extensions, so HTML and JSON pages are never stored. A cache rule with `cache: true` ("Eligible for cache", which turns on Cache Everything) or a page rule `cache_level: cache_everything` lifts that for every URL it matches. Cloudflare\'s key has no cookies and no Authorization, so a request with a session is looked up under the same key as everybody else\'s. On a personalized route only the origin\'s headers then stand between one user\'s page and the next visitor: today they may say `private`, but a new endpoint without headers (which Cloudflare then keeps for its default 2 hours on a 200), a `no-cache` (stored and revalidated) or an Edge TTL rule added later is enough. The rule fires when a personalized route is eligible for cache for requests carrying the session cookie (`identity.cookies`) or a bearer token, and no cache rule bypasses them (`cache: false` on `http.cookie` / the Authorization header, matched after the eligible rule), no page rule `bypass_cache_on_cookie` matches, and no custom key contains the credential.',
    fix: 'Add a last cache rule that bypasses the cache for personalized paths and for identified requests: expression `(starts_with(http.request.uri.path, "/account") or http.cookie contains "<session>=" or any(http.request.headers["authorization"][*] ne ""))`, action parameters `{"cache": false}` (cache rules apply in order and a later rule wins); or keep Cache Everything off the paths that render per-user pages.',
    references: [
      'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#cache-eligibility',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/order/',
      'https://developers.cloudflare.com/cache/concepts/default-cache-behavior/',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/examples/bypass-cache-on-cookie/',
      'research: config-semantics.md §1.4, CW-CF-02',
    ],
  },
  messages: {
    notBypassed:
      '{owner}: {setting} makes personalized routes eligible for cache for requests with {credentials}: no rule bypasses the cache for them and the cache key does not contain them, so only the origin\'s headers keep one user\'s page from the next',
  },
  examples: {
    bad: [
      {
        name: 'a page rule caches everything on the site',
        kind: 'cloudflare',
        files: {
          'pagerules.json': `[
  {
    "targets": [{ "target": "url", "constraint": { "operator": "matches", "value": "*/*" } }],
    "actions": [
      { "id": "cache_level", "value": "cache_everything" }
    ],
    "priority": 1,
    "status": "active"
  }
]
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'notBypassed', line: 5 }],
      },
    ],
    good: [
      {
        name: 'the same page rule, bypassed for the session cookie; bearer requests bypassed by a cache rule',
        kind: 'cloudflare',
        files: {
          'pagerules.json': `[
  {
    "targets": [{ "target": "url", "constraint": { "operator": "matches", "value": "*/*" } }],
    "actions": [
      { "id": "cache_level", "value": "cache_everything" },
      { "id": "bypass_cache_on_cookie", "value": "sid=.*" }
    ],
    "priority": 1,
    "status": "active"
  }
]
`,
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Bypass bearer requests",
      "expression": "(any(http.request.headers[\\"authorization\\"][*] ne \\"\\"))",
      "action": "set_cache_settings",
      "action_parameters": { "cache": false }
    }
  ]
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
        if (!isCloudflare(model)) return;
        const xs = identifiedExchanges<CloudflareEvaluation>(route, model, ctx);
        if (!xs) return;
        const found = new RouteFindings(ctx);
        for (const x of xs) {
          if (!cachedForOthers(x) || x.verdict.request.action.reasons[0]?.rule !== EVERYTHING) continue;
          const setting = eligibilitySetting(x.evaluation);
          if (!setting) continue;
          found.add('notBypassed', setting.at, x.variant, () => ({
            data: (credentials) => ({ owner: ownerOf(model, setting.at), setting: settingText(setting), credentials }),
            related: x.evaluation.provenance,
            reasons: [...x.verdict.request.action.reasons, ...x.verdict.request.key.reasons],
            route: route.path,
          }));
        }
        found.flush();
      },
    };
  },
});
