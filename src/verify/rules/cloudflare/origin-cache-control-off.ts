/**
 * Catalogue CW-CF-03: a cache rule with `origin_cache_control: false` (Enterprise). With Origin
 * Cache Control off, responses to requests that carry Authorization may be cached, Set-Cookie is
 * stripped from default-cacheable files which are then cached, and `private="field"` no longer
 * means what it says. A structural check: reported at every enabled cache rule that sets it,
 * whatever it matches, with the semantics core's rules as the reasons.
 */
import { CLOUDFLARE_RULES } from '../../../semantics/cloudflare.ts';
import { stamp } from '../../../semantics/rules.ts';
import { defineVerifyRule } from '../define.ts';
import { isCloudflare } from './lib/zone.ts';

export default defineVerifyRule({
  id: 'verify/cloudflare/origin-cache-control-off',
  severity: 'high',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-03',
  docs: {
    title: 'Origin Cache Control switched off in a cache rule',
    description:
      'Origin Cache Control is how Cloudflare honours the origin\'s Cache-Control the way RFC 9111 describes it; Free, Pro and Business zones cannot turn it off, Enterprise zones can per cache rule (`"origin_cache_control": false`). With it off, Cloudflare\'s older rules apply: a response to a request that carries `Authorization` "may be cached" even without `public`, `s-maxage` or `must-revalidate`; a response with `Set-Cookie` on a default-cacheable file is cached with the cookie stripped; and `private="field"` no longer keeps the response private. Each of these lets a response made for one user reach others, so the setting is reported wherever it appears in an enabled rule.',
    fix: 'Remove `"origin_cache_control": false` from the cache rule (the default is on), and have the origin state what may be cached with `Cache-Control: public, max-age=…` or `s-maxage`; keep `private, no-store` on personal responses.',
    references: [
      'https://developers.cloudflare.com/cache/concepts/cache-control/',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#origin-cache-control-enterprise-only',
      'https://developers.cloudflare.com/cache/concepts/cache-behavior/',
      'research: config-semantics.md §1.4, CW-CF-03',
    ],
  },
  messages: {
    off: 'cache rule "{rule}": origin_cache_control: false ({where}) turns Origin Cache Control off for what the rule matches: responses to requests with Authorization may be cached, Set-Cookie is stripped from default-cacheable files which are then stored, and private="field" is no longer honoured',
  },
  examples: {
    bad: [
      {
        name: 'Origin Cache Control off for the API to raise the hit rate',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "API",
      "expression": "(starts_with(http.request.uri.path, \\"/api/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "origin_cache_control": false
      }
    }
  ]
}
`,
        },
        personalized: ['/api/me'],
        expect: [{ messageId: 'off', line: 10 }],
      },
    ],
    good: [
      {
        name: 'Origin Cache Control left on (a disabled rule with it off is not counted)',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "API",
      "expression": "(starts_with(http.request.uri.path, \\"/api/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "origin_cache_control": true
      }
    },
    {
      "description": "Old experiment",
      "expression": "(starts_with(http.request.uri.path, \\"/exp/\\"))",
      "action": "set_cache_settings",
      "action_parameters": { "origin_cache_control": false },
      "enabled": false
    }
  ]
}
`,
        },
        personalized: ['/api/me'],
      },
    ],
  },
  create(ctx) {
    return {
      config(model) {
        if (!isCloudflare(model)) return;
        for (const rule of model.cacheRules) {
          if (!rule.enabled || rule.action !== 'set_cache_settings' || rule.parameters.origin_cache_control !== false) continue;
          const at = rule.source.locate([...rule.path, 'action_parameters', 'origin_cache_control']);
          ctx.report({
            messageId: 'off',
            data: { rule: rule.label, where: `${at.file.split(/[\\/]/).pop()}:${at.line}` },
            at,
            reasons: [stamp(CLOUDFLARE_RULES.authorizationOccOff), stamp(CLOUDFLARE_RULES.setCookieStripOccOff)],
          });
        }
      },
    };
  },
});
