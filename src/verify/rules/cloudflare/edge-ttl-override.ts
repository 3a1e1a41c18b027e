/**
 * Catalogue CW-CF-01: an Edge TTL "override origin" (cache rule `edge_ttl.mode: override_origin`, a
 * status-code TTL, or a page rule `edge_cache_ttl`) in effect where a personalized route is looked
 * up for logged-in requests. It ignores Cache-Control altogether: the app's `private, no-store` no
 * longer keeps a personal page out of the cache, and Set-Cookie is stripped so the body is stored.
 * Reported at the edge TTL setting, once per setting, with every personalized route it covers.
 */
import { defineVerifyRule } from '../define.ts';
import { ask, cachedForOthers, identifiedExchanges, PRIVATE_NO_STORE, RouteFindings, withHeaders } from './lib/exchanges.ts';
import { isCloudflare, ownerOf, settingText } from './lib/zone.ts';
import { provenanceFor } from '../define.ts';
import type { CloudflareEvaluation } from '../../cloudflare/index.ts';

const OVERRIDE = 'cloudflare/edge-ttl-override-origin';

export default defineVerifyRule({
  id: 'verify/cloudflare/edge-ttl-override',
  severity: 'critical',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-01',
  docs: {
    title: 'Edge TTL "override origin" on personalized routes',
    description:
      'A cache rule whose Edge TTL is "Ignore cache-control header and use this TTL" (API `edge_ttl: {mode: "override_origin"}`), a status-code TTL that covers the response (`edge_ttl.status_code_ttl`), or a page rule `edge_cache_ttl` makes Cloudflare cache the response for that time whatever the origin says: `private`, `no-store` and `no-cache` are ignored, and a `Set-Cookie` is stripped from the stored copy while the body is cached. Where such a rule also makes a personalized route eligible for cache (Cache Everything or `cache: true`) and nothing bypasses requests that carry the session cookie or Authorization, the first user\'s page is served to everyone who asks for the URL during the TTL. The rule asks the zone what it does to each personalized route requested with a session, and the semantics core whether a response marked `private, no-store` is then stored and shared because of the override.',
    fix: 'Limit override rules to static files (`http.request.uri.path.extension in {"css" "js" "png"}` or a `/static/` prefix) and use `edge_ttl: {mode: "respect_origin"}` elsewhere; put a last cache rule that bypasses the cache (`cache: false`) for personalized paths and for requests that carry the session cookie or Authorization.',
    references: [
      'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#edge-ttl',
      'https://developers.cloudflare.com/cache/how-to/configure-cache-status-code/',
      'https://developers.cloudflare.com/cache/concepts/cache-behavior/',
      'research: config-semantics.md §1.4, CW-CF-01',
    ],
  },
  messages: {
    override:
      '{owner}: {setting} ignores the origin\'s Cache-Control where personalized routes are cached for requests with {credentials}: a page sent with private, no-store is {consequence}',
  },
  examples: {
    bad: [
      {
        name: 'every page cached for an hour, whatever the origin says',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Cache pages for an hour",
      "expression": "(not starts_with(http.request.uri.path, \\"/static/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "edge_ttl": { "mode": "override_origin", "default": 3600 }
      }
    }
  ]
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'override', line: 10 }],
      },
    ],
    good: [
      {
        name: 'the override only for static files; pages respect the origin and sessions bypass',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Static files for a day",
      "expression": "(http.request.uri.path.extension in {\\"css\\" \\"js\\" \\"png\\"})",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "edge_ttl": { "mode": "override_origin", "default": 86400 }
      }
    },
    {
      "description": "Pages follow the origin",
      "expression": "(not starts_with(http.request.uri.path, \\"/static/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "edge_ttl": { "mode": "respect_origin" }
      }
    },
    {
      "description": "Never cache sessions",
      "expression": "(http.cookie contains \\"sid=\\" or any(http.request.headers[\\"authorization\\"][*] ne \\"\\"))",
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
          if (!cachedForOthers(x)) continue;
          const setting = provenanceFor(x.evaluation, 'edgeTtl')[0];
          if (!setting) continue;
          const v = ask(x.evaluation, withHeaders(route.response, PRIVATE_NO_STORE), ctx.settings);
          const share = v.sharedAcrossIdentities.value;
          if (v.response.store.reasons[0]?.rule !== OVERRIDE || share === 'no') continue;
          const ttl = v.response.ttl.value;
          found.add('override', setting.at, x.variant, () => ({
            data: (credentials) => ({
              owner: ownerOf(model, setting.at),
              setting: settingText(setting),
              credentials,
              consequence: share === 'yes' ? `stored for ${ttl} s and served to other users` : 'stored with a TTL of 0 and handed to every request that arrives while it is fetched',
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
