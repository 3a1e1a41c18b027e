/**
 * Web cache deception (the PayPal 2017 class, lab scenario S5): many frameworks serve
 * `/account/anything.css` as `/account`. If the configuration caches such URLs (an extension rule
 * that overrides the origin's headers), an attacker who lures a user there reads the stored page.
 * Asked of the same configuration with deception variants of every personalized path.
 */
import { CONFIG_KINDS } from '../../types.ts';
import { deceptionUrls } from '../../routes.ts';
import { carriesCredential, defineVerifyRule, settingLines, where } from '../define.ts';

export default defineVerifyRule({
  id: 'verify/route/deception',
  severity: 'high',
  kinds: CONFIG_KINDS,
  docs: {
    title: 'A static-file rule caches personal pages under deception URLs',
    description:
      'For each personalized path, verify asks the configuration about `<path>/cw.css`, `.js`, `.png`, `<path>;cw.css` and `<path>%2Fcw.css` requested with a session cookie. Origins that ignore trailing path segments answer those with the private page; when the configuration stores that response and serves it to others (typically a rule that caches by file extension and overrides the origin\'s headers), a victim lured to such a URL leaves their page in the cache for the attacker. High rather than critical because it needs a lenient origin; `cachewarden probe` (technique probe/path-confusion) checks that part.',
    fix: 'Cache static files by location (a /static/ prefix the application does not route), not by extension; keep honouring the origin\'s Cache-Control on extension rules; pass requests that carry a session; have the application answer unknown trailing segments with 404.',
    references: ['Omer Gil, Web Cache Deception Attack (2017)', 'RFC 9111 §3 (storing responses)', 'Cloudflare Cache Deception Armor'],
  },
  messages: {
    deception: '{url} would be stored and served to other users by {handler}: a lenient origin answers it with the private page of {route}. Set by: {lines}',
  },
  examples: {
    bad: [
      {
        name: 'an extension rule that ignores the origin and strips Set-Cookie',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location ~* \\.(css|js|png)$ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Cache-Control Expires Set-Cookie;
      proxy_hide_header Set-Cookie;
      proxy_cache_valid 200 1d;
    }
    location / {
      proxy_pass http://app;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'deception', line: 5 }],
      },
    ],
    good: [
      {
        name: 'static files cached under their own prefix only',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=edge:1m;
  server {
    listen 80;
    location /static/ {
      proxy_pass http://app;
      proxy_cache edge;
      proxy_ignore_headers Set-Cookie;
      proxy_hide_header Set-Cookie;
      proxy_cache_valid 200 1d;
    }
    location / {
      proxy_pass http://app;
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
      route(route) {
        if (route.variant !== 'cookie') return;
        // The plain route itself is personalized-shared's business.
        if (route.worst().verdict.sharedAcrossIdentities.value !== 'no') return;
        for (const url of deceptionUrls(route.path)) {
          const { evaluation, verdict } = route.evaluateUrl(url).worst();
          if (verdict.sharedAcrossIdentities.value === 'no') continue;
          // The cache strips the session from such URLs: the origin renders an anonymous page there.
          if (!carriesCredential(evaluation.request, route.variant, ctx.settings)) continue;
          ctx.report({
            messageId: 'deception',
            data: {
              url,
              route: route.path,
              handler: evaluation.handler.label,
              lines: evaluation.provenance.length > 0 ? settingLines(evaluation.provenance) : where(evaluation.handler.at),
            },
            at: evaluation.handler.at,
            related: evaluation.provenance,
            route: route.path,
            reasons: verdict.sharedAcrossIdentities.reasons,
          });
          return;
        }
      },
    };
  },
});
