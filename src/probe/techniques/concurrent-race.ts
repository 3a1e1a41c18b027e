/**
 * probe/concurrent-race (P05): the 2017 mechanism. Two accounts request the same fresh URL at
 * (nearly) the same moment, each on its own connection to the same edge, released from one
 * barrier; the second starts 0, ¼, ½ or ¾ of the measured time-to-first-byte after the first, so
 * it arrives while the first is being fetched. A cache that collapses the two requests hands the
 * first account's page to the second. Sequential clicks can never show this.
 */
import { describeExposures, exposuresIn, fromCache } from '../evidence.ts';
import { ANONYMOUS, defineTechnique, type ProbeResponse } from '../types.ts';
import { result } from './result.ts';

const OFFSETS = [0, 0.25, 0.5, 0.75] as const;

export default defineTechnique({
  id: 'probe/concurrent-race',
  title: 'Concurrent collapse race (two accounts, one barrier, same edge)',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'Two accounts (or one account and an anonymous client) request the same cache-busted URL from one barrier, on separate fresh connections to the same edge; the second request starts 0, ¼, ½ or ¾ of the page\'s measured time-to-first-byte after the first, several rounds per cycle. If either response carries the other account\'s marker or owner tag, the cache collapsed the requests onto one origin fetch and handed one person\'s page to the other: the 2017 incident (a `no-cache` + past-`Expires` page stored with TTL 0 by Fastly), or a micro-cache behind a cache lock. This is the only technique that sees a TTL-0 collapse: the object is never reused afterwards.',
    fix: 'Make the route pass (no lookup, no collapsing): `private`/`no-store` honoured by the CDN, a pass rule for requests with a session, `req.hash_ignore_busy` or a hit-for-pass in Fastly VCL, no `proxy_cache_lock` on personalized nginx locations.',
    references: ['RFC 9111 §4 (collapsing only when reuse is allowed)', 'Fastly request collapsing', 'probing research P05'],
  },
  async run(ctx) {
    const first = ctx.accounts[0]!;
    const second = ctx.accounts[1] ?? ANONYMOUS;
    const { a: measured } = await ctx.sequential();
    const ttfb = Math.max(5, measured.ttfbMs);
    const rounds = ctx.settings.raceRounds;
    const seen: ProbeResponse[] = [];
    for (let i = 0; i < rounds; i++) {
      const url = ctx.client.bust(ctx.path);
      const offset = Math.round(OFFSETS[i % OFFSETS.length]! * ttfb);
      // Alternate who goes first, so both directions are tried.
      const [x, y] = i % 2 === 0 ? [first, second] : [second, first];
      const pair = await ctx.race({ who: x, path: url }, { who: y, path: url }, offset);
      seen.push(...pair);
      const exposures = pair.flatMap(exposuresIn);
      if (exposures.length > 0) {
        return result(ctx, 'leak', `round ${i + 1} of ${rounds} (second request ${offset} ms after the first, inside a ${Math.round(ttfb)} ms fetch): ${describeExposures(exposures)}`, pair, {
          exposures,
          url,
          note: `${pair[0].who}: ${pair[0].outcome}, ${pair[1].who}: ${pair[1].outcome}`,
        });
      }
    }
    const shared = seen.filter((r) => r.outcome === 'COLLAPSED' || fromCache(r));
    if (shared.length > 0) {
      return result(ctx, 'risk', `${shared.length} of ${seen.length} racing responses came from the cache or a collapsed fetch, without another account's data`, shared.slice(0, 4));
    }
    return result(ctx, 'ok', `${rounds} rounds at offsets up to ¾ of a ${Math.round(ttfb)} ms fetch: each side got its own page`, seen.slice(-2));
  },
});
