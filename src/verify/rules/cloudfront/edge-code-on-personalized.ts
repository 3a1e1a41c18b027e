/**
 * Catalogue CW-AW-06 (the part verify can check without the code): a behaviour that caches and
 * handles a personalized route runs CloudFront Functions or Lambda@Edge. verify cannot read the
 * function code, and such code commonly rewrites exactly what decides sharing: the cache key
 * (viewer-request: stripping cookies, normalising URLs) or the caching headers (origin-response:
 * setting Cache-Control, removing Set-Cookie). The reader assumed the code changes neither; this
 * rule says so where it matters. Reported at each function association, once.
 */
import type { CloudFrontEvaluation } from '../../cloudfront/index.ts';
import { defineVerifyRule } from '../define.ts';
import { identifiedExchanges } from '../cloudflare/lib/exchanges.ts';
import { behaviourFor, isCloudFront, where } from './lib/behaviours.ts';

const EFFECT: Record<string, string> = {
  'viewer-request': 'it runs before the cache lookup and can change the cache key (strip cookies, rewrite the URL)',
  'origin-request': 'it runs on a cache miss and can change what the origin sees',
  'origin-response': 'it runs before CloudFront caches the response and can change Cache-Control or remove Set-Cookie',
  'viewer-response': 'it runs on every answer, cached ones included, and can change what viewers receive',
};

export default defineVerifyRule({
  id: 'verify/cloudfront/edge-code-on-personalized',
  severity: 'medium',
  kinds: ['cloudfront'],
  catalogue: 'CW-AW-06',
  docs: {
    title: 'Edge functions on cached personalized routes (code verify cannot read)',
    description:
      'CloudFront Functions and Lambda@Edge run at four points of a request: viewer-request (before the cache lookup: they can strip the session cookie or rewrite the URL, which changes the cache key), origin-request, origin-response (before CloudFront caches the response: they can set `Cache-Control: public, max-age=…` or delete `Set-Cookie`) and viewer-response. The distribution snapshot names the functions but does not contain their code, so verify evaluates the behaviour as if they changed nothing. Where such a behaviour caches and handles a personalized route, that assumption decides whether a user\'s page can be shared, so it is reported for review. The catalogue rates the checked form (code that rewrites cache headers or keys on personalized paths) high; without the code this is medium: a reminder of what verify could not see.',
    fix: 'Review each function\'s code for changes to the Cookie and Authorization headers, the URL, Cache-Control and Set-Cookie on personalized paths; better, give personalized paths their own behaviour with CachingDisabled and without cache-affecting functions.',
    references: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-cloudfront-trigger-events.html',
      'research: config-semantics.md §1.5, CW-AW-06',
    ],
  },
  messages: {
    unread:
      '{behaviour} runs {type} {name} on {event} ({where}) for personalized routes that it caches: {effect}; verify cannot read its code and assumed it changes nothing, so review it',
  },
  examples: {
    bad: [
      {
        name: 'a viewer-request function on the cached default behaviour',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
      "FunctionAssociations": {
        "Quantity": 1,
        "Items": [
          { "FunctionARN": "arn:aws:cloudfront::123456789012:function/normalize-request", "EventType": "viewer-request" }
        ]
      }
    },
    "CacheBehaviors": { "Quantity": 0, "Items": [] }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'unread', line: 11 }],
      },
    ],
    good: [
      {
        name: 'the function stays on the cached default; account pages have CachingDisabled',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "CachePolicyId": "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
      "FunctionAssociations": {
        "Quantity": 1,
        "Items": [
          { "FunctionARN": "arn:aws:cloudfront::123456789012:function/normalize-request", "EventType": "viewer-request" }
        ]
      }
    },
    "CacheBehaviors": {
      "Quantity": 1,
      "Items": [
        {
          "PathPattern": "/account*",
          "TargetOriginId": "app",
          "ViewerProtocolPolicy": "redirect-to-https",
          "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
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
        if (!xs || !xs.some((x) => x.evaluation.caching)) return;
        const b = behaviourFor(model, route.path);
        for (const f of b.functions) {
          ctx.report({
            messageId: 'unread',
            data: { behaviour: b.label, type: f.type, name: /function[:/](.+)$/.exec(f.arn)?.[1] ?? f.arn, event: f.event, where: where(f.at), effect: EFFECT[f.event] ?? 'it can change the request or the response' },
            at: f.at,
            route: route.path,
          });
        }
      },
    };
  },
});
