/**
 * Catalogue CW-NX-05: one cache zone shared by several `server` blocks whose cache keys do not tell
 * the sites apart. nginx's default key is `$scheme$proxy_host$request_uri`: `$proxy_host` is the
 * upstream named in `proxy_pass`, not the Host the client asked for, so two sites behind the same
 * upstream store `/account` under one key, and one site's page is served on the other.
 * Structural: caching locations are grouped by zone and by key (with `$proxy_host` replaced by the
 * block's upstream); a group that spans servers with different names and whose key has no
 * `$host`, `$http_host` or `$server_name` (directly or through a map/set) is reported at each key
 * line, or at the `*_cache` line where the default key applies.
 */
import { directiveText, type NginxDirective } from '../../nginx/ast.ts';
import { defineVerifyRule } from '../define.ts';
import { isNginx } from './lib/exchanges.ts';
import { baseVariables, blockLabel, cachingBlocks, hostInputs, keyOf, withProxyHost, type CachingBlock } from './lib/structure.ts';

export default defineVerifyRule({
  id: 'verify/nginx/key-missing-host',
  severity: 'high',
  kinds: ['nginx'],
  catalogue: 'CW-NX-05',
  docs: {
    title: 'A cache zone shared by several sites with a key that has no Host',
    description:
      'The cache key decides which requests share an entry. nginx\'s default `proxy_cache_key` is `$scheme$proxy_host$request_uri`, where `$proxy_host` is the upstream named in `proxy_pass` (for example `shop_app`), not the host the visitor asked for. When one `keys_zone` is used by several `server` blocks (two shops, a tenant per host, a staging and a production site) that proxy to the same upstream, or by keys without any host, the same path on two sites gives the same key: the page one site rendered, an account page included, is served on the other. The rule groups every caching location by zone and by key (with `$proxy_host` replaced by the location\'s upstream) and reports keys that contain neither `$host`, `$http_host` nor `$server_name` (directly or through a `map`/`set` built from them, such as `map $host $tenant`) when such a group spans servers with different `server_name`s. Names of one server block (aliases such as `www.`) are not reported: they are meant to share.',
    fix: 'Put the host in the key wherever a zone is shared: `proxy_cache_key $scheme$host$request_uri;` (at http level, so every server inherits it), or give each site its own `keys_zone`.',
    references: [
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_key',
      'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#var_proxy_host',
      'RFC 9111 §2 (the cache key: at least the target URI, host included)',
      'research: config-semantics.md §1.3, CW-NX-05',
    ],
  },
  messages: {
    sharedKey:
      '{directive}{key} has no $host, while {servers} share zone {zone}: the same path gives the same key on each, so a page stored for one site is served on the other',
  },
  examples: {
    bad: [
      {
        name: 'two shops behind one upstream, default key',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=pages:1m;
  server {
    listen 80;
    server_name shop-a.example;
    location / {
      proxy_pass http://app;
      proxy_cache pages;
      proxy_set_header Host $host;
    }
  }
  server {
    listen 80;
    server_name shop-b.example;
    location / {
      proxy_pass http://app;
      proxy_cache pages;
      proxy_set_header Host $host;
    }
  }
}
`,
        },
        expect: [
          { messageId: 'sharedKey', line: 8 },
          { messageId: 'sharedKey', line: 17 },
        ],
      },
    ],
    good: [
      {
        name: 'the host in the key at http level; aliases in one server share on purpose',
        kind: 'nginx',
        files: {
          'nginx.conf': `http {
  proxy_cache_path /tmp/c keys_zone=pages:1m;
  proxy_cache_key $scheme$host$request_uri;
  server {
    listen 80;
    server_name shop-a.example www.shop-a.example;
    location / {
      proxy_pass http://app;
      proxy_cache pages;
    }
  }
  server {
    listen 80;
    server_name shop-b.example;
    location / {
      proxy_pass http://app;
      proxy_cache pages;
    }
  }
}
`,
        },
      },
    ],
  },
  create(ctx) {
    return {
      config(model) {
        if (!isNginx(model)) return;
        const groups = new Map<string, Array<{ block: CachingBlock; template: string; at: NginxDirective }>>();
        for (const block of cachingBlocks(model)) {
          const key = keyOf(block);
          if (!key || hostInputs(baseVariables(model, key.template)).length > 0) continue;
          const id = `${block.zone}\u0000${withProxyHost(key.template, block.pass)}`;
          const list = groups.get(id) ?? [];
          list.push({ block, template: key.template, at: key.directive ?? block.cache });
          groups.set(id, list);
        }
        for (const list of groups.values()) {
          const sites = new Map<string, string>();
          for (const { block } of list) sites.set([...block.server.names].sort().join(' '), block.server.label);
          if (sites.size < 2) continue;
          const reported = new Set<NginxDirective>();
          for (const { block, template, at } of list) {
            if (reported.has(at)) continue;
            reported.add(at);
            ctx.report({
              messageId: 'sharedKey',
              data: {
                directive: directiveText(at),
                key: at === block.cache ? ` (default key ${template})` : '',
                zone: block.zone,
                servers: [...sites.values()].join(', '),
              },
              at: at.at,
              related: list.filter((e) => e.block !== block).map((e) => ({ option: 'cache', at: e.block.cache.at, text: `${directiveText(e.block.cache)} in ${blockLabel(e.block)}` })),
            });
          }
        }
      },
    };
  },
});
