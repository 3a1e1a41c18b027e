/**
 * The person table: what scope remembers while the replay runs. It grows with people and with
 * exposures, never with lines: per person a request count and time range, and only for people the
 * cache touched the details of how (shown, derived, possibly). Findings come from the one
 * detection engine; this module only attributes them to people.
 *
 * Tiers (see src/respond/types.ts):
 * - shown: the owner of a cross-identity finding (watch/owner-mismatch, watch/cross-identity-inferred
 *   with an owner, watch/cached-set-cookie with an owner) whose viewer is another person, or an
 *   anonymous visitor;
 * - derived: a person a relations row puts on such an owner's page (route matching the URL), when
 *   the viewer is not that person;
 * - possibly: `stored` (a fill of theirs on a personalized route, on an edge where the cache served
 *   that route from a shared object in the window), `collapsed` (a candidate owner of an ambiguous
 *   inferred finding), `unknown-viewer` (their owner-tagged page served from cache in a log with no
 *   identity field);
 * - not-affected: active in the window, nothing else.
 */
import { FILL_OUTCOMES, type CacheEvent } from '../../core/event.ts';
import type { IdentityHash } from '../../core/identity.ts';
import type { Finding } from '../../watch/engine.ts';
import type { RelationsFile, SessionsMap } from './maps.ts';
import { SESSION_FIELD, type RouteBook } from './routes.ts';

/** Most exact first: the rule a pair names when several found it. */
export const PAIR_RULES = ['watch/owner-mismatch', 'watch/cached-set-cookie', 'watch/cross-identity-inferred'] as const;
/** Cap on URLs remembered per person for the `possibly` tier (the routes stay complete). */
export const POSSIBLY_URLS_MAX = 50;

export type Viewer = IdentityHash | 'anonymous';
export type PossiblyReason = 'stored' | 'collapsed' | 'unknown-viewer';

interface Range {
  first: number;
  last: number;
}

export interface ShownAcc extends Range {
  urls: Set<string>;
  routes: Set<string>;
  viewers: Set<IdentityHash>;
  anonymousServes: number;
  serves: number;
  edges: Set<string>;
  fields: Set<string>;
}

export interface DerivedAcc extends Range {
  via: Set<IdentityHash>;
  routes: Set<string>;
  fields: Set<string>;
  serves: number;
}

export interface PossiblyAcc extends Range {
  urls: Set<string>;
  routes: Set<string>;
  edges: Set<string>;
  reasons: Set<PossiblyReason>;
  fields: Set<string>;
}

interface FillAcc extends Range {
  edge: string;
  glob: string;
  urls: Set<string>;
}

export interface PersonAcc {
  id: IdentityHash;
  requests: number;
  first: number;
  last: number;
  shown?: ShownAcc;
  derived?: DerivedAcc;
  possibly?: PossiblyAcc;
  /** Personalized fills by this person, by edge and personalized glob (candidates for `stored`). */
  fills?: Map<string, FillAcc>;
}

export interface PairAcc extends Range {
  owner: IdentityHash;
  viewer: Viewer;
  url: string;
  route: string;
  edge: string;
  count: number;
  outcomes: Set<string>;
  rules: Set<string>;
  fields: Set<string>;
}

export interface DerivedPairAcc extends Range {
  person: IdentityHash;
  owner: IdentityHash;
  viewer: Viewer;
  url: string;
  route: string;
  fields: Set<string>;
  count: number;
}

const span = (r: Range, t: number): void => {
  if (t < r.first) r.first = t;
  if (t > r.last) r.last = t;
};

const addCapped = (s: Set<string>, v: string, max: number): void => {
  if (s.size < max || s.has(v)) s.add(v);
};

export class Tally {
  readonly persons = new Map<IdentityHash, PersonAcc>();
  readonly pairs = new Map<string, PairAcc>();
  readonly derivedPairs = new Map<string, DerivedPairAcc>();
  /** `edge \0 personalized glob` where the cache served a personalized route from a shared object. */
  readonly sharedRoutes = new Set<string>();
  /** Exposure times and owners, one per response that reached another person (timeline). */
  readonly serveTimes: number[] = [];
  readonly serveOwners: IdentityHash[] = [];
  unattributed = 0;
  /** Identity hashes in the logs the sessions map does not know. */
  readonly unmapped = new Set<IdentityHash>();

  readonly #book: RouteBook;
  readonly #sessions: SessionsMap | undefined;
  readonly #relations: RelationsFile | undefined;
  /** Pair keys already counted for the event being pushed (one response, several rules). */
  readonly #thisPush = new Set<string>();

  constructor(book: RouteBook, sessions?: SessionsMap, relations?: RelationsFile) {
    this.#book = book;
    this.#sessions = sessions;
    this.#relations = relations;
  }

  /** The person an identity hash stands for. */
  personOf(h: IdentityHash): IdentityHash {
    const m = this.#sessions;
    if (m === undefined) return h;
    const u = m.userOf.get(h);
    if (u !== undefined) return u;
    this.unmapped.add(h);
    return h;
  }

  #person(id: IdentityHash): PersonAcc {
    let p = this.persons.get(id);
    if (p === undefined) {
      // Every field from the start: one object shape for all people keeps the per-line path monomorphic.
      p = { id, requests: 0, first: Infinity, last: -Infinity, shown: undefined, derived: undefined, possibly: undefined, fills: undefined };
      this.persons.set(id, p);
    }
    return p;
  }

  /** A new response is about to be pushed to the engine. */
  beginEvent(): void {
    if (this.#thisPush.size > 0) this.#thisPush.clear();
  }

  /** Every event inside the window: activity, and personalized fills. */
  event(e: CacheEvent): void {
    const who = e.viewer ?? (e.owner !== undefined && FILL_OUTCOMES.has(e.outcome) ? e.owner : undefined);
    if (who === undefined) return;
    const p = this.#person(this.personOf(who));
    p.requests++;
    if (e.time < p.first) p.first = e.time;
    if (e.time > p.last) p.last = e.time;
    if (!FILL_OUTCOMES.has(e.outcome) || e.status < 200 || e.status > 299) return;
    const glob = this.#book.personalized(e.url);
    if (glob === undefined) return;
    const key = `${e.edge}\u0000${glob}`;
    p.fills ??= new Map();
    let f = p.fills.get(key);
    if (f === undefined) {
      f = { edge: e.edge, glob, first: e.time, last: e.time, urls: new Set() };
      p.fills.set(key, f);
    }
    span(f, e.time);
    addCapped(f.urls, e.url, POSSIBLY_URLS_MAX);
  }

  /** A finding inside the window. `noIdentity`: the event's log has no identity field at all. */
  finding(f: Finding, noIdentity: boolean): void {
    const ev = f.evidence[0]!;
    if (f.rule === 'watch/personalized-shared') {
      const glob = this.#book.personalized(ev.url);
      if (glob !== undefined) this.sharedRoutes.add(`${f.edge}\u0000${glob}`);
      return;
    }
    if (f.rule === 'watch/cross-identity-inferred' && f.owner === undefined) {
      this.#ambiguous(f);
      return;
    }
    if (!(PAIR_RULES as readonly string[]).includes(f.rule) || f.owner === undefined || f.viewer === undefined) return;
    const owner = this.personOf(f.owner);
    if (f.viewer === 'anonymous' && noIdentity) {
      this.#possibly(owner, 'unknown-viewer', ev.url, f.edge, f.time);
      return;
    }
    const viewer: Viewer = f.viewer === 'anonymous' ? 'anonymous' : this.personOf(f.viewer);
    if (viewer === owner) return; // the same person on another session or device
    this.#serve(f, owner, viewer, ev.url, ev.outcome);
  }

  #serve(f: Finding, owner: IdentityHash, viewer: Viewer, url: string, outcome: string): void {
    const route = this.#book.route(url);
    const fields = f.rule === 'watch/cached-set-cookie' ? [SESSION_FIELD] : this.#book.fields(url);
    const key = `${owner}\u0000${viewer}\u0000${url}\u0000${f.edge}`;
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = { owner, viewer, url, route, edge: f.edge, count: 0, first: f.time, last: f.time, outcomes: new Set(), rules: new Set(), fields: new Set() };
      this.pairs.set(key, pair);
    }
    pair.outcomes.add(outcome);
    pair.rules.add(f.rule);
    for (const x of fields) pair.fields.add(x);
    const p = this.#person(owner);
    p.shown ??= { first: f.time, last: f.time, urls: new Set(), routes: new Set(), viewers: new Set(), anonymousServes: 0, serves: 0, edges: new Set(), fields: new Set() };
    const s = p.shown;
    for (const x of fields) s.fields.add(x);
    if (this.#thisPush.has(key)) return; // the same response, found by a second rule
    this.#thisPush.add(key);
    pair.count++;
    span(pair, f.time);
    span(s, f.time);
    s.urls.add(url);
    s.routes.add(route);
    s.edges.add(f.edge);
    s.serves++;
    if (viewer === 'anonymous') s.anonymousServes++;
    else s.viewers.add(viewer);
    this.serveTimes.push(f.time);
    this.serveOwners.push(owner);
    this.#derive(owner, viewer, url, f.time);
  }

  #derive(owner: IdentityHash, viewer: Viewer, url: string, time: number): void {
    const rels = this.#relations?.byOwner.get(owner);
    if (rels === undefined) return;
    const counted = new Set<IdentityHash>();
    for (const rel of rels) {
      if (rel.person === viewer || rel.person === owner || !rel.matches(url)) continue;
      const key = `${rel.person}\u0000${owner}\u0000${viewer}\u0000${url}`;
      let dp = this.derivedPairs.get(key);
      if (dp === undefined) {
        dp = { person: rel.person, owner, viewer, url, route: rel.route, fields: new Set(), count: 0, first: time, last: time };
        this.derivedPairs.set(key, dp);
      }
      for (const x of rel.fields) dp.fields.add(x);
      const p = this.#person(rel.person);
      p.derived ??= { first: time, last: time, via: new Set(), routes: new Set(), fields: new Set(), serves: 0 };
      const d = p.derived;
      d.via.add(owner);
      d.routes.add(rel.route);
      for (const x of rel.fields) d.fields.add(x);
      if (counted.has(rel.person)) continue;
      counted.add(rel.person);
      dp.count++;
      span(dp, time);
      span(d, time);
      d.serves++;
    }
  }

  #ambiguous(f: Finding): void {
    this.unattributed++;
    const viewer = f.viewer === undefined || f.viewer === 'anonymous' ? f.viewer : this.personOf(f.viewer);
    const ev = f.evidence[0]!;
    for (const fill of f.evidence.slice(1)) {
      if (fill.viewer === undefined || fill.viewer === 'anonymous') continue;
      const candidate = this.personOf(fill.viewer);
      if (candidate === viewer) continue;
      this.#possibly(candidate, 'collapsed', ev.url, f.edge, f.time);
    }
  }

  #possibly(person: IdentityHash, reason: PossiblyReason, url: string, edge: string, time: number): void {
    const p = this.#person(person);
    p.possibly ??= { first: time, last: time, urls: new Set(), routes: new Set(), edges: new Set(), reasons: new Set(), fields: new Set() };
    const s = p.possibly;
    span(s, time);
    addCapped(s.urls, url, POSSIBLY_URLS_MAX);
    s.routes.add(this.#book.route(url));
    s.edges.add(edge);
    s.reasons.add(reason);
    for (const x of this.#book.fields(url)) s.fields.add(x);
  }

  /** After the replay: fills on routes the cache was sharing on that edge become `possibly: stored`. */
  resolveStored(): void {
    for (const p of this.persons.values()) {
      if (p.fills === undefined) continue;
      for (const [key, f] of p.fills) {
        if (!this.sharedRoutes.has(key)) continue;
        for (const url of f.urls) {
          this.#possibly(p.id, 'stored', url, f.edge, f.first);
        }
        span(p.possibly!, f.last);
      }
      p.fills = undefined;
    }
  }
}
