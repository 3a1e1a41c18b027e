/**
 * Catalogue CW-VN-02: `set beresp.ttl = 0s` meant as "do not cache", delivered before builtin can
 * turn it into hit-for-miss and without `beresp.uncacheable`. Varnish stores a real TTL-0 object:
 * with grace it is served stale to later requests; without, Varnish 8.0 hands it to every request
 * waiting on its fetch (7.x makes them queue one by one). Found with the evaluator (the route's own
 * response and synthetic ones on every personalized path and public page) and, for branches no
 * probe reaches, a same-block scan for the ttl statement followed by `return (deliver)`.
 */
import type { VarnishOptions, Verdict } from '../../../semantics/types.ts';
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from './lib/hits.ts';
import { ask, storedForOthers, targets, urlList, type ProbeId } from './lib/probes.ts';
import { asVcl, entry, locationKey, quote, sets, subName, zeroTtlDeliveries } from './lib/vcl.ts';

const PROBED: ReadonlyArray<ProbeId | undefined> = [undefined, 'private', 'noStore', 'setCookie', 'incident2017'];

type MessageId = 'handedToWaiters' | 'serializedToday' | 'servedStale';

interface Detail {
  messageId: MessageId;
  grace: string;
  related: Provenance[];
  verdict: Verdict | undefined;
}

/** Which message a stored TTL-0 object gets, from what the semantics core says happens to it; undefined when nobody receives it. */
function outcome(v: Verdict): MessageId | undefined {
  if (v.response.stale.value.whileRevalidate > 0) return 'servedStale';
  if (v.response.collapse.value === 'share') return 'handedToWaiters';
  if (v.response.collapse.value === 'serialize') return 'serializedToday';
  return undefined;
}

export default defineVerifyRule({
  id: 'verify/varnish/ttl0-deliver',
  severity: 'high',
  kinds: ['varnish'],
  catalogue: 'CW-VN-02',
  docs: {
    title: 'A TTL of 0 delivered without beresp.uncacheable',
    description:
      'Setting `beresp.ttl = 0s` does not keep a response out of the cache: builtin.vcl turns a TTL of 0 or less into hit-for-miss, but only if it gets to run. When the VCL returns `deliver` first, Varnish stores a real object with TTL 0. With grace left at its default (10 s) or set higher, later requests receive it stale while it is refetched. With grace 0, Varnish 8.0 treats the new object as just revalidated and hands it to every request that waited on its fetch (the mechanism of the 2017 CDN incident, now in Varnish); Varnish 7.x cannot serve it to the waiters and makes them queue one at a time, which is slow but not shared, so upgrading to 8.0 turns this into a leak. verify asks the configuration about every personalized path and public page (with the origin\'s response and with private, no-store, Set-Cookie and no-cache + past Expires responses) and reports the `set beresp.ttl` statement wherever such an object ends up stored under a key other users read; it also reports `set beresp.ttl = 0s;` followed by `return (deliver);` in the same block where no probe reaches. Severity is high on 7.x and critical on Varnish 8, where the object is handed to collapsed requests.',
    fix: 'Mark the object uncacheable instead of giving it TTL 0: `set beresp.uncacheable = true; set beresp.ttl = 120s; return (deliver);` (a hit-for-miss marker for two minutes), or `return (pass(120s));` — or drop the `return (deliver)` so builtin makes it hit-for-miss itself.',
    references: [
      'Varnish 8.0 changes (waiting list): https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/doc/sphinx/whats-new/changes-8.0.rst',
      'Varnish commit 11c0367 (waiting list and TTL-0 objects): https://github.com/varnishcache/varnish-cache/commit/11c03673583397cb1b0cbec87b7ebbd025d38904',
      'Varnish builtin.vcl (vcl_beresp_stale, vcl_beresp_hitmiss)',
      'research: config-semantics.md §1.2, CW-VN-02',
    ],
  },
  messages: {
    handedToWaiters:
      '{statement} in {sub} stores a TTL-0 object with no grace instead of making it uncacheable ({urls}): Varnish 8 hands it to every request waiting on its fetch. Add `set beresp.uncacheable = true;`',
    serializedToday:
      '{statement} in {sub} stores a TTL-0 object with no grace instead of making it uncacheable ({urls}): Varnish 7 makes the requests waiting on it queue one by one, Varnish 8 hands it to all of them. Add `set beresp.uncacheable = true;`',
    servedStale:
      '{statement} in {sub} stores a TTL-0 object instead of making it uncacheable ({urls}), and {grace} of grace serve it stale to later requests. Add `set beresp.uncacheable = true;`',
  },
  examples: {
    bad: [
      {
        name: '"respect no-cache" by keeping nothing, then deliver',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (beresp.http.Cache-Control ~ "no-cache") {
        # "Respect no-cache: keep nothing."
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        return (deliver);
    }
    set beresp.ttl = 5m;
    return (deliver);
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'no-cache' } },
        expect: [{ messageId: 'serializedToday', line: 8 }],
      },
    ],
    good: [
      {
        name: 'the same branch marks hit-for-miss',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (beresp.http.Cache-Control ~ "no-cache") {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'no-cache' } },
      },
    ],
  },
  create(ctx) {
    const identity = ctx.settings.identity;
    return {
      config(model) {
        const vcl = asVcl(model, 'varnish');
        if (!vcl) return;
        const hits = new Hits<Detail>();
        /** TTL statements some exchange ran: the evaluator's answer stands for them. */
        const reached = new Set<string>();
        for (const { url, variant } of targets(ctx.settings)) {
          for (const probe of PROBED) {
            const view = ask(ctx, vcl, url, variant, probe);
            for (const e of view.evaluations) {
              for (const p of provenanceFor(e, 'backendResponse.ttl')) reached.add(locationKey(p.at));
              const ttl = (e.profile.options as VarnishOptions | undefined)?.backendResponse?.ttl;
              const statement = provenanceFor(e, 'backendResponse.ttl').at(-1);
              if (ttl === undefined || ttl > 0 || !statement) continue;
              const v = view.verdict(e);
              const messageId = storedForOthers(v, identity) ? outcome(v) : undefined;
              if (!messageId) continue;
              hits.add(statement, url, () => ({ messageId, grace: `${v.response.stale.value.whileRevalidate} s`, related: e.provenance.filter((p) => p !== statement), verdict: v }));
            }
          }
        }

        // Branches no probe reached: the same block delivers right after setting the TTL to 0.
        const v8 = (vcl.varnishVersion ?? 7) >= 8;
        for (const d of zeroTtlDeliveries(vcl, 'vcl_backend_response', (s) => sets(s, 'beresp.uncacheable') && s.value.type === 'bool' && s.value.value)) {
          const statement = entry(vcl, d.ttl, 'backendResponse.ttl');
          if (hits.has(statement) || reached.has(locationKey(statement.at))) continue;
          const stale = d.grace === undefined || d.grace > 0;
          hits.add(statement, undefined, () => ({
            messageId: stale ? 'servedStale' : v8 ? 'handedToWaiters' : 'serializedToday',
            grace: d.grace === undefined ? 'the default_grace (10 s)' : `${d.grace} s`,
            related: [entry(vcl, d.deliver, 'backendResponse.skipBuiltin')],
            verdict: undefined,
          }));
        }

        reportHits(ctx, hits, ({ statement, urls, detail: d }) => ({
          messageId: d.messageId,
          // Varnish 8 hands the TTL-0 object to every waiting request: the 2017 mechanism.
          ...(d.messageId === 'handedToWaiters' ? { severity: 'critical' as const } : {}),
          data: { statement: quote(statement), sub: subName(vcl, statement.at), urls: urls.length > 0 ? `on ${urlList(urls)}` : 'wherever this branch runs', grace: d.grace },
          related: d.related,
          ...(d.verdict ? { reasons: [...d.verdict.response.collapse.reasons, ...d.verdict.response.stale.reasons] } : {}),
        }));
      },
    };
  },
});
