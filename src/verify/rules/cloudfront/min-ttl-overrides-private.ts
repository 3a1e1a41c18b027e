/**
 * Catalogue CW-AW-01: the behaviour that handles a personalized route has a cache policy with
 * MinTTL > 0 (the managed CachingOptimized has 1 s; legacy behaviours set MinTTL themselves).
 * CloudFront then caches for at least MinTTL even when the origin sends `private`, `no-store` or
 * `no-cache`. Asked with what the app should send (`private, no-store`); reported at the MinTTL
 * setting (the CachePolicyId of a managed policy), once per setting.
 */
import type { CloudFrontEvaluation } from '../../cloudfront/index.ts';
import { defineVerifyRule } from '../define.ts';
import { ask, cachedForOthers, identifiedExchanges, PRIVATE_NO_STORE, RouteFindings, withHeaders } from '../cloudflare/lib/exchanges.ts';
import { behaviourFor, credentialForwarded, isCloudFront, ttlSetting, where } from './lib/behaviours.ts';

const MIN_TTL = 'cloudfront/min-ttl-overrides-directives';

export default defineVerifyRule({
  id: 'verify/cloudfront/min-ttl-overrides-private',
  severity: 'critical',
  kinds: ['cloudfront'],
  catalogue: 'CW-AW-01',
  docs: {
    title: 'A cache policy with MinTTL > 0 on personalized routes',
    description:
      'CloudFront honours `private`, `no-store` and `no-cache` only when the cache policy\'s MinTTL is 0. With MinTTL above 0 it caches every response for at least that long, whatever the origin says; the managed CachingOptimized policy, the console\'s default, has MinTTL 1 s, and legacy behaviours set MinTTL directly. A personalized route that falls to such a behaviour (typically the default `*` behaviour, because nobody added one for `/account*`) has each user\'s page stored and served to whoever asks next, for up to a second with CachingOptimized and longer with custom policies. The rule asks the distribution which behaviour handles each personalized route requested with a session, and the semantics core whether a response marked `private, no-store` is still stored and shared because of MinTTL. Requests whose credential CloudFront does not forward are not counted: the origin cannot personalize them.',
    fix: 'Give personalized paths their own cache behaviours (`/account*`, `/api/me`) with the managed CachingDisabled policy (`4135ea2d-6df8-44a3-9df3-4b5a84be39ad`) and an origin request policy that forwards the session (AllViewerExceptHostHeader); or use a custom cache policy with MinTTL 0 where the origin decides.',
    references: [
      'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html',
      'research: config-semantics.md §1.5, CW-AW-01',
    ],
  },
  messages: {
    minTtl:
      '{behaviour}: {setting} ({where}) makes CloudFront cache personalized responses to requests with {credentials} for at least {min} s even when the origin sends private, no-store: other users receive them',
  },
  examples: {
    bad: [
      {
        name: 'account pages fall to the default behaviour with CachingOptimized',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
      "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    },
    "CacheBehaviors": { "Quantity": 0, "Items": [] }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'minTtl', line: 7 }],
      },
    ],
    good: [
      {
        name: 'account pages have their own behaviour with CachingDisabled',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"
    },
    "CacheBehaviors": {
      "Quantity": 1,
      "Items": [
        {
          "PathPattern": "/account*",
          "TargetOriginId": "app",
          "ViewerProtocolPolicy": "redirect-to-https",
          "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
          "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"
        }
      ]
    }
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
        if (!isCloudFront(model)) return;
        const xs = identifiedExchanges<CloudFrontEvaluation>(route, model, ctx);
        if (!xs) return;
        const found = new RouteFindings(ctx);
        for (const x of xs) {
          if (!cachedForOthers(x) || !credentialForwarded(x, ctx.settings)) continue;
          const v = ask(x.evaluation, withHeaders(route.response, PRIVATE_NO_STORE), ctx.settings);
          if (v.sharedAcrossIdentities.value === 'no' || !v.response.store.reasons.some((r) => r.rule === MIN_TTL)) continue;
          const b = behaviourFor(model, route.path);
          const setting = ttlSetting(b, 'MinTTL');
          found.add('minTtl', setting.at, x.variant, () => ({
            data: (credentials) => ({ behaviour: b.label, setting: setting.text, where: where(setting.at), min: b.cachePolicy.minTtl, credentials }),
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
