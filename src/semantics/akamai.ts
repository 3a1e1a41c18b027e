/**
 * Akamai Property Manager `caching` behaviour, briefly (config-semantics.md §1.6). Most of what
 * matters for personal data here is unresearched and marked unverified: the `honorPrivate`
 * default, how no-cache and Set-Cookie are treated, and whether edge servers collapse misses.
 */
import { hasDirective, parseCacheControl } from './cache-control.ts';
import { isGetOrHead } from './common.ts';
import { buildKey, type Exchange, type RequestCtx } from './exchange.ts';
import { explicitLifetime, remaining, sourceLabel } from './freshness.ts';
import { headerLines } from './headers.ts';
import { NO_STALE, type ProfileFetch, type ProfileModule } from './profile.ts';
import { answer, defineRules, stamp, type Step } from './rules.ts';
import type { AkamaiOptions, Reason, RequestDecision } from './types.ts';

const CACHING = 'https://techdocs.akamai.com/property-mgr/reference/latest-caching';
const CACHING_DOC = 'https://techdocs.akamai.com/property-mgr/docs/caching-2';

export const AKAMAI_RULES = defineRules('akamai', {
  bypassCache: { id: 'akamai/bypass-cache', source: 'Akamai caching behavior BYPASS_CACHE', url: CACHING, certainty: 'documented', text: 'caching behavior BYPASS_CACHE: the request is not looked up and nothing is stored.' },
  methodNotCached: { id: 'akamai/method-not-cached', source: 'Akamai caching (GET/HEAD)', url: CACHING_DOC, certainty: 'unverified', text: '{method} is not cached; the request is forwarded.' },
  lookup: { id: 'akamai/lookup', source: 'Akamai caching; default cache key (host + URL)', url: CACHING_DOC, certainty: 'documented', text: 'GET/HEAD is looked up under host and URL.' },
  key: { id: 'akamai/key', source: 'Akamai default cache key (host + URL, no cookies)', url: CACHING_DOC, certainty: 'documented', text: 'The key is host and URL; cookies and Authorization are not part of it.' },
  noStoreBehavior: { id: 'akamai/no-store-behavior', source: 'Akamai caching behavior NO_STORE', url: CACHING, certainty: 'documented', text: 'caching behavior NO_STORE: nothing is stored.' },
  edgeControl: {
    id: 'akamai/edge-control',
    source: 'Akamai caching behavior (Edge-Control from origin overrides)',
    url: CACHING,
    certainty: 'documented',
    text: 'Edge-Control {directive} from the origin overrides the caching behaviour: nothing is stored.',
  },
  maxAge: { id: 'akamai/max-age-behavior', source: 'Akamai caching behavior MAX_AGE', url: CACHING, certainty: 'documented', text: 'caching behavior MAX_AGE: a fixed TTL of {ttl} s, whatever the origin sends.' },
  noStoreHonoured: { id: 'akamai/honor-no-store', source: 'Akamai caching behavior (honour origin modes)', url: CACHING, certainty: 'unverified', text: 'Cache-Control no-store is honoured: nothing is stored.' },
  privateHonoured: { id: 'akamai/honor-private', source: 'Akamai caching behavior honorPrivate', url: CACHING, certainty: 'documented', text: 'honorPrivate is on: a private response is not stored.' },
  privateIgnored: {
    id: 'akamai/private-ignored',
    source: 'Akamai caching behavior honorPrivate (default per rule format unknown; exports commonly false)',
    url: CACHING,
    certainty: 'unverified',
    text: 'honorPrivate is off: Cache-Control private does not stop the edge from storing the response.',
  },
  varySkip: {
    id: 'akamai/vary-not-cached',
    source: 'Akamai caching ("Remove Vary Header" behaviour)',
    url: CACHING_DOC,
    certainty: 'unverified',
    text: 'Vary on {fields} may make Akamai skip caching; taken as not stored (to be probed).',
  },
  noCacheZero: {
    id: 'akamai/no-cache-zero-ttl',
    source: 'Akamai caching (our reading; PortSwigger saw public, no-cache cached)',
    url: CACHING,
    certainty: 'unverified',
    text: 'no-cache is read as a zero TTL: stored and validated with the origin before each reuse (to be probed).',
  },
  ttlHeader: { id: 'akamai/ttl-from-origin', source: 'Akamai caching behavior (honour origin modes)', url: CACHING, certainty: 'documented', text: '{from} gives a TTL of {ttl} s.' },
  ttlDefault: {
    id: 'akamai/ttl-default',
    source: 'Akamai caching behavior defaultTtl',
    url: CACHING,
    certainty: 'unverified',
    text: 'No usable origin freshness: the behaviour\'s defaultTtl of {ttl} s applies{zero}.',
  },
  setCookieUnknown: {
    id: 'akamai/set-cookie-not-researched',
    source: 'Akamai Set-Cookie handling (not researched)',
    url: CACHING_DOC,
    certainty: 'unverified',
    text: 'How Akamai treats Set-Cookie was not researched; assumed it does not prevent storing (to be probed).',
  },
  stored: { id: 'akamai/stored', source: 'Akamai caching behavior', url: CACHING, certainty: 'documented', text: 'The response is stored (TTL {ttl} s).' },
  collapseUnknown: {
    id: 'akamai/collapsing-not-researched',
    source: 'Akamai request collapsing (undocumented in our sources; to be confirmed by a probe)',
    url: CACHING_DOC,
    certainty: 'unverified',
    text: 'Whether Akamai collapses concurrent misses was not researched; a stored object is assumed to reach waiting requests (to be probed).',
  },
  collapseNotStored: {
    id: 'akamai/collapsing-not-stored',
    source: 'Akamai request collapsing (not researched)',
    url: CACHING_DOC,
    certainty: 'unverified',
    text: 'Nothing was stored; waiting requests, if any, are assumed to go to the origin (to be probed).',
  },
  staleNone: { id: 'akamai/stale-not-modelled', source: 'Akamai serve-stale (not modelled)', url: CACHING_DOC, certainty: 'unverified', text: 'Serving stale is not modelled for Akamai.' },
  varyNone: { id: 'akamai/vary-none', source: 'Akamai caching', url: CACHING_DOC, certainty: 'documented', text: 'No Vary header (or only Accept-Encoding): one object per key.' },
});

const R = AKAMAI_RULES;

const DEFAULTS: Required<AkamaiOptions> = {
  behavior: 'CACHE_CONTROL_AND_EXPIRES',
  ttl: 0,
  defaultTtl: 0,
  honorPrivate: false,
  honorNoStore: true,
  honorMustRevalidate: false,
};

function akamaiRequest(q: RequestCtx, o: Required<AkamaiOptions>): RequestDecision {
  const key = answer(
    buildKey([
      { name: 'host', value: q.host, identity: false },
      { name: 'url', value: q.requestUri, identity: false },
    ]),
    [stamp(R.key)],
  );
  if (o.behavior === 'BYPASS_CACHE') return { action: answer('pass', [stamp(R.bypassCache)]), key };
  if (!isGetOrHead(q)) return { action: answer('pass', [stamp(R.methodNotCached, { method: q.method })]), key };
  return { action: answer('lookup', [stamp(R.lookup)]), key };
}

interface Facts {
  x: Exchange;
  o: Required<AkamaiOptions>;
  edge: string | undefined;
  honour: boolean;
}

const nonEncodingVary = (f: Facts): string[] => f.x.s.vary.filter((v) => v !== 'accept-encoding');

const REFUSE: ReadonlyArray<Step<Facts, boolean>> = [
  { rule: R.noStoreBehavior, when: (f) => f.o.behavior === 'NO_STORE', then: true },
  { rule: R.edgeControl, when: (f) => f.edge !== undefined, then: true, vars: (f) => ({ directive: f.edge }) },
  { rule: R.noStoreHonoured, when: (f) => f.honour && f.o.honorNoStore && hasDirective(f.x.s.cc, 'no-store'), then: true },
  { rule: R.privateHonoured, when: (f) => f.honour && f.o.honorPrivate && hasDirective(f.x.s.cc, 'private'), then: true },
  { rule: R.varySkip, when: (f) => nonEncodingVary(f).length > 0, then: true, vars: (f) => ({ fields: nonEncodingVary(f).join(', ') }) },
];

function akamaiTtl(f: Facts): { ttl: number; reason: Reason } {
  const { s } = f.x;
  if (f.o.behavior === 'MAX_AGE') return { ttl: f.o.ttl, reason: stamp(R.maxAge, { ttl: f.o.ttl }) };
  const useCc = f.o.behavior !== 'EXPIRES';
  const useExpires = f.o.behavior !== 'CACHE_CONTROL';
  if (useCc && hasDirective(s.cc, 'no-cache')) return { ttl: 0, reason: stamp(R.noCacheZero) };
  const order = [...(useCc ? (['s-maxage', 'max-age'] as const) : []), ...(useExpires ? (['expires'] as const) : [])];
  const l = explicitLifetime(s.cc, s, order);
  if (l) {
    const ttl = remaining(l.seconds, s);
    return { ttl, reason: stamp(R.ttlHeader, { from: sourceLabel(l.from), ttl }) };
  }
  const zero = f.o.defaultTtl === 0 ? ', which Akamai treats as "store and revalidate every time"' : '';
  return { ttl: f.o.defaultTtl, reason: stamp(R.ttlDefault, { ttl: f.o.defaultTtl, zero }) };
}

function akamaiResponse(x: Exchange, o: Required<AkamaiOptions>): ProfileFetch {
  const edgeCc = parseCacheControl(headerLines(x.s.headers, 'edge-control'));
  const edge = ['no-store', 'bypass-cache'].find((d) => hasDirective(edgeCc, d));
  const f: Facts = { x, o, edge, honour: o.behavior !== 'MAX_AGE' };
  const refused = REFUSE.find((step) => step.when(f));
  if (refused) {
    const reason = stamp(refused.rule, refused.vars?.(f));
    return {
      store: answer('no-store', [reason]),
      ttl: answer(0, [reason]),
      stale: answer(NO_STALE, [reason]),
      collapse: answer('forward', [stamp(R.collapseNotStored), reason]),
      varyOn: answer([], [reason]),
    };
  }
  const notes: Reason[] = [];
  if (f.honour && !o.honorPrivate && hasDirective(x.s.cc, 'private')) notes.push(stamp(R.privateIgnored));
  if (x.s.setCookie) notes.push(stamp(R.setCookieUnknown));
  const t = akamaiTtl(f);
  const fetch: ProfileFetch = {
    store: answer('store', [stamp(R.stored, { ttl: t.ttl }), t.reason, ...notes]),
    ttl: answer(t.ttl, [t.reason]),
    stale: answer(NO_STALE, [stamp(R.staleNone)]),
    collapse: answer('share', [stamp(R.collapseUnknown)]),
    varyOn: answer(x.s.vary.filter((v) => v === 'accept-encoding'), [stamp(R.varyNone)]),
  };
  if (t.ttl === 0) fetch.validateBeforeReuse = t.reason;
  return fetch;
}

export const akamaiProfile: ProfileModule<'akamai'> = {
  id: 'akamai',
  title: 'Akamai (caching behaviour, brief)',
  summary:
    'Akamai properties, briefly: the caching behaviour (MAX_AGE fixed TTL, NO_STORE, BYPASS_CACHE, or honouring Cache-Control/Expires with a default TTL) and the honorPrivate flag, which public rule trees commonly leave off. Edge-Control no-store/bypass-cache from the origin always wins. Collapsing, Set-Cookie and no-cache handling were not researched and are marked unverified.',
  defaults: DEFAULTS,
  options: [
    { name: 'behavior', default: "'CACHE_CONTROL_AND_EXPIRES'", meaning: 'caching.behavior: MAX_AGE, NO_STORE, BYPASS_CACHE, CACHE_CONTROL, CACHE_CONTROL_AND_EXPIRES, EXPIRES.' },
    { name: 'ttl', default: '0', meaning: 'Fixed TTL for MAX_AGE, seconds.' },
    { name: 'defaultTtl', default: '0', meaning: 'TTL when the origin sends no freshness in the honour-origin behaviours (0 = store and revalidate).' },
    { name: 'honorPrivate', default: 'false', meaning: 'Honour Cache-Control private (default unverified; commonly false in exported rule trees).' },
    { name: 'honorNoStore', default: 'true', meaning: 'Honour Cache-Control no-store.' },
    { name: 'honorMustRevalidate', default: 'false', meaning: 'Honour must-revalidate (no effect on these answers).' },
  ],
  rules: Object.values(AKAMAI_RULES),
  request: (q, o) => akamaiRequest(q, { ...DEFAULTS, ...o }),
  response: (x, o) => akamaiResponse(x, { ...DEFAULTS, ...o }),
};
