/**
 * Catalogue CW-VN-04 (scoped): on a personalized route, vcl_recv returns hash for a request that
 * still carries the session cookie or Authorization, the backend receives that credential (so the
 * origin personalizes the page), and vcl_hash does not put it in the key. builtin's pass on
 * Cookie/Authorization never runs, and one user's page answers the next user's lookup whenever the
 * response is stored or collapsed: only the origin's headers stand in the way (lab S1–S4, S6).
 * Reported at the `return (hash)` that decided, whatever the origin's headers say today.
 */
import type { Reason } from '../../../semantics/types.ts';
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from './lib/hits.ts';
import { ask, carriesCredential, credentialName, droppedBeforeBackend, identifiedVariants, keyText } from './lib/probes.ts';
import { asVcl, quote, subName } from './lib/vcl.ts';

export default defineVerifyRule({
  id: 'verify/varnish/cookie-forwarded-not-hashed',
  severity: 'critical',
  kinds: ['varnish'],
  catalogue: 'CW-VN-04',
  docs: {
    title: 'vcl_recv looks up personalized requests whose cookie or token still reaches the backend',
    description:
      'builtin.vcl passes every request that carries a Cookie or an Authorization header: not looked up, not stored. A `return (hash)` in `vcl_recv` skips that. When the request keeps its session cookie or token on the way to the backend, the origin renders the page for that user, and the key is still URL + Host: every response the origin lets Varnish store — and every response handed to requests collapsed behind the fetch — answers the next user\'s request for the same URL. This is how lab scenarios S1–S4 and S6 leak (a micro-cache, an emergency cache rule, an API cached for its read load, a dropped `Vary: Cookie`, grace on account pages). verify requests each personalized path with the session cookie and with a bearer token and reports the `return (hash)` that looks it up while the credential survives to the backend request and `vcl_hash` leaves it out of the key, even when the origin\'s headers are safe today.',
    fix: 'Pass requests that carry a session on personalized routes: `if (req.http.Authorization || req.http.Cookie ~ "(^|;\\s*)sid=") { return (pass); }` before any `return (hash)`, or let vcl_recv fall through to builtin. Remove cookies only where the application does not read them (`unset req.http.Cookie;` for static paths). If a page really must be cached per user, add the credential to the key in vcl_hash (`hash_data(req.http.Cookie);`).',
    references: [
      'Varnish builtin.vcl (vcl_req_cookie, vcl_req_authorization): https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/builtin.vcl',
      'RFC 9111 §3.5 (storing responses to authenticated requests)',
      'research: config-semantics.md §1.2, CW-VN-04',
    ],
  },
  messages: {
    notHashed:
      '{statement} in {sub} looks up {url} for requests with {credentials}; the credential still reaches the backend, but the key is {key} only: one user\'s page can answer the next user\'s request',
  },
  examples: {
    bad: [
      {
        name: 'a micro-cache that looks up everything (lab S1)',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_recv {
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Micro-cache: logged in or not, everything is looked up.
    return (hash);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'notHashed', line: 10 }],
      },
    ],
    good: [
      {
        name: 'sessions pass; cookies are removed only for static files',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_recv {
    if (req.url ~ "^/static/") {
        unset req.http.Cookie;
        return (hash);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\\s*)sid=") {
        return (pass);
    }
    return (hash);
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        const vcl = asVcl(model, 'varnish');
        const variants = identifiedVariants(ctx.settings);
        // Both credentials are asked on the first identified variant's call, so one finding names both.
        if (!vcl || route.variant !== variants[0]) return;
        const hits = new Hits<{ credentials: string[]; related: Provenance[]; key: string; reasons: Reason[] }>();
        for (const variant of variants) {
          if (droppedBeforeBackend(vcl, 'vcl_backend_fetch', variant)) continue;
          const view = variant === route.variant ? route : ask(ctx, vcl, route.path, variant);
          for (const e of view.evaluations) {
            const v = view.verdict(e);
            if (!e.caching || v.request.action.value !== 'lookup' || v.request.key.value.includesIdentity) continue;
            if (!carriesCredential(e, variant, ctx.settings)) continue;
            for (const statement of provenanceFor(e, 'recv')) {
              const d = hits.add(statement, route.path, () => ({
                credentials: [],
                related: e.provenance.filter((p) => p !== statement),
                key: keyText(v),
                reasons: [...v.request.action.reasons, ...v.request.key.reasons],
              })).detail;
              const name = credentialName(variant, ctx.settings);
              if (!d.credentials.includes(name)) d.credentials.push(name);
            }
          }
        }
        reportHits(ctx, hits, ({ statement, detail: d }) => ({
          messageId: 'notHashed',
          data: { statement: quote(statement), sub: subName(vcl, statement.at), url: route.path, credentials: d.credentials.join(' or '), key: d.key },
          related: d.related,
          reasons: d.reasons,
        }));
      },
    };
  },
});
