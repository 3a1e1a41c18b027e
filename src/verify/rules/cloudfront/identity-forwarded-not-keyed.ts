/**
 * Catalogue CW-AW-02: a behaviour that caches (any TTL above 0) has an origin request policy that
 * forwards the session cookie (or all cookies, or another identity header) to the origin while its
 * cache policy does not key on it. The origin can then personalize a response that CloudFront
 * stores under a key every user shares. A structural check over every behaviour, asked through the
 * distribution with a request that carries each credential on a path the behaviour handles;
 * reported at the behaviour's OriginRequestPolicyId.
 */
import type { Reason } from '../../../semantics/types.ts';
import type { CloudFrontEvaluation } from '../../cloudfront/index.ts';
import { defineVerifyRule } from '../define.ts';
import { isCloudFront, policySetting, samplePath, where } from './lib/behaviours.ts';

const NOT_KEYED = 'cloudfront/forwarded-not-keyed';

export default defineVerifyRule({
  id: 'verify/cloudfront/identity-forwarded-not-keyed',
  severity: 'critical',
  kinds: ['cloudfront'],
  catalogue: 'CW-AW-02',
  docs: {
    title: 'The session is forwarded to the origin but not in the cache key',
    description:
      'A CloudFront behaviour has two policies: the cache policy decides what is in the cache key (and forwarded), the origin request policy adds what is forwarded to the origin without being keyed. When the origin request policy sends the session cookie (a cookie list with it, `all` cookies, or a managed policy such as AllViewer) while the cache policy keys no cookie, the origin sees who is asking and may answer with that user\'s page, and CloudFront stores it under a key without the session: the next visitor receives it. CloudFront\'s own documentation warns about this split. The rule checks every behaviour that caches (a TTL above 0) with a request carrying the session cookie on a path the behaviour handles (identity headers listed in `identity.headers` count too), and fires when the semantics core says identity is forwarded but not keyed. Authorization is never forwarded by an origin request policy (CloudFront refuses such a policy), so bearer requests do not count.',
    fix: 'For behaviours that serve anything personal, use CachingDisabled with the origin request policy (AllViewerExceptHostHeader): nothing is cached, everything is forwarded. For behaviours that must cache, forward only what does not identify users (no session cookie), or key on what you forward (put the session cookie in the cache policy\'s CookiesConfig: one entry per session).',
    references: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-origin-requests.html',
      'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ParametersInCacheKeyAndForwardedToOrigin.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html',
      'https://repost.aws/knowledge-center/cloudfront-authorization-header',
      'research: config-semantics.md §1.5, CW-AW-02',
    ],
  },
  messages: {
    forwardedNotKeyed:
      '{behaviour}: OriginRequestPolicyId {orp} ({where}) sends the origin what identifies users, but {policy} does not key on it and the behaviour caches (DefaultTTL {ttl} s): the origin can personalize a response that every user then receives. {why}',
  },
  examples: {
    bad: [
      {
        name: 'CachingOptimized with the AllViewer origin request policy on the whole site',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
      "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"
    },
    "CacheBehaviors": { "Quantity": 0, "Items": [] }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'forwardedNotKeyed', line: 8 }],
      },
    ],
    good: [
      {
        name: 'the viewer\'s request is forwarded only where nothing is cached',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"
    },
    "CacheBehaviors": {
      "Quantity": 1,
      "Items": [
        {
          "PathPattern": "/static/*",
          "TargetOriginId": "assets",
          "ViewerProtocolPolicy": "redirect-to-https",
          "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
          "OriginRequestPolicyId": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
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
      config(model) {
        if (!isCloudFront(model)) return;
        for (const b of model.behaviours) {
          const orp = b.originRequestPolicy;
          if (b.legacy || !orp) continue;
          const path = samplePath(model, b);
          if (path === undefined) continue;
          // Asked with the session cookie: an origin request policy cannot forward Authorization, and the
          // core checks the other identity headers on any request.
          const view = ctx.exchange(model, path, 'cookie');
          let why: Reason | undefined;
          for (const e of view.evaluations as readonly CloudFrontEvaluation[]) {
            if (e.caching) why ??= view.verdict(e).request.key.reasons.find((r) => r.rule === NOT_KEYED);
          }
          if (!why) continue;
          ctx.report({
            messageId: 'forwardedNotKeyed',
            data: {
              behaviour: b.label,
              orp: orp.policy.managed ? `${orp.policy.name} (AWS-managed)` : `"${orp.policy.name}"`,
              where: where(orp.at),
              policy: policySetting(b),
              ttl: b.cachePolicy.defaultTtl,
              why: why.text,
            },
            at: orp.at,
            reasons: [why],
          });
        }
      },
    };
  },
});
