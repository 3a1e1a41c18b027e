/**
 * Catalogue CW-AK-01: the `caching` behaviour in effect on a personalized route gives it a lifetime
 * of its own: `MAX_AGE` with a `ttl` above 0 (a fixed TTL, whatever the origin sends), or an
 * honour-origin mode with a `defaultTtl` above 0 (the TTL of responses without Cache-Control or
 * Expires). Asked with what the app should send (`private, no-store`) for MAX_AGE and with no cache
 * headers for the default TTL; reported at the `ttl` / `defaultTtl` option, once per option.
 */
import type { AkamaiEvaluation } from '../../akamai/index.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { ask, cachedForOthers, identifiedExchanges, PRIVATE_NO_STORE, RouteFindings, withHeaders, withoutCacheHeaders } from '../cloudflare/lib/exchanges.ts';
import { isAkamai, where } from './lib/property.ts';

const MAX_AGE = 'akamai/max-age-behavior';
const DEFAULT_TTL = 'akamai/ttl-default';

export default defineVerifyRule({
  id: 'verify/akamai/fixed-ttl-on-dynamic',
  severity: 'critical',
  kinds: ['akamai'],
  catalogue: 'CW-AK-01',
  docs: {
    title: 'A fixed or default TTL from the caching behaviour on personalized routes',
    description:
      'Akamai\'s `caching` behaviour decides how long the edge keeps a response. `behavior: MAX_AGE` (the UI\'s "Cache" with a TTL) caches for `ttl` whatever the origin sends, `private` and `no-store` included: a rule that caches "pages for an hour to protect the origin" and matches personalized paths serves each user\'s page to everyone for an hour. The honour-origin modes (`CACHE_CONTROL`, `CACHE_CONTROL_AND_EXPIRES`, `EXPIRES`) follow the origin\'s headers but give responses without any a `defaultTtl`: above 0, a personal page the origin sends without cache headers is stored for that long. The rule asks the property which `caching` behaviour applies to each personalized route requested with a session (the last matching rule\'s behaviour wins), and the semantics core whether a response marked `private, no-store` (MAX_AGE), or one without cache headers (default TTL), is then stored and served to others.',
    fix: 'Add a rule for personalized paths (and, as a criterion, requests that carry the session cookie) with `caching: {behavior: "BYPASS_CACHE"}` (or `NO_STORE`), placed after the rules that cache pages; keep MAX_AGE for static content, and use `CACHE_CONTROL_AND_EXPIRES` with `defaultTtl: "0s"` and `honorPrivate: true` for dynamic pages.',
    references: [
      'https://techdocs.akamai.com/property-mgr/reference/latest-caching',
      'https://techdocs.akamai.com/property-mgr/docs/caching-2',
      'https://techdocs.akamai.com/property-mgr/reference/rule-trees',
      'research: config-semantics.md §1.6, CW-AK-01',
    ],
  },
  messages: {
    maxAge:
      '{rule}: caching.behavior MAX_AGE with {setting} ({where}) caches personalized routes requested with {credentials} for {ttl} s whatever the origin sends: a page marked private, no-store is served to other users',
    defaultTtl:
      '{rule}: {setting} ({where}) gives personalized responses without Cache-Control or Expires a TTL of {ttl} s: a page the origin sends without cache headers to requests with {credentials} is served to other users',
  },
  examples: {
    bad: [
      {
        name: 'pages cached for an hour to protect the origin',
        kind: 'akamai',
        files: {
          'rules.json': `{
  "rules": {
    "name": "default",
    "behaviors": [
      { "name": "origin", "options": { "hostname": "origin.shop.example" } }
    ],
    "children": [
      {
        "name": "Dynamic pages",
        "criteria": [
          { "name": "path", "options": { "matchOperator": "MATCHES_ONE_OF", "values": ["/*"] } }
        ],
        "behaviors": [
          {
            "name": "caching",
            "options": {
              "behavior": "MAX_AGE",
              "ttl": "1h"
            }
          }
        ],
        "children": []
      }
    ]
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'maxAge', line: 18 }],
      },
      {
        name: 'the origin is honoured, but headerless responses are kept for ten minutes',
        kind: 'akamai',
        files: {
          'rules.json': `{
  "rules": {
    "name": "default",
    "behaviors": [
      { "name": "origin", "options": { "hostname": "origin.shop.example" } },
      {
        "name": "caching",
        "options": {
          "behavior": "CACHE_CONTROL_AND_EXPIRES",
          "defaultTtl": "10m",
          "honorPrivate": true
        }
      }
    ],
    "children": []
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'defaultTtl', line: 10 }],
      },
    ],
    good: [
      {
        name: 'pages follow the origin with no default TTL; personalized paths bypass',
        kind: 'akamai',
        files: {
          'rules.json': `{
  "rules": {
    "name": "default",
    "behaviors": [
      { "name": "origin", "options": { "hostname": "origin.shop.example" } },
      {
        "name": "caching",
        "options": { "behavior": "CACHE_CONTROL_AND_EXPIRES", "defaultTtl": "0s", "honorPrivate": true }
      }
    ],
    "children": [
      {
        "name": "Static content",
        "criteria": [
          { "name": "fileExtension", "options": { "matchOperator": "IS_ONE_OF", "values": ["css", "js", "png"] } }
        ],
        "behaviors": [
          { "name": "caching", "options": { "behavior": "MAX_AGE", "ttl": "7d" } }
        ],
        "children": []
      },
      {
        "name": "Personalized",
        "criteria": [
          { "name": "path", "options": { "matchOperator": "MATCHES_ONE_OF", "values": ["/account*"] } }
        ],
        "behaviors": [
          { "name": "caching", "options": { "behavior": "BYPASS_CACHE" } }
        ],
        "children": []
      }
    ]
  }
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
        if (!isAkamai(model)) return;
        const xs = identifiedExchanges<AkamaiEvaluation>(route, model, ctx);
        if (!xs) return;
        const found = new RouteFindings(ctx);
        for (const x of xs) {
          if (!cachedForOthers(x)) continue;
          const e = x.evaluation;
          const maxAge = e.profile.options.behavior === 'MAX_AGE';
          const v = maxAge ? ask(e, withHeaders(route.response, PRIVATE_NO_STORE), ctx.settings) : ask(e, withoutCacheHeaders(route.response), ctx.settings);
          const ttl = v.response.ttl.value;
          const decisive = v.response.ttl.reasons.some((r) => r.rule === (maxAge ? MAX_AGE : DEFAULT_TTL));
          if (v.sharedAcrossIdentities.value !== 'yes' || ttl <= 0 || !decisive) continue;
          const setting = provenanceFor(e, maxAge ? 'ttl' : 'defaultTtl')[0];
          if (!setting) continue;
          found.add(maxAge ? 'maxAge' : 'defaultTtl', setting.at, x.variant, () => ({
            data: (credentials) => ({ rule: e.handler.label, setting: setting.text, where: where(setting.at), ttl, credentials }),
            related: e.provenance,
            reasons: v.sharedAcrossIdentities.reasons,
            route: route.path,
          }));
        }
        found.flush();
      },
    };
  },
});
