/**
 * The cachewarden.yaml schema. Strict at every level: an unknown key is an error that
 * names the nearest valid key. Each key carries a description and an example; docs/config.md
 * is generated from this file (`npm run docs`).
 */
import { z } from 'zod';
import { SEVERITIES } from '../core/severity.ts';
import { PROFILE_IDS } from '../semantics/types.ts';
import { CANONICAL_FIELDS, FORMAT_IDS } from '../watch/adapters/types.ts';
import { DETECTORS } from '../watch/detectors/index.ts';
import { AlertsConfigSchema } from '../sinks/schema.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `250ms`, `10s`, `5m`, `1h` (or a number of milliseconds) into milliseconds. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new RangeError(`"${v}" is not a duration; write e.g. 500ms, 10s, 5m or 1h`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** A duration: `500ms`, `10s`, `5m`, `1h`, or milliseconds as a number. Output: milliseconds. */
export const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { message: 'write a duration such as 500ms, 10s, 5m or 1h' })])
  .transform((v) => parseDuration(v))
  .meta({ typeName: 'duration' });

const routeGlob = z
  .string()
  .min(1)
  .refine((s) => s.startsWith('/'), { message: 'a route glob starts with "/", e.g. "/mypage*"' });

export const IdentitySchema = z
  .strictObject({
    key: z
      .string()
      .min(16, { message: 'the identity key must be at least 16 characters of secret material' })
      .optional()
      .meta({
        description:
          'HMAC-SHA-256 key that turns raw identities (session cookies, user ids, tokens) into keyed hashes the moment they are read. Give it through the environment. Without it, a random per-run key is used (hashes then do not join across runs).',
        example: '${CACHEWARDEN_IDENTITY_KEY}',
      }),
    cookies: z
      .array(z.string().min(1))
      .default(['sid', 'session', 'sessionid'])
      .meta({ description: 'Cookie names that carry the session identity.', example: ['sid'] }),
    headers: z
      .array(z.string().min(1))
      .default(['authorization'])
      .meta({ description: 'Request headers that carry identity.', example: ['authorization'] }),
  })
  .meta({ description: 'How requesters are identified and how their identities are hashed.' });

export const WatchSourceSchema = z.strictObject({
  input: z.string().min(1).meta({
    description: 'Where the log lines come from: a file path (followed like tail -F), `-` for stdin, `http://host:port[/path]` to receive pushed batches, or `syslog+udp://host:port` / `syslog+tcp://host:port`.',
    example: '/var/log/nginx/cache.log',
  }),
  format: z
    .enum([...FORMAT_IDS, 'auto'])
    .default('auto')
    .meta({ description: 'Log format of this source; `auto` sniffs it from the first lines and says what it chose.', example: 'nginx-json' }),
  fields: z
    .partialRecord(z.enum(CANONICAL_FIELDS), z.string().min(1))
    .optional()
    .meta({ description: 'Field-name overrides, canonical name → field in the log (dot paths into nested JSON).', example: { identity: 'sid_hash', owner: 'resp_owner' } }),
  columns: z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'cloudfront-realtime: the fields selected in the real-time log configuration (any order; CloudFront writes them in its canonical order).', example: ['timestamp', 'sc-status', 'cs-uri-stem', 'x-edge-location', 'x-edge-result-type', 'cs-cookie'] }),
  name: z.string().min(1).optional().meta({ description: 'A name for counters and evidence.', example: 'edge-tokyo' }),
  start: z.enum(['beginning', 'end']).optional().meta({ description: 'Files: where to start reading (default `end` when following, `beginning` with --once).', example: 'end' }),
  secret: z.string().min(16).optional().meta({ description: 'HTTP receiver: shared secret the sender must present (bearer token or HMAC-SHA256 body signature).', example: '${LOGPUSH_SECRET}' }),
});

const RULE_SETTING = z.union([z.literal('off'), z.enum(SEVERITIES)]);

export const WatchSchema = z
  .strictObject({
    sources: z.array(WatchSourceSchema).default([]).meta({ description: 'Log sources to watch when --input is not given. Several run at once.' }),
    lateness: duration.default(500).meta({ description: 'How long a join waits for late or out-of-order lines before deciding (event time and wall time). The inferred rule alerts this much after the line; raise it for sources that deliver lines out of order by more.', example: '2s' }),
    objectLife: duration.default(600_000).meta({ description: 'How long a cached object is assumed to live when joining hits to the fill that made them (inferred rule).', example: '10m' }),
    joinTolerance: duration.default(50).meta({ description: 'A hit logged up to this long before its fill still counts as collapsed onto it (timestamp granularity).', example: '50ms' }),
    maxKeys: z.number().int().min(1000).default(1_000_000).meta({ description: 'Per-detector cap on remembered cache keys; the oldest are evicted and counted beyond it (bounded memory).', example: 1000000 }),
    deadLetter: z.string().min(1).optional().meta({ description: 'File that receives a rate-limited sample of lines that could not be parsed (identity-like values masked).', example: './cachewarden-dead-letter.ndjson' }),
    drift: z
      .strictObject({
        window: duration.default(10_000).meta({ description: 'Sliding window of the drift rule.', example: '10s' }),
        threshold: z.number().min(0).max(1).default(0.02).meta({ description: 'Share of personalized responses served from cache that counts as drift.', example: 0.02 }),
        minRequests: z.number().int().min(1).default(20).meta({ description: 'Fewest personalized requests in the window before the ratio counts.', example: 20 }),
      })
      .default({ window: 10_000, threshold: 0.02, minRequests: 20 })
      .meta({ description: 'The drift rule: the hit ratio on personalized routes leaving zero.' }),
    incidents: z
      .strictObject({
        quiet: duration.default(300_000).meta({ description: 'An incident resolves after this long without a new finding.', example: '5m' }),
        backoff: z.array(duration).min(1).default([30_000, 120_000, 600_000, 3_600_000]).meta({ description: 'Minimum gaps between alerts for one incident (after opening, then after each update); the last repeats.', example: ['30s', '2m', '10m', '1h'] }),
        samples: z.number().int().min(1).max(50).default(6).meta({ description: 'Evidence lines kept per incident.', example: 6 }),
        listed: z.number().int().min(1).max(100_000).default(50).meta({ description: 'Owners, viewers and (owner, viewer) pairs listed per incident in alerts; totals are always exact.', example: 50 }),
      })
      .default({ quiet: 300_000, backoff: [30_000, 120_000, 600_000, 3_600_000], samples: 6, listed: 50 })
      .meta({ description: 'How findings fold into incidents and how often an incident alerts.' }),
    rules: z
      .partialRecord(z.enum(DETECTORS.map((d) => d.id) as [string, ...string[]]), RULE_SETTING)
      .default({})
      .meta({ description: 'Per-rule setting: `off`, or a severity that replaces the rule\'s own.', example: { 'watch/drift': 'medium' } }),
  })
  .meta({ description: 'The watch job: live (and replayed) CDN access-log monitoring.' });

const LoginSchema = z.strictObject({
  url: z.string().min(1).meta({ description: 'Login endpoint: a path on the target (sent through the edge) or an absolute URL.', example: '/login' }),
  form: z.record(z.string(), z.string()).optional().meta({ description: 'Form fields to POST (application/x-www-form-urlencoded). Use ${ENV} for secrets.', example: { user: 'alice-canary', password: '${ALICE_PASSWORD}' } }),
  json: z.unknown().optional().meta({ description: 'A JSON body to POST instead of a form.', example: { user: 'alice-canary', password: '${ALICE_PASSWORD}' } }),
  session: z
    .union([z.literal('cookies'), z.string().regex(/^token:[A-Za-z0-9_.$[\]-]+$/, { message: 'write cookies, or token:<json path> such as token:access_token' })])
    .transform((v) => v as 'cookies' | `token:${string}`)
    .default('cookies')
    .meta({ description: 'Where the session comes from: `cookies` (the Set-Cookie values), or `token:<json path>` (sent as Authorization: Bearer).', example: 'token:token' }),
});

const AccountSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, { message: 'a short name: letters, digits, _ . -' }).meta({ description: 'A name for findings (never a real person).', example: 'alice' }),
  headers: z.record(z.string(), z.string()).optional().meta({ description: 'Request headers that authenticate the account (values are secrets: never printed).', example: { Cookie: '${ALICE_COOKIE}' } }),
  login: LoginSchema.optional().meta({ description: 'Instead of headers: how to log in (re-run when the session expires).' }),
  markers: z.array(z.string().min(4)).min(1, { message: 'give at least one string only this account\'s pages contain' }).meta({ description: 'Strings only this account\'s pages contain (synthetic name, e-mail alias).', example: ['Alice Canary-7Q2'] }),
});

export const ProbeSchema = z
  .strictObject({
    target: z.string().url({ message: 'a base URL such as https://www.example.com' }).meta({ description: 'Base URL of the site, as users reach it.', example: 'https://www.example.com' }),
    edges: z.array(z.string().min(1)).optional().meta({ description: 'Edge IP addresses to connect to (Host and TLS SNI of the target kept). Default: every address the target name resolves to.', example: ['203.0.113.10', '203.0.113.11'] }),
    every: duration.default(60_000).meta({ description: 'Schedule of `probe` without --once.', example: '60s' }),
    accounts: z.array(AccountSchema).min(1).meta({ description: 'Canary accounts (two for the cross-identity techniques), each with headers or a login recipe, and markers.' }),
    paths: z.array(z.string().startsWith('/')).optional().meta({ description: 'Personalized paths to probe. Default: each `personalized:` glob that names one path (`/mypage*` → `/mypage`).', example: ['/mypage', '/orders', '/api/me'] }),
    publicPaths: z.array(z.string().startsWith('/')).default(['/']).meta({ description: 'Public pages checked for a cached Set-Cookie.', example: ['/', '/items/1'] }),
    concurrency: z.number().int().min(1).max(256).default(32).meta({ description: 'Requests in flight per edge, at most.', example: 32 }),
    rate: z.number().positive().default(100).meta({ description: 'Requests per second per edge, at most.', example: 100 }),
    timeout: duration.default(10_000).meta({ description: 'Per-request timeout.', example: '10s' }),
    raceRounds: z.number().int().min(1).max(64).default(4).meta({ description: 'Concurrent race rounds per URL and cycle (offsets cycle through 0, ¼, ½, ¾ of the time to first byte).', example: 4 }),
    ownerHeader: z.string().min(1).default('x-cachewarden-owner').meta({ description: 'Response header carrying the origin\'s owner tag (see docs/log-recipes.md).', example: 'x-cachewarden-owner' }),
    state: z.string().min(1).default('.cachewarden/probe.db').meta({ description: 'SQLite file for baselines (drift) and history; `:memory:` keeps none.', example: '.cachewarden/probe.db' }),
    techniques: z.array(z.string().startsWith('probe/')).optional().meta({ description: 'Run only these techniques (ids from docs/rules/README.md).', example: ['probe/concurrent-race'] }),
  })
  .meta({ description: 'The probe job: canary accounts requesting the site from outside, sequentially and concurrently.' });

export const OriginSchema = z
  .strictObject({
    headers: z
      .record(routeGlob, z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: 'an HTTP header name' }), z.string()))
      .default({})
      .meta({
        description:
          'Response headers the origin sends per route glob (first matching glob wins). verify judges each personalized route with them; a route without a declaration is judged as the worst realistic origin: no cache headers at all.',
        example: { '/mypage*': { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' } },
      }),
  })
  .meta({ description: 'What the origin (the application behind the cache) sends.' });

const FetchEndpoint = z.string().url({ message: 'an http(s) base URL' }).optional();

export const VerifyFetchSchema = z
  .strictObject({
    fastly: z
      .strictObject({
        serviceId: z.string().min(1).meta({ description: 'Fastly service id (token: FASTLY_API_TOKEN in the environment).', example: 'SU1Z0isxPaozGVKXdv0eY' }),
        endpoint: FetchEndpoint.meta({ description: 'API base URL (default https://api.fastly.com).', example: 'https://api.fastly.com' }),
      })
      .optional()
      .meta({ description: 'Download the active version\'s generated VCL, custom VCL, snippets, cache settings, conditions and settings.' }),
    cloudflare: z
      .strictObject({
        zoneId: z.string().min(1).meta({ description: 'Cloudflare zone id (token: CLOUDFLARE_API_TOKEN).', example: '023e105f4ecef8ad9ca31a8372d0c353' }),
        endpoint: FetchEndpoint.meta({ description: 'API base URL (default https://api.cloudflare.com/client/v4).', example: 'https://api.cloudflare.com/client/v4' }),
      })
      .optional()
      .meta({ description: 'Download the zone\'s cache rules, page rules and zone settings.' }),
    cloudfront: z
      .strictObject({
        distributionId: z.string().min(1).meta({ description: 'CloudFront distribution id (AWS credentials from the SDK\'s default chain: AWS_ACCESS_KEY_ID, …).', example: 'E2QWRUHAPOMQZL' }),
        endpoint: FetchEndpoint.meta({ description: 'API endpoint override (default: AWS).', example: 'https://cloudfront.amazonaws.com' }),
      })
      .optional()
      .meta({ description: 'Download the distribution config and the custom cache and origin request policies it uses.' }),
    akamai: z
      .strictObject({
        propertyId: z.string().min(1).meta({ description: 'PAPI property id (EdgeGrid credentials: AKAMAI_HOST, AKAMAI_CLIENT_TOKEN, AKAMAI_CLIENT_SECRET, AKAMAI_ACCESS_TOKEN).', example: 'prp_175780' }),
        contractId: z.string().min(1).meta({ description: 'Contract id.', example: 'ctr_1-1TJZFW' }),
        groupId: z.string().min(1).meta({ description: 'Group id.', example: 'grp_15166' }),
        version: z.union([z.literal('production'), z.literal('staging'), z.number().int().min(1)]).default('production').meta({ description: 'Which property version: the one active on production, on staging, or a number.', example: 'production' }),
        endpoint: FetchEndpoint.meta({ description: 'API base URL override (default https://$AKAMAI_HOST).', example: 'https://akab-xxxx.luna.akamaiapis.net' }),
      })
      .optional()
      .meta({ description: 'Download the property\'s rule tree.' }),
  })
  .meta({ description: 'Live configuration to download with `verify --fetch <provider>`. Credentials come from environment variables only.' });

export const VerifySchema = z
  .strictObject({
    files: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Configuration files `verify` checks when none is given on the command line (nginx .conf, .vcl, provider JSON, or a snapshot directory).', example: ['deploy/nginx/nginx.conf', 'deploy/varnish/default.vcl'] }),
    host: z.string().min(1).optional().meta({ description: 'Host header of the requests verify asks about (picks the nginx server block, Cloudflare host rules...). Default: the host of probe.target.', example: 'www.example.com' }),
    varnishVersion: z.union([z.literal(7), z.literal(8)]).default(7).meta({ description: 'Varnish major version the VCL runs on (8.0 hands TTL-0 objects to every waiting request).', example: 8 }),
    failOn: z.enum(SEVERITIES).default('high').meta({ description: 'Exit with 1 when a finding is at or above this severity (`--fail-on`).', example: 'high' }),
    every: duration.default(900_000).meta({ description: 'Schedule of `verify --fetch … --every` (re-download, verify, alert on new findings).', example: '15m' }),
    snapshots: z.string().min(1).default('.cachewarden/verify').meta({ description: 'Directory for downloaded configuration snapshots (one folder per fetch).', example: '.cachewarden/verify' }),
    fetch: VerifyFetchSchema.default({}),
    rules: z
      .partialRecord(z.string().regex(/^verify\//, { message: 'a verify rule id such as verify/nginx/ignore-cache-control' }), RULE_SETTING)
      .default({})
      .meta({ description: 'Per-rule setting: `off`, or a severity that replaces the rule\'s own.', example: { 'verify/nginx/key-missing-host': 'medium' } }),
  })
  .meta({ description: 'The verify job: cache and CDN configuration checks.' });

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, { message: 'a field name such as name, address, card_last4' });

const IncidentTextSchema = z.strictObject({
  organisation: z.string().min(1).optional(),
  title: z.string().min(1).optional(),
  cause: z.string().min(1).optional(),
  measures: z.array(z.string().min(1)).optional(),
  contact: z.string().min(1).optional(),
});

export const RespondSchema = z
  .strictObject({
    routes: z
      .record(routeGlob, z.array(fieldName).min(1))
      .default({})
      .meta({
        description:
          'Which of the page owner\'s data each personalized route shows (route glob → field names). Scope counts exposed data items and categories from it; a personalized route missing here counts as showing one field, `page`, which belongs to no category (tier A only).',
        example: { '/mypage*': ['name', 'email', 'address', 'points'], '/orders*': ['name', 'address', 'history'], '/api/me*': ['name', 'email', 'card'] },
      }),
    categories: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'a category name in lower case, e.g. identifying' }),
        z.strictObject({
          fields: z.array(fieldName).min(1).meta({ description: 'Fields in the category.' }),
          direct: z.boolean().default(false).meta({ description: 'The category directly identifies a person (counts toward tier B).' }),
        }),
      )
      .default({
        identifying: { fields: ['name', 'address', 'email', 'phone'], direct: true },
        payment: { fields: ['card', 'bank'], direct: false },
        other: { fields: ['history', 'points', 'balance'], direct: false },
      })
      .meta({
        description: 'Data categories for the counts a notice and a regulator need: tier A is any exposed data, tier B the categories marked `direct`.',
        example: { identifying: { fields: ['name', 'address', 'email', 'phone'], direct: true }, payment: { fields: ['card', 'bank'] } },
      }),
    sessions: z.string().min(1).optional().meta({ description: 'Default for `scope --sessions`: CSV or NDJSON of session credential → user id (both hashed as they are read), so people are counted per user, not per session.', example: './incident/sessions.csv' }),
    relations: z.string().min(1).optional().meta({ description: 'Default for `scope --relations`: CSV or NDJSON of page owner, related person, route, fields shown (e.g. a buyer\'s address on the seller\'s transaction page).', example: './incident/relations.csv' }),
    incident: z
      .strictObject({
        organisation: z.string().min(1).default('Example Co.').meta({ description: 'Who sends the notices.' }),
        title: z.string().min(1).default('Personal pages shown to other customers').meta({ description: 'One line naming the incident.' }),
        cause: z.string().min(1).default('A cache setting let a shared cache hand one customer\'s page to another.').meta({ description: 'Cause in plain words.' }),
        measures: z.array(z.string().min(1)).default(['(measures taken: fill in before sending)']).meta({ description: 'Measures taken, one per line.' }),
        contact: z.string().min(1).default('(contact desk: fill in before sending)').meta({ description: 'Whom people contact.' }),
        lookupUrl: z.string().url().optional().meta({ description: 'Public address of the lookup page, linked from notices.' }),
        ja: IncidentTextSchema.optional().meta({ description: 'The same facts in Japanese, for `--lang ja` notices, the lookup page and the report (what is left out falls back to the fields above).', example: { title: '会員ページが他の会員に表示された件', cause: 'キャッシュの設定誤りにより…' } }),
        en: IncidentTextSchema.optional().meta({ description: 'The same facts in English, when the fields above are written in another language.' }),
      })
      .default(() => ({ organisation: 'Example Co.', title: 'Personal pages shown to other customers', cause: "A cache setting let a shared cache hand one customer's page to another.", measures: ['(measures taken: fill in before sending)'], contact: '(contact desk: fill in before sending)' }))
      .meta({ description: 'Incident facts shown in the HTML report and the notices.' }),
    lookup: z
      .strictObject({
        listen: z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'write host:port, e.g. 127.0.0.1:8080' }).default('127.0.0.1:8080').meta({ description: 'Address the lookup page listens on.' }),
        tokenKey: z.string().min(32, { message: 'the token key must be at least 32 characters of secret material' }).optional().meta({ description: 'Shared key of the signed tokens your login service issues (HS256 JWT, `sub` = user id). Give it through the environment.', example: '${CACHEWARDEN_LOOKUP_KEY}' }),
        maxAge: duration.default(600_000).meta({ description: 'Oldest token accepted (by `iat`), besides its own `exp`.', example: '10m' }),
        trustProxy: z.boolean().default(false).meta({ description: 'Behind a TLS-terminating proxy: take the client address from X-Forwarded-For (rate limits) and mark the cookie Secure when the proxy says https.' }),
        requireAudience: z.boolean().default(false).meta({ description: 'Refuse tokens without `aud: "cachewarden-lookup"`.' }),
        rateLimit: z
          .strictObject({ max: z.number().int().positive().default(20), window: duration.default(60_000) })
          .default({ max: 20, window: 60_000 })
          .meta({ description: 'Requests per client address per window.' }),
      })
      .default(() => ({ listen: '127.0.0.1:8080', maxAge: 600_000, trustProxy: false, requireAudience: false, rateLimit: { max: 20, window: 60_000 } }))
      .meta({ description: 'The `lookup` page on which people learn their status.' }),
    notices: z
      .strictObject({
        templates: z.string().min(1).optional().meta({ description: 'Folder of notice templates to use instead of the built-in ones (copy them with `notices --init-templates <dir>`).', example: './incident/templates' }),
      })
      .default({})
      .meta({ description: 'The `notices` job.' }),
  })
  .meta({ description: 'The respond job: scope, lookup and notices after an incident.' });

export const ConfigSchema = z
  .strictObject({
    personalized: z
      .array(routeGlob)
      .min(1, { message: 'list at least one route that serves personal data, e.g. ["/mypage*", "/api/me"]' })
      .meta({
        description:
          'Route globs that serve personal data. Shared by every job: verify checks these routes, probe races accounts on them, watch treats any shared outcome on them as a leak. `*` matches any characters (also `/`); a glob without a wildcard also covers the paths below it.',
        example: ['/mypage*', '/orders*', '/transactions/*', '/api/me'],
      }),
    profile: z
      .enum(PROFILE_IDS)
      .default('rfc9111')
      .meta({
        description:
          'The cache or CDN in front of the site, as a cache-semantics profile. Decides how responses are judged (what is stored, for how long, what collapsing hands out).',
        example: 'fastly',
      }),
    identity: IdentitySchema.default({ cookies: ['sid', 'session', 'sessionid'], headers: ['authorization'] }),
    watch: WatchSchema.default(() => WatchSchema.parse({})),
    alerts: AlertsConfigSchema.default([]),
    probe: ProbeSchema.optional(),
    origin: OriginSchema.default({ headers: {} }),
    verify: VerifySchema.default(() => VerifySchema.parse({})),
    respond: RespondSchema.default(() => RespondSchema.parse({})),
  })
  .meta({ description: 'cachewarden.yaml' });

export type CachewardenConfig = z.output<typeof ConfigSchema>;
export type CachewardenConfigInput = z.input<typeof ConfigSchema>;
