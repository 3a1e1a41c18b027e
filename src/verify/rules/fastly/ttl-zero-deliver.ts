/**
 * Catalogue CW-FY-05: `set beresp.ttl = 0s` meant as "do not cache", then delivered. Fastly stores
 * a TTL-0 object and hands it to every request collapsed behind its fetch; only `return(pass)` (or
 * `beresp.cacheable = false`) keeps it out. Found with the evaluator on every personalized path
 * and public page (the route's own response and synthetic ones) and, for branches no probe
 * reaches, a same-block scan for the ttl statement followed by `return(deliver)`. Also (a
 * structural check) `set beresp.cacheable = true` under a test for Set-Cookie, private or
 * no-store with no pass after it in its block: every status of such a response becomes cacheable.
 */
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from '../varnish/lib/hits.ts';
import { ask, storedForOthers, targets, urlList, type ProbeId } from '../varnish/lib/probes.ts';
import { asVcl, blockOf, entry, locationKey, quote, reachable, returnAction, sets, subName, zeroTtlDeliveries, type Reached } from '../varnish/lib/vcl.ts';
import { fastlyOptions } from './lib/fetch.ts';

const PROBED: ReadonlyArray<ProbeId | undefined> = [undefined, 'private', 'noStore', 'setCookie', 'incident2017'];
/** A condition that tests for a private marker (`beresp.http.Set-Cookie`, `Cache-Control ~ "private"`). */
const PRIVATE_TEST = /set-cookie|private|no-store/i;

/** The block of a reached statement passes (or makes the response uncacheable) after it. */
function passesAfter(r: Reached): boolean {
  const body = blockOf(r);
  return body.slice(body.indexOf(r.stmt) + 1).some((s) => returnAction(s) === 'pass' || s.type === 'error' || (sets(s, 'beresp.cacheable') && s.value.type === 'bool' && !s.value.value));
}

export default defineVerifyRule({
  id: 'verify/fastly/ttl-zero-deliver',
  severity: 'critical',
  kinds: ['fastly'],
  catalogue: 'CW-FY-05',
  docs: {
    title: 'A TTL of 0 delivered instead of passed',
    description:
      '`set beresp.ttl = 0s;` does not keep a response out of Fastly\'s cache. If `vcl_fetch` then delivers it, Fastly stores an object with TTL 0, and request collapsing hands that object to every request that arrived while it was being fetched: one user\'s page, many recipients. Only `return(pass)` (a hit-for-pass marker) or `set beresp.cacheable = false;` keep the response to its own requester. Likewise `set beresp.cacheable = true;` makes any status cacheable, so on a response that carries Set-Cookie, `private` or `no-store` it turns a refusal into storage when nothing passes afterwards. verify asks the configuration about every personalized path and public page (with the origin\'s response and with private, no-store, Set-Cookie and no-cache + past Expires responses) and reports the statement wherever the response is then stored under a key other users read; it also reports `set beresp.ttl = 0s;` followed by `return(deliver);` in the same block where no probe reaches.',
    fix: 'Replace `set beresp.ttl = 0s; return(deliver);` with `set beresp.ttl = 120s; return(pass);` (hit-for-pass: the requests go to the origin one by one, nothing is shared), or set `beresp.cacheable = false`. Do not set `beresp.cacheable = true` on responses that carry Set-Cookie, `private` or `no-store`.',
    references: [
      'Fastly request collapsing guide (hit-for-pass, uncacheable responses): https://www.fastly.com/documentation/guides/concepts/edge-state/cache/request-collapsing/',
      'Fastly: beresp.cacheable: https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-cacheable/',
      'research: config-semantics.md §1.1, CW-FY-05',
    ],
  },
  messages: {
    zeroTtl:
      '{statement} in {sub} gives the response TTL 0 and it is then delivered ({urls}): Fastly stores it and hands it to every request collapsed behind the fetch. Use `return(pass)` instead',
    cacheableForced:
      '{statement} in {sub} makes responses that pass `{test}` cacheable whatever their status, and nothing passes them after it: such a response (an error page or redirect rendered for one user) is stored under a key other users read',
  },
  examples: {
    bad: [
      {
        name: '"uncacheable" user pages delivered with TTL 0',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.X-User) {
        # "Personal page: do not cache."
        set beresp.ttl = 0s;
        return(deliver);
    }
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'zeroTtl', line: 10 }],
      },
    ],
    good: [
      {
        name: 'personal pages passed',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    return(lookup);
}

sub vcl_fetch {
#FASTLY fetch
    if (beresp.http.X-User) {
        set beresp.ttl = 120s;
        return(pass);
    }
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?:private|no-store)") {
        return(pass);
    }
    return(deliver);
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    const identity = ctx.settings.identity;
    return {
      config(model) {
        const vcl = asVcl(model, 'fastly');
        if (!vcl) return;
        const hits = new Hits<{ messageId: 'zeroTtl' | 'cacheableForced'; related: Provenance[]; test: string }>();
        /** TTL statements some exchange ran: the evaluator's answer stands for them. */
        const reached = new Set<string>();
        for (const { url, variant } of targets(ctx.settings)) {
          for (const probe of PROBED) {
            const view = ask(ctx, vcl, url, variant, probe);
            for (const e of view.evaluations) {
              for (const p of provenanceFor(e, 'fetch.ttl')) reached.add(locationKey(p.at));
              const fetch = fastlyOptions(e).fetch;
              if (fetch?.action !== 'deliver') continue;
              const v = view.verdict(e);
              if (!storedForOthers(v, identity)) continue;
              const ttl = provenanceFor(e, 'fetch.ttl').at(-1);
              if (ttl && fetch.ttl !== undefined && fetch.ttl <= 0 && v.response.collapse.value === 'share') {
                hits.add(ttl, url, () => ({ messageId: 'zeroTtl', related: e.provenance.filter((p) => p !== ttl), test: '' }));
              }
            }
          }
        }
        // Branches no probe reached: the same block delivers right after setting the TTL to 0.
        for (const d of zeroTtlDeliveries(vcl, 'vcl_fetch', (s) => sets(s, 'beresp.cacheable') && s.value.type === 'bool' && !s.value.value)) {
          const statement = entry(vcl, d.ttl, 'fetch.ttl');
          if (!hits.has(statement) && !reached.has(locationKey(statement.at))) hits.add(statement, undefined, () => ({ messageId: 'zeroTtl', related: [entry(vcl, d.deliver, 'fetch.action')], test: '' }));
        }
        // `set beresp.cacheable = true` under a test for a private marker, with no pass after it in its block.
        for (const r of reachable(vcl, 'vcl_fetch')) {
          if (!(sets(r.stmt, 'beresp.cacheable') && r.stmt.value.type === 'bool' && r.stmt.value.value)) continue;
          const guard = r.guards.map((g) => (g.branch >= 0 ? vcl.text(g.stmt.branches[g.branch]!.cond) : '')).find((c) => PRIVATE_TEST.test(c) && !c.startsWith('!'));
          if (!guard || passesAfter(r)) continue;
          const statement = entry(vcl, r.stmt, 'fetch.cacheable');
          hits.add(statement, undefined, () => ({ messageId: 'cacheableForced', related: [], test: guard }));
        }
        reportHits(ctx, hits, ({ statement, urls, detail: d }) => ({
          messageId: d.messageId,
          data: {
            statement: quote(statement),
            sub: subName(vcl, statement.at),
            urls: urls.length > 0 ? `on ${urlList(urls)}` : 'wherever this branch runs',
            test: d.test,
          },
          related: d.related,
        }));
      },
    };
  },
});
