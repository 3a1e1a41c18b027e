/**
 * probe/path-confusion (P07, P08, P10): web cache deception. A logged-in account requests its
 * personalized page under a URL the cache takes for a static file (a `.css` suffix, an encoded
 * delimiter, a static-directory prefix with an encoded `../`); if the origin still answers with the
 * private page and the cache stores it by its static look, an anonymous request for the same URL
 * gets the account's page. Every variant carries a random name: no real user ever requests it.
 */
import { randomBytes } from 'node:crypto';
import { describeExposures, exposuresIn, ownPage } from '../evidence.ts';
import { ANONYMOUS, defineTechnique, type ProbeResponse } from '../types.ts';
import { result } from './result.ts';

/** Variants of `path` (research: Cached and Confused, Web Cache Deception Escalates, Gotta cache 'em all). */
export function confusionVariants(path: string): Array<{ kind: string; url: string }> {
  const r = () => randomBytes(5).toString('hex');
  const q = path.indexOf('?');
  const bare = (q === -1 ? path : path.slice(0, q)).replace(/\/$/, '');
  const query = q === -1 ? '' : path.slice(q);
  const rel = bare.replace(/^\//, '');
  // The static-directory variants need a unique key of their own: a random parameter.
  const unique = (u: string) => `${u}${query ? `${query}&` : '?'}${r()}`;
  return [
    { kind: 'path parameter .css', url: `${bare}/${r()}.css${query}` },
    { kind: 'path parameter .js', url: `${bare}/${r()}.js${query}` },
    { kind: 'path parameter .png', url: `${bare}/${r()}.png${query}` },
    { kind: 'semicolon delimiter', url: `${bare};${r()}.css${query}` },
    { kind: 'encoded semicolon', url: `${bare}%3B${r()}.css${query}` },
    { kind: 'encoded slash', url: `${bare}%2F${r()}.css${query}` },
    { kind: 'encoded question mark', url: `${bare}%3F${r()}.css${query}` },
    { kind: 'encoded hash', url: `${bare}%23${r()}.css${query}` },
    { kind: 'encoded newline', url: `${bare}%0A${r()}.css${query}` },
    { kind: 'static directory + encoded dot-dot', url: unique(`/static/..%2F${rel}`) },
    { kind: 'assets directory + encoded dot-dot', url: unique(`/assets/..%2F${rel}`) },
  ];
}

export default defineTechnique({
  id: 'probe/path-confusion',
  title: 'Web cache deception by path confusion',
  riskSeverity: 'high',
  appliesTo: 'personalized',
  docs: {
    description:
      'For each personalized path, eleven deception variants (static-extension path parameters, `;` and encoded delimiters `%3B %2F %3F %23 %0A`, static-directory prefixes with an encoded `../`) are requested as the first account; where the origin still answers with that account\'s page, an anonymous client then requests the same URL. Receiving the account\'s marker is a leak (the PayPal 2017 class). A variant the origin serves as the private page but the cache does not store is a low risk (one cache rule away).',
    fix: 'Cache by the origin\'s headers, not by the URL\'s look: drop extension-based "cache everything" rules on dynamic prefixes, enable Cloudflare Cache Deception Armor, and make the origin answer unknown trailing path segments with 404.',
    references: ['Omer Gil, Web Cache Deception Attack (2017)', 'Mirheidari et al., USENIX Security 2020 and 2022', 'PortSwigger, Gotta cache \'em all (2024)'],
  },
  async run(ctx) {
    const who = ctx.accounts[0]!;
    const served: Array<{ kind: string; url: string; victim: ProbeResponse }> = [];
    await Promise.all(
      confusionVariants(ctx.path).map(async (v) => {
        const victim = await ctx.client.fetch(who, v.url);
        if (ownPage(victim)) served.push({ ...v, victim });
      }),
    );
    if (served.length === 0) return result(ctx, 'ok', 'the origin answers no deception variant with the private page', []);
    const leaks: Array<{ kind: string; url: string; pair: ProbeResponse[] }> = [];
    await Promise.all(
      served.map(async (v) => {
        const attacker = await ctx.client.fetch(ANONYMOUS, v.url);
        if (exposuresIn(attacker).length > 0) leaks.push({ kind: v.kind, url: v.url, pair: [v.victim, attacker] });
      }),
    );
    if (leaks.length > 0) {
      const first = leaks[0]!;
      const exposures = first.pair.flatMap(exposuresIn);
      return result(ctx, 'leak', `${leaks.length} variant(s) stored and served to an anonymous client (${leaks.map((l) => l.kind).join(', ')}): ${describeExposures(exposures)}`, first.pair, {
        exposures,
        url: first.url,
      });
    }
    return result(ctx, 'risk', `the origin serves the private page under ${served.length} deception URL(s) (${served.map((s) => s.kind).join(', ')}); the cache did not store them`, served.slice(0, 3).map((s) => s.victim), { severity: 'low' });
  },
});
