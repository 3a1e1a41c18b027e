/**
 * The demo origin: a small flea-market web shop (fastify) with synthetic people, sessions,
 * bearer tokens, personalized pages and their JSON twins. Its cache headers are switchable
 * so that real caches in front of it can be configured the way real incidents were.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityHash } from '../../src/core/identity.ts';
import { makePopulation } from '../people.ts';
import type { Credentials, Item, PeopleDirectory, Person, Population, Transaction } from '../people.ts';
import { LAB_IDENTITY_KEY, OWNER_TAG_HEADER, ownerTags } from './owner-tag.ts';
import * as render from './render.ts';
import { globToRegExp } from '../../src/core/glob.ts';

/**
 * Cache headers on personalized responses (`/mypage`, `/orders`, `/transactions/<id>`, `/api/me`,
 * `/api/orders`, `/api/transactions/<id>`):
 * - `incident2017`: exactly `Cache-Control: no-cache` + `Expires: Thu, 01 Jan 1970 00:00:01 GMT`
 *   (what nginx `expires -1` produces; the 2017 origin);
 * - `private`: `Cache-Control: private, no-store` (correct);
 * - `none`: no cache headers at all (heuristic/default caching applies);
 * - `public-vary-cookie`: `Cache-Control: public, max-age=60` + `Vary: Cookie`;
 * - `max-age`: `Cache-Control: max-age=60` (meant for the browser, forgot `private`).
 */
export const PERSONALIZED_HEADER_MODES = ['incident2017', 'private', 'none', 'public-vary-cookie', 'max-age'] as const;
export type PersonalizedHeaderMode = (typeof PERSONALIZED_HEADER_MODES)[number];

/** The response headers each mode puts on personalized responses (what `origin.headers` would declare). */
export const PERSONALIZED_HEADERS: Readonly<Record<PersonalizedHeaderMode, Readonly<Record<string, string>>>> = {
  incident2017: { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' },
  private: { 'Cache-Control': 'private, no-store' },
  none: {},
  'public-vary-cookie': { 'Cache-Control': 'public, max-age=60', Vary: 'Cookie' },
  'max-age': { 'Cache-Control': 'max-age=60' },
};

export const ORIGIN_ROUTE_CLASSES = ['personalized', 'public', 'static', 'login', 'other'] as const;
export type OriginRouteClass = (typeof ORIGIN_ROUTE_CLASSES)[number];

export const SESSION_COOKIE = 'sid';
export const INCIDENT_2017_EXPIRES = 'Thu, 01 Jan 1970 00:00:01 GMT';

export interface OriginOptions {
  /** Listen address, loopback only. Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Population seed. Default `DEFAULT_SEED`. */
  seed?: number;
  /** Number of people. Default 40. */
  people?: number;
  /** Delay before answering personalized routes, ms (the collapsing window). Default 250. */
  delayMs?: number;
  /** Delay before answering public HTML pages, ms. Default 5. */
  publicDelayMs?: number;
  /** Default `private`. */
  personalizedHeaders?: PersonalizedHeaderMode;
  /**
   * Exact headers for personalized responses instead of a mode (e.g. what a cachewarden.yaml declares
   * in `origin.headers`, for `verify --prove`). Header names as given.
   */
  personalizedHeaderSet?: Readonly<Record<string, string>>;
  /** Add `X-Cachewarden-Owner` to responses rendered for a user. Default true. */
  ownerTag?: boolean;
  /** HMAC key for the owner tag. Default `LAB_IDENTITY_KEY`. */
  ownerTagKey?: string;
  /**
   * Re-issue `Set-Cookie: sid=…` on every authenticated response (public pages included), like
   * express-session `rolling: true`; public pages then greet the logged-in user. Default false.
   */
  rollingSession?: boolean;
  /**
   * Serve `/mypage/<anything>`, `/mypage;<anything>` and `/mypage%2F<anything>` as `/mypage` (same
   * for the other personalized routes), like frameworks that ignore trailing segments. Default true.
   */
  lenientRouting?: boolean;
  /** Name of the session cookie (default `sid`), e.g. to match the cookie a verified config bypasses on. */
  sessionCookie?: string;
  /**
   * More personalized routes, as `personalized:` globs: any GET path matching one that no other
   * route serves answers like `/mypage` (JSON under `/api/`), for `verify --prove` on a site whose
   * personal pages live elsewhere (`/account*`).
   */
  extraPersonalized?: readonly string[];
  /** Called once per answered request (after the response is sent). */
  onRequest?: (record: OriginRequestRecord) => void;
}

export interface OriginRequestRecord {
  /** ms since the epoch, when the response was finished. */
  t: number;
  method: string;
  /** The URL as received (before lenient rewriting). */
  url: string;
  /** The route that answered (`/mypage`, `/items/:id`, ...). */
  route: string;
  routeClass: OriginRouteClass;
  status: number;
  /** Logged-in user the request was authenticated as, if any. */
  user: string | undefined;
  /** User the body was rendered for, if any (what the owner tag names). */
  renderedFor: string | undefined;
}

export interface OriginCounters {
  total: number;
  byClass: Record<OriginRouteClass, number>;
  byRoute: Record<string, number>;
  /** Responses rendered for a user (personalized bodies and greetings). */
  rendered: number;
  logins: number;
}

export interface Origin extends PeopleDirectory {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly population: Population;
  readonly people: readonly Person[];
  readonly items: readonly Item[];
  readonly transactions: readonly Transaction[];
  /** Effective options (defaults filled in). */
  readonly options: Readonly<Required<Omit<OriginOptions, 'onRequest' | 'port' | 'host' | 'personalizedHeaderSet' | 'sessionCookie' | 'extraPersonalized'>>>;
  /** The session cookie's name. */
  readonly sessionCookie: string;
  credentialsFor(userId: string): Credentials;
  person(id: string): Person | undefined;
  userForEmail(email: string): Person | undefined;
  transactionsOf(userId: string): Transaction[];
  ownerTagFor(userId: string): IdentityHash;
  userForOwnerTag(tag: string | undefined | null): string | undefined;
  /** Lab-only look-ups of live credentials (raw values; never use outside the lab). */
  userForSession(sid: string): string | undefined;
  userForToken(token: string): string | undefined;
  /** Live counters (a snapshot copy). */
  counters(): OriginCounters;
  resetCounters(): void;
  /** Switch the personalized header mode at run time (e.g. "the app was fixed"). */
  setPersonalizedHeaders(mode: PersonalizedHeaderMode): void;
  close(): Promise<void>;
}

type Auth = { user: Person; via: 'cookie' | 'bearer'; sid?: string; token?: string };

const PERSONALIZED_PREFIXES = ['/mypage', '/orders', '/api/me', '/api/orders'] as const;

/** The origin's personalized routes as `personalized:` globs (what a cachewarden.yaml for this shop lists). */
export const LAB_PERSONALIZED_GLOBS: readonly string[] = ['/mypage*', '/orders*', '/transactions/*', '/api/me*', '/api/orders*', '/api/transactions/*'];

/** Rewrites `/mypage/x.css`, `/mypage;x.css`, `/mypage%2Fx.css` (and the like) to the route. */
export function lenientRewrite(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const sep = '(?:/|;|%2[fF])';
  for (const prefix of PERSONALIZED_PREFIXES) {
    if (new RegExp(`^${prefix}${sep}.+$`).test(path)) return prefix + query;
  }
  const tx = new RegExp(`^(/(?:api/)?transactions/[A-Za-z0-9_-]+)${sep}.+$`).exec(path);
  if (tx) return (tx[1] as string) + query;
  return url;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name !== '' && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

function newCounters(): OriginCounters {
  return {
    total: 0,
    byClass: { personalized: 0, public: 0, static: 0, login: 0, other: 0 },
    byRoute: {},
    rendered: 0,
    logins: 0,
  };
}

export async function startOrigin(opts: OriginOptions = {}): Promise<Origin> {
  const host = opts.host ?? '127.0.0.1';
  if (!host.startsWith('127.')) throw new RangeError(`the lab origin listens on loopback only, got ${host}`);
  const options = {
    seed: opts.seed ?? undefined,
    people: opts.people ?? 40,
    delayMs: opts.delayMs ?? 250,
    publicDelayMs: opts.publicDelayMs ?? 5,
    personalizedHeaders: opts.personalizedHeaders ?? 'private',
    ownerTag: opts.ownerTag ?? true,
    ownerTagKey: opts.ownerTagKey ?? LAB_IDENTITY_KEY,
    rollingSession: opts.rollingSession ?? false,
    lenientRouting: opts.lenientRouting ?? true,
  };
  if (!(PERSONALIZED_HEADER_MODES as readonly string[]).includes(options.personalizedHeaders)) {
    throw new RangeError(`unknown personalizedHeaders mode: ${options.personalizedHeaders}`);
  }
  const pop = makePopulation({ seed: options.seed, people: options.people });
  const resolved = { ...options, seed: pop.seed };
  let headerSet = opts.personalizedHeaderSet;
  const cookieName = opts.sessionCookie ?? SESSION_COOKIE;
  if (!/^[A-Za-z0-9_-]+$/.test(cookieName)) throw new RangeError(`bad session cookie name: ${cookieName}`);
  const extraRoutes = (opts.extraPersonalized ?? []).map(globToRegExp);
  const tags = ownerTags(options.ownerTagKey);
  const sessions = new Map<string, string>(); // sid -> user id
  const tokens = new Map<string, string>(); // bearer token -> user id
  let counters = newCounters();

  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    // Caches keep upstream connections open; do not race them with a short idle timeout.
    keepAliveTimeout: 75_000,
    rewriteUrl: (req) => {
      const url = req.url ?? '/';
      return resolved.lenientRouting ? lenientRewrite(url) : url;
    },
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  function authenticate(req: FastifyRequest): Auth | undefined {
    const authz = req.headers.authorization;
    if (typeof authz === 'string') {
      const m = /^Bearer\s+(\S+)$/i.exec(authz.trim());
      const uid = m ? tokens.get(m[1] as string) : undefined;
      const user = uid ? pop.person(uid) : undefined;
      if (user) return { user, via: 'bearer', token: m![1] as string };
    }
    const sid = parseCookies(req.headers.cookie).get(cookieName);
    if (sid) {
      const uid = sessions.get(sid);
      const user = uid ? pop.person(uid) : undefined;
      if (user) return { user, via: 'cookie', sid };
    }
    return undefined;
  }

  function sessionCookie(sid: string): string {
    return `${cookieName}=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800`;
  }

  function rolling(reply: FastifyReply, auth: Auth | undefined): void {
    if (resolved.rollingSession && auth?.via === 'cookie' && auth.sid) {
      reply.header('set-cookie', sessionCookie(auth.sid));
    }
  }

  function personalizedHeaders(reply: FastifyReply): void {
    const set = headerSet ?? PERSONALIZED_HEADERS[resolved.personalizedHeaders];
    for (const [name, value] of Object.entries(set)) reply.header(name.toLowerCase(), value);
  }

  function renderedFor(reply: FastifyReply, auth: Auth): void {
    (reply.request as FastifyRequest & { cwRenderedFor?: string }).cwRenderedFor = auth.user.id;
    const credential = auth.sid ?? auth.token;
    if (resolved.ownerTag && credential) reply.header(OWNER_TAG_HEADER, tags.tag(credential, auth.user.id));
  }

  function routeClassOf(route: string): OriginRouteClass {
    if (route === '/login' || route === '/api/login' || route === '/logout') return 'login';
    if (route.startsWith('/static/')) return 'static';
    if (route === '/' || route === '/items/:id' || route === '/about') return 'public';
    if (/^\/(mypage|orders|transactions\/|api\/)/.test(route)) return 'personalized';
    return 'other';
  }

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '(404)';
    const cls = routeClassOf(route);
    counters.total++;
    counters.byClass[cls]++;
    counters.byRoute[route] = (counters.byRoute[route] ?? 0) + 1;
    const rf = (req as FastifyRequest & { cwRenderedFor?: string }).cwRenderedFor;
    if (rf) counters.rendered++;
    if (opts.onRequest) {
      const auth = authenticate(req);
      opts.onRequest({
        t: Date.now(),
        method: req.method,
        url: req.originalUrl,
        route,
        routeClass: cls,
        status: reply.statusCode,
        user: auth?.user.id,
        renderedFor: rf,
      });
    }
  });

  // ---- login / logout -------------------------------------------------------------

  function checkLogin(body: unknown): Person | undefined {
    if (typeof body !== 'object' || body === null) return undefined;
    const b = body as Record<string, unknown>;
    const userField = typeof b.user === 'string' ? b.user : typeof b.username === 'string' ? b.username : '';
    const password = typeof b.password === 'string' ? b.password : '';
    const person = pop.person(userField) ?? pop.userForEmail(userField);
    if (!person) return undefined;
    return pop.credentialsFor(person.id).password === password ? person : undefined;
  }

  function safeNext(next: unknown): string {
    return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/mypage';
  }

  app.get('/login', async (req, reply) => {
    const next = (req.query as Record<string, unknown>).next;
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
    return render.loginPage(undefined, typeof next === 'string' ? safeNext(next) : undefined);
  });

  app.post('/login', async (req, reply) => {
    const person = checkLogin(req.body);
    reply.header('cache-control', 'no-store');
    if (!person) {
      reply.code(401).type('text/html; charset=utf-8');
      return render.loginPage('Wrong user or password.');
    }
    const sid = randomBytes(16).toString('hex');
    sessions.set(sid, person.id);
    tags.tag(sid, person.id);
    counters.logins++;
    reply.header('set-cookie', sessionCookie(sid));
    return reply.redirect(safeNext((req.body as Record<string, unknown>).next), 302);
  });

  app.post('/api/login', async (req, reply) => {
    const person = checkLogin(req.body);
    reply.header('cache-control', 'no-store');
    if (!person) {
      reply.code(401);
      return { error: 'invalid_credentials' };
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, person.id);
    tags.tag(token, person.id);
    counters.logins++;
    return { token, user: person.id };
  });

  app.post('/logout', async (req, reply) => {
    const sid = parseCookies(req.headers.cookie).get(cookieName);
    if (sid) sessions.delete(sid);
    reply.header('cache-control', 'no-store');
    reply.header('set-cookie', `${cookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return reply.redirect('/', 302);
  });

  // ---- personalized HTML ------------------------------------------------------------

  async function requireHtmlUser(req: FastifyRequest, reply: FastifyReply): Promise<Person | undefined> {
    const auth = authenticate(req);
    if (!auth) {
      reply.header('cache-control', 'no-store');
      reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 302);
      return undefined;
    }
    if (resolved.delayMs > 0) await sleep(resolved.delayMs);
    personalizedHeaders(reply);
    rolling(reply, auth);
    renderedFor(reply, auth);
    reply.type('text/html; charset=utf-8');
    return auth.user;
  }

  async function requireApiUser(req: FastifyRequest, reply: FastifyReply): Promise<Person | undefined> {
    const auth = authenticate(req);
    if (!auth) {
      reply.header('cache-control', 'no-store');
      reply.header('www-authenticate', 'Bearer realm="lab"');
      reply.code(401).send({ error: 'unauthorized' });
      return undefined;
    }
    if (resolved.delayMs > 0) await sleep(resolved.delayMs);
    personalizedHeaders(reply);
    rolling(reply, auth);
    renderedFor(reply, auth);
    return auth.user;
  }

  function notFound(reply: FastifyReply, json: boolean): unknown {
    // The owner tag / personalized headers set so far stay off: nobody's data is in a 404.
    reply.removeHeader(OWNER_TAG_HEADER);
    (reply.request as FastifyRequest & { cwRenderedFor?: string }).cwRenderedFor = undefined;
    reply.header('cache-control', 'no-store');
    reply.code(404);
    if (json) return { error: 'not_found' };
    reply.type('text/html; charset=utf-8');
    return render.layout('Not found', '<p>No such page.</p>');
  }

  app.get('/mypage', async (req, reply) => {
    const user = await requireHtmlUser(req, reply);
    if (!user) return reply;
    return render.myPage(user, pop);
  });

  app.get('/orders', async (req, reply) => {
    const user = await requireHtmlUser(req, reply);
    if (!user) return reply;
    return render.ordersPage(user, pop);
  });

  app.get('/transactions/:id', async (req, reply) => {
    const user = await requireHtmlUser(req, reply);
    if (!user) return reply;
    const tx = pop.transaction((req.params as { id: string }).id);
    if (!tx || (tx.sellerId !== user.id && tx.buyerId !== user.id)) return notFound(reply, false);
    return render.transactionPage(user, tx, pop);
  });

  app.get('/api/me', async (req, reply) => {
    const user = await requireApiUser(req, reply);
    if (!user) return reply;
    return render.meJson(user);
  });

  app.get('/api/orders', async (req, reply) => {
    const user = await requireApiUser(req, reply);
    if (!user) return reply;
    return render.ordersJson(user, pop);
  });

  app.get('/api/transactions/:id', async (req, reply) => {
    const user = await requireApiUser(req, reply);
    if (!user) return reply;
    const tx = pop.transaction((req.params as { id: string }).id);
    if (!tx || (tx.sellerId !== user.id && tx.buyerId !== user.id)) return notFound(reply, true);
    return render.transactionJson(user, tx, pop);
  });

  // ---- public HTML ------------------------------------------------------------------

  async function publicPage(req: FastifyRequest, reply: FastifyReply): Promise<render.PageContext> {
    if (resolved.publicDelayMs > 0) await sleep(resolved.publicDelayMs);
    reply.header('cache-control', 'public, max-age=60').type('text/html; charset=utf-8');
    const auth = authenticate(req);
    if (resolved.rollingSession && auth?.via === 'cookie') {
      // express-session `rolling`: the cookie is re-sent, and the page greets the user.
      rolling(reply, auth);
      renderedFor(reply, auth);
      return { viewer: auth.user };
    }
    return {};
  }

  app.get('/', async (req, reply) => render.homePage(pop, await publicPage(req, reply)));
  app.get('/about', async (req, reply) => render.aboutPage(await publicPage(req, reply)));
  app.get('/items/:id', async (req, reply) => {
    const item = pop.item((req.params as { id: string }).id);
    const ctx = await publicPage(req, reply);
    if (!item) return notFound(reply, false);
    return render.itemPage(pop, item, ctx);
  });

  // ---- static -----------------------------------------------------------------------

  const STATIC: Record<string, { type: string; body: string | Buffer }> = {
    'app.css': { type: 'text/css; charset=utf-8', body: render.APP_CSS },
    'app.js': { type: 'text/javascript; charset=utf-8', body: render.APP_JS },
    'logo.png': { type: 'image/png', body: render.LOGO_PNG },
  };
  app.get('/static/:file', async (req, reply) => {
    const asset = STATIC[(req.params as { file: string }).file];
    if (!asset) return notFound(reply, false);
    reply.header('cache-control', 'public, max-age=86400').type(asset.type);
    return asset.body;
  });

  app.setNotFoundHandler(async (req, reply) => {
    const path = (req.url.split('?')[0] ?? '/');
    if (req.method === 'GET' && extraRoutes.some((re) => re.test(path))) {
      if (path.startsWith('/api/')) {
        const user = await requireApiUser(req, reply);
        return user ? render.meJson(user) : reply;
      }
      const user = await requireHtmlUser(req, reply);
      return user ? render.myPage(user, pop) : reply;
    }
    return notFound(reply, false);
  });

  await app.listen({ host, port: opts.port ?? 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('origin: unexpected listen address');
  const port = addr.port;

  return {
    url: `http://${host}:${port}`,
    host,
    port,
    population: pop,
    people: pop.people,
    items: pop.items,
    transactions: pop.transactions,
    get options() {
      return { ...resolved };
    },
    sessionCookie: cookieName,
    credentialsFor: (id) => pop.credentialsFor(id),
    person: (id) => pop.person(id),
    userForEmail: (email) => pop.userForEmail(email),
    transactionsOf: (id) => pop.transactionsOf(id),
    ownerTagFor: (id) => {
      const t = tags.latestFor(id);
      if (t === undefined) throw new RangeError(`${id} has not logged in: no owner tag yet`);
      return t;
    },
    userForOwnerTag: (tag) => tags.userFor(tag),
    userForSession: (sid) => sessions.get(sid),
    userForToken: (token) => tokens.get(token),
    counters: () => structuredClone(counters),
    resetCounters: () => {
      counters = newCounters();
    },
    setPersonalizedHeaders(mode: PersonalizedHeaderMode) {
      if (!(PERSONALIZED_HEADER_MODES as readonly string[]).includes(mode)) {
        throw new RangeError(`unknown personalizedHeaders mode: ${mode}`);
      }
      resolved.personalizedHeaders = mode;
      headerSet = undefined;
    },
    close: async () => {
      await app.close();
    },
  };
}
