/**
 * Canary accounts and their sessions.
 *
 * An account authenticates either with configured request headers (Cookie, Authorization…;
 * values usually come from `${ENV}` and are secrets) or with a login recipe. The login is the one
 * request the probe sends that is not a GET or HEAD: a single POST (form or JSON) to the login URL,
 * sent through the first edge with the target's Host kept (an absolute login URL on another host
 * is reached directly). Redirects are not followed. The session is the Set-Cookie cookies of that
 * answer, or a token at a JSON path, sent as `Authorization: Bearer`. The login runs on first use
 * and again when a response says the session ended (a 401, or a redirect to the login page).
 *
 * Raw credentials stay inside this module's closures: what leaves it is request headers for the
 * client and keyed hashes (`IdentityHasher`) for analysis. Nothing here prints a header value,
 * a form field, or a response body, and errors name the account and the login URL's path only.
 */
import { Client } from 'undici';
import { CwError } from '../core/errors.ts';
import type { IdentityHash, IdentityHasher } from '../core/identity.ts';
import type { IdentityView } from './analyze.ts';
import { parseSetCookie } from './analyze.ts';
import { edgeOrigin, parseTarget, pinnedConnectOptions, resolveEdges, unreachableError } from './edges.ts';
import type { ProbeTls, ResolveDeps } from './edges.ts';
import { ANONYMOUS, type AccountConfig, type Edge, type LoginRecipe, type ProbeSettings, type Who } from './types.ts';

export interface SessionsDeps {
  /** The edge logins go through. Default: the first of `resolveEdges(settings)`. */
  edge?: Edge;
  /** Extra TLS trust (tests, private CAs). */
  tls?: ProbeTls;
  /** DNS look-up used when `edge` is not given. */
  resolve?: ResolveDeps;
}

/** Request headers for one account, and which session generation they belong to. */
export interface SessionHeaders {
  /** Lower-case names. Values are secrets. */
  headers: Record<string, string>;
  /** Bumped at every (re-)login; pass it back to `relogin` so concurrent callers log in once. */
  generation: number;
}

export interface Sessions {
  /** Account names, in config order. */
  readonly accounts: readonly string[];
  /** What analysis needs: markers, whose credential a hash is, identity cookie names, the hasher. */
  readonly view: IdentityView;
  /** Logs in every account that has a recipe and no session yet (fail fast, before probing). */
  ready(): Promise<void>;
  /** The headers that authenticate `who` (none for `anonymous`); logs in first if needed. */
  headersFor(who: Who): Promise<SessionHeaders>;
  /** Whether the account can log in again (has a login recipe). */
  canRelogin(who: Who): boolean;
  /** Does this response say `who`'s session is no longer accepted? */
  isExpired(who: Who, status: number, location: string | undefined): boolean;
  /**
   * Logs `who` in again. With `seenGeneration`, does nothing when a newer session already exists
   * (another request re-logged in meanwhile). Concurrent calls share one login.
   */
  relogin(who: Who, seenGeneration?: number): Promise<void>;
}

const RESERVED = new Set([ANONYMOUS, 'stranger']);
/** Hashes of earlier sessions kept per account (a cached page may carry an older session's tag). */
const HASH_HISTORY = 16;
const MAX_LOGIN_BODY = 256 * 1024;

/** One-line checks of the accounts list; throws CwError CW_CONFIG_INVALID_VALUE. */
export function validateAccounts(accounts: readonly AccountConfig[]): void {
  if (accounts.length < 1) {
    throw new CwError('CW_CONFIG_INVALID_VALUE', 'probe.accounts: give at least one canary account (two for the cross-identity techniques)');
  }
  const names = new Set<string>();
  for (const [i, a] of accounts.entries()) {
    const where = `probe.accounts[${i}]`;
    if (typeof a.name !== 'string' || a.name.trim() === '') throw new CwError('CW_CONFIG_INVALID_VALUE', `${where}: give the account a name`);
    if (RESERVED.has(a.name)) throw new CwError('CW_CONFIG_INVALID_VALUE', `${where}: the name "${a.name}" is reserved; choose another account name`);
    if (names.has(a.name)) throw new CwError('CW_CONFIG_INVALID_VALUE', `${where}: the name "${a.name}" is used twice; give each account its own name`);
    names.add(a.name);
    if (!Array.isArray(a.markers) || a.markers.filter((m) => typeof m === 'string' && m !== '').length === 0) {
      throw new CwError('CW_CONFIG_INVALID_VALUE', `${where} (${a.name}): no markers; give at least one string only this account's pages contain`);
    }
    const hasHeaders = a.headers !== undefined && Object.keys(a.headers).length > 0;
    if (!hasHeaders && a.login === undefined) {
      throw new CwError('CW_CONFIG_INVALID_VALUE', `${where} (${a.name}): no credentials; give headers (Cookie, Authorization) or a login recipe`);
    }
    if (a.login !== undefined && a.login.form !== undefined && a.login.json !== undefined) {
      throw new CwError('CW_CONFIG_INVALID_VALUE', `${where} (${a.name}): the login recipe has both form and json; give one`);
    }
  }
  // A marker inside another account's marker would make that account's own page look like a leak.
  for (const a of accounts) {
    for (const b of accounts) {
      if (a === b) continue;
      for (const m of a.markers) {
        if (m !== '' && b.markers.some((n) => n.includes(m))) {
          throw new CwError(
            'CW_CONFIG_INVALID_VALUE',
            `probe.accounts (${a.name}): a marker of ${a.name} also occurs in a marker of ${b.name}; give each account markers no other account's pages contain`,
          );
        }
      }
    }
  }
}

function cookieValue(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim().toLowerCase() === name.toLowerCase()) {
      const v = part.slice(eq + 1).trim();
      if (v !== '') return v;
    }
  }
  return undefined;
}

function bearer(authz: string | undefined): string | undefined {
  if (authz === undefined) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(authz);
  return m ? m[1] : authz.trim() || undefined;
}

/** `token`, `data.access_token`, `$.data.tokens[0].value` → the value at that path, if a string. */
export function atJsonPath(doc: unknown, path: string): unknown {
  const steps = path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((s): s is string => s !== undefined && s !== '');
  let cur: unknown = doc;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(s) ? cur[Number(s)] : (cur as Record<string, unknown>)[s];
  }
  return cur;
}

interface AccountState {
  readonly config: AccountConfig;
  /** Configured headers, lower-case names. */
  readonly base: Record<string, string>;
  /** Headers from the last login. */
  session: Record<string, string>;
  generation: number;
  /** Hashes of this account's credentials, newest last. */
  hashes: IdentityHash[];
  pending: Promise<void> | undefined;
}

/**
 * Builds the sessions of the canary accounts (validating them first). Logins run lazily; call
 * `ready()` to run them up front.
 */
export function createSessions(
  accounts: readonly AccountConfig[],
  settings: Pick<ProbeSettings, 'target' | 'edges' | 'timeout'>,
  identityCookies: readonly string[],
  hasher: IdentityHasher,
  deps: SessionsDeps = {},
): Sessions {
  validateAccounts(accounts);
  const target = parseTarget(settings.target);
  const byHash = new Map<IdentityHash, string>();
  const states = new Map<string, AccountState>();

  const remember = (st: AccountState, credential: string | undefined) => {
    const h = hasher.hash(credential);
    if (h === undefined) return;
    if (!st.hashes.includes(h)) st.hashes.push(h);
    byHash.set(h, st.config.name);
    while (st.hashes.length > HASH_HISTORY) byHash.delete(st.hashes.shift()!);
  };

  /** The identity credentials in a header set: the identity cookie(s), and a bearer token. */
  const credentialsIn = (headers: Record<string, string>): string[] => {
    const out: string[] = [];
    const cookie = headers['cookie'];
    if (cookie !== undefined) {
      for (const name of identityCookies) {
        const v = cookieValue(cookie, name);
        if (v !== undefined) out.push(v);
      }
    }
    const b = bearer(headers['authorization']);
    if (b !== undefined) out.push(b);
    return out;
  };

  for (const a of accounts) {
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.headers ?? {})) base[k.toLowerCase()] = v;
    const st: AccountState = { config: a, base, session: {}, generation: 0, hashes: [], pending: undefined };
    for (const c of credentialsIn(base)) remember(st, c);
    states.set(a.name, st);
  }

  let loginEdge: Promise<Edge> | undefined = deps.edge ? Promise.resolve(deps.edge) : undefined;
  const firstEdge = (): Promise<Edge> => {
    loginEdge ??= resolveEdges(settings, deps.resolve).then((edges) => edges[0]!);
    return loginEdge;
  };

  const loginTarget = (recipe: LoginRecipe): { url: URL; pinned: boolean } => {
    let url: URL;
    try {
      url = new URL(recipe.url, `${target.origin}/`);
    } catch {
      throw new CwError('CW_CONFIG_INVALID_VALUE', 'probe.accounts: a login url is not a URL or a path; write a path such as /login');
    }
    const same = url.protocol === target.protocol && url.host === target.hostHeader;
    return { url, pinned: same };
  };

  /** The login URL without its query, for messages. */
  const shown = (url: URL) => `${url.origin}${url.pathname}`;

  async function login(st: AccountState): Promise<void> {
    const name = st.config.name;
    const recipe = st.config.login!;
    const { url, pinned } = loginTarget(recipe);
    const failed = (why: string) =>
      new CwError('CW_PROBE_LOGIN_FAILED', `probe account ${name}: login at ${shown(url)} ${why}; check its login recipe (url, fields, session) and credentials`);

    let body: string;
    const headers: Record<string, string> = { 'user-agent': 'cachewarden-probe', accept: 'application/json, text/html;q=0.9, */*;q=0.5' };
    if (recipe.json !== undefined) {
      body = JSON.stringify(recipe.json);
      headers['content-type'] = 'application/json';
    } else {
      body = new URLSearchParams(Object.entries(recipe.form ?? {})).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    let client: Client;
    let edge: Edge | undefined;
    if (pinned) {
      edge = await firstEdge();
      client = new Client(edgeOrigin(target, edge.address), { allowH2: false, connect: pinnedConnectOptions(target, deps.tls, settings.timeout) });
      headers['host'] = target.hostHeader;
    } else {
      const other = parseTarget(url.origin);
      client = new Client(url.origin, { allowH2: false, connect: pinnedConnectOptions(other, deps.tls, settings.timeout) });
    }
    const signal = AbortSignal.timeout(settings.timeout);
    let status: number;
    let resHeaders: Record<string, string | string[] | undefined>;
    let text = '';
    try {
      const r = await client.request({ method: 'POST', path: `${url.pathname}${url.search}`, headers, body, signal });
      status = r.statusCode;
      resHeaders = r.headers;
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const c of r.body) {
        const b = c as Buffer;
        if (n < MAX_LOGIN_BODY) chunks.push(b.subarray(0, MAX_LOGIN_BODY - n));
        n += b.length;
      }
      text = Buffer.concat(chunks).toString('utf8');
    } catch (e) {
      const u = edge ? unreachableError(target, edge, e) : undefined;
      if (u) throw u;
      const why = signal.aborted ? `did not answer within ${settings.timeout} ms` : `failed (${(e as { code?: string }).code ?? 'network error'})`;
      throw failed(why);
    } finally {
      void client.close().catch(() => undefined);
    }

    const location = typeof resHeaders['location'] === 'string' ? resHeaders['location'] : undefined;
    if (status >= 400) throw failed(`answered ${status}`);
    if (status >= 300 && location !== undefined && pointsAtLogin(location, url)) throw failed(`answered ${status} back to the login page`);

    const session: Record<string, string> = {};
    const credentials: string[] = [];
    const mode = recipe.session ?? 'cookies';
    if (mode === 'cookies') {
      const setCookies = resHeaders['set-cookie'];
      const lines = setCookies === undefined ? [] : Array.isArray(setCookies) ? setCookies : [setCookies];
      const pairs: string[] = [];
      for (const line of lines) {
        const c = parseSetCookie(line);
        if (c.name === '' || c.deletes) continue;
        pairs.push(`${c.name}=${c.value}`);
        if (identityCookies.some((n) => n.toLowerCase() === c.name.toLowerCase())) credentials.push(c.value);
      }
      if (pairs.length === 0) throw failed(`answered ${status} without setting a cookie`);
      const configured = st.base['cookie'];
      session['cookie'] = configured ? `${configured}; ${pairs.join('; ')}` : pairs.join('; ');
    } else {
      const path = mode.slice('token:'.length);
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw failed(`answered ${status} without a JSON body (session: ${mode})`);
      }
      const token = atJsonPath(doc, path);
      if (typeof token !== 'string' || token === '') throw failed(`answered ${status} without a token at ${path}`);
      session['authorization'] = `Bearer ${token}`;
      credentials.push(token);
    }
    st.session = session;
    st.generation++;
    for (const c of credentials) remember(st, c);
  }

  function pointsAtLogin(location: string, loginUrl: URL): boolean {
    let u: URL;
    try {
      u = new URL(location, loginUrl);
    } catch {
      return false;
    }
    if (u.pathname === loginUrl.pathname) return true;
    const last = u.pathname.split('/').filter(Boolean).pop() ?? '';
    return /^(log-?in|sign-?in)$/i.test(last);
  }

  function stateOf(who: Who): AccountState {
    const st = states.get(who);
    if (!st) throw new RangeError(`unknown probe account "${who}" (accounts: ${[...states.keys()].join(', ')})`);
    return st;
  }

  function runLogin(st: AccountState): Promise<void> {
    st.pending ??= login(st).finally(() => {
      st.pending = undefined;
    });
    return st.pending;
  }

  const view: IdentityView = {
    markers: accounts.map((a) => [a.name, a.markers.filter((m) => m !== '')] as const),
    accountOfHash: (h) => byHash.get(h),
    allCredentialsKnown: () => [...states.values()].every((s) => s.hashes.length > 0),
    identityCookies,
    hasher,
  };

  const sessions: Sessions & { toJSON(): string } = {
    accounts: accounts.map((a) => a.name),
    view,
    async ready() {
      await Promise.all([...states.values()].filter((s) => s.config.login && s.generation === 0).map((s) => runLogin(s)));
    },
    async headersFor(who) {
      if (who === ANONYMOUS) return { headers: {}, generation: 0 };
      const st = stateOf(who);
      if (st.config.login && st.generation === 0) await runLogin(st);
      return { headers: { ...st.base, ...st.session }, generation: st.generation };
    },
    canRelogin: (who) => who !== ANONYMOUS && stateOf(who).config.login !== undefined,
    isExpired(who, status, location) {
      if (who === ANONYMOUS) return false;
      const st = stateOf(who);
      if (status === 401) return true;
      if (status >= 300 && status < 400 && location !== undefined && st.config.login) {
        return pointsAtLogin(location, loginTarget(st.config.login).url);
      }
      return false;
    },
    async relogin(who, seenGeneration) {
      const st = stateOf(who);
      if (!st.config.login) return;
      if (st.pending) return st.pending;
      if (seenGeneration !== undefined && st.generation > seenGeneration) return;
      return runLogin(st);
    },
    toJSON: () => '[Sessions]',
  };
  return sessions;
}
