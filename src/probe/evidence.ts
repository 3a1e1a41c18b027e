/**
 * Reading the evidence in probe responses: did a response carry someone else's data (a canary's
 * marker, an owner tag, a session cookie) or a stranger's? Only that is a leak; cache hits and
 * storable headers are risks.
 */
import { SHARED_OUTCOMES } from '../core/event.ts';
import { ANONYMOUS, type ProbeEvidence, type ProbeResponse, type Who } from './types.ts';

export type Exposure = NonNullable<ProbeEvidence['exposures']>[number];

/** Whose data (other than the requester's own) a response carried, and how we know. */
export function exposuresIn(r: ProbeResponse): Exposure[] {
  const out: Exposure[] = [];
  const seen = new Set<string>();
  const add = (owner: Who | 'stranger', via: Exposure['via']) => {
    if (owner === r.who) return;
    const k = `${owner} ${via}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ owner, viewer: r.who, via });
  };
  for (const name of r.markersOf) add(name, 'marker');
  // An owner tag that is no canary's (`stranger`) means a real user's page: kept as the tag's hash plus strangerFields.
  if (r.ownerIs !== undefined) add(r.ownerIs, 'owner-tag');
  for (const c of r.setCookies) if (c.sessionOf !== undefined) add(c.sessionOf, 'session-cookie');
  return out;
}

/** The response came out of a cache (a hit, a stale copy, or collapsed onto another request), or says it aged there. */
export function fromCache(r: ProbeResponse): boolean {
  return SHARED_OUTCOMES.has(r.outcome) || (r.age !== undefined && r.age > 0);
}

/** The requester's own markers are in the body (the origin rendered its page). */
export function ownPage(r: ProbeResponse): boolean {
  return r.who !== ANONYMOUS && r.markersOf.includes(r.who);
}

/** "alice's page reached bob (marker)" for every exposure. */
export function describeExposures(xs: readonly Exposure[]): string {
  return xs
    .map((x) => `${x.owner === 'stranger' ? "a stranger's" : `${x.owner}'s`} ${x.via === 'session-cookie' ? 'session cookie' : 'page'} reached ${x.viewer} (${x.via})`)
    .join('; ');
}

/** Accounts named by exposures and responses, for a finding's `accounts`. */
export function accountsOf(responses: readonly ProbeResponse[], xs: readonly Exposure[] = []): string[] {
  const names = new Set<string>();
  for (const r of responses) names.add(r.who);
  for (const x of xs) if (x.owner !== 'stranger') names.add(x.owner);
  return [...names];
}

export function popsOf(responses: readonly ProbeResponse[]): string[] {
  return [...new Set(responses.flatMap((r) => r.pops))];
}
