/**
 * Catalogue CW-AW-05: a behaviour with legacy cache settings forwards cookies
 * (`ForwardedValues.Cookies.Forward` `all`, or a whitelist with the session cookie). CloudFront
 * then caches the object together with the Set-Cookie of the forwarded cookies and hands it to the
 * next visitors who share the key: anonymous visitors all share it, so a response that sets a
 * session is replayed to each of them. Asked through the distribution with an anonymous request
 * and a response that sets the session cookie, on a path each legacy behaviour handles; reported
 * at `Cookies.Forward`.
 */
import type { CloudFrontEvaluation } from '../../cloudfront/index.ts';
import { defineVerifyRule } from '../define.ts';
import { isCloudFront, samplePath, where } from './lib/behaviours.ts';

const CACHED = 'cloudfront/set-cookie-cached';

export default defineVerifyRule({
  id: 'verify/cloudfront/legacy-forwarded-cookies',
  severity: 'high',
  kinds: ['cloudfront'],
  catalogue: 'CW-AW-05',
  docs: {
    title: 'Legacy cache settings cache the Set-Cookie of forwarded cookies',
    description:
      'Behaviours with legacy cache settings (`ForwardedValues` instead of cache and origin request policies) both forward and key the cookies they list. For the cookies they forward, CloudFront caches the origin\'s `Set-Cookie` with the object and returns it to the viewers who later receive that object. Visitors without the cookie all share one key, so a response that starts a session (a login redirect, a "rolling" session refresh, a first visit) is stored with its `Set-Cookie` and handed to every anonymous visitor who follows: they are logged in as the first one (a session handover). The rule asks the distribution, for every legacy behaviour that forwards cookies, what happens to an anonymous request answered with `Set-Cookie: <session>=…`, and fires when the semantics core says the object is stored with that cookie. How cookie forwarding and Set-Cookie combine is documented for legacy settings only and marked unverified in the core; `cachewarden probe` (technique probe/set-cookie-shared) checks it live.',
    fix: 'Migrate the behaviour to a cache policy and an origin request policy; forward only cookies that do not identify users (never the session cookie) on behaviours that cache, and use CachingDisabled where the session matters. Have the origin send `Cache-Control: private, no-store` with any response that sets a session cookie.',
    references: [
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Cookies.html',
      'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CookiePreference.html',
      'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html',
      'RFC 9111 §7.3 (Set-Cookie in shared caches)',
      'research: config-semantics.md §1.5, CW-AW-05',
    ],
  },
  messages: {
    setCookieCached:
      '{behaviour}: legacy ForwardedValues.Cookies.Forward {forward} ({where}) makes CloudFront cache a response that sets {cookie} together with its Set-Cookie for {ttl} s: the next anonymous visitors receive the first visitor\'s session',
  },
  examples: {
    bad: [
      {
        name: 'a legacy behaviour that forwards every cookie',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "ForwardedValues": {
        "QueryString": true,
        "Cookies": { "Forward": "all" },
        "Headers": { "Quantity": 0 }
      },
      "MinTTL": 0,
      "DefaultTTL": 300,
      "MaxTTL": 3600
    },
    "CacheBehaviors": { "Quantity": 0, "Items": [] }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'setCookieCached', line: 9 }],
      },
    ],
    good: [
      {
        name: 'a legacy behaviour that forwards only a locale cookie',
        kind: 'cloudfront',
        files: {
          'distribution.json': `{
  "DistributionConfig": {
    "Comment": "shop",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "ViewerProtocolPolicy": "redirect-to-https",
      "ForwardedValues": {
        "QueryString": true,
        "Cookies": { "Forward": "whitelist", "WhitelistedNames": { "Quantity": 1, "Items": ["locale"] } },
        "Headers": { "Quantity": 0 }
      },
      "MinTTL": 0,
      "DefaultTTL": 300,
      "MaxTTL": 3600
    },
    "CacheBehaviors": { "Quantity": 0, "Items": [] }
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
        const cookie = ctx.settings.sessionCookie;
        for (const b of model.behaviours) {
          const cookies = b.cachePolicy.cookies;
          if (!b.legacy || cookies.behavior === 'none') continue;
          const path = samplePath(model, b);
          if (path === undefined) continue;
          const view = ctx.exchange(model, path, 'anonymous', { responseHeaders: { 'set-cookie': `${cookie}=cw-verify-handed-over; Path=/; HttpOnly` } });
          for (const e of view.evaluations as readonly CloudFrontEvaluation[]) {
            const v = view.verdict(e);
            const ttl = v.response.ttl.value;
            if (v.response.store.value !== 'store' || ttl <= 0 || !v.response.store.reasons.some((r) => r.rule === CACHED)) continue;
            const at = b.source.locate([...b.path, 'ForwardedValues', 'Cookies', 'Forward']);
            ctx.report({
              messageId: 'setCookieCached',
              data: { behaviour: b.label, forward: cookies.behavior === 'whitelist' ? `whitelist [${cookies.names.join(', ')}]` : cookies.behavior, where: where(at), cookie, ttl },
              at,
              related: e.provenance,
              reasons: v.response.store.reasons,
            });
            break;
          }
        }
      },
    };
  },
});
