/**
 * probe/cache-status (P02): what the cache says about a personalized URL when an account asks for
 * it twice the way a browser would (the real URL, no cache buster): RFC 9211 Cache-Status and the
 * vendor headers (X-Cache, CF-Cache-Status, Age, X-Served-By...). A hit on a personalized page is a
 * risk; someone else's data in it is a leak.
 */
import { describeExposures, exposuresIn, fromCache } from '../evidence.ts';
import { defineTechnique } from '../types.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/cache-status',
  title: 'Cache-status oracle on the real URL',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'Requests the real personalized URL twice as the first account and reads the cache\'s own account of each response: RFC 9211 Cache-Status (hit, fwd, stored, collapsed), X-Cache in its vendor forms, CF-Cache-Status, Age, and the POP from X-Served-By / X-Amz-Cf-Pop / CF-Ray. A response served from the cache is a risk; one carrying another account\'s marker or owner tag, or a stranger\'s data, is a leak (a real user\'s page may come back: the probe keeps only a hash and field names).',
    fix: 'Make the route pass the cache (and purge it); see `cachewarden explain` for why the cache stores it.',
    references: ['RFC 9211', 'probing research P02'],
  },
  async run(ctx) {
    const first = await ctx.real();
    const second = await ctx.client.fetch(first.who, ctx.path);
    const exposures = [...exposuresIn(first), ...exposuresIn(second)];
    if (exposures.length > 0) {
      return result(ctx, 'leak', `the real URL returned someone else's data: ${describeExposures(exposures)}`, [first, second], { exposures });
    }
    const hits = [first, second].filter(fromCache);
    if (hits.length > 0) {
      return result(ctx, 'risk', `personalized URL answered from the cache (${hits.map((h) => `${h.outcome}${h.age ? `, Age ${h.age}` : ''}`).join('; ')})`, [first, second]);
    }
    return result(ctx, 'ok', `not answered from the cache (${first.outcome}, ${second.outcome})`, [first, second]);
  },
});
