/**
 * Catalogue CW-VN-06: two ways a Varnish key stops separating what it should. (1) On a
 * personalized route that is looked up with the credential, vcl_backend_response removes `Vary`
 * or rewrites it without Cookie/Authorization, so the variants the origin asked for collapse into
 * one object (lab S4). Asked with a synthetic `Vary: Cookie` (or `Vary: Authorization`) response.
 * (2) A custom vcl_hash that returns before builtin's and never hashes the Host header: the same
 * path on two sites shares one object.
 */
import { defineVerifyRule } from '../define.ts';
import { reportHits } from './lib/hits.ts';
import { VARY_MESSAGES, varyDropped, varyFinding } from './lib/vary.ts';
import { asVcl, entry, quote, reachable, returnAction, sets } from './lib/vcl.ts';

const HOST = /\b(be)?req\.http\.host\b/i;

export default defineVerifyRule({
  id: 'verify/varnish/vary-unset',
  severity: 'high',
  kinds: ['varnish'],
  catalogue: 'CW-VN-06',
  docs: {
    title: 'Vary removed on personalized routes, or a vcl_hash without Host',
    description:
      'An origin that varies a cacheable page by user says so with `Vary: Cookie` (or `Vary: Authorization`): Varnish then keeps one variant per cookie header and never hands one user\'s variant to another. Teams remove that header because it makes every visitor a miss — and then the page rendered for the first visitor answers everybody (lab scenario S4). verify requests each personalized path with the session cookie and with a bearer token, as a lookup, with a response that carries `Vary: Accept-Encoding, Cookie` (or `Authorization`), and reports the statement in `vcl_backend_response` that removes the header or rewrites it without the credential. Separately, a custom `vcl_hash` that returns `lookup` skips builtin\'s `hash_data(req.http.host)`; unless it hashes the Host itself, the same path on two sites behind this Varnish shares one object.',
    fix: 'Leave `Vary` alone on personalized routes; if Cookie in Vary hurts the hit rate, pass requests that carry a session (`return (pass);` in vcl_recv) and remove cookies from public, static requests instead, which keeps their Vary harmless. In a custom vcl_hash, keep `hash_data(req.http.host);` (or let it end without `return (lookup)` so builtin adds URL and Host).',
    references: [
      'Varnish: Vary and the cache key (Users Guide, "Vary")',
      'Varnish builtin.vcl (vcl_builtin_hash): https://github.com/varnishcache/varnish-cache/blob/varnish-8.0.0/bin/varnishd/builtin.vcl',
      'RFC 9110 §12.5.5 (Vary)',
      'research: config-semantics.md §1.2, CW-VN-06',
    ],
  },
  messages: {
    ...VARY_MESSAGES,
    hashWithoutHost:
      '{statement} ends vcl_hash without hashing the Host header (builtin\'s hash_data(req.http.host) never runs): the same path on two sites behind this Varnish shares one object',
  },
  examples: {
    bad: [
      {
        name: '"Vary: Cookie makes every visitor a miss" (lab S4)',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_recv {
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.Vary ~ "(?i)cookie") {
        unset beresp.http.Vary;
    }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'varyUnset', line: 11 }],
      },
      {
        name: 'a custom vcl_hash that forgets the Host',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_hash {
    hash_data(req.url);
    return (lookup);
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'hashWithoutHost', line: 7 }],
      },
    ],
    good: [
      {
        name: 'sessions pass, Vary is kept, and the key has URL and Host',
        kind: 'varnish',
        files: {
          'default.vcl': `vcl 4.1;

backend app { .host = "127.0.0.1"; .port = "8080"; }

sub vcl_recv {
    if (req.url ~ "^/static/") {
        unset req.http.Cookie;
    }
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.host);
    return (lookup);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/static/") {
        unset beresp.http.Vary;
    }
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    return {
      config(model) {
        const vcl = asVcl(model, 'varnish');
        if (!vcl) return;
        const reached = reachable(vcl, 'vcl_hash');
        const ends = reached.filter((r) => ['lookup', 'hash'].includes(returnAction(r.stmt) ?? ''));
        const hashesHost = reached.some((r) => (r.stmt.type === 'hash_data' && HOST.test(vcl.text(r.stmt.value))) || (sets(r.stmt, 'req.hash') && HOST.test(vcl.text(r.stmt.value))));
        if (ends.length === 0 || hashesHost) return;
        const statement = entry(vcl, ends[0]!.stmt, 'hashExtra');
        ctx.report({ messageId: 'hashWithoutHost', data: { statement: quote(statement) }, at: statement.at, related: ends.slice(1).map((r) => entry(vcl, r.stmt, 'hashExtra')) });
      },
      route(route, model) {
        const vcl = asVcl(model, 'varnish');
        const hits = vcl && varyDropped(ctx, vcl, route, ['backendResponse.unsetVary', 'response.vary']);
        if (vcl && hits) reportHits(ctx, hits, (h) => varyFinding(vcl, route, h));
      },
    };
  },
});
