/**
 * Catalogue CW-NX-03: a `proxy_cache_bypass` condition that carries the requester's identity (a
 * cookie, Authorization, or a map/set built from them) without a `proxy_no_cache` that covers it.
 * Bypass only skips the lookup: the logged-in user's response is still stored and served to the
 * next request for the URL. Structural (every caching location), plus the personalized routes
 * where the semantics core says a logged-in request is bypassed but stored.
 *
 * Not reported: bypass conditions that do not derive from identity (`$http_pragma`, `$arg_refresh`:
 * a forced refresh that re-fills the cache is what they are for), and the reverse (`proxy_no_cache`
 * without bypass), which lets logged-in users read the anonymous copy but never stores theirs.
 */
import { directiveText, type NginxDirective } from '../../nginx/ast.ts';
import { effective } from '../../nginx/inherit.ts';
import type { NginxModel } from '../../nginx/index.ts';
import { variableRefs } from '../../nginx/variables.ts';
import { defineVerifyRule, provenanceFor, type FindingInput } from '../define.ts';
import { isNginx, personalExchanges, type CacheModule } from './lib/exchanges.ts';
import { baseVariables, cachingBlocks, identityInputs } from './lib/structure.ts';

interface Unmirrored {
  directive: NginxDirective;
  missing: string[];
}

/** Whether a no_cache parameter list is true whenever the bypass parameter is (same variables, or the same identity inputs, or a constant "store nothing"). */
function covered(model: NginxModel, param: string, noCache: readonly string[], identityHeaders: readonly string[]): boolean {
  if (noCache.some((q) => variableRefs(q).length === 0 && q !== '' && q !== '0')) return true;
  const refs = variableRefs(param);
  const noRefs = new Set(noCache.flatMap(variableRefs));
  if (refs.length > 0 && refs.every((r) => noRefs.has(r))) return true;
  const need = identityInputs(baseVariables(model, param), identityHeaders);
  const have = new Set(noCache.flatMap((q) => identityInputs(baseVariables(model, q), identityHeaders)));
  return need.length > 0 && need.every((v) => have.has(v));
}

/** The bypass lines in effect whose identity-derived parameters no no_cache parameter covers. */
function unmirrored(model: NginxModel, module: CacheModule, chain: readonly NginxDirective[], identityHeaders: readonly string[]): Unmirrored[] {
  const noCache = effective(`${module}_no_cache`, chain).flatMap((d) => d.args);
  const out: Unmirrored[] = [];
  for (const d of effective(`${module}_cache_bypass`, chain)) {
    const missing = d.args.filter((a) => identityInputs(baseVariables(model, a), identityHeaders).length > 0 && !covered(model, a, noCache, identityHeaders));
    if (missing.length > 0) out.push({ directive: d, missing });
  }
  return out;
}

export default defineVerifyRule({
  id: 'verify/nginx/bypass-without-no-cache',
  severity: 'critical',
  kinds: ['nginx'],
  catalogue: 'CW-NX-03',
  docs: {
    title: 'proxy_cache_bypass on a session without proxy_no_cache',
    description:
      '`proxy_cache_bypass` only decides whether a request is answered from the cache. Whether its response is stored is `proxy_no_cache`\'s business, and nginx ignores request cookies and Authorization when storing. A bypass on the session cookie or Authorization without the same condition in `proxy_no_cache` therefore sends the logged-in user to the origin, stores their personal response under the URL, and serves it to the next request without a session. The rule checks every caching location (including `fastcgi_`, `uwsgi_` and `scgi_` forms) for bypass parameters that derive from identity (a cookie, Authorization, or a `map`/`set` variable built from them, like `map $cookie_sid $logged_in`) and that no `proxy_no_cache` parameter covers, and adds the personalized routes where it happens. Bypass parameters unrelated to identity (`$http_pragma`, `$arg_refresh`) are left alone: re-filling the cache is what they are for. The reverse (`proxy_no_cache` without bypass) is not reported: logged-in users may then read the anonymous copy, but their own response is never stored.',
    fix: 'Give `proxy_no_cache` the same parameters as `proxy_cache_bypass` in the same block: `proxy_cache_bypass $cookie_sid $http_authorization; proxy_no_cache $cookie_sid $http_authorization;`.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_bypass',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_no_cache',
      'research: config-semantics.md §1.3, CW-NX-03, CW-G-04',
    ],
  },
  messages: {
    notMirrored:
      '{directive} skips the cache lookup for requests with {missing}, but no {module}_no_cache covers it: their personal responses are still stored and served to the next request for the URL',
  },
  examples: {
    bad: [
      {
        name: 'bypass on the session, no proxy_no_cache',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_cache_valid 200 30s;
      proxy_cache_bypass $cookie_sid $http_authorization;
      proxy_no_cache $http_authorization;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'notMirrored', line: 9 }],
      },
    ],
    good: [
      {
        name: 'bypass and no_cache on the same conditions (through a map), and a refresh knob',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  map $cookie_sid $logged_in {
    ""       0;
    default  1;
  }
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_cache_valid 200 30s;
      proxy_cache_bypass $logged_in $http_authorization $http_pragma;
      proxy_no_cache $cookie_sid $http_authorization;
    }
  }
}
`,
        },
        personalized: ['/account*'],
      },
    ],
  },
  create(ctx) {
    const headers = ctx.settings.identity.headers ?? ['authorization'];
    const report = (u: Unmirrored, module: CacheModule, extra: Pick<FindingInput, 'route' | 'related' | 'reasons'> = {}): void => {
      ctx.report({
        messageId: 'notMirrored',
        data: { directive: directiveText(u.directive), missing: u.missing.join(' '), module },
        at: u.directive.at,
        ...extra,
      });
    };
    return {
      config(model) {
        if (!isNginx(model)) return;
        for (const b of cachingBlocks(model)) {
          for (const u of unmirrored(model, b.module, b.chain, headers)) report(u, b.module, { related: [{ option: 'cache', at: b.cache.at, text: directiveText(b.cache) }] });
        }
      },
      route(route, model) {
        if (!isNginx(model)) return;
        for (const x of personalExchanges(route, model, ctx.settings) ?? []) {
          if (!x.evaluation.caching || !x.module || x.verdict.request.action.value !== 'bypass') continue;
          let found = unmirrored(model, x.module, x.outcome.chain, headers);
          // The core saw a bypass that the static reading did not attribute to identity: report the bypass lines as they are.
          if (found.length === 0) found = effective(`${x.module}_cache_bypass`, x.outcome.chain).map((d) => ({ directive: d, missing: d.args }));
          for (const u of found) report(u, x.module, { route: route.path, related: provenanceFor(x.evaluation, 'cache', 'bypass', 'noCache'), reasons: x.verdict.request.action.reasons });
        }
      },
    };
  },
});
