/**
 * A response that sets a session cookie, stored by the cache (lab scenario S2b, the Steam 2015 and
 * "rolling session" class): the next visitor receives the stored response and, with it, the first
 * user's session cookie — they are logged in as someone else. Asked of every configuration for the
 * public pages (`probe.publicPaths`, default `/`), with a response that
 * carries `Set-Cookie: <session cookie>=…`.
 */
import { CONFIG_KINDS } from '../../types.ts';
import { defineVerifyRule, settingLines, where } from '../define.ts';

export default defineVerifyRule({
  id: 'verify/route/set-cookie-shared',
  severity: 'critical',
  kinds: CONFIG_KINDS,
  docs: {
    title: 'A response that sets the session cookie can be stored and replayed to others',
    description:
      'Applications re-send the session cookie on ordinary pages (express-session `rolling`, login redirects, "remember me" refreshes). verify asks the configuration about each public page (`probe.publicPaths`, default `/`), requested with a session cookie, with a response that carries `Set-Cookie: <session cookie>=…`. If the cache stores that response and serves it to another requester, the next visitor receives the first user\'s session cookie (a session handover: they are now logged in as that user) and, on greeting pages, their name. Every engine refuses to store Set-Cookie responses by default; a rule that ignores Set-Cookie, strips it before the cache decides, or returns early past the check turns that off.',
    fix: 'Never cache a response that carries Set-Cookie: keep the engine\'s default (nginx: do not list Set-Cookie in proxy_ignore_headers; Varnish: let builtin see it; Fastly: keep the boilerplate pass), and strip cookies from requests for static, cacheable paths instead so the origin has no reason to set one there.',
    references: ['RFC 9111 §7.3 (Set-Cookie in shared caches is a privacy risk)', 'RFC 6265 §4.1 (Set-Cookie)', 'nginx proxy_ignore_headers', 'Varnish builtin.vcl (vcl_beresp_cookie)'],
  },
  messages: {
    handover: '{url}: a response that sets the session cookie is stored and served to the next visitor (session handover): {why} Set by: {lines}',
    bodyStored: '{url}: a response that sets the session cookie is stored (the cookie itself is hidden) and its body served to others: {why} Set by: {lines}',
  },
  examples: {
    bad: [
      {
        name: 'public pages cached with Set-Cookie ignored ("the rolling session kills the hit rate")',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Set-Cookie;
      proxy_cache_valid 200 1m;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'handover', line: 5 }],
      },
    ],
    good: [
      {
        name: 'public pages cached without request cookies; Set-Cookie responses are never stored',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location / {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_set_header Cookie "";
      proxy_hide_header Set-Cookie;
      proxy_cache_valid 200 1m;
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
    return {
      config(model) {
        const cookie = `${ctx.settings.sessionCookie}=cw-verify-handed-over; Path=/; HttpOnly`;
        const urls = ctx.settings.publicPaths;
        for (const url of urls) {
          const view = ctx.exchange(model, url, 'cookie', { responseHeaders: { 'set-cookie': cookie } });
          const { evaluation, verdict } = view.worst();
          if (verdict.response.store.value !== 'store' || verdict.response.reuse.value === 'no') continue;
          const hidden = evaluation.profile.id === 'nginx' && (evaluation.profile.options?.hideHeaders ?? []).some((h) => h.toLowerCase() === 'set-cookie');
          ctx.report({
            messageId: hidden ? 'bodyStored' : 'handover',
            data: {
              url,
              why: [...verdict.response.store.reasons, ...verdict.response.reuse.reasons].slice(0, 3).map((r) => r.text).join(' '),
              lines: evaluation.provenance.length > 0 ? settingLines(evaluation.provenance) : `${evaluation.handler.label} (${where(evaluation.handler.at)})`,
            },
            at: evaluation.handler.at,
            related: evaluation.provenance,
            route: url,
            reasons: verdict.response.store.reasons,
          });
        }
      },
    };
  },
});
