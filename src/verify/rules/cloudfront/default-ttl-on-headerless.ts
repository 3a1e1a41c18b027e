/**
 * Catalogue CW-AW-04: the behaviour that handles a personalized route gives responses without
 * Cache-Control max-age / s-maxage or Expires a DefaultTTL above 0 (legacy behaviours default to
 * 24 h, CachingOptimized to one day). A personal page the origin sends without cache headers (a new
 * endpoint, an error path, a framework upgrade) is then stored and served to others. Asked with
 * the route's response stripped of its cache headers; reported at the DefaultTTL setting.
 */
import type { CloudFrontEvaluation } from '../../cloudfront/index.ts';
import { defineVerifyRule } from '../define.ts';
import { ask, cachedForOthers, identifiedExchanges, RouteFindings, withoutCacheHeaders } from '../cloudflare/lib/exchanges.ts';
import { behaviourFor, credentialForwarded, isCloudFront, ttlSetting, where } from './lib/behaviours.ts';

const DEFAULT_TTL = 'cloudfront/ttl-default';

export default defineVerifyRule({
  id: 'verify/cloudfront/default-ttl-on-headerless',
  severity: 'high',
  kinds: ['cloudfront'],
  catalogue: 'CW-AW-04',
  docs: {
    title: 'A DefaultTTL above 0 on personalized routes',
    description:
      'When the origin sends no `max-age`, `s-maxage` or `Expires`, CloudFront caches the response for the cache policy\'s DefaultTTL (at least MinTTL): one day with the managed CachingOptimized policy, 24 hours on legacy behaviours that do not set it. On a personalized route that turns a missing header into a leak: a new endpoint, an error page or a framework that stops sending `Cache-Control` has one user\'s page stored and served to everyone for the DefaultTTL. The rule asks the distribution which behaviour handles each personalized route requested with a session, and the semantics core what happens to the route\'s response without its cache headers, whatever the origin sends today. Requests whose credential CloudFront does not forward are not counted.',
    fix: 'Use CachingDisabled on behaviours that serve personalized paths, or a cache policy with DefaultTTL 0 (and MinTTL 0) so that only responses the origin marks cacheable are cached.',
    references: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html',
      'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html',
      'research: config-semantics.md §1.5, CW-AW-04',
    ],
  },
  messages: {
    headerless:
      '{behaviour}: {setting} ({where}) gives responses without Cache-Control or Expires a TTL of {ttl} s: a personalized page the origin sends without cache headers to requests with {credentials} is served to other users for {ttl} s',
  },
  examples: {
    bad: [
      {
        name: 'the whole site on CachingOptimized, the session forwarded to the origin',
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
        origin: { '/account*': { 'Cache-Control': 'public, max-age=0, must-revalidate' } },
        expect: [{ messageId: 'headerless', line: 7 }],
      },
    ],
    good: [
      {
        name: 'a custom policy where only the origin\'s headers give a TTL',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "a1b2c3d4-0000-4000-8000-000000000002",
      "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    },
    "CacheBehaviors": { "Quantity": 0, "Items": [] }
  }
}
`,
          'cache-policies.json': `[
  {
    "Id": "a1b2c3d4-0000-4000-8000-000000000002",
    "CachePolicyConfig": {
      "Name": "origin-decides",
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
          const v = ask(x.evaluation, withoutCacheHeaders(route.response), ctx.settings);
          const ttl = v.response.ttl.value;
          if (v.sharedAcrossIdentities.value !== 'yes' || ttl <= 0 || !v.response.ttl.reasons.some((r) => r.rule === DEFAULT_TTL)) continue;
          const b = behaviourFor(model, route.path);
          const setting = ttlSetting(b, 'DefaultTTL');
          found.add('headerless', setting.at, x.variant, () => ({
            data: (credentials) => ({ behaviour: b.label, setting: setting.text, where: where(setting.at), ttl, credentials }),
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
