/**
 * probe/storability (P01): ask the cache-semantics core whether the response headers the site
 * actually sends on a personalized URL let a shared cache store it, collapse it, or serve it to
 * another requester, under the configured profile, with the RFC 9111 sections and vendor rules.
 * A precondition, never proof: a risk, not a leak.
 */
import { explain } from '../../semantics/index.ts';
import type { ProfileSpec } from '../../semantics/types.ts';
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/storability',
  title: 'Storability lint of personalized responses (RFC 9111 and the CDN profile)',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'Takes the headers of a real personalized response and asks the cache-semantics core whether a shared cache may store it, for how long, whether it is handed to concurrent waiting requests, and whether another requester can receive it, under the configured profile. The answer carries its reasons (RFC 9111 sections, vendor rules). `Cache-Control: no-cache` with a past `Expires` (the 2017 pair) is storable under RFC 9111 §3 and, behind Fastly, a TTL-0 object handed to collapsed requests; `private` is not stored.',
    fix: 'Send `Cache-Control: private, no-store` on personalized responses (and `Surrogate-Control: no-store` / `CDN-Cache-Control: no-store` for CDN tiers that prefer targeted fields).',
    references: ['RFC 9111 §3, §4, §5.2.2', 'docs/semantics.md'],
  },
  async run(ctx) {
    const r = await ctx.real();
    const headers: Record<string, string> = { ...r.headers };
    if (r.setCookies.length > 0) headers['set-cookie'] = r.setCookies.map((c) => `${c.name}=…`).join(', ');
    const req = { method: 'GET', url: ctx.path, headers: ctx.requestHeadersFor(r.who) };
    const v = explain(req, { status: r.status, headers, receivedAt: r.sentAt + r.totalMs }, { id: ctx.profile } as ProfileSpec, r.sentAt + r.totalMs);
    const reasons = [...v.sharedAcrossIdentities.reasons, ...v.response.rfcClass.reasons, ...v.response.collapse.reasons].map((x) => ({ source: x.source, text: x.text }));
    const shared = v.sharedAcrossIdentities.value;
    if (shared === 'yes') {
      return result(ctx, 'risk', `under ${ctx.profile}, a shared cache may store this personalized response and serve it to other requesters (${v.response.store.value}, TTL ${v.response.ttl.value} s)`, [r], { reasons, verdict: v });
    }
    if (shared === 'collapsing-only') {
      return result(ctx, 'risk', `under ${ctx.profile}, this personalized response is stored (TTL ${v.response.ttl.value} s) and handed to every request that waits on its fetch: concurrent users get each other's page`, [r], { reasons, verdict: v });
    }
    if (v.response.rfcClass.value !== 'NOT_STORABLE') {
      return result(ctx, 'risk', `RFC 9111 lets a shared cache store this personalized response (${v.response.rfcClass.value}), although ${ctx.profile} would not share it`, [r], { reasons, verdict: v, severity: 'low' });
    }
    return result(ctx, 'ok', `not storable by a shared cache (${v.response.rfcClass.value})`, [r], { reasons, verdict: v });
  },
});
