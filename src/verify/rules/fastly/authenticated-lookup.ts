/**
 * Catalogue CW-FY-06 (scoped): Fastly's default vcl_recv passes only non-GET/HEAD methods; a
 * request with a session cookie or Authorization is looked up like any other, under URL + Host,
 * and joins the collapsing queue. On a personalized route whose credential still reaches the
 * backend (not removed in vcl_miss) and is not in the key, the `return(lookup)` (or the end of
 * vcl_recv, where the boilerplate looks up) is reported, whatever the origin's headers say today.
 */
import type { Reason } from '../../../semantics/types.ts';
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from '../varnish/lib/hits.ts';
import { ask, carriesCredential, credentialName, droppedBeforeBackend, identifiedVariants, keyText } from '../varnish/lib/probes.ts';
import { asVcl, place, quote } from '../varnish/lib/vcl.ts';

export default defineVerifyRule({
  id: 'verify/fastly/authenticated-lookup',
  severity: 'high',
  kinds: ['fastly'],
  catalogue: 'CW-FY-06',
  docs: {
    title: 'Requests with a session cookie or Authorization are looked up on personalized routes',
    description:
      'Unlike Varnish, Fastly does not pass requests that carry a Cookie or an Authorization header: the boilerplate `vcl_recv` passes only methods other than GET and HEAD, and the key is URL + Host. A logged-in request for a personalized page is therefore looked up, joins the collapsing queue behind any other user\'s request for the same URL, and is answered from the cache whenever the origin\'s response is stored — only the origin\'s headers (and the `vcl_fetch` pass checks) stand in the way. verify requests each personalized path with the session cookie and with a bearer token and reports the `return(lookup)` (or the end of `vcl_recv`) that looks it up while the credential still reaches the backend and `vcl_hash` leaves it out of the key.',
    fix: 'Pass requests that carry a session on personalized routes, in `vcl_recv` before any `return(lookup)`: `if (req.http.Authorization || req.http.Cookie:sid) { return(pass); }` (with your session cookie\'s name), or pass the personalized paths outright. If a page really must be cached per user, add the credential to the key in `vcl_hash` (`set req.hash += req.http.Cookie:sid;`).',
    references: [
      'Fastly custom VCL boilerplate (vcl_recv): https://www.fastly.com/documentation/guides/full-site-delivery/fastly-vcl/about-fastly-vcl/#custom-vcl',
      'Fastly Cookie header reference: https://www.fastly.com/documentation/reference/http/http-headers/Cookie',
      'Fastly request collapsing guide: https://www.fastly.com/documentation/guides/concepts/edge-state/cache/request-collapsing/',
      'research: config-semantics.md §1.1, CW-FY-06, CW-G-04',
    ],
  },
  messages: {
    lookedUp:
      '{statement} looks up {url} for requests with {credentials}; the credential still reaches the backend, but the key is {key} only: one user\'s page can answer another\'s request (from the cache or the collapsing queue)',
  },
  examples: {
    bad: [
      {
        name: 'everything looked up, logged in or not',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    if (req.method != "HEAD" && req.method != "GET" && req.method != "FASTLYPURGE") {
        return(pass);
    }
    return(lookup);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'lookedUp', line: 6 }],
      },
    ],
    good: [
      {
        name: 'sessions and tokens pass',
        kind: 'fastly',
        files: {
          'main.vcl': `sub vcl_recv {
#FASTLY recv
    if (req.method != "HEAD" && req.method != "GET" && req.method != "FASTLYPURGE") {
        return(pass);
    }
    if (req.http.Authorization || req.http.Cookie:sid) {
        return(pass);
    }
    return(lookup);
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
        const vcl = asVcl(model, 'fastly');
        const variants = identifiedVariants(ctx.settings);
        // Both credentials are asked on the first identified variant's call, so one finding names both.
        if (!vcl || route.variant !== variants[0]) return;
        const hits = new Hits<{ label: string; credentials: string[]; key: string; related: Provenance[]; reasons: Reason[] }>();
        for (const variant of variants) {
          if (droppedBeforeBackend(vcl, 'vcl_miss', variant)) continue;
          const view = variant === route.variant ? route : ask(ctx, vcl, route.path, variant);
          for (const e of view.evaluations) {
            const v = view.verdict(e);
            if (!e.caching || v.request.action.value !== 'lookup' || v.request.key.value.includesIdentity || !carriesCredential(e, variant, ctx.settings)) continue;
            const ret = provenanceFor(e, 'recv').at(-1);
            const statement: Provenance = ret ?? { option: 'recv', at: e.handler.at, text: 'sub vcl_recv' };
            const label = ret ? quote(ret) : `the end of \`sub vcl_recv\` (${place(e.handler.at)}), where the boilerplate looks up GET and HEAD,`;
            const d = hits.add(statement, route.path, () => ({
              label,
              credentials: [],
              key: keyText(v),
              related: e.provenance.filter((p) => p !== statement),
              reasons: [...v.request.action.reasons, ...v.request.key.reasons],
            })).detail;
            const name = credentialName(variant, ctx.settings);
            if (!d.credentials.includes(name)) d.credentials.push(name);
          }
        }
        reportHits(ctx, hits, ({ detail: d }) => ({
          messageId: 'lookedUp',
          data: { statement: d.label, url: route.path, credentials: d.credentials.join(' or '), key: d.key },
          related: d.related,
          reasons: d.reasons,
        }));
      },
    };
  },
});
