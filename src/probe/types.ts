/**
 * The probe contracts: canary accounts, edges, the pinned HTTP client and what it keeps of a
 * response (never the body: a hash, which canaries' markers it carried, the cache headers), and
 * the technique modules that decide leak / risk / ok.
 */
import type { Outcome } from '../core/event.ts';
import type { IdentityHash } from '../core/identity.ts';
import type { Severity } from '../core/severity.ts';
import type { ProfileId, Verdict } from '../semantics/types.ts';

/** How an account obtains its session. */
export interface LoginRecipe {
  /** Absolute URL, or a path resolved against the probe target (and sent through the edge). */
  url: string;
  /** Form-encoded body (`application/x-www-form-urlencoded`)... */
  form?: Readonly<Record<string, string>>;
  /** ...or a JSON body. */
  json?: unknown;
  /**
   * Where the session comes from: `cookies` (the Set-Cookie values become the account's Cookie
   * header; default), or `token:<json path>` (e.g. `token:token`, `token:data.access_token`): the value
   * is sent as `Authorization: Bearer <value>`.
   */
  session?: 'cookies' | `token:${string}`;
}

export interface AccountConfig {
  name: string;
  /** Request headers that authenticate the account (Cookie, Authorization...). Secrets: never printed. */
  headers?: Readonly<Record<string, string>>;
  login?: LoginRecipe;
  /** Strings only this account's pages contain (its synthetic name, e-mail alias...). */
  markers: readonly string[];
}

/** The `probe:` config section, resolved (durations in ms). */
export interface ProbeSettings {
  target: string;
  edges?: readonly string[];
  every: number;
  accounts: readonly AccountConfig[];
  /** Concrete paths to probe; default: the `personalized:` globs that name one path. */
  paths?: readonly string[];
  /** Public (shared by design) pages checked for cached Set-Cookie. */
  publicPaths: readonly string[];
  concurrency: number;
  /** Requests per second per edge, at most. */
  rate: number;
  /** Per-request timeout. */
  timeout: number;
  /** Race rounds per URL (offsets cycle through 0, ¼, ½, ¾ of the measured time to first byte). */
  raceRounds: number;
  /** Response header carrying the origin's owner tag. */
  ownerHeader: string;
  /** Where baselines and history are kept (SQLite); `:memory:` for none. */
  state: string;
  /** Techniques to run (default all). */
  techniques?: readonly string[];
}

/** One edge address to send requests to, keeping the target's Host and TLS SNI. */
export interface Edge {
  /** The IP address connected to. */
  address: string;
  /** Display name: the address, or `host (address)`. */
  label: string;
}

export type Who = string; // an account name, or ANONYMOUS
export const ANONYMOUS = 'anonymous';

/** What the probe keeps of one response. Never the body. */
export interface ProbeResponse {
  who: Who;
  edge: string;
  /** Path and query as sent (with the exact encoding). */
  url: string;
  method: 'GET' | 'HEAD';
  status: number;
  /** ms from sending to the first response byte, and to the end of the body. */
  ttfbMs: number;
  totalMs: number;
  /** Wall time the request was sent, ms since the epoch. */
  sentAt: number;
  /** Normalized cache outcome from Cache-Status / vendor headers (UNKNOWN when none). */
  outcome: Outcome;
  /** POP / cache node names the headers gave (X-Served-By, X-Amz-Cf-Pop, CF-Ray...). */
  pops: string[];
  age?: number;
  /** Cache-relevant response headers as received (Cache-Control, Expires, Vary, Age, Cache-Status, X-Cache, ...). */
  headers: Record<string, string>;
  bodySha256: string;
  bodyBytes: number;
  /** Accounts whose markers appear in the body. */
  markersOf: string[];
  /** Owner tag, and whom it names: an account, or `stranger` (a tag that is no canary's). */
  ownerTag?: IdentityHash;
  ownerIs?: Who | 'stranger';
  /**
   * Set-Cookie headers: cookie names, and whose session a value is (an account, or `stranger` when it is another identity cookie).
   * `valueHash` (addition): the keyed hash of the value, so two responses can be seen to carry the same cookie without keeping it.
   */
  setCookies: Array<{ name: string; sessionOf?: Who | 'stranger'; valueHash?: IdentityHash }>;
  /** Personal-data field kinds found in a body that carried no canary's marker (a stranger's data): names only. */
  strangerFields?: string[];
  error?: string;
}

export interface FetchOptions {
  /** Add a random cache-busting query parameter (a fresh cache key). */
  bust?: boolean;
  /** Use a fresh connection (races: each side on its own connection). */
  freshConnection?: boolean;
  /** Replace or add request headers for this request (e.g. unkeyed-input tests). */
  headers?: Readonly<Record<string, string>>;
  /** Override the account's own credentials for this request (send none). */
  anonymous?: boolean;
  method?: 'GET' | 'HEAD';
}

/** A request whose limiter slot (and, with `freshConnection`, whose connection) is already held. */
export interface PreparedFetch {
  /** Dispatches now; the same promise on repeated calls. Releases the slot when the response is read. */
  send(): Promise<ProbeResponse>;
  /** Gives the slot and connection back without sending (no-op after `send`). */
  cancel(): void;
}

/** The pinned client for one edge: every request keeps Host and SNI of the target. */
export interface EdgeClient {
  readonly edge: Edge;
  /** Send a GET as `who` (an account name, or ANONYMOUS) for a path; rate- and concurrency-limited. */
  fetch(who: Who, path: string, opts?: FetchOptions): Promise<ProbeResponse>;
  /**
   * (Addition, for races.) Takes the limiter slots of all requests at once, resolves their sessions and
   * opens their fresh connections; each `send()` then dispatches at once, so the sides of a race can be
   * released together or at exact offsets. Optional so that test doubles need not implement it.
   */
  prepare?(requests: ReadonlyArray<{ who: Who; path: string; opts?: FetchOptions }>): Promise<PreparedFetch[]>;
  /** A path with a fresh cache-busting parameter added. */
  bust(path: string): string;
  close(): Promise<void>;
}

export const VERDICTS = ['leak', 'risk', 'ok'] as const;
export type VerdictKind = (typeof VERDICTS)[number];

/** One technique's result for one URL on one edge. */
export interface ProbeFinding {
  technique: string;
  verdict: VerdictKind;
  severity: Severity;
  /** The configured path this result is about. */
  target: string;
  /** The exact URL the evidence was seen on (a cache-busted or deception variant of the target). */
  url: string;
  edge: string;
  pops: string[];
  /** Accounts involved (`anonymous` included when it received something). */
  accounts: string[];
  message: string;
  evidence: ProbeEvidence;
  time: number;
}

export interface ProbeEvidence {
  /** The responses that make the case (no bodies). */
  responses: ProbeResponse[];
  /** For leaks: who received whose data. */
  exposures?: Array<{ owner: Who | 'stranger'; viewer: Who; via: 'marker' | 'owner-tag' | 'session-cookie' }>;
  /** Semantics reasons (storability lint). */
  reasons?: Array<{ source: string; text: string }>;
  verdict?: Verdict;
  note?: string;
}

/** Per URL, per edge: the shared fetches several techniques reuse (each made once, lazily). */
export interface UrlContext {
  readonly path: string;
  readonly client: EdgeClient;
  readonly accounts: readonly string[];
  readonly profile: ProfileId;
  readonly settings: ProbeSettings;
  /** A's request for the real URL (the first account), made once. */
  real(): Promise<ProbeResponse>;
  /** A, then B, then anonymous on one fresh busted URL (sequential cross-identity replay), made once. */
  sequential(): Promise<{ url: string; a: ProbeResponse; b: ProbeResponse | undefined; anon: ProbeResponse }>;
  /** The credential headers an account sends, as placeholders (`cookie: sid=(session)`): for semantics questions, never values. */
  requestHeadersFor(who: Who): Record<string, string>;
  /** Run two requests released from one barrier, the second `offsetMs` after the first, each on a fresh connection. */
  race(a: { who: Who; path: string }, b: { who: Who; path: string }, offsetMs: number): Promise<[ProbeResponse, ProbeResponse]>;
  /** Results already decided for this URL and edge in this cycle (for drift). */
  results(): readonly ProbeFinding[];
  /** The last known-good state of this URL on this edge, from the state store. */
  knownGood(): { at: number; verdicts: Record<string, VerdictKind> } | undefined;
}

export interface TechniqueDefinition {
  /** `probe/<technique>`; permanent. */
  id: `probe/${string}`;
  title: string;
  /** Severity of a `risk` verdict from this technique (leaks are critical). */
  riskSeverity: Severity;
  /** Which paths it runs on. */
  appliesTo: 'personalized' | 'public';
  /** Runs after the others on the same URL (drift reads their results). */
  last?: boolean;
  docs: { description: string; fix: string; references: readonly string[] };
  run(ctx: UrlContext): Promise<Omit<ProbeFinding, 'technique' | 'severity' | 'time' | 'target'> & { severity?: Severity }>;
}

export function defineTechnique(t: TechniqueDefinition): TechniqueDefinition {
  return t;
}
