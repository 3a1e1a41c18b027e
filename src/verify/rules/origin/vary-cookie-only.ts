/**
 * Catalogue CW-G-03: a personalized response marked cacheable (`public`, or a positive max-age /
 * s-maxage) whose only protection is `Vary: Cookie` or `Vary: Authorization`. Cloudflare and
 * CloudFront ignore such a Vary unless configured to key on it, and one edge rule that drops Vary
 * (lab scenario S4) turns it into one page for everybody.
 */
import { parseCacheControl, directiveSeconds } from '../../../semantics/cache-control.ts';
import { defineVerifyRule } from '../define.ts';

export default defineVerifyRule({
  id: 'verify/origin/vary-cookie-only',
  severity: 'high',
  kinds: ['origin'],
  catalogue: 'CW-G-03',
  docs: {
    title: 'Personal pages marked cacheable and protected only by Vary',
    description:
      'A personalized route declared in `origin.headers` with `public` or a positive `max-age`/`s-maxage` and `Vary: Cookie` (or `Authorization`) relies on every cache between the origin and the user to honour that Vary. Cloudflare ignores it unless a cache rule names the header, CloudFront varies only on headers in its cache policy, and caches that shard per cookie fill up until someone "fixes the hit rate" by dropping Vary — then one user\'s page is everybody\'s (the likely mechanism of the Klarna incident, 2021).',
    fix: 'Send `Cache-Control: private, no-store` on personal pages; keep Vary for content negotiation only.',
    references: ['RFC 9111 §4.1 (Vary)', 'Cloudflare: Vary support', 'CloudFront: cache key and Vary'],
  },
  messages: {
    varyOnly: '{glob} is sent with "{cc}" and "Vary: {vary}": cacheable, protected only by Vary, which Cloudflare and CloudFront ignore by default and an edge rule can drop',
  },
  examples: {
    bad: [
      {
        name: 'public with Vary: Cookie',
        kind: 'origin',
        files: {},
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'public, max-age=60', Vary: 'Cookie' } },
        expect: [{ messageId: 'varyOnly', line: 1 }],
      },
    ],
    good: [
      {
        name: 'private with Vary: Cookie',
        kind: 'origin',
        files: {},
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'private, max-age=60', Vary: 'Cookie' } },
      },
    ],
  },
  create(ctx) {
    return {
      route(route) {
        if (route.variant !== 'cookie' || !route.declared) return;
        const h = route.response.headers;
        const ccRaw = typeof h['cache-control'] === 'string' ? h['cache-control'] : '';
        const vary = typeof h.vary === 'string' ? h.vary : '';
        const cc = parseCacheControl(ccRaw);
        if (cc.directives.has('private') || cc.directives.has('no-store')) return;
        const positive = (name: string) => {
          const v = directiveSeconds(cc, name);
          return typeof v === 'number' && v > 0;
        };
        if (!(cc.directives.has('public') || positive('max-age') || positive('s-maxage'))) return;
        if (!/(^|,)\s*(cookie|authorization)\s*(,|$)/i.test(vary)) return;
        ctx.report({ messageId: 'varyOnly', data: { glob: route.glob, cc: ccRaw, vary }, at: route.declaredAt ?? { file: 'cachewarden.yaml', line: 1, column: 1 }, route: route.path });
      },
    };
  },
});
