/**
 * Catalogue CW-CF-07: a custom cache key on a personalized route that is cached for logged-in
 * requests, and that keys on the wrong thing: it leaves (part of) the query string out, where user
 * ids and tokens travel on APIs; it keys on device type, country or language (`custom_key.user`,
 * `cache_by_device_type`), which reads like "per user" and is not; or it adds cookies and headers
 * but not the session cookie or Authorization. Reported at the key setting, once per setting.
 *
 * The profile keys on the whole query string and has no option for these parts, so the query and
 * user parts are read from the settings the reader lists as unmodelled.
 */
import type { CloudflareEvaluation } from '../../cloudflare/index.ts';
import { isObject } from '../../json-source.ts';
import type { Provenance } from '../../types.ts';
import { defineVerifyRule, provenanceFor } from '../define.ts';
import { cachedForOthers, identifiedExchanges, RouteFindings } from './lib/exchanges.ts';
import { isCloudflare, jsonAt, ownerOf, settingText } from './lib/zone.ts';

const list = (v: unknown): string[] | undefined => {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (isObject(v) && Array.isArray(v.list)) return v.list.filter((x): x is string => typeof x === 'string');
  return undefined;
};

/** What a `query_string` key setting leaves out, in words, or undefined when it keeps every parameter. */
function droppedQuery(v: unknown): string | undefined {
  if (!isObject(v)) return undefined;
  const exclude = v.exclude;
  if (exclude === '*' || (isObject(exclude) && exclude.all === true)) return 'the whole query string';
  const excluded = list(exclude);
  if (excluded?.includes('*')) return 'the whole query string';
  if (excluded && excluded.length > 0) return `the query parameters ${excluded.join(', ')}`;
  const included = list(v.include);
  if (included && !included.includes('*')) return included.length > 0 ? `every query parameter but ${included.join(', ')}` : 'the whole query string';
  return undefined;
}

/** Whether a `user` key setting (or `cache_by_device_type`) adds device, country or language. */
function keysOnVisitorKind(option: string, v: unknown): boolean {
  if (option.endsWith('cache_by_device_type')) return v === true;
  return isObject(v) && (v.device_type === true || v.geo === true || v.lang === true);
}

export default defineVerifyRule({
  id: 'verify/cloudflare/custom-key-drops-identity',
  severity: 'high',
  kinds: ['cloudflare'],
  catalogue: 'CW-CF-07',
  docs: {
    title: 'A custom cache key on personalized routes that does not separate users',
    description:
      'Cloudflare\'s key is the URL (scheme, host, path, query) plus the Origin header: cookies and Authorization are not in it. A custom cache key (`cache_key.custom_key` in a cache rule, `cache_key_fields` in a page rule) changes that, and on a personalized route cached for logged-in requests it can make things worse or look safer than it is: excluding the query string (`query_string: {exclude: {all: true}}`) merges URLs that carry a user id or a token (`/api/orders?user=42`); keying on `user: {device_type, geo, lang}` or `cache_by_device_type` separates phones from desktops, not users; adding cookies or headers other than the session cookie and Authorization leaves every user with the same value on one stored page. The rule asks the zone what it does to each personalized route requested with a session, and fires when the request is looked up under a key that carries no identity and a custom key setting of one of these kinds applies.',
    fix: 'Do not cache personalized routes for identified requests: a last cache rule with `"cache": false` for them. If they must be cached per user, put the session cookie in the key (`"custom_key": {"cookie": {"include": ["<session>"]}}`) and keep the query string in it.',
    references: [
      'https://developers.cloudflare.com/cache/how-to/cache-keys/',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#cache-key',
      'https://developers.cloudflare.com/cache/how-to/cache-rules/examples/cache-device-type/',
      'research: config-semantics.md §1.4, CW-CF-07',
    ],
  },
  messages: {
    queryDropped:
      '{owner}: {setting} leaves {what} out of the cache key of personalized routes cached for requests with {credentials}: URLs that differ only in a user id or token parameter share one stored page',
    visitorKind:
      '{owner}: {setting} keys personalized routes on the visitor\'s device type, country or language, not on who they are: requests with {credentials} from the same kind of visitor share one stored page',
    noIdentity:
      '{owner}: {setting} adds {inputs} to the cache key of personalized routes, but not {credentials}: every user with the same {inputs} shares one stored page',
  },
  examples: {
    bad: [
      {
        name: 'the API cached with the query string left out of the key',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "API for a minute",
      "expression": "(starts_with(http.request.uri.path, \\"/api/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "cache_key": {
          "custom_key": {
            "query_string": { "exclude": { "all": true } },
            "cookie": { "include": ["locale"] }
          }
        }
      }
    }
  ]
}
`,
        },
        personalized: ['/api/orders*'],
        expect: [
          { messageId: 'queryDropped', line: 12 },
          { messageId: 'noIdentity', line: 13 },
        ],
      },
    ],
    good: [
      {
        name: 'the API keyed on the session cookie and the whole query string',
        kind: 'cloudflare',
        files: {
          'cache_rules.json': `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "API for a minute, per session",
      "expression": "(starts_with(http.request.uri.path, \\"/api/\\"))",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "cache_key": {
          "custom_key": {
            "cookie": { "include": ["sid"] },
            "header": { "include": ["authorization"] }
          }
        }
      }
    }
  ]
}
`,
        },
        personalized: ['/api/orders*'],
      },
    ],
  },
  create(ctx) {
    return {
      route(route, model) {
        if (!isCloudflare(model)) return;
        const xs = identifiedExchanges<CloudflareEvaluation>(route, model, ctx);
        if (!xs) return;
        const found = new RouteFindings(ctx);
        for (const x of xs) {
          if (!cachedForOthers(x)) continue;
          const e = x.evaluation;
          const base = (p: Provenance) => ({ owner: ownerOf(model, p.at), setting: settingText(p) });
          const details = (data: (credentials: string) => Record<string, string>) => () => ({ data, related: e.provenance, reasons: x.verdict.request.key.reasons, route: route.path });
          for (const u of e.unmodelled) {
            if (u.option.endsWith('.query_string')) {
              const what = droppedQuery(jsonAt(model, u.at));
              if (what) found.add('queryDropped', u.at, x.variant, details((credentials) => ({ ...base(u), what, credentials })));
            } else if (u.option.endsWith('.user') || u.option.endsWith('cache_by_device_type')) {
              if (keysOnVisitorKind(u.option, jsonAt(model, u.at))) found.add('visitorKind', u.at, x.variant, details((credentials) => ({ ...base(u), credentials })));
            }
          }
          for (const p of provenanceFor(e, 'keyCookies', 'keyHeaders')) {
            const names = p.option === 'keyCookies' ? (e.profile.options.keyCookies ?? []).map((c) => `cookie ${c}`) : (e.profile.options.keyHeaders ?? []).map((h) => `header ${h}`);
            if (names.length === 0) continue;
            found.add('noIdentity', p.at, x.variant, details((credentials) => ({ ...base(p), inputs: names.join(', '), credentials })));
          }
        }
        found.flush();
      },
    };
  },
});
