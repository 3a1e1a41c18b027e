/**
 * Catalogue CW-VN-03: builtin.vcl tests `Cache-Control` for no-cache/no-store/private only when
 * the response has no `Surrogate-Control` header at all, while core still takes the TTL from
 * `max-age`. A Surrogate-Control the VCL adds in vcl_backend_response (before builtin runs), or one
 * the origin is declared to send on a personalized route, therefore lets a private response be
 * stored. Found by asking the semantics core, whose builtin model notes the masking.
 */
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { Hits, reportHits } from './lib/hits.ts';
import { ask, headerOf, storedForOthers, targets, urlList } from './lib/probes.ts';
import { asVcl, place, quote, subName } from './lib/vcl.ts';

const MASKED = /\/surrogate-control-masks-cache-control$/;

export default defineVerifyRule({
  id: 'verify/varnish/surrogate-control-masks-private',
  severity: 'high',
  kinds: ['varnish'],
  catalogue: 'CW-VN-03',
  docs: {
    title: 'Surrogate-Control switches off builtin\'s Cache-Control: private check',
    description:
      'builtin.vcl makes a response hit-for-miss when `Cache-Control` contains `no-cache`, `no-store` or `private` — but only when the response has no `Surrogate-Control` header. Any Surrogate-Control does, even one that only announces ESI (`content="ESI/1.0"`), and then only `Surrogate-Control: no-store` counts; Varnish core meanwhile takes the TTL from `Cache-Control: max-age`. So `Cache-Control: private, max-age=600` plus any Surrogate-Control is stored for ten minutes and served to everyone. verify reports two ways into this: a VCL statement that adds Surrogate-Control in `vcl_backend_response` before builtin runs (asked with a `Cache-Control: private` response on every personalized path and public page), and a personalized route whose declared origin headers (`origin.headers`) carry both, with builtin in charge.',
    fix: 'Test Cache-Control yourself in `vcl_backend_response`, whatever Surrogate-Control says: `if (beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)") { set beresp.uncacheable = true; set beresp.ttl = 120s; return (deliver); }`; set ESI markers after that test, or on `beresp.do_esi` directly rather than through a Surrogate-Control header. Have the origin send `Surrogate-Control: no-store` on personal pages.',
    references: [
      'Varnish builtin.vcl (vcl_beresp_control): https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/builtin.vcl',
      'Varnish core TTL (cache_rfc2616.c)',
      'research: config-semantics.md §0 item 9, §1.2, CW-VN-03',
    ],
  },
  messages: {
    vclAdds:
      '{statement} in {sub} adds Surrogate-Control before builtin runs, so builtin no longer tests Cache-Control: a Cache-Control: private response to {urls} is stored under a key other users read',
    declared:
      '{glob} is declared with "Surrogate-Control: {surrogate}" and "Cache-Control: {cacheControl}", and {where} tests Cache-Control itself: builtin skips its private/no-store/no-cache test when Surrogate-Control is present, so {url} is stored for {ttl} s under a key other users read',
  },
  examples: {
    bad: [
      {
        name: 'an ESI marker added to every response',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    # Turn on ESI for every page (the header is read by the ESI module).
    set beresp.http.Surrogate-Control = {"content="ESI/1.0""};
    set beresp.do_esi = true;
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'vclAdds', line: 7 }],
      },
      {
        name: 'an origin that sends Surrogate-Control next to private',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_recv {
    if (req.url ~ "^/account") {
        # "The app marks personal pages private."
        return (hash);
    }
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'private, max-age=600', 'Surrogate-Control': 'content="ESI/1.0"' } },
        expect: [{ messageId: 'declared', line: 8 }],
      },
    ],
    good: [
      {
        name: 'ESI switched on after testing Cache-Control',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_backend_response {
    if (beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.do_esi = true;
}
`,
        },
        personalized: ['/account*'],
        origin: { '/account*': { 'Cache-Control': 'private, max-age=600', 'Surrogate-Control': 'content="ESI/1.0"' } },
      },
    ],
  },
  create(ctx) {
    const identity = ctx.settings.identity;
    return {
      config(model) {
        const vcl = asVcl(model, 'varnish');
        if (!vcl) return;
        const hits = new Hits<{ related: Provenance[] }>();
        for (const { url, variant } of targets(ctx.settings)) {
          const view = ask(ctx, vcl, url, variant, 'private');
          for (const e of view.evaluations) {
            const v = view.verdict(e);
            if (!storedForOthers(v, identity) || !v.response.store.reasons.some((r) => MASKED.test(r.rule))) continue;
            for (const statement of provenanceFor(e, 'response.surrogate-control')) hits.add(statement, url, () => ({ related: e.provenance.filter((p) => p !== statement) }));
          }
        }
        reportHits(ctx, hits, (h) => ({
          messageId: 'vclAdds',
          data: { statement: quote(h.statement), sub: subName(vcl, h.statement.at), urls: urlList(h.urls) },
          related: h.detail.related,
        }));
      },
      route(route, model) {
        const vcl = asVcl(model, 'varnish');
        if (!vcl || !route.declared) return;
        const surrogate = headerOf(route.response.headers, 'surrogate-control');
        const cacheControl = headerOf(route.response.headers, 'cache-control');
        if (surrogate === undefined || cacheControl === undefined) return;
        for (const e of route.evaluations) {
          const v = route.verdict(e);
          if (!storedForOthers(v, identity) || !v.response.store.reasons.some((r) => MASKED.test(r.rule))) continue;
          // A Surrogate-Control the VCL itself adds is the other message's.
          if (provenanceFor(e, 'response.surrogate-control').length > 0) continue;
          const sub = vcl.subs('vcl_backend_response').at(-1);
          const where = sub
            ? `nothing in \`sub vcl_backend_response\` (${place(sub.at)})`
            : `${e.handler.label} (${place(e.handler.at)}) hands it to builtin: no vcl_backend_response`;
          ctx.report({
            messageId: 'declared',
            data: { glob: route.glob, surrogate, cacheControl, where, url: route.path, ttl: v.response.ttl.value },
            at: sub?.at ?? e.handler.at,
            related: route.declaredAt ? [{ option: 'origin.headers', at: route.declaredAt, text: `${route.glob}: Surrogate-Control: ${surrogate}, Cache-Control: ${cacheControl}` }, ...e.provenance] : e.provenance,
            route: route.path,
            reasons: v.response.store.reasons,
          });
          return;
        }
      },
    };
  },
});
