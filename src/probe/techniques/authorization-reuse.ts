/**
 * probe/authorization-reuse (P14): for accounts that authenticate with `Authorization` (API
 * clients, bearer tokens), a shared cache must not reuse a response to an authenticated request
 * unless it says `public`, `s-maxage` or `must-revalidate` (RFC 9111 §3.5). nginx ignores the
 * header entirely; header-less API responses are then cached by default rules (the Railway 2026
 * class).
 */
import { describeExposures, exposuresIn } from '../evidence.ts';
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/authorization-reuse',
  title: 'Responses to Authorization requests reused for another token',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'With accounts that send `Authorization` (bearer tokens), the first account fills a fresh URL and the second requests it with its own token. Receiving the first account\'s data is a leak: RFC 9111 §3.5 forbids a shared cache to reuse such a response without `public`, `s-maxage` or `must-revalidate`, but nginx ignores Authorization and many CDN rules cache header-less responses. Accounts that use cookies are not tested here (see probe/cross-identity-replay).',
    fix: 'Send Cache-Control: private, no-store on every authenticated API response; at the cache, bypass and do not store requests carrying Authorization (`proxy_cache_bypass $http_authorization; proxy_no_cache $http_authorization;`).',
    references: ['RFC 9111 §3.5', 'config research CW-G-04', 'Railway incident, 2026-03-30'],
  },
  async run(ctx) {
    const tokenAccounts = ctx.accounts.filter((n) => ctx.requestHeadersFor(n)['authorization'] !== undefined);
    if (tokenAccounts.length === 0) return result(ctx, 'ok', 'not applicable: the accounts authenticate with cookies', []);
    const { url, a, b, anon } = await ctx.sequential();
    const responses = [a, ...(b ? [b] : []), anon];
    const exposures = responses.flatMap(exposuresIn);
    if (exposures.length > 0) {
      return result(ctx, 'leak', `a response to an Authorization request was reused for another requester: ${describeExposures(exposures)}`, responses, { exposures, url });
    }
    return result(ctx, 'ok', 'responses to Authorization requests were not shared', responses, { url });
  },
});
