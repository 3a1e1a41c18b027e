/**
 * The scenario registry: each real incident mechanism as a config file per engine, plus the
 * origin and traffic settings it needs and what should happen.
 *
 * Mechanism classes follow the research notes (incidents-and-pii.md §1.3, config-semantics.md
 * §1.2–1.3). Files live next to this module: `nginx/<id>.conf`, `varnish/<id>.vcl`; they are
 * templates (placeholders in docs/lab.md) that include the shared `lab-common.*`.
 */
import { fileURLToPath } from 'node:url';
import type { Outcome } from '../../src/core/event.ts';
import type { EngineName } from '../engines/types.ts';
import type { OriginOptions } from '../origin/server.ts';
import type { TrafficOptions } from '../traffic/types.ts';

export const SCENARIO_IDS = ['S1', 'S2a', 'S2b', 'S3', 'S4', 'S5', 'S6', 'SAFE'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/**
 * How an engine's access log proves the leak:
 * - `owner-mismatch`: a line whose `owner` tag belongs to someone other than the line's
 *   `identity` (or the identity is empty), with one of the expected outcomes;
 * - `set-cookie-handover`: a line that sent a `Set-Cookie: sid=` belonging to someone other
 *   than the line's identity, with one of the expected outcomes (the handed-over session is
 *   then used at the origin, where the log can no longer tell viewer from owner).
 */
export const LOG_EVIDENCE_KINDS = ['owner-mismatch', 'set-cookie-handover', 'none'] as const;
export type LogEvidenceKind = (typeof LOG_EVIDENCE_KINDS)[number];

export type EngineScenario =
  | {
      supported: true;
      /** Absolute path of the template. */
      file: string;
      /** Normalized outcomes (from `X-Cache` / the log) through which leaks are expected. Empty for SAFE. */
      leakOutcomes: readonly Outcome[];
      evidence: LogEvidenceKind;
      /** Engine-specific remark (e.g. what had to differ from the incident). */
      note?: string;
    }
  | {
      supported: false;
      file: null;
      /** One line: why the engine cannot express the scenario. */
      reason: string;
    };

export type ScenarioOriginOptions = Pick<OriginOptions, 'personalizedHeaders' | 'rollingSession' | 'lenientRouting' | 'delayMs' | 'ownerTag'>;
export type ScenarioTrafficOptions = Omit<TrafficOptions, 'target' | 'directory' | 'onObservation' | 'signal'>;

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** The mechanism in one paragraph. */
  mechanism: string;
  /** Real incidents it reproduces (see the research notes for sources). */
  incidents: readonly string[];
  /** Origin options the scenario needs (merge over `startOrigin` defaults). */
  origin: ScenarioOriginOptions;
  /** Traffic options the scenario needs (merge over `runTraffic` defaults). */
  traffic: ScenarioTrafficOptions;
  expect: {
    /** Some user receives another user's personalized data. */
    leaks: boolean;
    /** Leaks come through a handed-over session (cached Set-Cookie). */
    sessionHandover: boolean;
    /** SAFE: public-page hit rate should stay high (> 50 % with the scenario traffic). */
    minPublicHitRate?: number;
  };
  engines: Record<EngineName, EngineScenario>;
}

const dir = (engine: EngineName, file: string) => fileURLToPath(new URL(`./${engine}/${file}`, import.meta.url));

function both(id: ScenarioId, leakOutcomes: readonly Outcome[], evidence: LogEvidenceKind, notes: Partial<Record<EngineName, string>> = {}, varnishOutcomes?: readonly Outcome[]): Record<EngineName, EngineScenario> {
  return {
    nginx: { supported: true, file: dir('nginx', `${id}.conf`), leakOutcomes, evidence, ...(notes.nginx ? { note: notes.nginx } : {}) },
    varnish: {
      supported: true,
      file: dir('varnish', `${id}.vcl`),
      leakOutcomes: varnishOutcomes ?? leakOutcomes,
      evidence,
      ...(notes.varnish ? { note: notes.varnish } : {}),
    },
  };
}

export const SCENARIOS: Readonly<Record<ScenarioId, Scenario>> = {
  S1: {
    id: 'S1',
    title: 'Zero/micro TTL + request collapsing',
    mechanism:
      'The origin sends `Cache-Control: no-cache` + an `Expires` in the past. The cache keeps the page anyway for ~0–1 s and parks concurrent requests for the same URL behind the one in flight (request collapsing); they all get the first user\'s page.',
    incidents: ['Mercari web, 2017-06-22', 'Shimanto town booking (CloudFront min TTL 1 s), 2023', 'Lloyds apps, 2026-03-12 (suspected)'],
    origin: { personalizedHeaders: 'incident2017' },
    traffic: { auth: 'cookie', burst: { intervalMs: 400, size: 4 } },
    expect: { leaks: true, sessionHandover: false },
    engines: both('S1', ['HIT'], 'owner-mismatch', {
      nginx: '`proxy_ignore_headers Cache-Control Expires` + `proxy_cache_valid 200 1s` + `proxy_cache_lock on`; lock waiters are logged as HIT.',
      varnish:
        'Varnish 7.1 does not hand TTL-0 objects to waiting-list requests (8.0 does), so the VCL gives TTL-0 responses 1 s; waiters are logged with a Waitinglist timestamp (parsed outcome COLLAPSED).',
    }),
  },
  S2a: {
    id: 'S2a',
    title: 'Cache rule ignores origin headers on personalized routes',
    mechanism:
      'The origin correctly sends `private, no-store`; a cache rule stores account pages for 10 minutes anyway, keyed on the URL only.',
    incidents: ['Steam store, 2015-12-25', 'Kyodo Tokyo tickets, 2019-03-16', 'ZAIKO, 2026-03-07'],
    origin: { personalizedHeaders: 'private' },
    traffic: { auth: 'cookie' },
    expect: { leaks: true, sessionHandover: false },
    engines: both('S2a', ['HIT'], 'owner-mismatch'),
  },
  S2b: {
    id: 'S2b',
    title: 'Cached Set-Cookie hands a session to others',
    mechanism:
      'Rolling sessions re-send `Set-Cookie: sid=…` on public pages; the cache is told to store them anyway without hiding Set-Cookie, so every hit hands the first visitor\'s session to the next browsers, which then see that person\'s account pages.',
    incidents: ['Pia RELIEF Ticket, 2025-06-23', 'GitHub, 2021 (same effect, different cause)'],
    origin: { personalizedHeaders: 'private', rollingSession: true },
    traffic: { auth: 'cookie' },
    expect: { leaks: true, sessionHandover: true },
    engines: both('S2b', ['HIT'], 'set-cookie-handover', {
      nginx: '`proxy_ignore_headers Set-Cookie` without `proxy_hide_header Set-Cookie` on the catalogue.',
      varnish: '`return (deliver)` in vcl_backend_response before the builtin Set-Cookie check.',
    }),
  },
  S3: {
    id: 'S3',
    title: 'Default caching of header-less authenticated GETs',
    mechanism:
      'The API authenticates with `Authorization: Bearer` and sends no Cache-Control; the cache applies a default TTL and does not key on (or refuse) Authorization, so one token\'s /api/me is served to all.',
    incidents: ['Railway, 2026-03-30'],
    origin: { personalizedHeaders: 'none' },
    traffic: { auth: 'bearer' },
    expect: { leaks: true, sessionHandover: false },
    engines: both('S3', ['HIT'], 'owner-mismatch', {
      nginx: '`proxy_cache_valid 200 1m` on /api/; nginx never looks at Authorization.',
      varnish: 'vcl_recv returns hash for /api/ (skipping the builtin Authorization pass); default_ttl (120 s) applies.',
    }),
  },
  S4: {
    id: 'S4',
    title: 'Cache key without the identity, Vary ignored',
    mechanism:
      'The origin sends `public, max-age=60` + `Vary: Cookie` on personalized pages; the cache drops Vary, so the URL-only key serves one user\'s page to everybody.',
    incidents: ['Klarna app, 2021-05-27 (likely)', 'Next.js RSC/Vary cache-poisoning advisories'],
    origin: { personalizedHeaders: 'public-vary-cookie' },
    traffic: { auth: 'cookie' },
    expect: { leaks: true, sessionHandover: false },
    engines: both('S4', ['HIT'], 'owner-mismatch', {
      nginx: '`proxy_ignore_headers Vary`.',
      varnish: 'vcl_recv returns hash despite cookies; vcl_backend_response unsets Vary.',
    }),
  },
  S5: {
    id: 'S5',
    title: 'Web cache deception by static extension',
    mechanism:
      'A rule caches anything ending in .css/.js/.png for a day regardless of headers; the origin ignores trailing path segments, so a victim lured to /mypage/<random>.css stores their account page for the attacker.',
    incidents: ['PayPal (Omer Gil), 2017', 'USENIX Security 2020 "Cached and Confused"'],
    origin: { personalizedHeaders: 'private', lenientRouting: true },
    traffic: { auth: 'cookie', deception: { pairs: 4 } },
    expect: { leaks: true, sessionHandover: false },
    engines: both('S5', ['HIT'], 'owner-mismatch'),
  },
  S6: {
    id: 'S6',
    title: 'Stale-while-updating serves an old personalized entry',
    mechanism:
      'Account pages are micro-cached for 1 s with stale serving (nginx `proxy_cache_use_stale updating` + background update; Varnish grace): after expiry the old entry keeps being served to whoever arrives while it is refreshed.',
    incidents: ['nginx mailing list (proxy_cache_use_stale updating and X-Accel-Expires: 0)', 'any micro-cache with stale serving'],
    // A slower origin (500 ms) widens the refresh window in which stale entries are served.
    origin: { personalizedHeaders: 'private', delayMs: 500 },
    // Several 1 s expiry cycles, and bursts on one URL so that requests land in refresh windows.
    traffic: { auth: 'cookie', durationMs: 3500, burst: { intervalMs: 250, size: 4, cookiePaths: ['/mypage'] } },
    expect: { leaks: true, sessionHandover: false },
    engines: both(
      'S6',
      ['STALE', 'UPDATING'],
      'owner-mismatch',
      {
        nginx: 'The request that triggers the refresh is logged STALE, requests during the refresh UPDATING.',
        varnish: 'Grace hits (obj.ttl <= 0 in vcl_hit) are labelled STALE in X-Cache; handling is `hit`.',
      },
      ['STALE'],
    ),
  },
  SAFE: {
    id: 'SAFE',
    title: 'Safe configuration with a good hit rate',
    mechanism:
      'Catalogue pages and static assets are cached without cookies or tokens (rendered anonymously); everything else bypasses and never stores when the request has a session or token, and origin headers are honoured (Varnish: builtin VCL intact).',
    incidents: [],
    // Rolling sessions on: even an origin that re-sends the session cookie everywhere stays safe.
    origin: { personalizedHeaders: 'private', rollingSession: true },
    traffic: { auth: 'mixed', durationMs: 3000, deception: { pairs: 4 }, burst: { intervalMs: 400, size: 4 } },
    expect: { leaks: false, sessionHandover: false, minPublicHitRate: 0.5 },
    engines: {
      nginx: { supported: true, file: dir('nginx', 'SAFE.conf'), leakOutcomes: [], evidence: 'none' },
      varnish: { supported: true, file: dir('varnish', 'SAFE.vcl'), leakOutcomes: [], evidence: 'none' },
    },
  },
};

export function getScenario(id: string): Scenario {
  const s = (SCENARIOS as Record<string, Scenario>)[id];
  if (!s) throw new RangeError(`unknown scenario ${id} (known: ${SCENARIO_IDS.join(', ')})`);
  return s;
}

export function listScenarios(): Scenario[] {
  return SCENARIO_IDS.map((id) => SCENARIOS[id]);
}
