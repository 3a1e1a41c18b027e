/**
 * probe/set-cookie-shared (P15): a response carrying Set-Cookie stored by the shared cache replays
 * that cookie to everyone who gets the object; when it is the session cookie, they are logged in
 * as its owner (the Pia 2025 class). Checked on public pages (sites with rolling sessions re-send
 * the cookie there) and on the personalized paths.
 */
import { ANONYMOUS, defineTechnique, type ProbeResponse } from '../types.ts';
import { describeExposures, exposuresIn, fromCache } from '../evidence.ts';
import { result } from './result.ts';

export default defineTechnique({
  id: 'probe/set-cookie-shared',
  title: 'Set-Cookie stored and replayed by the shared cache',
  riskSeverity: 'high',
  appliesTo: 'public',
  docs: {
    description:
      'On each public page (and from the cross-identity replay on personalized ones): an anonymous client requests the real page, and the first account fills a fresh copy that an anonymous client requests next. A session cookie of another identity in a response is a leak: a canary\'s session (handed over by the cache) or a stranger\'s (kept as a hash only). Any other Set-Cookie served from the cache is a risk.',
    fix: 'Never store responses that set cookies: remove `proxy_ignore_headers Set-Cookie` (nginx) or the early `return (deliver)` that skips the builtin Set-Cookie check (Varnish); strip Set-Cookie only on routes that never issue sessions. Then invalidate the sessions that were handed out.',
    references: ['RFC 9111 §7.3', 'config research CW-NX-02, CW-FY-03, CW-VN-05'],
  },
  async run(ctx) {
    const who = ctx.accounts[0]!;
    const passive = await ctx.client.fetch(ANONYMOUS, ctx.path);
    const url = ctx.client.bust(ctx.path);
    const filled = await ctx.client.fetch(who, url);
    const replayed = await ctx.client.fetch(ANONYMOUS, url);
    const responses: ProbeResponse[] = [passive, filled, replayed];
    const exposures = [passive, replayed].flatMap(exposuresIn).filter((x) => x.via === 'session-cookie' || x.via === 'owner-tag' || x.via === 'marker');
    if (exposures.length > 0) return result(ctx, 'leak', describeExposures(exposures), responses, { exposures });
    const cachedCookie = [passive, replayed].filter((r) => r.setCookies.length > 0 && fromCache(r));
    if (cachedCookie.length > 0) {
      return result(ctx, 'risk', `a response with Set-Cookie (${cachedCookie[0]!.setCookies.map((c) => c.name).join(', ')}) came from the cache`, responses);
    }
    return result(ctx, 'ok', 'no Set-Cookie came from the cache', responses);
  },
});
