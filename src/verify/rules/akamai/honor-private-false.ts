/**
 * Catalogue CW-AK-02: a `caching` behaviour in an honour-origin mode (`CACHE_CONTROL`,
 * `CACHE_CONTROL_AND_EXPIRES`) with `honorPrivate` false or left out. The edge then stores responses
 * the origin marks `Cache-Control: private` and serves them to others, for their max-age or the
 * default TTL. A structural check over every caching behaviour of the tree, confirmed with the
 * semantics core; reported at `honorPrivate` (or at the behaviour when the option is missing).
 */
import { explain } from '../../../semantics/index.ts';
import type { AkamaiOptions } from '../../../semantics/types.ts';
import { requestFor } from '../../routes.ts';
import { defineVerifyRule } from '../define.ts';
import { behavioursNamed, isAkamai, optionAt, where } from './lib/property.ts';

const HONOUR_MODES = ['CACHE_CONTROL', 'CACHE_CONTROL_AND_EXPIRES'];

export default defineVerifyRule({
  id: 'verify/akamai/honor-private-false',
  severity: 'high',
  kinds: ['akamai'],
  catalogue: 'CW-AK-02',
  docs: {
    title: 'A caching behaviour that honours the origin but not Cache-Control: private',
    description:
      'In its honour-origin modes (`CACHE_CONTROL`, `CACHE_CONTROL_AND_EXPIRES`) Akamai\'s `caching` behaviour takes the TTL from the origin\'s `Cache-Control` and `Expires`, but `private` is honoured only when `honorPrivate` is true. With it false, as rule trees exported from Property Manager commonly show, a response marked `Cache-Control: private, max-age=300` is stored at the edge for 300 s and served to everyone who asks: the one directive an application uses to say "this page is for one user" is ignored. Left out, verify assumes false (the default per rule format is unverified). The rule checks every `caching` behaviour in the tree, whatever its rule matches, and confirms with the semantics core that a `private` response is shared under it.',
    fix: 'Set `"honorPrivate": true` (and `"honorMustRevalidate": true`) on every `caching` behaviour in a `CACHE_CONTROL` or `CACHE_CONTROL_AND_EXPIRES` mode, and bypass the cache for personalized paths and requests with a session (`caching: {behavior: "BYPASS_CACHE"}`).',
    references: [
      'https://techdocs.akamai.com/property-mgr/reference/latest-caching',
      'https://techdocs.akamai.com/property-mgr/docs/caching-2',
      'RFC 9111 §5.2.2.7 (private)',
      'research: config-semantics.md §1.6, CW-AK-02',
    ],
  },
  messages: {
    privateIgnored:
      'rule "{rule}": caching {behavior} with honorPrivate {value} ({where}) stores responses marked Cache-Control: private and serves them to other users; set honorPrivate: true',
  },
  examples: {
    bad: [
      {
        name: 'the default rule honours Cache-Control but not private',
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
          "defaultTtl": "0s",
          "honorPrivate": false,
          "honorMustRevalidate": false
        }
      }
    ],
    "children": []
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'privateIgnored', line: 11 }],
      },
    ],
    good: [
      {
        name: 'private honoured; a fixed TTL only for static content',
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
          "defaultTtl": "0s",
          "honorPrivate": true,
          "honorMustRevalidate": true
        }
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
      config(model) {
        if (!isAkamai(model)) return;
        for (const { rule, behavior } of behavioursNamed(model, 'caching')) {
          const mode = behavior.options.behavior;
          if (typeof mode !== 'string' || !HONOUR_MODES.includes(mode) || behavior.options.honorPrivate === true) continue;
          // Ask the core what this behaviour does to a private response with a lifetime.
          const options: AkamaiOptions = { behavior: mode as AkamaiOptions['behavior'], honorPrivate: false };
          const request = requestFor('/cw-sample', 'cookie', ctx.settings);
          const v = explain(request, { status: 200, headers: { 'cache-control': 'private, max-age=300' } }, { id: 'akamai', options, identity: ctx.settings.identity });
          if (v.sharedAcrossIdentities.value !== 'yes') continue;
          const at = optionAt(model, behavior, 'honorPrivate');
          ctx.report({
            messageId: 'privateIgnored',
            data: { rule: rule.name, behavior: mode, value: 'honorPrivate' in behavior.options ? String(behavior.options.honorPrivate) : 'left out (taken as false)', where: where(at) },
            at,
            reasons: v.response.store.reasons,
          });
        }
      },
    };
  },
});
