/** Alert fixtures for sink tests: identities are keyed hashes only (fake ones). */
import type { Alert, AlertKind, Evidence, IncidentSnapshot } from '../../src/core/incident.ts';
import type { IdentityHash } from '../../src/core/identity.ts';
import type { Severity } from '../../src/core/severity.ts';

export const H = {
  a: 'h:AAAAAAAAAAAAAAAAAAAAAA' as IdentityHash,
  b: 'h:BBBBBBBBBBBBBBBBBBBBBB' as IdentityHash,
  c: 'h:CCCCCCCCCCCCCCCCCCCCCC' as IdentityHash,
  d: 'h:DDDDDDDDDDDDDDDDDDDDDD' as IdentityHash,
};

/** 2026-05-04T09:12:03.120Z */
export const T0 = Date.UTC(2026, 4, 4, 9, 12, 3, 120);

export function evidence(over: Partial<Evidence> = {}): Evidence {
  return {
    time: T0,
    source: 'fastly-logs',
    edge: 'edge-tyo-1',
    method: 'GET',
    url: 'https://shop.example/mypage',
    status: 200,
    outcome: 'HIT',
    owner: H.a,
    viewer: H.b,
    note: 'served from cache to a viewer other than the owner it was rendered for',
    ...over,
  };
}

export function incident(over: Partial<IncidentSnapshot> = {}): IncidentSnapshot {
  return {
    id: 'inc_7Kq2mX9pT4vN1sB8',
    rule: 'watch/owner-mismatch',
    severity: 'critical',
    title: '/mypage served across identities on edge-tyo-1',
    fix: 'Mark /mypage uncacheable for shared caches at the origin (Cache-Control: private, no-store), then purge it on the CDN.',
    docs: 'https://cachewarden.dev/docs/rules/watch/owner-mismatch',
    url: 'https://shop.example/mypage',
    key: 'shop.example/mypage',
    edge: 'edge-tyo-1',
    state: 'open',
    firstSeen: T0,
    lastSeen: T0 + 157_882,
    count: 17,
    owners: [H.a, H.c],
    viewers: [H.b, H.d],
    ownersTotal: 2,
    viewersTotal: 3,
    anonymous: 0,
    pairs: [
      { owner: H.a, viewer: H.b },
      { owner: H.c, viewer: 'anonymous' },
    ],
    pairsTotal: 4,
    samples: [
      evidence(),
      evidence({ time: T0 + 157_882, owner: H.c, viewer: undefined, outcome: 'STALE', note: 'stale copy of another owner\'s page served to an anonymous viewer' }),
    ],
    detectionDelaySec: 4.2,
    ...over,
  };
}

export function alert(kind: AlertKind = 'opened', over: Partial<IncidentSnapshot> = {}, at?: number): Alert {
  const inc = incident({ ...(kind === 'resolved' ? { state: 'resolved' as const } : {}), ...over });
  const when = at ?? (kind === 'opened' ? T0 + 4_200 : kind === 'updated' ? T0 + 160_000 : T0 + 900_000);
  return { kind, at: when, incident: inc, job: 'watch' };
}

export function alertOf(severity: Severity, kind: AlertKind = 'opened', id = `inc_${severity}`): Alert {
  return alert(kind, { severity, id });
}
