/**
 * Catalogue CW-NX-10: a cache in front of an upstream that is not the operator's own application
 * (a public host name, or a target chosen by a variable) that still honours `X-Accel-Expires`.
 * That header is nginx's private channel: a positive value overrides `Cache-Control: private` and
 * `no-store`, so whoever runs the upstream decides what nginx stores and for how long.
 * Structural and heuristic (which hosts are "your own" cannot be known from the file), hence low.
 */
import { directiveText, directivesOf, walkDirectives, type NginxDirective } from '../../nginx/ast.ts';
import { proxyHostOf } from '../../nginx/evaluate.ts';
import type { NginxModel } from '../../nginx/index.ts';
import { defineVerifyRule } from '../define.ts';
import { isNginx } from './lib/exchanges.ts';
import { baseVariables, cachingBlocks, linesNaming } from './lib/structure.ts';

const INTERNAL_SUFFIXES = ['.local', '.localdomain', '.internal', '.intranet', '.lan', '.home.arpa', '.svc', '.cluster.local', '.consul', '.localhost'];

/** A host name that looks like somebody else's service: dotted, not an IP address, not a private-use name. */
function externalName(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '' || !h.includes('.') || h.includes(':')) return false;
  if (/^\d+(\.\d+){3}$/.test(h)) return false;
  return !INTERNAL_SUFFIXES.some((s) => h.endsWith(s));
}

/** The values a variable can take when the configuration lists them all as literals (a map or set without variables in its values). */
function literalValues(model: NginxModel, name: string): string[] | undefined {
  const map = model.maps.get(name);
  const values: string[] = [];
  if (map) values.push(...map.entries.map((e) => e.value), ...(map.default ? [map.default.value] : []));
  walkDirectives(model.tree, (d) => {
    if (d.name === 'set' && d.args[0]?.replace(/^\$/, '') === name) values.push(d.args[1] ?? '');
  });
  return values.length > 0 && values.every((v) => !v.includes('$')) ? values : undefined;
}

/** Why the target of a `*_pass` line is not the operator's own upstream, or undefined when it looks like it is. */
function untrusted(model: NginxModel, pass: NginxDirective): string | undefined {
  const target = pass.args[0] ?? '';
  if (/^unix:/i.test(target.replace(/^[a-z]+:\/\//i, ''))) return undefined;
  const authority = proxyHostOf(target);
  if (authority.includes('$')) {
    // One variable whose every value the configuration lists (`map $host $backend { ... }`): judge those values.
    const only = /^\$\{?(\w+)\}?(:\d+)?$/.exec(authority);
    const listed = only ? literalValues(model, only[1]!) : undefined;
    if (listed) {
      const outside = listed.filter((v) => externalName(model.upstreams.has(v) ? '' : v));
      return outside.length > 0 ? `$${only![1]} can name ${outside.join(', ')}` : undefined;
    }
    // A host taken from the request ($host, $http_x, $arg_x...) is anybody's.
    const inputs = [...baseVariables(model, authority)].filter((v) => !/^(scheme|server_name|server_port|proxy_host)$/.test(v));
    return inputs.length > 0 ? `the upstream host comes from the request (${inputs.map((v) => `$${v}`).join(', ')})` : undefined;
  }
  const upstream = model.upstreams.get(authority.replace(/:\d+$/, '')) ?? model.upstreams.get(authority);
  if (upstream) {
    const outside = directivesOf(upstream.block).filter((d) => d.name === 'server' && externalName(d.args[0] ?? '')).map((d) => d.args[0]!);
    return outside.length > 0 ? `upstream ${upstream.args[0]} points at ${outside.join(', ')}` : undefined;
  }
  return externalName(authority) ? `${authority} is a public host name` : undefined;
}

export default defineVerifyRule({
  id: 'verify/nginx/untrusted-x-accel-expires',
  severity: 'low',
  kinds: ['nginx'],
  catalogue: 'CW-NX-10',
  docs: {
    title: 'X-Accel-Expires honoured from an upstream you do not run',
    description:
      '`X-Accel-Expires` is nginx\'s own caching header and it beats everything else: a positive value makes nginx store the response for that long even when `Cache-Control` says `private` or `no-store`. That is fine for your own application, which uses it on purpose. For an upstream run by somebody else (object storage, a SaaS API, a partner site reached by a public host name, or a target chosen by a variable such as `proxy_pass http://$host`), it hands the decision what your cache stores, and for how long, to them. The rule reports caching locations whose `*_pass` target (or an `upstream` server of it) is a public host name or a variable, and where `X-Accel-Expires` is not in `*_ignore_headers`. Low: which hosts are your own cannot be known from the configuration (internal names, IP addresses and `upstream` blocks of private hosts are taken as yours), and the upstream must also send the header.',
    fix: 'For upstreams you do not control add `proxy_ignore_headers X-Accel-Expires;` (nginx then follows Cache-Control and Expires), and set the lifetimes you want with `proxy_cache_valid` in that location.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ignore_headers',
      'https://www.nginx.com/resources/wiki/start/topics/examples/x-accel/#x-accel-expires',
      'research: config-semantics.md §1.3 (precedence), CW-NX-10',
    ],
  },
  messages: {
    honoured: '{directive} is cached and {why}: a positive X-Accel-Expires from there overrides private and no-store; add X-Accel-Expires to {module}_ignore_headers',
  },
  examples: {
    bad: [
      {
        name: 'a cached proxy to object storage',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=media:1m;
  server {
    listen 80;
    location /media/ {
      proxy_pass https://media-bucket.s3.amazonaws.com;
      proxy_cache media;
    }
  }
}
`,
        },
        personalized: ['/account*'],
        expect: [{ messageId: 'honoured', line: 6 }],
      },
    ],
    good: [
      {
        name: 'X-Accel-Expires ignored for the outside upstream; the own app keeps it',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=media:1m;
  upstream app {
    server 10.0.0.5:8080;
  }
  server {
    listen 80;
    location /media/ {
      proxy_pass https://media-bucket.s3.amazonaws.com;
      proxy_cache media;
      proxy_ignore_headers X-Accel-Expires;
    }
    location / {
      proxy_pass http://app;
      proxy_cache media;
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
        if (!isNginx(model)) return;
        for (const b of cachingBlocks(model)) {
          if (linesNaming(`${b.module}_ignore_headers`, b.chain, ['X-Accel-Expires']).length > 0) continue;
          const why = untrusted(model, b.pass);
          if (!why) continue;
          ctx.report({
            messageId: 'honoured',
            data: { directive: directiveText(b.pass), why, module: b.module },
            at: b.pass.at,
            related: [{ option: 'cache', at: b.cache.at, text: directiveText(b.cache) }],
          });
        }
      },
    };
  },
});
