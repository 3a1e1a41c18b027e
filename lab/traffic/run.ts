/**
 * The lab traffic generator: simulated browsers and app clients that log in and browse,
 * collapsing bursts, web-cache-deception pairs, and ground truth for every response.
 *
 * Each client has its own connection pool and cookie jar (a browser). A client that is
 * handed someone else's `sid` by a cached `Set-Cookie` keeps it, as a browser would, and
 * from then on sees that person's pages: both the handover and the resulting exposure are
 * recorded.
 */
import { Pool } from 'undici';
import type { Outcome } from '../../src/core/event.ts';
import { outcomeFromCacheWord } from '../engines/logs.ts';
import { parseCacheStatus } from '../../src/semantics/index.ts';
import { LAB_IDENTITY_KEY, OWNER_TAG_HEADER, ownerTags } from '../origin/owner-tag.ts';
import { seededRandom } from '../people.ts';
import type { Person, PersonalField, Transaction } from '../people.ts';
import { createAttributor } from './attribution.ts';
import { ANON, ROUTE_CLASSES } from './types.ts';
import type {
  BurstOptions,
  ClassStats,
  DeceptionOptions,
  Exposure,
  LeakPair,
  Observation,
  RouteClass,
  SessionHandover,
  TrafficClientInfo,
  TrafficOptions,
  TrafficResult,
  TrafficStats,
} from './types.ts';

const HIT_OUTCOMES: ReadonlySet<Outcome> = new Set(['HIT', 'STALE', 'UPDATING', 'REVALIDATED', 'COLLAPSED']);
const STATIC_ASSETS = ['/static/app.css', '/static/app.js', '/static/logo.png'] as const;

/** Route template and class of a request path. */
export function classifyPath(url: string): { route: string; routeClass: RouteClass } {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path === '/login' || path === '/api/login' || path === '/logout') return { route: path, routeClass: 'login' };
  if (path.startsWith('/static/')) return { route: '/static/:file', routeClass: 'static' };
  if (path === '/' || path === '/about') return { route: path, routeClass: 'public' };
  if (/^\/items\/[^/]+$/.test(path)) return { route: '/items/:id', routeClass: 'public' };
  const exact = /^\/(mypage|orders|api\/me|api\/orders)$/.exec(path);
  if (exact) return { route: `/${exact[1]}`, routeClass: 'personalized' };
  const tx = /^\/(api\/)?transactions\/[A-Za-z0-9_-]+$/.exec(path);
  if (tx) return { route: `/${tx[1] ?? ''}transactions/:id`, routeClass: 'personalized' };
  // Lure URLs: a personalized route with trailing junk that looks static.
  const lure = /^\/(mypage|orders|api\/me|api\/orders|(?:api\/)?transactions\/[A-Za-z0-9_-]+)(?:\/|;|%2[fF])/.exec(path);
  if (lure) {
    const base = (lure[1] as string).replace(/transactions\/[A-Za-z0-9_-]+/, 'transactions/:id');
    return { route: `/${base}/*`, routeClass: 'deception' };
  }
  return { route: path, routeClass: 'other' };
}

interface Client {
  id: string;
  user: string;
  auth: 'cookie' | 'bearer' | 'anon';
  person: Person | undefined;
  pool: Pool;
  jar: Map<string, string>;
  token: string | undefined;
  rnd: () => number;
  staticLoaded: boolean;
  transactions: Transaction[];
  loggedIn: boolean;
}

function hashSeed(seed: number, s: string): number {
  let h = seed >>> 0 || 1;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

function setCookies(headers: Record<string, string | string[] | undefined>): string[] {
  const v = headers['set-cookie'];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function shuffle<T>(list: T[], rnd: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

function emptyStats(): TrafficStats {
  const byClass = {} as Record<RouteClass, ClassStats>;
  for (const c of ROUTE_CLASSES) byClass[c] = { requests: 0, hits: 0 };
  return {
    requests: 0,
    errors: 0,
    byClass,
    publicHitRate: 0,
    staticHitRate: 0,
    outcomes: {},
    leakResponses: 0,
    sessionHandovers: 0,
    logins: { ok: 0, failed: 0 },
    bursts: 0,
    deceptionPairs: 0,
  };
}

export async function runTraffic(opts: TrafficOptions): Promise<TrafficResult> {
  const dir = opts.directory;
  const seed = opts.seed ?? 1;
  const rnd = seededRandom(seed);
  const durationMs = opts.durationMs ?? 3000;
  const thinkMs = opts.thinkMs ?? 150;
  const authMode = opts.auth ?? 'cookie';
  const timeout = opts.requestTimeoutMs ?? 10_000;
  const connections = opts.connections ?? 4;
  const burst: Required<BurstOptions> | undefined =
    opts.burst === false
      ? undefined
      : {
          intervalMs: opts.burst?.intervalMs ?? 500,
          size: opts.burst?.size ?? 4,
          cookiePaths: opts.burst?.cookiePaths ?? ['/mypage', '/orders'],
          bearerPaths: opts.burst?.bearerPaths ?? ['/api/me', '/api/orders'],
        };
  const deception: Required<DeceptionOptions> | undefined =
    opts.deception === undefined || opts.deception === 0
      ? undefined
      : typeof opts.deception === 'number'
        ? { pairs: opts.deception, attacker: 'mixed', delayMs: 50 }
        : { attacker: 'mixed', delayMs: 50, ...opts.deception };

  const attribute = createAttributor(dir.people);
  // Owner tags hash credentials; learn each credential's tag as clients log in.
  const tags = ownerTags(opts.ownerTagKey ?? LAB_IDENTITY_KEY);
  const personById = new Map(dir.people.map((p) => [p.id, p]));

  // ---- clients ------------------------------------------------------------------------
  let accounts: string[];
  if (opts.userIds) {
    for (const id of opts.userIds) if (!personById.has(id)) throw new RangeError(`unknown user ${id}`);
    accounts = [...opts.userIds];
  } else {
    const n = Math.min(opts.users ?? 8, dir.people.length);
    accounts = shuffle(
      dir.people.map((p) => p.id),
      rnd,
    ).slice(0, n);
  }
  const share = Math.min(Math.max(opts.anonymousShare ?? 0.2, 0), 0.9);
  const nAnon = opts.anonymous ?? Math.round((accounts.length * share) / (1 - share));

  const clients: Client[] = [];
  const newPool = () =>
    new Pool(opts.target, { connections, pipelining: 1, keepAliveTimeout: 4000, headersTimeout: timeout, bodyTimeout: timeout });
  accounts.forEach((id, i) => {
    const auth = authMode === 'cookie' ? 'cookie' : authMode === 'bearer' ? 'bearer' : i % 2 === 0 ? 'cookie' : 'bearer';
    const cid = `c${String(i + 1).padStart(2, '0')}`;
    clients.push({
      id: cid,
      user: id,
      auth,
      person: personById.get(id),
      pool: newPool(),
      jar: new Map(),
      token: undefined,
      rnd: seededRandom(hashSeed(seed, cid)),
      staticLoaded: false,
      transactions: dir.transactions.filter((tx) => tx.sellerId === id || tx.buyerId === id),
      loggedIn: false,
    });
  });
  for (let i = 0; i < nAnon; i++) {
    const cid = `a${String(i + 1).padStart(2, '0')}`;
    clients.push({
      id: cid,
      user: ANON,
      auth: 'anon',
      person: undefined,
      pool: newPool(),
      jar: new Map(),
      token: undefined,
      rnd: seededRandom(hashSeed(seed, cid)),
      staticLoaded: false,
      transactions: [],
      loggedIn: false,
    });
  }

  // ---- bookkeeping ------------------------------------------------------------------------
  const identities = new Map<string, string>();
  const observations: Observation[] = [];
  const handovers: SessionHandover[] = [];
  const stats = emptyStats();
  let sent = 0;
  let stopped = false;
  const startedAt = Date.now();
  const deadline = startedAt + durationMs;
  let wake: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const stopAll = () => {
    stopped = true;
    wake();
  };
  /** Sleep that ends early when the run stops. */
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(0, ms));
      void stopSignal.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  opts.signal?.addEventListener('abort', stopAll, { once: true });
  const active = () => !stopped && !opts.signal?.aborted && Date.now() < deadline && (opts.maxRequests === undefined || sent < opts.maxRequests);

  function sessionOf(c: Client): string | null {
    if (c.auth === 'bearer') return c.token ? (identities.get(c.token) ?? null) : null;
    const sid = c.jar.get('sid');
    return sid ? (identities.get(sid) ?? null) : null;
  }

  function record(o: Omit<Observation, 'seq'>): Observation {
    const obs: Observation = { seq: observations.length, ...o };
    observations.push(obs);
    if (obs.status === 0) stats.errors++;
    else {
      stats.requests++;
      const cs = stats.byClass[obs.routeClass];
      cs.requests++;
      if (HIT_OUTCOMES.has(obs.outcome)) cs.hits++;
      stats.outcomes[obs.outcome] = (stats.outcomes[obs.outcome] ?? 0) + 1;
      if (obs.leak) stats.leakResponses++;
    }
    opts.onObservation?.(obs);
    return obs;
  }

  interface SendExtra {
    form?: Record<string, string>;
    json?: unknown;
    burst?: number;
    deception?: { pair: number; role: 'victim' | 'attacker' };
    /** Don't touch the jar or attribute (login handled by the caller). */
    raw?: boolean;
  }

  async function send(c: Client, method: string, url: string, extra: SendExtra = {}): Promise<{ obs: Observation; body: string; headers: Record<string, string | string[] | undefined> }> {
    const headers: Record<string, string> = { 'user-agent': `cachewarden-lab/${c.id}`, accept: '*/*' };
    if (c.jar.size > 0) headers.cookie = [...c.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (c.auth === 'bearer' && c.token) headers.authorization = `Bearer ${c.token}`;
    let body: string | undefined;
    if (extra.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(extra.form).toString();
    } else if (extra.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(extra.json);
    }
    const session = sessionOf(c);
    // The session cookie this request carries: a Set-Cookie that re-sets it (rolling sessions) hands nothing over.
    const sentSid = c.jar.get('sid');
    const { route, routeClass } = classifyPath(url);
    const tStart = Date.now();
    sent++;
    const base = {
      tStart,
      client: c.id,
      user: c.user,
      auth: c.auth,
      session,
      method,
      url,
      route,
      routeClass,
      ...(extra.burst !== undefined ? { burst: extra.burst } : {}),
      ...(extra.deception ? { deception: extra.deception } : {}),
    };
    let res;
    let text: string;
    try {
      res = await c.pool.request({ method: method as 'GET', path: url, headers, ...(body !== undefined ? { body } : {}) });
      text = await res.body.text();
    } catch (err) {
      const obs = record({
        ...base,
        t: Date.now(),
        status: 0,
        outcome: 'ERROR',
        owner: null,
        ownerFields: [],
        related: [],
        relatedFields: {},
        leak: false,
        error: err instanceof Error ? err.message : String(err),
      });
      return { obs, body: '', headers: {} };
    }
    const h = res.headers as Record<string, string | string[] | undefined>;
    let sessionFrom: string | undefined;
    if (!extra.raw) {
      for (const sc of setCookies(h)) {
        const m = /^\s*([^=;\s]+)=([^;]*)(.*)$/.exec(sc);
        if (!m) continue;
        const name = m[1] as string;
        const value = m[2] as string;
        const attrs = (m[3] as string).toLowerCase();
        if (value === '' || /max-age=0\b/.test(attrs)) {
          c.jar.delete(name);
          continue;
        }
        if (name === 'sid' && value !== sentSid) {
          const holder = identities.get(value);
          if (holder !== c.user) sessionFrom = holder ?? 'unknown';
        }
        c.jar.set(name, value);
      }
    }
    const cache = header(h, 'x-cache');
    const ownerTag = header(h, OWNER_TAG_HEADER);
    const ownerTagUser = tags.userFor(ownerTag);
    const ct = header(h, 'content-type');
    const att =
      res.statusCode >= 200 && res.statusCode < 300 && !extra.raw
        ? attribute(text, ct)
        : { owner: null, ownerFields: [] as PersonalField[], related: {} as Record<string, PersonalField[]> };
    const leak = att.owner !== null && att.owner !== c.user;
    const edge = header(h, 'x-served-by');
    const obs = record({
      ...base,
      t: Date.now(),
      status: res.statusCode,
      // RFC 9211 Cache-Status when the cache sends it (it can say `collapsed`), else the lab's X-Cache word.
      outcome: header(h, 'cache-status') !== undefined ? parseCacheStatus(h).outcome : cache === undefined ? 'UNKNOWN' : outcomeFromCacheWord(cache),
      ...(cache !== undefined ? { cache } : {}),
      ...(edge !== undefined ? { edge } : {}),
      owner: att.owner,
      ownerFields: att.ownerFields,
      ...(ownerTag !== undefined ? { ownerTag } : {}),
      ...(ownerTagUser !== undefined ? { ownerTagUser } : {}),
      related: Object.keys(att.related),
      relatedFields: att.related,
      ...(sessionFrom !== undefined ? { sessionFrom } : {}),
      leak,
      ...(leak ? { via: session !== null && session !== c.user ? ('session' as const) : ('cache' as const) } : {}),
    });
    if (sessionFrom !== undefined) {
      stats.sessionHandovers++;
      handovers.push({ t: obs.t, user: c.user, client: c.id, from: sessionFrom, session: obs.session, url, outcome: obs.outcome });
    }
    return { obs, body: text, headers: h };
  }

  async function login(c: Client): Promise<void> {
    if (!c.person) return;
    const cred = dir.credentialsFor(c.person.id);
    if (c.auth === 'cookie') {
      const { obs, headers } = await send(c, 'POST', '/login', { form: { user: cred.user, password: cred.password }, raw: true });
      const sid = setCookies(headers)
        .map((s) => /^\s*sid=([^;]+)/.exec(s)?.[1])
        .find((v) => v !== undefined);
      if (obs.status === 302 && sid) {
        identities.set(sid, c.person.id);
        tags.tag(sid, c.person.id);
        c.jar.set('sid', sid);
        c.loggedIn = true;
        stats.logins.ok++;
      } else stats.logins.failed++;
    } else {
      const { obs, body } = await send(c, 'POST', '/api/login', { json: { user: cred.user, password: cred.password }, raw: true });
      let token: string | undefined;
      try {
        token = (JSON.parse(body) as { token?: string }).token;
      } catch {
        token = undefined;
      }
      if (obs.status === 200 && token) {
        identities.set(token, c.person.id);
        tags.tag(token, c.person.id);
        c.token = token;
        c.loggedIn = true;
        stats.logins.ok++;
      } else stats.logins.failed++;
    }
  }

  // ---- browsing ---------------------------------------------------------------------------
  const items = dir.items;
  function itemPath(r: () => number): string {
    if (items.length === 0) return '/';
    // Skewed popularity, like any shop: 80 % of item views go to the 8 newest listings, the
    // rest spread over the whole catalogue.
    const top = Math.min(8, items.length);
    const idx = r() < 0.8 ? Math.floor(r() * top) : Math.floor(r() * items.length);
    return `/items/${(items[idx] as { id: string }).id}`;
  }
  function publicPath(r: () => number): string {
    const x = r();
    return x < 0.25 ? '/' : x < 0.9 ? itemPath(r) : '/about';
  }
  function ownTransaction(c: Client, api: boolean): string | undefined {
    if (c.transactions.length === 0) return undefined;
    const tx = c.transactions[Math.floor(c.rnd() * c.transactions.length)] as Transaction;
    return `${api ? '/api' : ''}/transactions/${tx.id}`;
  }
  function nextPath(c: Client): string {
    const r = c.rnd;
    if (c.auth === 'bearer') {
      const x = r();
      if (x < 0.45) return '/api/me';
      if (x < 0.8) return '/api/orders';
      return ownTransaction(c, true) ?? '/api/me';
    }
    if (c.auth === 'anon') return r() < 0.85 ? publicPath(r) : '/mypage';
    if (r() < 0.4) {
      const x = r();
      if (x < 0.45) return '/mypage';
      if (x < 0.75) return '/orders';
      if (x < 0.9) return ownTransaction(c, false) ?? '/mypage';
      return '/api/me';
    }
    return publicPath(r);
  }

  async function view(c: Client, path: string, extra: SendExtra = {}): Promise<void> {
    const { obs } = await send(c, 'GET', path, extra);
    // A browser fetches the page's assets once and then keeps them in its own cache.
    if (c.auth !== 'bearer' && !c.staticLoaded && obs.status === 200 && (obs.routeClass === 'public' || obs.routeClass === 'personalized')) {
      c.staticLoaded = true;
      await Promise.all(STATIC_ASSETS.map((a) => send(c, 'GET', a)));
    }
  }

  function think(c: Client): Promise<void> {
    const ms = Math.min(Math.max(-Math.log(1 - c.rnd()) * thinkMs, 10), thinkMs * 6);
    return nap(Math.min(ms, deadline - Date.now()));
  }

  async function browse(c: Client): Promise<void> {
    while (active()) {
      await view(c, nextPath(c));
      if (!active()) break;
      await think(c);
    }
  }

  // ---- bursts and deception -----------------------------------------------------------------
  const side: Promise<unknown>[] = [];

  async function burstLoop(b: Required<BurstOptions>): Promise<void> {
    let n = 0;
    while (true) {
      await nap(b.intervalMs);
      if (!active()) return;
      const useBearer = clients.some((c) => c.auth === 'bearer' && c.loggedIn) && (authMode === 'bearer' || (authMode === 'mixed' && rnd() < 0.5));
      const pool = clients.filter((c) => c.loggedIn && c.auth === (useBearer ? 'bearer' : 'cookie'));
      if (pool.length < 2) continue;
      const paths = useBearer ? b.bearerPaths : b.cookiePaths;
      if (paths.length === 0) continue;
      const path = paths[Math.floor(rnd() * paths.length)] as string;
      const chosen = shuffle([...pool], rnd).slice(0, Math.min(b.size, pool.length));
      const id = ++n;
      stats.bursts++;
      // Same instant: every request is issued in this one tick.
      side.push(Promise.all(chosen.map((c) => send(c, 'GET', path, { burst: id }))));
    }
  }

  async function deceptionPair(d: Required<DeceptionOptions>, k: number, at: number): Promise<void> {
    await nap(at - Date.now());
    if (!active()) return;
    const victims = clients.filter((c) => c.auth === 'cookie' && c.loggedIn);
    if (victims.length === 0) return;
    const victim = victims[k % victims.length] as Client;
    const anons = clients.filter((c) => c.auth === 'anon');
    const others = victims.filter((c) => c !== victim);
    const wantAnon = d.attacker === 'anonymous' || (d.attacker === 'mixed' && k % 2 === 0);
    const attacker = (wantAnon ? anons[k % Math.max(anons.length, 1)] : others[k % Math.max(others.length, 1)]) ?? anons[0] ?? others[0];
    if (!attacker) return;
    const token = Math.floor(rnd() * 0xffffffff).toString(16).padStart(8, '0');
    const lures = [`/mypage/cw${token}.css`, `/mypage;cw${token}.png`, `/orders%2Fcw${token}.js`];
    const url = lures[k % lures.length] as string;
    stats.deceptionPairs++;
    await send(victim, 'GET', url, { deception: { pair: k, role: 'victim' } });
    await new Promise((resolve) => setTimeout(resolve, d.delayMs));
    await send(attacker, 'GET', url, { deception: { pair: k, role: 'attacker' } });
  }

  try {
    await Promise.all(clients.map((c) => login(c)));
    if (burst) side.push(burstLoop(burst));
    if (deception) {
      for (let k = 0; k < deception.pairs; k++) {
        const at = startedAt + ((k + 0.5) / deception.pairs) * durationMs * 0.8;
        side.push(deceptionPair(deception, k, at));
      }
    }
    await Promise.all(clients.map((c) => browse(c)));
    stopAll();
    // Let bursts and lures already issued finish (pending side tasks see `active()` false).
    while (side.length > 0) await Promise.all(side.splice(0));
  } finally {
    stopAll();
    opts.signal?.removeEventListener('abort', stopAll);
    await Promise.all(clients.map((c) => c.pool.close().catch(() => c.pool.destroy())));
  }

  // ---- aggregation -------------------------------------------------------------------------
  const pub = stats.byClass.public;
  const sta = stats.byClass.static;
  stats.publicHitRate = pub.requests === 0 ? 0 : pub.hits / pub.requests;
  stats.staticHitRate = sta.requests === 0 ? 0 : sta.hits / sta.requests;

  const leakMap = new Map<string, LeakPair>();
  const expMap = new Map<string, Exposure>();
  for (const o of observations) {
    if (!o.leak || o.owner === null) continue;
    const key = `${o.user}\u0000${o.owner}\u0000${o.url}`;
    let lp = leakMap.get(key);
    if (!lp) {
      lp = { viewer: o.user, owner: o.owner, url: o.url, route: o.route, count: 0, firstT: o.t, lastT: o.t, outcomes: [], via: [], edges: [], fields: [] };
      leakMap.set(key, lp);
    }
    lp.count++;
    lp.firstT = Math.min(lp.firstT, o.t);
    lp.lastT = Math.max(lp.lastT, o.t);
    if (!lp.outcomes.includes(o.outcome)) lp.outcomes.push(o.outcome);
    if (o.via && !lp.via.includes(o.via)) lp.via.push(o.via);
    if (o.edge && !lp.edges.includes(o.edge)) lp.edges.push(o.edge);
    for (const f of o.ownerFields) if (!lp.fields.includes(f)) lp.fields.push(f);
    for (const person of o.related) {
      if (person === o.user) continue; // the viewer's own data on someone else's page
      const ek = `${person}\u0000${o.user}\u0000${o.url}`;
      let ex = expMap.get(ek);
      if (!ex) {
        ex = { person, viewer: o.user, owner: o.owner, url: o.url, count: 0, firstT: o.t, fields: [] };
        expMap.set(ek, ex);
      }
      ex.count++;
      ex.firstT = Math.min(ex.firstT, o.t);
      for (const f of o.relatedFields[person] ?? []) if (!ex.fields.includes(f)) ex.fields.push(f);
    }
  }

  const clientInfo: TrafficClientInfo[] = clients.map((c) => ({ client: c.id, user: c.user, auth: c.auth }));
  return {
    target: opts.target,
    startedAt,
    endedAt: Date.now(),
    observations,
    leaks: [...leakMap.values()].sort((a, b) => a.firstT - b.firstT),
    exposures: [...expMap.values()].sort((a, b) => a.firstT - b.firstT),
    sessionHandovers: handovers,
    stats,
    clients: clientInfo,
    identities: Object.fromEntries(identities),
  };
}
