/**
 * probe/cross-identity-replay (P04): the first account fills a fresh (cache-busted) URL, then the
 * second account and an anonymous client request the same URL. Either receiving the first
 * account's marker or owner tag is a leak, shown sequentially: no timing luck involved.
 */
import { describeExposures, exposuresIn, fromCache } from '../evidence.ts';
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/cross-identity-replay',
  title: 'Sequential cross-identity replay (A, then B and anonymous)',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'The first account requests a fresh cache-busted copy of the URL; then the second account and an anonymous client request the same copy, one after another. If either response carries the first account\'s marker or owner tag, the cache served one person\'s page to another (any cache rule that ignores the origin\'s headers, a key without the identity, Vary ignored, header-less responses cached by default).',
    fix: 'Find the rule that stores the route (`cachewarden verify`, `cachewarden explain`), make the route pass, purge the cache.',
    references: ['probing research P04', 'Cached and Confused (USENIX Security 2020): markers as leak evidence'],
  },
  async run(ctx) {
    const { url, a, b, anon } = await ctx.sequential();
    const responses = [a, ...(b ? [b] : []), anon];
    const exposures = responses.flatMap(exposuresIn);
    if (exposures.length > 0) return result(ctx, 'leak', describeExposures(exposures), responses, { exposures, url });
    const cached = responses.slice(1).filter(fromCache);
    if (cached.length > 0) {
      return result(ctx, 'risk', `later requesters were answered from the cache (${cached.map((r) => `${r.who}: ${r.outcome}`).join(', ')}) though without another account's data`, responses, { url });
    }
    return result(ctx, 'ok', 'each requester got its own response', responses, { url });
  },
});
