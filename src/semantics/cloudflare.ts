/**
 * Cloudflare (config-semantics.md §1.4). Deviations from RFC 9111: at the default cache level only
 * a fixed list of static extensions is cached (HTML/JSON never); Origin Cache Control decides how
 * directives are read; an Edge TTL "override origin" rule ignores Cache-Control and strips
 * Set-Cookie; Vary is ignored except Accept-Encoding (unless a cache rule's `vary` setting names an
 * action per header); the default key has no cookies or Authorization.
 */
import { directiveSeconds, hasDirective, parseCacheControl, qualifiedFields, type CacheControl } from './cache-control.ts';
import { staleFrom } from './common.ts';
import { buildKey, extraKeyParts, type Exchange, type KeyPart, type RequestCtx } from './exchange.ts';
import { explicitLifetime, remaining, sourceLabel } from './freshness.ts';
import { header, headerLines } from './headers.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { answer, defineRules, firstMatch, stamp, type Step } from './rules.ts';
import type { CloudflareOptions, CloudflareVaryAction, CollapseValue, Reason, RequestDecision } from './types.ts';

const DEFAULT_BEHAVIOR = 'https://developers.cloudflare.com/cache/concepts/default-cache-behavior/';
const CACHE_CONTROL = 'https://developers.cloudflare.com/cache/concepts/cache-control/';
const CACHE_BEHAVIOR = 'https://developers.cloudflare.com/cache/concepts/cache-behavior/';
const RULE_SETTINGS = 'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/';
const REVALIDATION = 'https://developers.cloudflare.com/cache/concepts/revalidation/';
const STATUS_TTL = 'https://developers.cloudflare.com/cache/how-to/configure-cache-status-code/';
const VARY_SETTING = 'https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#vary';

export const CLOUDFLARE_RULES = defineRules('cloudflare', {
  levelBypass: { id: 'cloudflare/cache-rule-bypass', source: 'Cloudflare cache rules (cache: false)', url: RULE_SETTINGS, certainty: 'documented', text: 'A cache rule marks the request "bypass cache": not looked up, not stored.' },
  methodNotCached: { id: 'cloudflare/method-not-cached', source: 'Cloudflare default cache behavior', url: DEFAULT_BEHAVIOR, certainty: 'documented', text: '{method} is not cached by Cloudflare; it goes to the origin.' },
  extensionNotEligible: {
    id: 'cloudflare/extension-not-eligible',
    source: 'Cloudflare default cache behavior (cacheable file extensions)',
    url: DEFAULT_BEHAVIOR,
    certainty: 'documented',
    text: 'Default cache level: "{path}" has no extension on Cloudflare\'s static list (HTML and JSON are not on it), so the request is DYNAMIC: not looked up, not stored.',
  },
  extensionEligible: {
    id: 'cloudflare/extension-eligible',
    source: 'Cloudflare default cache behavior (cacheable file extensions)',
    url: DEFAULT_BEHAVIOR,
    certainty: 'documented',
    text: 'Default cache level: .{ext} is on Cloudflare\'s list of cacheable extensions, so the request is looked up.',
  },
  cacheEverything: {
    id: 'cloudflare/cache-everything',
    source: 'Cloudflare page rule Cache Everything / cache rule "Eligible for cache"',
    url: RULE_SETTINGS,
    certainty: 'documented',
    text: 'Cache Everything: the request is looked up whatever its extension.',
  },
  keyDefault: {
    id: 'cloudflare/key-default',
    source: 'Cloudflare cache keys',
    url: 'https://developers.cloudflare.com/cache/how-to/cache-keys/',
    certainty: 'documented',
    text: 'The default key is scheme, host, path and query (plus Origin when sent); cookies and Authorization are not in it.',
  },
  keyCustom: { id: 'cloudflare/key-custom', source: 'Cloudflare custom cache key', url: 'https://developers.cloudflare.com/cache/how-to/cache-keys/', certainty: 'documented', text: 'The custom cache key adds {inputs}.' },
  edgeOverride: {
    id: 'cloudflare/edge-ttl-override-origin',
    source: 'Cloudflare cache rules: Edge TTL "override origin"',
    url: RULE_SETTINGS,
    certainty: 'documented',
    text: 'Edge TTL "override origin" ignores Cache-Control, private and no-store included: the response is cached for {ttl} s.',
  },
  edgeOverrideSetCookie: {
    id: 'cloudflare/edge-ttl-strips-set-cookie',
    source: 'Cloudflare cache behavior with Set-Cookie',
    url: CACHE_BEHAVIOR,
    certainty: 'documented',
    text: 'With an Edge TTL override, Set-Cookie is stripped from the stored copy and the body is cached.',
  },
  noStore: { id: 'cloudflare/no-store', source: 'Cloudflare Origin Cache Control', url: CACHE_CONTROL, certainty: 'documented', text: 'Cache-Control no-store: not cached.' },
  private: { id: 'cloudflare/private', source: 'Cloudflare Origin Cache Control', url: CACHE_CONTROL, certainty: 'documented', text: 'Cache-Control private{fields}: not cached.' },
  setCookieBypass: {
    id: 'cloudflare/set-cookie-bypass',
    source: 'Cloudflare cache behavior with Set-Cookie',
    url: CACHE_BEHAVIOR,
    certainty: 'documented',
    text: 'Default cache level with Origin Cache Control on: a response with Set-Cookie is not cached (BYPASS).',
  },
  setCookieMiss: {
    id: 'cloudflare/set-cookie-miss',
    source: 'Cloudflare cache behavior with Set-Cookie',
    url: CACHE_BEHAVIOR,
    certainty: 'documented',
    text: 'Cache Everything without an Edge TTL override: a response with Set-Cookie is not cached (MISS every time) and keeps its cookie.',
  },
  setCookieStripOccOff: {
    id: 'cloudflare/occ-off-strips-set-cookie',
    source: 'Cloudflare Origin Cache Control (off)',
    url: CACHE_BEHAVIOR,
    certainty: 'documented',
    text: 'Origin Cache Control off: on a default-cacheable asset Set-Cookie is stripped and the body is cached.',
  },
  authorization: {
    id: 'cloudflare/authorization',
    source: 'Cloudflare Origin Cache Control',
    url: CACHE_CONTROL,
    certainty: 'documented',
    text: 'The request carried Authorization; with Origin Cache Control on, Cloudflare caches it only with public, s-maxage or must-revalidate.',
  },
  authorizationOccOff: {
    id: 'cloudflare/occ-off-authorization',
    source: 'Cloudflare Origin Cache Control (off)',
    url: CACHE_CONTROL,
    certainty: 'documented',
    text: 'Origin Cache Control off: a response to a request with Authorization may be cached.',
  },
  varyStar: { id: 'cloudflare/vary-star', source: 'Cloudflare Vary', url: 'https://developers.cloudflare.com/cache/concepts/vary/', certainty: 'documented', text: 'Vary: * always bypasses the cache.' },
  deceptionArmor: {
    id: 'cloudflare/cache-deception-armor',
    source: 'Cloudflare Cache Deception Armor',
    url: 'https://developers.cloudflare.com/cache/cache-security/cache-deception-armor/',
    certainty: 'documented',
    text: 'Cache Deception Armor: the .{ext} extension does not match Content-Type "{type}", so the response is not cached.',
  },
  revalidate: {
    id: 'cloudflare/cache-and-revalidate',
    source: 'Cloudflare Origin Cache Control',
    url: CACHE_CONTROL,
    certainty: 'documented',
    text: 'Origin Cache Control on: {directive} means "cache and always revalidate": stored, but every reuse is validated with the origin.',
  },
  occOffNotCached: {
    id: 'cloudflare/occ-off-not-cached',
    source: 'Cloudflare Origin Cache Control (off)',
    url: CACHE_CONTROL,
    certainty: 'documented',
    text: 'Origin Cache Control off: {directive} means the response is not cached.',
  },
  targeted: {
    id: 'cloudflare/targeted-field',
    source: 'Cloudflare CDN-Cache-Control support (RFC 9213)',
    url: 'https://developers.cloudflare.com/cache/concepts/cdn-cache-control/',
    certainty: 'unverified',
    text: '{field} is present, so Cloudflare reads its directives instead of Cache-Control.',
  },
  ttlHeader: { id: 'cloudflare/ttl-from-origin', source: 'Cloudflare Origin Cache Control (respect origin)', url: CACHE_CONTROL, certainty: 'documented', text: '{from} gives an edge TTL of {ttl} s.' },
  ttlStatusDefault: {
    id: 'cloudflare/ttl-status-default',
    source: 'Cloudflare default edge TTL by status code',
    url: STATUS_TTL,
    certainty: 'documented',
    text: 'No Cache-Control freshness or Expires: Cloudflare\'s default edge TTL for status {status} is {ttl} s.',
  },
  statusNotCached: {
    id: 'cloudflare/status-not-cached',
    source: 'Cloudflare default edge TTL by status code',
    url: STATUS_TTL,
    certainty: 'documented',
    text: 'No freshness headers and status {status} has no default edge TTL: not cached.',
  },
  bypassByDefault: {
    id: 'cloudflare/edge-ttl-bypass-by-default',
    source: 'Cloudflare cache rules: Edge TTL "bypass by default"',
    url: RULE_SETTINGS,
    certainty: 'documented',
    text: 'Edge TTL "bypass by default": without Cache-Control freshness the response is not cached.',
  },
  occAllows: { id: 'cloudflare/occ-allows', source: 'Cloudflare Origin Cache Control', url: CACHE_CONTROL, certainty: 'documented', text: 'Nothing Origin Cache Control checks forbids caching the response.' },
  stored: { id: 'cloudflare/stored', source: 'Cloudflare default cache behavior', url: DEFAULT_BEHAVIOR, certainty: 'documented', text: 'The response is eligible and nothing forbids caching it: stored (TTL {ttl} s).' },
  collapseLock: {
    id: 'cloudflare/cache-lock',
    source: 'Cloudflare revalidation and request collapsing',
    url: REVALIDATION,
    certainty: 'documented',
    text: 'Concurrent misses at a data centre wait on a cache lock and receive the streamed response.',
  },
  collapseRevalidate: {
    id: 'cloudflare/collapse-revalidate-object',
    source: 'Cloudflare revalidation and request collapsing (not documented for this case)',
    url: REVALIDATION,
    certainty: 'unverified',
    text: 'What waiters receive when the locked response is a cache-and-always-revalidate object is not documented; assumed they get it (to be probed).',
  },
  collapseUncacheable: {
    id: 'cloudflare/collapse-uncacheable',
    source: 'Cloudflare revalidation and request collapsing (not documented for this case)',
    url: REVALIDATION,
    certainty: 'unverified',
    text: 'What waiters receive when the locked response is not cacheable is not documented; assumed each goes to the origin (to be probed).',
  },
  staleSome: { id: 'cloudflare/stale-directives', source: 'Cloudflare revalidation (stale-while-revalidate, UPDATING)', url: REVALIDATION, certainty: 'documented', text: 'stale-while-revalidate={swr} and stale-if-error={sie} allow serving the object stale.' },
  staleNone: { id: 'cloudflare/stale-none', source: 'Cloudflare revalidation', url: REVALIDATION, certainty: 'documented', text: 'No stale-while-revalidate or stale-if-error: the object is not served stale.' },
  varyNone: { id: 'cloudflare/vary-none', source: 'Cloudflare Vary', url: 'https://developers.cloudflare.com/cache/concepts/vary/', certainty: 'documented', text: 'No Vary header: one object per key.' },
  varyIgnored: {
    id: 'cloudflare/vary-ignored',
    source: 'Cloudflare Vary (only Accept-Encoding without a cache-rule vary setting)',
    url: 'https://developers.cloudflare.com/cache/concepts/vary/',
    certainty: 'documented',
    text: 'Vary on {fields} is ignored; only Accept-Encoding is honoured{kept}.',
  },
  varyRule: {
    id: 'cloudflare/vary-rule',
    source: 'Cloudflare cache rules: Vary setting (normalize / passthrough)',
    url: VARY_SETTING,
    certainty: 'documented',
    text: 'The cache rule\'s vary setting keeps one stored variant per value of {fields}.',
  },
  varyBypass: {
    id: 'cloudflare/vary-bypass',
    source: 'Cloudflare cache rules: Vary setting (bypass)',
    url: VARY_SETTING,
    certainty: 'documented',
    text: 'The origin\'s Vary names {field}, which the cache rule\'s vary setting maps to bypass: the response is not stored.',
  },
});

const R = CLOUDFLARE_RULES;

/** Cloudflare's default cacheable extensions (matched on the path, not the MIME type). */
export const CLOUDFLARE_EXTENSIONS: ReadonlySet<string> = new Set(
  ('7z apk avi avif bin bmp bz2 class css csv dmg doc docx ejs eot eps exe flac gif gz ico iso jar jpg jpeg js mid midi mkv ' +
    'mp3 mp4 ogg otf pdf pict pls png ppt pptx ps rar svg svgz swf tar tif tiff ttf webm webp woff woff2 xls xlsx zip zst').split(' '),
);

/** Default edge TTL by status when the origin sends no freshness (seconds). */
const STATUS_DEFAULT_TTL: ReadonlyMap<number, number> = new Map([
  [200, 7200], [206, 7200], [301, 7200], [302, 1200], [303, 1200], [404, 180], [410, 180],
]);

const DEFAULTS: Required<Omit<CloudflareOptions, 'edgeTtl' | 'vary'>> & Pick<CloudflareOptions, 'edgeTtl' | 'vary'> = {
  cacheLevel: 'default',
  edgeTtl: undefined,
  vary: undefined,
  originCacheControl: true,
  cacheDeceptionArmor: false,
  keyCookies: [],
  keyHeaders: [],
};
type Opts = typeof DEFAULTS;

function extension(path: string): string | undefined {
  const last = path.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot < 0 ? undefined : last.slice(dot + 1).toLowerCase() || undefined;
}

const eligibleByExtension = (q: RequestCtx): boolean => {
  const ext = extension(q.path);
  return q.path.toLowerCase() === '/robots.txt' || (ext !== undefined && CLOUDFLARE_EXTENSIONS.has(ext));
};

/* ------------------------------------------------------------------ request */

function cloudflareRequest(q: RequestCtx, o: Opts): RequestDecision {
  const inputs = [...o.keyCookies.map((c) => `cookie:${c}`), ...o.keyHeaders];
  const parts: KeyPart[] = [
    { name: 'scheme', value: q.scheme, identity: false },
    { name: 'host', value: q.host, identity: false },
    { name: 'path', value: q.path, identity: false },
    { name: 'query', value: q.query, identity: false },
    ...(header(q.headers, 'origin') !== undefined ? [{ name: 'origin', value: header(q.headers, 'origin')!, identity: false }] : []),
    ...extraKeyParts(q, inputs),
  ];
  const keyReasons = [stamp(R.keyDefault)];
  if (inputs.length > 0) keyReasons.unshift(stamp(R.keyCustom, { inputs: inputs.join(', ') }));
  const key = answer(buildKey(parts, ([scheme, host, path, query, ...rest]) => `${scheme}://${host}${path}${query ? `?${query}` : ''}${rest.length ? `|${rest.join('|')}` : ''}`), keyReasons);

  const steps: ReadonlyArray<Step<RequestCtx, 'lookup' | 'pass'>> = [
    { rule: R.levelBypass, when: () => o.cacheLevel === 'bypass', then: 'pass' },
    { rule: R.methodNotCached, when: (c) => c.method !== 'GET' && c.method !== 'HEAD', then: 'pass' },
    { rule: R.cacheEverything, when: () => o.cacheLevel === 'cache-everything', then: 'lookup' },
    { rule: R.extensionEligible, when: eligibleByExtension, then: 'lookup' },
    { rule: R.extensionNotEligible, when: () => true, then: 'pass' },
  ];
  const decided = firstMatch(steps, q, { method: q.method, path: q.path, ext: extension(q.path) ?? '' });
  return { action: answer(decided.value, [decided.reason]), key };
}

/* ------------------------------------------------------------------ response */

interface Facts {
  x: Exchange;
  o: Opts;
  /** Directives Cloudflare reads: a targeted field when present, else Cache-Control. */
  cc: CacheControl;
  /** Cache Everything (or an eligible-for-cache rule) rather than the extension list. */
  everything: boolean;
}

type Verdict = { kind: 'no-store' } | { kind: 'revalidate'; directive: string } | { kind: 'store' };

const zeroDirective = (cc: CacheControl): string | undefined => {
  if (qualifiedFields(cc, 'no-cache')?.length === 0) return 'no-cache';
  if (directiveSeconds(cc, 'max-age') === 0) return 'max-age=0';
  if (directiveSeconds(cc, 's-maxage') === 0) return 's-maxage=0';
  return undefined;
};
const occ = (f: Facts): boolean => f.o.originCacheControl;
const authorized = (f: Facts): boolean => header(f.x.q.headers, 'authorization') !== undefined;
const allowsAuth = (cc: CacheControl): boolean => ['public', 's-maxage', 'must-revalidate'].some((d) => hasDirective(cc, d));

const CONTENT_TYPES: Record<string, RegExp> = {
  css: /text\/css/, js: /javascript/, png: /image\/png/, jpg: /image\/jpe?g/, jpeg: /image\/jpe?g/, gif: /image\/gif/,
  svg: /image\/svg/, webp: /image\/webp/, avif: /image\/avif/, ico: /image\/(x-icon|vnd\.microsoft\.icon)/, pdf: /application\/pdf/,
  woff: /font\/woff|application\/font-woff/, woff2: /font\/woff2/, txt: /text\/plain/,
};
function armorMismatch(f: Facts): boolean {
  if (!f.o.cacheDeceptionArmor) return false;
  const ext = extension(f.x.q.path);
  const expected = ext === undefined ? undefined : CONTENT_TYPES[ext];
  const type = header(f.x.s.headers, 'content-type') ?? '';
  return expected !== undefined && !expected.test(type.toLowerCase());
}

/** Origin Cache Control, in order: what stops caching, what makes it "cache and revalidate". */
const OCC_STEPS: ReadonlyArray<Step<Facts, Verdict>> = [
  { rule: R.noStore, when: (f) => hasDirective(f.cc, 'no-store'), then: { kind: 'no-store' } },
  {
    rule: R.private,
    when: (f) => hasDirective(f.cc, 'private'),
    then: { kind: 'no-store' },
    vars: (f) => ({ fields: qualifiedFields(f.cc, 'private')!.length ? `="${qualifiedFields(f.cc, 'private')!.join(', ')}"` : '' }),
  },
  { rule: R.setCookieMiss, when: (f) => f.x.s.setCookie && f.everything, then: { kind: 'no-store' } },
  { rule: R.setCookieBypass, when: (f) => f.x.s.setCookie && occ(f), then: { kind: 'no-store' } },
  { rule: R.authorization, when: (f) => occ(f) && authorized(f) && !allowsAuth(f.cc), then: { kind: 'no-store' } },
  { rule: R.varyStar, when: (f) => f.x.s.vary.includes('*'), then: { kind: 'no-store' } },
  {
    rule: R.deceptionArmor,
    when: armorMismatch,
    then: { kind: 'no-store' },
    vars: (f) => ({ ext: extension(f.x.q.path) ?? '', type: header(f.x.s.headers, 'content-type') ?? '(none)' }),
  },
  { rule: R.occOffNotCached, when: (f) => !occ(f) && zeroDirective(f.cc) !== undefined, then: { kind: 'no-store' }, vars: (f) => ({ directive: zeroDirective(f.cc)! }) },
  { rule: R.revalidate, when: (f) => zeroDirective(f.cc) !== undefined, then: (f) => ({ kind: 'revalidate', directive: zeroDirective(f.cc)! }), vars: (f) => ({ directive: zeroDirective(f.cc)! }) },
  { rule: R.occAllows, when: () => true, then: { kind: 'store' } },
];

function edgeTtl(f: Facts): { ttl: number; reason: Reason } | undefined {
  const { s } = f.x;
  // A targeted field replaces Cache-Control and Expires alike.
  const l = explicitLifetime(f.cc, s, f.cc === s.cc ? ['s-maxage', 'max-age', 'expires'] : ['s-maxage', 'max-age']);
  if (l) {
    const ttl = remaining(l.seconds, s);
    return { ttl, reason: stamp(R.ttlHeader, { from: sourceLabel(l.from), ttl }) };
  }
  if (f.o.edgeTtl?.mode === 'bypass_by_default') return undefined;
  const byStatus = STATUS_DEFAULT_TTL.get(s.status);
  return byStatus === undefined ? undefined : { ttl: byStatus, reason: stamp(R.ttlStatusDefault, { status: s.status, ttl: byStatus }) };
}

/** The action the cache rule's vary setting gives a header named in the response's Vary. */
function varyAction(o: Opts, field: string): CloudflareVaryAction | undefined {
  if (!o.vary) return undefined;
  return o.vary.headers?.[field] ?? o.vary.default;
}

/** The first Vary member the vary setting maps to bypass (Vary: * is handled by Origin Cache Control). */
function varyBypassed(x: Exchange, o: Opts): string | undefined {
  return x.s.vary.find((v) => v !== '*' && varyAction(o, v) === 'bypass');
}

function cloudflareVary(f: Facts): ProfileFetch['varyOn'] {
  const vary = f.x.s.vary;
  if (vary.length === 0) return answer([], [stamp(R.varyNone)]);
  if (f.o.vary) {
    const kept = vary.filter((v) => v !== '*' && varyAction(f.o, v) !== 'bypass');
    return kept.length === 0 ? answer([], [stamp(R.varyNone)]) : answer(kept, [stamp(R.varyRule, { fields: kept.join(', ') })]);
  }
  const kept = vary.filter((v) => v === 'accept-encoding');
  const ignored = vary.filter((v) => v !== 'accept-encoding');
  if (ignored.length === 0) return answer(kept, [stamp(R.varyNone)]);
  return answer(kept, [stamp(R.varyIgnored, { fields: ignored.join(', '), kept: kept.length ? ' (kept here)' : '' })]);
}

function notStored(reason: Reason, extra: Reason[] = []): ProfileFetch {
  return {
    store: answer('no-store', [reason, ...extra]),
    ttl: answer(0, [reason]),
    stale: answer(NO_STALE, [reason]),
    collapse: answer<CollapseValue>('forward', [stamp(R.collapseUncacheable), reason]),
    varyOn: answer([], [reason]),
  };
}

function targetedField(x: Exchange): { name: string; cc: CacheControl } | undefined {
  for (const name of ['Cloudflare-CDN-Cache-Control', 'CDN-Cache-Control']) {
    const lines = headerLines(x.s.headers, name);
    const cc = parseCacheControl(lines);
    if (cc.list.length > 0) return { name, cc };
  }
  return undefined;
}

function cloudflareResponse(x: Exchange, o: Opts): ProfileFetch {
  const everything = o.cacheLevel === 'cache-everything';
  const notes: Reason[] = [];

  const bypassed = varyBypassed(x, o);
  if (bypassed !== undefined) return notStored(stamp(R.varyBypass, { field: bypassed }));

  if (o.edgeTtl?.mode === 'override_origin') {
    const ttl = o.edgeTtl.default ?? 0;
    const reason = stamp(R.edgeOverride, { ttl });
    if (x.s.setCookie) notes.push(stamp(R.edgeOverrideSetCookie));
    return {
      store: answer('store', [reason, ...notes]),
      ttl: answer(ttl, [reason]),
      stale: answer(NO_STALE, [reason]),
      collapse: answer('share', [stamp(R.collapseLock)]),
      varyOn: cloudflareVary({ x, o, cc: x.s.cc, everything }),
    };
  }

  const targeted = targetedField(x);
  if (targeted) notes.push(stamp(R.targeted, { field: targeted.name }));
  const f: Facts = { x, o, cc: targeted?.cc ?? x.s.cc, everything };
  if (!occ(f) && authorized(f)) notes.push(stamp(R.authorizationOccOff));
  if (!occ(f) && x.s.setCookie && !everything) notes.push(stamp(R.setCookieStripOccOff));

  const decided = firstMatch(OCC_STEPS, f);
  if (decided.value.kind === 'no-store') return notStored(decided.reason, notes);

  const revalidating = decided.value.kind === 'revalidate';
  const t = revalidating ? { ttl: 0, reason: decided.reason } : edgeTtl(f);
  if (!t) return notStored(stamp(o.edgeTtl?.mode === 'bypass_by_default' ? R.bypassByDefault : R.statusNotCached, { status: x.s.status }), notes);

  const store = answer<'store'>('store', [revalidating ? decided.reason : stamp(R.stored, { ttl: t.ttl }), t.reason, ...notes]);
  const fetch: ProfileFetch = {
    store,
    ttl: answer(t.ttl, [t.reason]),
    stale: staleFrom([f.cc], { some: R.staleSome, none: R.staleNone }),
    collapse: revalidating
      ? answer('share', [stamp(R.collapseRevalidate), decided.reason])
      : answer('share', [stamp(R.collapseLock)]),
    varyOn: cloudflareVary(f),
  };
  if (revalidating) fetch.validateBeforeReuse = decided.reason;
  return fetch;
}

export const cloudflareProfile: ProfileModule<'cloudflare'> = {
  id: 'cloudflare',
  title: 'Cloudflare (Origin Cache Control on)',
  summary:
    'Cloudflare zones. At the default level only static file extensions are cached (HTML and JSON are DYNAMIC); Cache Everything lifts that. With Origin Cache Control on, private/no-store/Set-Cookie prevent caching and no-cache/max-age=0 mean "cache and always revalidate"; an Edge TTL override ignores all of it and strips Set-Cookie. Cookies and Authorization are not in the default key, and Vary is ignored except Accept-Encoding unless a cache rule\'s vary setting says otherwise.',
  defaults: DEFAULTS,
  options: [
    { name: 'cacheLevel', default: "'default'", meaning: "'default' (static extensions only), 'cache-everything', or 'bypass'." },
    { name: 'edgeTtl', default: '(respect origin)', meaning: "Cache rule Edge TTL: {mode: 'respect_origin' | 'bypass_by_default' | 'override_origin', default: seconds}." },
    { name: 'originCacheControl', default: 'true', meaning: 'Origin Cache Control (Enterprise may turn it off per rule).' },
    { name: 'cacheDeceptionArmor', default: 'false', meaning: 'Refuse to cache when the path extension does not match Content-Type.' },
    { name: 'keyCookies', default: '[]', meaning: 'Cookies added to a custom cache key.' },
    { name: 'keyHeaders', default: '[]', meaning: 'Request headers added to a custom cache key.' },
    { name: 'vary', default: '(off)', meaning: "Cache rule vary setting: {default: action, headers: {name: action}}, action 'normalize' | 'passthrough' (the header selects a stored variant) or 'bypass' (not stored). Off: Vary is ignored except Accept-Encoding." },
  ],
  rules: Object.values(CLOUDFLARE_RULES),
  request: (q, o) => cloudflareRequest(q, { ...DEFAULTS, ...o }),
  response: (x, o) => cloudflareResponse(x, { ...DEFAULTS, ...o }),
};
