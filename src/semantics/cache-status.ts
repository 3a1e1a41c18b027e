/**
 * Reading what a cache says it did: RFC 9211 `Cache-Status` and the vendor headers that came
 * before it (X-Cache in its many dialects, CF-Cache-Status, X-Cache-Status/X-Proxy-Cache,
 * X-Varnish, Age), normalised into the `Outcome` vocabulary of `src/core/event.ts`.
 * `normalizeOutcome` maps single vendor words, as log adapters read them, onto the same vocabulary.
 */
import type { Outcome } from '../core/event.ts';
import { header, parseDeltaSeconds } from './headers.ts';
import type { CacheStatusEntry, HeaderBag, NormalizedCacheStatus } from './types.ts';

/* ------------------------------------------------------------------ single words */

/** Whose vocabulary a word comes from, where the same word means different things. */
export const OUTCOME_VENDORS = ['generic', 'nginx', 'varnish', 'fastly', 'cloudfront', 'cloudflare', 'akamai', 'squid', 'ats'] as const;
export type OutcomeVendor = (typeof OUTCOME_VENDORS)[number];

/**
 * Plain words, upper case, without separators. Sources: nginx `$upstream_cache_status`; Varnish
 * `Varnish:handling`; CloudFront `x-edge-result-type`; Cloudflare `CacheCacheStatus`/CF-Cache-Status;
 * Fastly `fastly_info.state` bases; Akamai-Cache-Status (research note logs-and-alerting.md §2).
 */
const WORDS: Readonly<Record<string, Outcome>> = {
  HIT: 'HIT',
  CACHED: 'HIT',
  STREAMHIT: 'HIT',
  ORIGINSHIELDHIT: 'HIT',
  REMOTEHIT: 'HIT',
  MISS: 'MISS',
  HITMISS: 'MISS',
  CACHING: 'MISS',
  EXPIRED: 'EXPIRED',
  REFRESHHIT: 'REVALIDATED',
  REVALIDATED: 'REVALIDATED',
  STALE: 'STALE',
  HITSTALE: 'STALE',
  UPDATING: 'UPDATING',
  COLLAPSED: 'COLLAPSED',
  PASS: 'PASS',
  HITPASS: 'PASS',
  PIPE: 'PASS',
  DYNAMIC: 'PASS',
  IGNORED: 'PASS',
  UPGRADE: 'PASS',
  BYPASS: 'BYPASS',
  ERROR: 'ERROR',
  LIMITEXCEEDED: 'ERROR',
  CAPACITYEXCEEDED: 'ERROR',
  SYNTH: 'UNKNOWN',
  REDIRECT: 'UNKNOWN',
  CONSTRUCTED: 'UNKNOWN',
  LAMBDAGENERATEDRESPONSE: 'UNKNOWN',
  FUNCTIONGENERATEDRESPONSE: 'UNKNOWN',
  NONE: 'UNKNOWN',
  UNKNOWN: 'UNKNOWN',
  DEFERRED: 'UNKNOWN',
};

/** Words whose meaning depends on the vendor. */
const VENDOR_WORDS: Partial<Record<OutcomeVendor, Readonly<Record<string, Outcome>>>> = {
  // Cloudflare BYPASS: not cached at all (unlike nginx BYPASS, whose response may be stored).
  cloudflare: { BYPASS: 'PASS' },
  squid: { NONE: 'ERROR' },
  // Akamai marks responses it would not cache.
  akamai: { NOTCACHEABLE: 'PASS' },
};

/** Fastly `fastly_info.state`: a base plus `-CLUSTER`, `-REFRESH`, `-WAIT`, `-STALE`, `-SYNTH` flags. */
function fastlyState(parts: string[]): Outcome | undefined {
  const [base, ...flags] = parts;
  if (base === 'BG' || base === 'ERROR') return 'ERROR';
  if (base !== 'HIT' && base !== 'MISS' && base !== 'PASS' && base !== 'HITPASS') return undefined;
  if (flags.includes('SYNTH')) return 'UNKNOWN';
  if (flags.includes('STALE')) return 'STALE';
  // -WAIT: the request waited on another request's fetch. A HIT after waiting is that fetch's
  // object (collapsed); a MISS after waiting went to the origin itself (the fetch was not shareable).
  if (flags.includes('WAIT')) return base === 'HIT' ? 'COLLAPSED' : base === 'MISS' ? 'MISS' : 'PASS';
  if (flags.includes('REFRESH')) return 'REVALIDATED';
  return WORDS[base];
}

/** Squid/ATS/Akamai/Azure `TCP_*` result codes (`TCP_REFRESH_HIT/200` accepted). */
function tcpCode(code: string): Outcome {
  const c = code.replace(/^TCP_/, '');
  if (/(^|_)CF_/.test(c)) return c.includes('HIT') ? 'COLLAPSED' : 'MISS';
  if (/REF(RESH)?_FAIL/.test(c)) return 'STALE';
  if (/^REFRESH_(HIT|UNMODIFIED)$/.test(c)) return 'REVALIDATED';
  if (/^CLIENT_REFRESH/.test(c)) return 'PASS';
  if (c === 'DENIED') return 'ERROR';
  if (c === 'TUNNEL') return 'PASS';
  if (c.endsWith('HIT')) return 'HIT';
  if (c.endsWith('MISS') || c === 'REFRESH_MODIFIED') return 'MISS';
  return 'UNKNOWN';
}

/**
 * Maps one vendor cache-outcome word onto `Outcome`. Accepts `Hit from cloudfront`, `TCP_HIT/200`,
 * Fastly states (`HIT-WAIT`, `HIT-CLUSTER`, `MISS-WAIT`, `HIT-STALE`, `HITPASS`), Varnish handling
 * (`hitmiss`, `pipe`, `synth`), Cloudflare values (`stream_hit`, `dynamic`, ...), any case.
 * Pass `vendor` where a word is ambiguous (`BYPASS` is `PASS` for Cloudflare, `BYPASS` for nginx).
 */
export function normalizeOutcome(word: string, vendor: OutcomeVendor = 'generic'): Outcome {
  let w = word.trim();
  w = w.replace(/\s+from\s+.*$/i, '').replace(/\/\d{3}$/, '').trim();
  // nginx writes `-` (or nothing) in $upstream_cache_status when the location has no cache: the request passed.
  if (w === '' || w === '-') return vendor === 'nginx' ? 'PASS' : 'UNKNOWN';
  const up = w.toUpperCase();
  if (up.startsWith('TCP_') || up.startsWith('UDP_')) return tcpCode(up);
  if (up.startsWith('ERR_') || /ERROR$/.test(up.replace(/[-_\s]/g, ''))) return 'ERROR';
  if (up.includes('COLLAPSED')) return 'COLLAPSED';
  const compact = up.replace(/[_\s]/g, '');
  const vendorWord = VENDOR_WORDS[vendor]?.[compact];
  if (vendorWord) return vendorWord;
  if (up.includes('-')) {
    const fastly = fastlyState(up.split('-'));
    if (fastly) return fastly;
  }
  return WORDS[compact.replace(/-/g, '')] ?? 'UNKNOWN';
}

/* ------------------------------------------------------------------ RFC 9211 Cache-Status */

type Bare = string | number | boolean;

/** A small Structured Field List parser (RFC 8941 items with parameters), tolerant of stray spaces. */
function parseSfList(input: string): Array<{ item: Bare; params: Map<string, Bare> }> {
  let i = 0;
  const out: Array<{ item: Bare; params: Map<string, Bare> }> = [];
  const ws = () => {
    while (i < input.length && (input[i] === ' ' || input[i] === '\t')) i++;
  };
  const bare = (): Bare => {
    const ch = input[i];
    if (ch === '"') {
      let s = '';
      i++;
      while (i < input.length && input[i] !== '"') {
        if (input[i] === '\\' && i + 1 < input.length) i++;
        s += input[i++];
      }
      i++;
      return s;
    }
    if (ch === '?') {
      i++;
      return input[i++] === '1';
    }
    const m = /^[^;,\s]*/.exec(input.slice(i))![0];
    i += m.length;
    return /^-?\d+(\.\d+)?$/.test(m) ? Number(m) : m;
  };
  while (i < input.length) {
    ws();
    if (input[i] === ',') {
      i++;
      continue;
    }
    const item = bare();
    const params = new Map<string, Bare>();
    ws();
    while (input[i] === ';') {
      i++;
      ws();
      const key = /^[a-z0-9_.*-]*/i.exec(input.slice(i))![0].toLowerCase();
      i += key.length;
      let value: Bare = true;
      if (input[i] === '=') {
        i++;
        value = bare();
      }
      if (key !== '') params.set(key, value);
      ws();
    }
    if (item !== '') out.push({ item, params });
    ws();
    if (input[i] === ',') i++;
    else if (i < input.length && input[i] !== ',') i++; // skip junk rather than loop forever
  }
  return out;
}

/** Parses an RFC 9211 `Cache-Status` value into hops, origin-side first as the RFC orders them. */
export function parseCacheStatusHeader(value: string): CacheStatusEntry[] {
  return parseSfList(value).map(({ item, params }) => {
    const entry: CacheStatusEntry = { cache: String(item), hit: params.get('hit') === true };
    const str = (k: string): string | undefined => (params.has(k) ? String(params.get(k)) : undefined);
    const num = (k: string): number | undefined => (typeof params.get(k) === 'number' ? (params.get(k) as number) : undefined);
    const fwd = str('fwd');
    if (fwd !== undefined) entry.fwd = fwd;
    const fwdStatus = num('fwd-status');
    if (fwdStatus !== undefined) entry.fwdStatus = fwdStatus;
    const ttl = num('ttl');
    if (ttl !== undefined) entry.ttl = ttl;
    if (params.has('stored')) entry.stored = params.get('stored') === true;
    if (params.has('collapsed')) entry.collapsed = params.get('collapsed') === true;
    const key = str('key');
    if (key !== undefined) entry.key = key;
    const detail = str('detail');
    if (detail !== undefined) entry.detail = detail;
    return entry;
  });
}

/**
 * One hop's outcome. `collapsed` marks a request that shared a forward with others, so the response
 * may have been made for another request: COLLAPSED (RFC 9211 does not say which request led).
 */
export function hopOutcome(h: CacheStatusEntry): Outcome {
  if (h.collapsed) return 'COLLAPSED';
  // A negative ttl marks a stale hit (RFC 9211 §2.4); `detail=updating` says another request is refreshing it.
  if (h.hit) return h.ttl !== undefined && h.ttl < 0 ? (h.detail === 'updating' ? 'UPDATING' : 'STALE') : 'HIT';
  switch (h.fwd) {
    case undefined:
      return 'UNKNOWN';
    case 'bypass':
      return h.stored ? 'BYPASS' : 'PASS';
    case 'method':
      return 'PASS';
    case 'stale':
      return h.fwdStatus === 304 ? 'REVALIDATED' : 'EXPIRED';
    default:
      // uri-miss, vary-miss, miss, request, partial: fetched from the next hop, possibly stored.
      return 'MISS';
  }
}

/* ------------------------------------------------------------------ all headers */

const RAW_HEADERS = [
  'cache-status',
  'cf-cache-status',
  'akamai-cache-status',
  'x-cache',
  'x-cache-status',
  'x-proxy-cache',
  'x-cache-remote',
  'x-rack-cache',
  'x-varnish',
  'x-cache-hits',
  'age',
  'x-served-by',
  'x-amz-cf-pop',
  'cf-ray',
  'via',
] as const;

/** The word nearest the client in a comma list (Fastly shielding: `HIT, MISS` — the last is the edge). */
const lastMember = (v: string): string => v.split(',').map((s) => s.trim()).filter(Boolean).pop() ?? '';
const firstMember = (v: string): string => v.split(',').map((s) => s.trim()).filter(Boolean)[0] ?? '';

interface Signal {
  source: string;
  read: (bag: HeaderBag) => Outcome | undefined;
}

const word = (name: string, pick: (v: string) => string, vendor: OutcomeVendor = 'generic'): Signal => ({
  source: name,
  read: (bag) => {
    const v = header(bag, name);
    return v === undefined ? undefined : normalizeOutcome(pick(v), vendor);
  },
});

/** Which header decides, in order: the standard first, then the vendors, then X-Varnish and Age. */
const SIGNALS: readonly Signal[] = [
  {
    source: 'cache-status',
    read: (bag) => {
      const v = header(bag, 'cache-status');
      const hops = v === undefined ? [] : parseCacheStatusHeader(v);
      return hops.length === 0 ? undefined : hopOutcome(hops[hops.length - 1]!);
    },
  },
  word('cf-cache-status', firstMember, 'cloudflare'),
  // Akamai lists the edge ("child") first: "Hit from child, Miss from parent".
  word('akamai-cache-status', firstMember, 'akamai'),
  word('x-cache', lastMember),
  word('x-cache-status', lastMember, 'nginx'),
  word('x-proxy-cache', lastMember, 'nginx'),
  word('x-cache-remote', lastMember),
  word('x-rack-cache', (v) => v.split(',')[0]!.trim()),
  {
    source: 'server-timing',
    read: (bag) => {
      const m = /cdn-cache\s*;[^,]*desc="?([\w-]+)/i.exec(header(bag, 'server-timing') ?? '');
      return m ? normalizeOutcome(m[1]!) : undefined;
    },
  },
  {
    // One transaction id: this request fetched (miss or pass); two: it was served the object of another.
    source: 'x-varnish',
    read: (bag) => {
      const v = header(bag, 'x-varnish');
      if (v === undefined) return undefined;
      const ids = lastMember(v).split(/\s+/).filter(Boolean);
      return ids.length >= 2 ? 'HIT' : ids.length === 1 ? 'MISS' : undefined;
    },
  },
  {
    source: 'age',
    read: (bag) => {
      const age = parseDeltaSeconds(header(bag, 'age'));
      return age !== undefined && age > 0 ? 'HIT' : undefined;
    },
  },
];

function pops(bag: HeaderBag): string[] {
  const out: string[] = [];
  for (const node of (header(bag, 'x-served-by') ?? '').split(',')) if (node.trim()) out.push(node.trim());
  const cfPop = header(bag, 'x-amz-cf-pop');
  if (cfPop) out.push(...cfPop.split(',').map((s) => s.trim()).filter(Boolean));
  const ray = /-([A-Za-z]{3})\s*$/.exec(header(bag, 'cf-ray') ?? '');
  if (ray) out.push(ray[1]!.toUpperCase());
  return [...new Set(out)];
}

/** Normalises every cache signal in a response's headers. */
export function parseCacheStatus(headers: HeaderBag): NormalizedCacheStatus {
  const raw: Record<string, string> = {};
  for (const name of RAW_HEADERS) {
    const v = header(headers, name);
    if (v !== undefined) raw[name] = v;
  }
  const st = header(headers, 'server-timing');
  if (st !== undefined && /cdn-cache/i.test(st)) raw['server-timing'] = st;
  const cs = header(headers, 'cache-status');
  const hops = cs === undefined ? [] : parseCacheStatusHeader(cs);
  let outcome: Outcome = 'UNKNOWN';
  let source = 'none';
  for (const signal of SIGNALS) {
    const o = signal.read(headers);
    if (o === undefined) continue;
    outcome = o;
    source = signal.source;
    break;
  }
  const result: NormalizedCacheStatus = { outcome, source, hops, pops: pops(headers), raw };
  const age = parseDeltaSeconds(header(headers, 'age'));
  if (age !== undefined) result.age = age;
  return result;
}
