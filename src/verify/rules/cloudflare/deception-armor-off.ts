/**
 * Catalogue CW-CF-04: Cache Deception Armor is off where deception URLs of personalized paths
 * (`/account/cw.css`, `/account;cw.css`, …) are cached, or it cannot help because an Edge TTL
 * override skips the check. Asked of the zone with the deception URLs of each personalized path,
 * requested with a session; the semantics core says whether turning the armor on would stop the
 * private page (HTML under a `.css` URL) from being stored. Reported at the setting to change: the
 * rule that makes the URL eligible (armor off) or the Edge TTL override (armor defeated).
 */
import type { CloudflareEvaluation } from '../../cloudflare/index.ts';
import { deceptionUrls } from '../../routes.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { ask, identifiedVariants } from './lib/exchanges.ts';
import { eligibleBy, isCloudflare, ownerOf, settingText } from './lib/zone.ts';

const OVERRIDE = 'cloudflare/edge-ttl-override-origin';

export default defineVerifyRule({
  id: 'verify/cloudflare/deception-armor-off',
  severity: 'medium',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-04',
  docs: {
    title: 'Cache Deception Armor off (or defeated) where deception URLs are cached',
    description:
      'Many frameworks answer `/account/anything.css` with the `/account` page. Cloudflare caches `.css`, `.js`, `.png` and the other static extensions by default, and Cache Everything caches every URL, so a victim lured to such a URL leaves their page in the cache for the attacker (web cache deception). Cache Deception Armor (cache rule `cache_key.cache_deception_armor: true`) refuses to cache a response whose Content-Type does not match the URL\'s extension. verify asks the zone about the deception URLs of every personalized path (`<path>/cw.css`, `.js`, `.png`, `<path>;cw.css`, `<path>%2Fcw.css`) requested with a session, with the private page (HTML) as the answer. When the page would be stored and turning the armor on would stop it, the armor is reported off at the rule that makes the URL cacheable; when an Edge TTL override stores it anyway (the override skips the armor\'s check), the override is reported as defeating it. Medium: it needs a lenient origin, and verify/route/deception reports the leak itself.',
    fix: 'Turn on Cache Deception Armor in the cache rule that makes these URLs eligible (`"cache_key": {"cache_deception_armor": true}`), cache static files by a `/static/` prefix rather than by extension, keep Edge TTL overrides off paths the application routes, and have the application answer unknown trailing segments with 404.',
    references: [
      'https://developers.cloudflare.com/cache/cache-security/cache-deception-armor/',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#cache-key',
      'https://developers.cloudflare.com/cache/concepts/default-cache-behavior/',
      'Omer Gil, Web Cache Deception Attack (2017)',
      'research: config-semantics.md §1.4, CW-CF-04',
    ],
  },
  messages: {
    armorOff:
      '{url} is cached ({by}) with Cache Deception Armor off: a lenient origin answers it with the private page of {route}, which Cloudflare stores and serves to the attacker; cache_key.cache_deception_armor: true would refuse it',
    armorDefeated:
      '{url} is cached by {owner}: {setting} overrides the origin\'s headers, which skips the Cache Deception Armor check, so the private page of {route} served under it is stored for {ttl} s',
  },
  examples: {
    bad: [
      {
        name: 'no cache rules: .css URLs are cached by default, without the armor',
        kind: 'cloudflare',
        files: {
          'settings.json': `[
  { "id": "cache_level", "value": "aggressive" },
  { "id": "browser_cache_ttl", "value": 14400 }
]
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'armorOff', line: 1 }],
      },
      {
        name: 'the armor is on, but an Edge TTL override on static files skips it',
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
        "edge_ttl": { "mode": "override_origin", "default": 86400 },
        "cache_key": { "cache_deception_armor": true }
      }
    }
  ]
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'armorDefeated', line: 10 }],
      },
    ],
    good: [
      {
        name: 'static files cached with the armor and the origin\'s TTL',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Static files",
      "expression": "(http.request.uri.path.extension in {\\"css\\" \\"js\\" \\"png\\"})",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "edge_ttl": { "mode": "respect_origin" },
        "cache_key": { "cache_deception_armor": true }
      }
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
        if (!isCloudflare(model) || route.variant !== identifiedVariants(ctx.settings)[0]) return;
        for (const url of deceptionUrls(route.path)) {
          const view = route.evaluateUrl(url);
          for (const e of view.evaluations as readonly CloudflareEvaluation[]) {
            const v = view.verdict(e);
            if (v.request.action.value !== 'lookup' || v.request.key.value.includesIdentity || v.sharedAcrossIdentities.value === 'no') continue;
            const armored = e.profile.options.cacheDeceptionArmor === true ? v : ask(e, e.response, ctx.settings, { cacheDeceptionArmor: true });
            if (armored.sharedAcrossIdentities.value === 'no') {
              const by = eligibleBy(model, e);
              ctx.report({
                messageId: 'armorOff',
                data: { url, route: route.path, by: by.text },
                at: by.at,
                related: e.provenance,
                route: route.path,
                reasons: armored.response.store.reasons,
              });
              return;
            }
            const override = provenanceFor(e, 'edgeTtl')[0];
            if (override && armored.response.store.reasons[0]?.rule === OVERRIDE) {
              ctx.report({
                messageId: 'armorDefeated',
                data: { url, route: route.path, owner: ownerOf(model, override.at), setting: settingText(override), ttl: armored.response.ttl.value },
                at: override.at,
                related: e.provenance,
                route: route.path,
                reasons: armored.response.store.reasons,
              });
              return;
            }
          }
        }
      },
    };
  },
});
