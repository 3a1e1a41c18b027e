/**
 * probe/unkeyed-input (P13): the same URL answers differently per credential (each account sees its
 * own page), so the credential is an input to the response. If the response is also storable by
 * the shared cache and nothing keys it on that credential (no Vary on Cookie / Authorization), the
 * first requester's page becomes everyone's. `Vary: Cookie` alone is weak protection: several CDNs
 * ignore it.
 */
import { explain } from '../../semantics/index.ts';
import type { ProfileSpec } from '../../semantics/types.ts';
import { describeExposures, exposuresIn, ownPage } from '../evidence.ts';
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/unkeyed-input',
  title: 'Personalization by an input the cache key does not include',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'Compares the responses two accounts get for the same fresh URL. When each gets its own page, the credential (Cookie or Authorization) personalizes the response. If that response is storable by the shared cache under the profile and no Vary covers the credential, the cache key lacks the identity: high risk. If only `Vary: Cookie` protects it, medium risk (Cloudflare ignores Vary by default, CloudFront only varies on headers in its cache policy, nginx can be told to ignore it). When another account actually received the page, that leak is reported by probe/cross-identity-replay; this technique then reports the unkeyed credential as a high risk.',
    fix: 'Do not rely on Vary for personal pages: send Cache-Control: private, no-store, and pass requests with a session at the cache.',
    references: ['Kettle, Practical Web Cache Poisoning (unkeyed inputs)', 'config research CW-G-03'],
  },
  async run(ctx) {
    const { url, a, b, anon } = await ctx.sequential();
    const responses = [a, ...(b ? [b] : []), anon];
    const exposures = responses.flatMap(exposuresIn);
    // The leak itself is probe/cross-identity-replay's finding (same responses); here it proves the key lacks the identity.
    if (exposures.length > 0) {
      return result(ctx, 'risk', `the cache key does not include the credential: ${describeExposures(exposures)} (reported as a leak by probe/cross-identity-replay)`, responses, { url });
    }
    if (!b || !ownPage(a) || !ownPage(b)) return result(ctx, 'ok', 'the response does not vary by account (or one account is configured)', responses, { url });
    const headers: Record<string, string> = { ...a.headers };
    const v = explain({ method: 'GET', url: ctx.path, headers: ctx.requestHeadersFor(a.who) }, { status: a.status, headers }, { id: ctx.profile } as ProfileSpec);
    const storable = v.response.store.value === 'store';
    const vary = (a.headers['vary'] ?? '').toLowerCase();
    const keyed = /\b(cookie|authorization|\*)\b/.test(vary);
    const reasons = v.response.store.reasons.map((x) => ({ source: x.source, text: x.text }));
    if (storable && !keyed) {
      return result(ctx, 'risk', `each account gets its own page, the response is storable under ${ctx.profile}, and no Vary names the credential: the cache key lacks the identity`, responses, { url, reasons });
    }
    if (storable && keyed) {
      return result(ctx, 'risk', `the response is storable under ${ctx.profile} and only \`Vary: ${a.headers['vary']}\` keeps accounts apart; several CDNs ignore Vary`, responses, { url, reasons, severity: 'medium' });
    }
    return result(ctx, 'ok', `personalized by the credential, but not storable under ${ctx.profile}`, responses, { url, reasons });
  },
});
