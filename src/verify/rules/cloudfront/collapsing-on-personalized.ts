/**
 * Catalogue CW-AW-03: a personalized route is handled by a behaviour whose cache policy is not
 * CachingDisabled. CloudFront then collapses simultaneous requests for the same key: the ones that
 * arrive while the first is fetched are paused and handed its response. AWS documents this as an
 * exception for `no-cache`; only CachingDisabled prevents collapsing. Asked with a `no-cache`
 * response (the documented case); reported at the behaviour's cache policy setting.
 */
import type { CloudFrontEvaluation } from '../../cloudfront/index.ts';
import { defineVerifyRule } from '../define.ts';
import { ask, cachedForOthers, identifiedExchanges, RouteFindings, withHeaders } from '../cloudflare/lib/exchanges.ts';
import { behaviourFor, credentialForwarded, isCloudFront, policySetting, where } from './lib/behaviours.ts';

export default defineVerifyRule({
  id: 'verify/cloudfront/collapsing-on-personalized',
  severity: 'high',
  kinds: ['cloudfront'],
  catalogue: 'CW-AW-03',
  docs: {
    title: 'Request collapsing on personalized routes (any cache policy but CachingDisabled)',
    description:
      'CloudFront pauses requests for an object that is already being fetched from the origin and answers them with the first response ("request collapsing"). Its documentation names `no-cache` as an exception to honouring the header: collapsed requests receive the response even though it is not cached; an AWS re:Post answer reports the same for `no-store` and `private`. The current documentation names one way to prevent collapsing: the managed CachingDisabled policy. So a personalized route handled by any other cache policy, even with MinTTL 0 and an origin that sends `no-cache`, can hand one user\'s page to everyone whose request arrives during the fetch: the 2017 mechanism. The rule asks the distribution which behaviour handles each personalized route requested with a session, and the semantics core what collapsed requests receive when the origin answers `no-cache`. Requests whose credential CloudFront does not forward are not counted.',
    fix: 'Give personalized paths their own behaviours with the managed CachingDisabled cache policy (`4135ea2d-6df8-44a3-9df3-4b5a84be39ad`), which turns collapsing off, and an origin request policy that forwards the session.',
    references: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#request-custom-traffic-spikes',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html',
      'https://repost.aws/questions/QUe8vbIDvNTiy8ZSYDv85iTQ/',
      'research: config-semantics.md §1.5, §1.8, CW-AW-03',
    ],
  },
  messages: {
    collapsed:
      '{behaviour}: {policy} ({where}) is not CachingDisabled, so CloudFront collapses simultaneous requests with {credentials} for personalized routes: requests that arrive while one user\'s page is fetched are handed that page, even when the origin sends no-cache',
  },
  examples: {
    bad: [
      {
        name: 'account pages on a custom policy with MinTTL 0 that respects the origin',
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
          "CachePolicyId": "a1b2c3d4-0000-4000-8000-000000000001",
          "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"
        }
      ]
    }
  }
}
`,
          'cache-policies.json': `[
  {
    "Id": "a1b2c3d4-0000-4000-8000-000000000001",
    "CachePolicyConfig": {
      "Name": "respect-origin",
      "MinTTL": 0,
      "DefaultTTL": 0,
      "MaxTTL": 3600,
      "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": true,
        "HeadersConfig": { "HeaderBehavior": "none" },
        "CookiesConfig": { "CookieBehavior": "none" },
        "QueryStringsConfig": { "QueryStringBehavior": "none" }
      }
    }
  }
]
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'collapsed', line: 16 }],
      },
    ],
    good: [
      {
        name: 'account pages with CachingDisabled',
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
          const v = ask(x.evaluation, withHeaders(route.response, { 'cache-control': 'no-cache', expires: undefined }), ctx.settings);
          if (v.response.collapse.value !== 'share' || v.sharedAcrossIdentities.value === 'no') continue;
          const b = behaviourFor(model, route.path);
          found.add('collapsed', b.cachePolicyAt, x.variant, () => ({
            data: (credentials) => ({ behaviour: b.label, policy: policySetting(b), where: where(b.cachePolicyAt), credentials }),
            related: x.evaluation.provenance,
            reasons: v.response.collapse.reasons,
            route: route.path,
          }));
        }
        found.flush();
      },
    };
  },
});
