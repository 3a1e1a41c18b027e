/**
 * Catalogue CW-G-01, the 2017 rule: a personalized route whose only protection is `no-cache`,
 * `max-age=0`, `s-maxage=0` or a past `Expires` (or no cache headers at all) is judged under the
 * CDN in front (`profile:`), or, when none is named, under every vendor profile, because the same
 * headers that one CDN never shares, the next one stores with TTL 0 and hands to collapsed waiters.
 */
import { explain } from '../../../semantics/index.ts';
import { parseCacheControl } from '../../../semantics/cache-control.ts';
import { PROFILE_IDS, type ProfileSpec } from '../../../semantics/types.ts';
import { defineVerifyRule } from '../define.ts';

const VENDORS = PROFILE_IDS.filter((p) => p !== 'rfc9111');

export default defineVerifyRule({
  id: 'verify/origin/zero-ttl-is-not-private',
  severity: 'critical',
  kinds: ['origin'],
  catalogue: 'CW-G-01',
  docs: {
    title: 'Personal pages protected only by no-cache, max-age=0 or a past Expires',
    description:
      'Judges the headers declared in `origin.headers` for each personalized route under the CDN named by `profile:` (or, when `profile:` is the generic `rfc9111`, under every vendor profile). `no-cache`, `max-age=0`, `s-maxage=0` and an `Expires` in the past do not forbid storing: Fastly, CloudFront and Varnish 8 store such a response as a TTL-0 object and hand it to every request collapsed behind its fetch; Fastly keeps a bare `no-cache` for the fallback TTL. This is how a CDN switch in 2017 showed 54,180 users other people\'s pages: the origin sent `no-cache` with a 1970 `Expires`, which the old CDN never shared.',
    fix: 'Send `Cache-Control: private, no-store` on personal pages (optionally `Surrogate-Control: no-store` for Fastly and Varnish tiers).',
    references: ['RFC 9111 §5.2.2.4 (no-cache), §5.2.2.5 (no-store), §5.2.2.7 (private), §5.3 (Expires)', 'Fastly request collapsing guide', 'Mercari incident report, 2017-06-22'],
  },
  messages: {
    zeroTtl: '{glob} is sent with {headers}: not private. Under {profiles} a shared cache stores it and other users receive it ({why})',
    unprotected: '{glob} is sent with {headers}: nothing forbids a shared cache to store it. Under {profiles} other users receive it ({why})',
  },
  examples: {
    bad: [
      {
        name: 'the 2017 header pair behind Fastly',
        kind: 'origin',
        files: {},
        personalized: ['/mypage*'],
        profile: { id: 'fastly' },
        origin: { '/mypage*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
        expect: [{ messageId: 'zeroTtl', line: 1 }],
      },
    ],
    good: [
      {
        name: 'private, no-store',
        kind: 'origin',
        files: {},
        personalized: ['/mypage*'],
        profile: { id: 'fastly' },
        origin: { '/mypage*': { 'Cache-Control': 'private, no-store' } },
      },
    ],
  },
  create(ctx) {
    return {
      route(route) {
        if (route.variant !== 'cookie' || !route.declared) return;
        const headers = route.response.headers;
        const ccRaw = typeof headers['cache-control'] === 'string' ? headers['cache-control'] : '';
        const cc = parseCacheControl(ccRaw);
        if (cc.directives.has('private') || cc.directives.has('no-store')) return;
        const profiles: ProfileSpec[] = ctx.settings.profile.id === 'rfc9111' ? VENDORS.map((id) => ({ id }) as ProfileSpec) : [ctx.settings.profile];
        const sharing: Array<{ id: string; why: string }> = [];
        for (const p of profiles) {
          const v = explain(route.request, route.response, { ...p, identity: ctx.settings.identity } as ProfileSpec);
          if (v.sharedAcrossIdentities.value !== 'no') sharing.push({ id: p.id, why: v.sharedAcrossIdentities.reasons.slice(0, 3).map((r) => r.text).join(' ') });
        }
        if (sharing.length === 0) return;
        const shown = ['cache-control', 'expires', 'surrogate-control', 'vary']
          .filter((h) => typeof headers[h] === 'string')
          .map((h) => `${h}: ${String(headers[h])}`);
        const zeroTtl = cc.directives.has('no-cache') || /(^|,)\s*(s-)?max-age\s*=\s*0\b/i.test(ccRaw) || typeof headers.expires === 'string';
        ctx.report({
          messageId: zeroTtl ? 'zeroTtl' : 'unprotected',
          data: {
            glob: route.glob,
            headers: shown.length > 0 ? `"${shown.join('", "')}"` : 'no cache headers',
            profiles: sharing.map((s) => s.id).join(', '),
            why: `${sharing[0]!.id}: ${sharing[0]!.why}`,
          },
          at: route.declaredAt ?? { file: 'cachewarden.yaml', line: 1, column: 1 },
          route: route.path,
        });
      },
    };
  },
});
