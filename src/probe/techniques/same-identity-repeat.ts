/**
 * probe/same-identity-repeat (P03): one account requests a fresh (cache-busted) copy of the URL
 * twice. If the second comes from the cache, the cache stores this account's personalized page:
 * nothing has reached anyone else yet, but the next requester of that key would get it.
 */
import { fromCache } from '../evidence.ts';
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/same-identity-repeat',
  title: 'Same account, same fresh URL, twice',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'The first account requests a cache-busted copy of the personalized URL (a fresh cache key no real user shares) twice. A second response served from the cache means the cache stores personalized pages for this route.',
    fix: 'Keep personalized routes out of the cache: pass on the session cookie and Authorization, and send Cache-Control: private, no-store.',
    references: ['probing research P03'],
  },
  async run(ctx) {
    const who = ctx.accounts[0]!;
    const url = ctx.client.bust(ctx.path);
    const first = await ctx.client.fetch(who, url);
    const second = await ctx.client.fetch(who, url);
    if (fromCache(second)) {
      return result(ctx, 'risk', `the cache stored ${who}'s page: the second request was answered from it (${second.outcome})`, [first, second], { url });
    }
    return result(ctx, 'ok', `not stored (${first.outcome}, then ${second.outcome})`, [first, second], { url });
  },
});
