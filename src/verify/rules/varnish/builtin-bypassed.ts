/**
 * Catalogue CW-VN-01: user VCL that gets builtin.vcl out of the way. A `return (deliver)` in
 * vcl_backend_response (or a sub it calls) skips builtin's hit-for-miss checks; an overridden
 * hook sub (`vcl_beresp_cookie`, `vcl_beresp_control`, … `vcl_req_cookie`) that returns early
 * switches one of them off. Asked with synthetic responses builtin never stores (Set-Cookie,
 * private, no-store, the 2017 no-cache + past Expires pair) on every personalized path and public
 * page: where the response is then stored under a key other users read, and builtin alone would
 * have made it hit-for-miss, the statement that returned is reported.
 */
import { explain } from '../../../semantics/index.ts';
import type { ProfileSpec, VarnishOptions, Verdict } from '../../../semantics/types.ts';
import type { Provenance, RouteEvaluation } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from './lib/hits.ts';
import { ask, carriesCredential, credentialName, probeList, storedForOthers, targets, urlList, type ProbeId } from './lib/probes.ts';
import { asVcl, quote, subName } from './lib/vcl.ts';

/** What each builtin sub a user may override checks, for messages. */
const HOOK_CHECKS: Record<string, string> = {
  vcl_builtin_backend_response: 'checks (all of them)',
  vcl_beresp_stale: 'TTL ≤ 0 check',
  vcl_beresp_cookie: 'Set-Cookie check',
  vcl_beresp_control: 'Cache-Control / Surrogate-Control check',
  vcl_beresp_vary: 'Vary: * check',
  vcl_beresp_hitmiss: 'hit-for-miss marking, where every check ends',
};
/** The request-side hook sub whose check passes each credential. */
const REQUEST_HOOKS = { cookie: 'vcl_req_cookie', authorization: 'vcl_req_authorization' } as const;
const REQUEST_HOOK_SUBS = new Set<string>(Object.values(REQUEST_HOOKS));

const PROBED: readonly ProbeId[] = ['setCookie', 'private', 'noStore', 'incident2017'];

/** The same exchange with builtin's backend-side checks back in charge. */
function withBuiltin(profile: ProfileSpec): ProfileSpec {
  const o: VarnishOptions = { ...(profile.options as VarnishOptions | undefined) };
  if (o.backendResponse) {
    const { skipBuiltin: _skipped, ...rest } = o.backendResponse;
    o.backendResponse = rest;
  }
  if (o.disabledBuiltinChecks) o.disabledBuiltinChecks = o.disabledBuiltinChecks.filter((c) => c.startsWith('req-'));
  return { ...profile, options: o } as ProfileSpec;
}

interface Detail {
  messageId: 'returnsBeforeBuiltin' | 'hookOverridden' | 'requestHookOverridden';
  sub: string;
  probes: Set<ProbeId>;
  credentials: Set<string>;
  related: Provenance[];
  verdict: Verdict;
}

export default defineVerifyRule({
  id: 'verify/varnish/builtin-bypassed',
  severity: 'critical',
  kinds: ['varnish'],
  catalogue: 'CW-VN-01',
  docs: {
    title: 'VCL returns before builtin.vcl can refuse a personal response',
    description:
      'Varnish appends builtin.vcl to your VCL, and builtin is what keeps personal responses out of the cache: it makes a response hit-for-miss (not stored, not shared) when it sets a cookie, says `private`, `no-store` or `no-cache`, has a TTL of 0 or less, or `Vary: *`; and it passes requests that carry a Cookie or Authorization. Any `return` ends the subroutine before builtin runs. A `return (deliver)` in `vcl_backend_response` (or in a sub it calls) therefore stores whatever reaches it; overriding a builtin hook sub (Varnish 7+: `vcl_beresp_cookie`, `vcl_beresp_control`, `vcl_beresp_stale`, `vcl_beresp_vary`, `vcl_beresp_hitmiss`, `vcl_req_cookie`, `vcl_req_authorization`) with an early `return` switches that check off for every request. verify asks the configuration about every personalized path and public page with origin responses builtin never stores (Set-Cookie; `Cache-Control: private`; `no-store`; `no-cache` with a past `Expires`), and reports the statement that returned wherever such a response ends up stored under a key other users read. It does so even when your origin\'s headers are safe today: the next endpoint, framework upgrade or error page will not be.',
    fix: 'Do not `return (deliver)` from `vcl_backend_response`: set the TTL and let the subroutine end, so builtin still runs. If you must return, repeat builtin\'s checks first: `if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)" || beresp.ttl <= 0s) { set beresp.uncacheable = true; set beresp.ttl = 120s; return (deliver); }`. Do not override builtin\'s hook subs with an early `return;` — remove the cookie or the header that bothers you before the check instead (`unset req.http.Cookie;` for static paths in `vcl_recv`).',
    references: [
      'Varnish builtin.vcl (varnish-7.6.0, varnish-8.0.0): https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/builtin.vcl',
      'Varnish Users Guide: built-in VCL and subroutine returns',
      'research: config-semantics.md §1.2, CW-VN-01',
    ],
  },
  messages: {
    returnsBeforeBuiltin:
      '{statement} in {sub} returns before builtin\'s checks: a response with {kinds} to {urls} is stored under a key other users read, where builtin would have made it hit-for-miss',
    hookOverridden: '{statement} ends {sub} early, so builtin skips its {check}: a response with {kinds} to {urls} is stored under a key other users read',
    requestHookOverridden:
      '{statement} ends {sub} early, so builtin no longer passes requests with {credentials}: requests for {urls} are looked up under a key without identity, and the origin sees the credential',
  },
  examples: {
    bad: [
      {
        name: 'a TTL override that returns deliver before builtin',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (beresp.status == 200) {
        set beresp.ttl = 1h;
        return (deliver);
    }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'returnsBeforeBuiltin', line: 8 }],
      },
      {
        name: 'the Set-Cookie hook overridden to keep the hit rate',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_beresp_cookie {
    # "Our analytics cookie is harmless."
    return;
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'hookOverridden', line: 7 }],
      },
    ],
    good: [
      {
        name: 'the TTL is set and builtin still runs',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (beresp.status == 200 && beresp.ttl > 0s) {
        set beresp.ttl = 1h;
    }
    # No return: builtin still refuses Set-Cookie, private, no-store, no-cache and TTL <= 0.
}
`,
        },
        personalized: ['/account*'],
      },
      {
        name: 'an early return that repeats builtin\'s checks first',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (beresp.ttl <= 0s || beresp.http.Set-Cookie || beresp.http.Surrogate-Control ~ "(?i)no-store" ||
        beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)" || beresp.http.Vary == "*") {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.ttl = 1h;
    return (deliver);
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
        const vcl = asVcl(model, 'varnish');
        if (!vcl) return;
        const hits = new Hits<Detail>();
        const hit = (statement: Provenance, messageId: Detail['messageId'], e: RouteEvaluation, verdict: Verdict, url: string): Detail =>
          hits.add(statement, url, () => ({ messageId, sub: subName(vcl, statement.at), probes: new Set(), credentials: new Set(), related: e.provenance.filter((p) => p !== statement), verdict })).detail;

        for (const { url, variant } of targets(ctx.settings)) {
          if (variant !== 'anonymous') {
            const view = ask(ctx, vcl, url, variant);
            for (const e of view.evaluations) {
              const v = view.verdict(e);
              if (v.request.action.value !== 'lookup' || v.request.key.value.includesIdentity || !carriesCredential(e, variant, ctx.settings)) continue;
              for (const p of provenanceFor(e, 'disabledBuiltinChecks')) {
                // A bare `return;` switches off its own check; `return (hash)` every check after it.
                const sub = subName(vcl, p.at);
                if (sub === REQUEST_HOOKS[variant] || (REQUEST_HOOK_SUBS.has(sub) && /\b(hash|lookup)\b/.test(p.text))) {
                  hit(p, 'requestHookOverridden', e, v, url).credentials.add(credentialName(variant, ctx.settings));
                }
              }
            }
          }
          for (const probe of PROBED) {
            const view = ask(ctx, vcl, url, variant, probe);
            for (const e of view.evaluations) {
              const v = view.verdict(e);
              if (!storedForOthers(v, identity)) continue;
              const culprits = [...provenanceFor(e, 'backendResponse.skipBuiltin'), ...provenanceFor(e, 'disabledBuiltinChecks')].filter((p) => !REQUEST_HOOK_SUBS.has(subName(vcl, p.at)));
              if (culprits.length === 0) continue;
              // Would builtin alone have stored it too? Then the return is not what lets it through.
              const builtin = explain(e.request, e.response, { ...withBuiltin(e.profile), identity } as ProfileSpec, e.response.receivedAt);
              if (storedForOthers(builtin, identity)) continue;
              for (const c of culprits) hit(c, HOOK_CHECKS[subName(vcl, c.at)] ? 'hookOverridden' : 'returnsBeforeBuiltin', e, v, url).probes.add(probe);
            }
          }
        }

        reportHits(ctx, hits, ({ statement, urls, detail: d }) => ({
          messageId: d.messageId,
          data: {
            statement: quote(statement),
            sub: d.sub,
            check: HOOK_CHECKS[d.sub] ?? 'checks',
            kinds: probeList(d.probes),
            credentials: [...d.credentials].join(' or '),
            urls: urlList(urls),
          },
          related: d.related,
          reasons: d.messageId === 'requestHookOverridden' ? d.verdict.request.action.reasons : d.verdict.response.store.reasons,
        }));
      },
    };
  },
});
