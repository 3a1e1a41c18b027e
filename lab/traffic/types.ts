import type { Outcome } from '../../src/core/event.ts';
import type { PeopleDirectory, PersonalField } from '../people.ts';

export const AUTH_MODES = ['cookie', 'bearer', 'mixed'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const ROUTE_CLASSES = ['personalized', 'public', 'static', 'login', 'deception', 'other'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** The `user` of an anonymous visitor. */
export const ANON = 'anon';

export interface BurstOptions {
  /** Time between bursts. Default 500 ms. */
  intervalMs?: number;
  /** Clients per burst (all fire the same URL at the same instant). Default 4. */
  size?: number;
  /** URLs for cookie clients. Default `['/mypage', '/orders']`. */
  cookiePaths?: readonly string[];
  /** URLs for bearer clients. Default `['/api/me', '/api/orders']`. */
  bearerPaths?: readonly string[];
}

export interface DeceptionOptions {
  /** Victim + attacker pairs, spread over the run. */
  pairs: number;
  /** Who fetches the lure URL after the victim: an anonymous visitor, another user, or alternating. Default `mixed`. */
  attacker?: 'anonymous' | 'user' | 'mixed';
  /** Pause between the victim's response and the attacker's request. Default 50 ms. */
  delayMs?: number;
}

export interface TrafficOptions {
  /** Base URL to send traffic to (an edge, or the origin itself as a control). */
  target: string;
  /** Who the people are (the `Origin` or a `Population` both qualify): needed to log in and to recognise whose data a body shows. */
  directory: PeopleDirectory;
  /** Logged-in clients. Default 8. */
  users?: number;
  /** Exactly these accounts (overrides `users`). */
  userIds?: readonly string[];
  /** Anonymous visitor clients. Default: derived from `anonymousShare`. */
  anonymous?: number;
  /** Share of all clients that are anonymous visitors, 0–0.9. Default 0.2. */
  anonymousShare?: number;
  /** Run length. Default 3000 ms. */
  durationMs?: number;
  /** Request budget: stop scheduling once this many requests were sent. */
  maxRequests?: number;
  /** Mean think time between a client's page views (exponential, seeded). Default 150 ms. */
  thinkMs?: number;
  /** Collapsing bursts: several clients request the same personalized URL at the same instant. `false` disables. Default on. */
  burst?: BurstOptions | false;
  /** `cookie` (browsers), `bearer` (app clients using /api/), or `mixed` (alternating). Default `cookie`. */
  auth?: AuthMode;
  /** Web cache deception attempts (lure URLs like `/mypage/<random>.css`). Default none. */
  deception?: number | DeceptionOptions;
  /** PRNG seed for routes, think times and lure URLs. Default 1. */
  seed?: number;
  /** Called for every observation as it happens (live demo). */
  onObservation?: (o: Observation) => void;
  /** Stop early. */
  signal?: AbortSignal;
  /** Connections per client. Default 4. */
  connections?: number;
  /** Per-request timeout. Default 10000 ms. */
  requestTimeoutMs?: number;
  /** Owner-tag HMAC key, to resolve `X-Cachewarden-Owner`. Default the lab key. */
  ownerTagKey?: string;
}

export interface Observation {
  /** Sequence number in the order observations were recorded. */
  seq: number;
  /** When the response was complete, ms since the epoch. */
  t: number;
  /** When the request was sent. */
  tStart: number;
  /** Client id: `c01`… for users, `a01`… for anonymous visitors. */
  client: string;
  /** The account the client logged in as (its own credentials), or `anon`. */
  user: string;
  auth: 'cookie' | 'bearer' | 'anon';
  /** The account whose session or token this request carried (differs from `user` after a handover); null if none. */
  session: string | null;
  method: string;
  /** Path and query as requested. */
  url: string;
  /** Route template (`/mypage`, `/items/:id`, `/static/:file`, ...). */
  route: string;
  routeClass: RouteClass;
  /** HTTP status; 0 when the request failed (see `error`). */
  status: number;
  /** From `X-Cache` (UNKNOWN when absent, e.g. straight to the origin). */
  outcome: Outcome;
  /** Raw `X-Cache`. */
  cache?: string;
  /** `X-Served-By`. */
  edge?: string;
  /** Whose data the body shows as "the account" (from the body itself); null if nobody's. */
  owner: string | null;
  /** Which of the owner's data the body shows. */
  ownerFields: PersonalField[];
  /** Raw `X-Cachewarden-Owner`. */
  ownerTag?: string;
  /** The account the owner tag resolves to. */
  ownerTagUser?: string;
  /** Other people whose data appear in the body. */
  related: string[];
  relatedFields: Record<string, PersonalField[]>;
  /** A `Set-Cookie` in this response handed the client this other account's session. */
  sessionFrom?: string;
  /** owner ≠ user (anonymous viewers seeing anyone's data count). */
  leak: boolean;
  /** How the leak happened: a shared cached/collapsed response, or a handed-over session. */
  via?: 'cache' | 'session';
  /** Burst number, when the request was part of a collapsing burst. */
  burst?: number;
  deception?: { pair: number; role: 'victim' | 'attacker' };
  error?: string;
}

export interface LeakPair {
  /** Account that saw the data (or `anon`). */
  viewer: string;
  /** Account whose page it was. */
  owner: string;
  url: string;
  route: string;
  count: number;
  firstT: number;
  lastT: number;
  outcomes: Outcome[];
  via: ('cache' | 'session')[];
  edges: string[];
  /** Which of the owner's data were shown. */
  fields: PersonalField[];
}

/** A person whose data sat on someone else's page that leaked (the 2017 "case 2"). */
export interface Exposure {
  person: string;
  viewer: string;
  /** Whose page carried the person's data. */
  owner: string;
  url: string;
  count: number;
  firstT: number;
  fields: PersonalField[];
}

export interface SessionHandover {
  t: number;
  /** The client's own account (or `anon`). */
  user: string;
  client: string;
  /** The account whose session was handed over. */
  from: string;
  /** The account whose session the request that received it carried (what a cache log sees as the viewer); null if none. */
  session: string | null;
  url: string;
  outcome: Outcome;
}

export interface ClassStats {
  requests: number;
  /** HIT, STALE, UPDATING, REVALIDATED or COLLAPSED. */
  hits: number;
}

export interface TrafficStats {
  /** Responses received. */
  requests: number;
  errors: number;
  byClass: Record<RouteClass, ClassStats>;
  /** hits / requests on public pages (0 when none). */
  publicHitRate: number;
  staticHitRate: number;
  outcomes: Partial<Record<Outcome, number>>;
  /** Responses that showed someone else's data. */
  leakResponses: number;
  sessionHandovers: number;
  logins: { ok: number; failed: number };
  bursts: number;
  deceptionPairs: number;
}

export interface TrafficClientInfo {
  client: string;
  user: string;
  auth: 'cookie' | 'bearer' | 'anon';
}

export interface TrafficResult {
  target: string;
  startedAt: number;
  endedAt: number;
  observations: Observation[];
  leaks: LeakPair[];
  exposures: Exposure[];
  sessionHandovers: SessionHandover[];
  stats: TrafficStats;
  clients: TrafficClientInfo[];
  /**
   * Raw session id or bearer token → account, for every login this run made. Lab only (the
   * lab's access logs carry raw identities too): lets tests join log lines to accounts.
   */
  identities: Record<string, string>;
}
