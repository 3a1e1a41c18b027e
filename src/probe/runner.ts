/**
 * The probe runner: one cycle = every applicable technique on every path on every edge, as the
 * canary accounts, with bounded concurrency and rate. Techniques on one path share the fetches
 * they have in common (the real URL, the sequential A → B → anonymous replay), each made once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CwError } from '../core/errors.ts';
import { IdentityHasher } from '../core/identity.ts';
import { nearest } from '../core/suggest.ts';
import type { ProfileId } from '../semantics/types.ts';
import { createSessions, type Sessions } from './accounts.ts';
import { createEdgeClient, type EdgeClientDeps, type PinnedEdgeClient } from './client.ts';
import { resolveEdges, type ProbeTls } from './edges.ts';
import { ProbeState } from './state.ts';
import { TECHNIQUES } from './techniques/index.ts';
import { ANONYMOUS, type Edge, type ProbeFinding, type ProbeResponse, type ProbeSettings, type TechniqueDefinition, type UrlContext, type Who } from './types.ts';

export interface ProberOptions {
  settings: ProbeSettings;
  /** The top-level `personalized:` globs (paths are derived from them when probe.paths is absent). */
  personalized: readonly string[];
  profile: ProfileId;
  identity: { key?: string | undefined; cookies: readonly string[] };
  /** Technique ids to run (CLI `--technique`), overriding probe.techniques. */
  techniques?: readonly string[];
  /** Extra TLS trust (tests, private CAs). */
  tls?: ProbeTls;
  onFinding?(f: ProbeFinding): void;
  now?: () => number;
}

export interface ProbeCycle {
  findings: ProbeFinding[];
  edges: Edge[];
  paths: string[];
  startedAt: number;
  endedAt: number;
}

export interface Prober {
  readonly edges: readonly Edge[];
  readonly paths: readonly string[];
  readonly techniques: readonly TechniqueDefinition[];
  cycle(signal?: AbortSignal): Promise<ProbeCycle>;
  close(): Promise<void>;
}

/** Concrete paths from `personalized:` globs: `/mypage` and `/mypage*` give `/mypage`; globs with inner wildcards give nothing. */
export function pathsFromGlobs(globs: readonly string[]): string[] {
  const out: string[] = [];
  for (const g of globs) {
    const stripped = g.endsWith('*') ? g.slice(0, -1) : g;
    if (/[*?]/.test(stripped) || stripped === '' || (g.endsWith('*') && stripped.endsWith('/'))) continue;
    if (!out.includes(stripped)) out.push(stripped);
  }
  return out;
}

export function selectTechniques(ids: readonly string[] | undefined): TechniqueDefinition[] {
  if (!ids || ids.length === 0) return [...TECHNIQUES];
  return ids.map((id) => {
    const t = TECHNIQUES.find((x) => x.id === id);
    if (!t) {
      const guess = nearest(id, TECHNIQUES.map((x) => x.id));
      throw new CwError('CW_USAGE_BAD_FLAG', `probe: unknown technique "${id}"; ${guess ? `did you mean "${guess}"?` : `use one of ${TECHNIQUES.map((x) => x.id).join(', ')}`}`);
    }
    return t;
  });
}

/** What credential kind each account sends, as placeholders: semantics questions never see values. */
function credentialPlaceholders(settings: ProbeSettings, identityCookies: readonly string[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const a of settings.accounts) {
    const h: Record<string, string> = {};
    const names = Object.keys(a.headers ?? {}).map((n) => n.toLowerCase());
    if (names.includes('authorization') || a.login?.session?.startsWith('token:')) h['authorization'] = 'Bearer (token)';
    if (names.includes('cookie') || (a.login && !a.login.session?.startsWith('token:'))) h['cookie'] = `${identityCookies[0] ?? 'sid'}=(session)`;
    out.set(a.name, h);
  }
  return out;
}

/** A small pool: run `tasks` with at most `n` at a time. */
async function pool<T>(n: number, items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

export async function createProber(opts: ProberOptions): Promise<Prober> {
  const { settings } = opts;
  const now = opts.now ?? Date.now;
  const techniques = selectTechniques(opts.techniques ?? settings.techniques);
  const paths = settings.paths && settings.paths.length > 0 ? [...settings.paths] : pathsFromGlobs(opts.personalized);
  if (paths.length === 0) {
    throw new CwError('CW_CONFIG_MISSING_KEY', 'probe.paths: no concrete path to probe (the personalized: globs name none); list the paths, e.g. probe.paths: ["/mypage", "/api/me"]');
  }
  if (!opts.identity.key) {
    throw new CwError('CW_CONFIG_MISSING_KEY', 'identity.key: the probe needs the identity key to read owner tags; set it (or CACHEWARDEN_IDENTITY_KEY) to the key the origin uses');
  }
  const hasher = new IdentityHasher(opts.identity.key);
  const edges = await resolveEdges(settings);
  const sessions: Sessions = createSessions(settings.accounts, settings, opts.identity.cookies, hasher, { edge: edges[0]!, ...(opts.tls ? { tls: opts.tls } : {}) });
  await sessions.ready();
  const deps: EdgeClientDeps = opts.tls ? { tls: opts.tls } : {};
  const clients: PinnedEdgeClient[] = edges.map((e) => createEdgeClient(e, settings, sessions, deps));
  const placeholders = credentialPlaceholders(settings, opts.identity.cookies);
  const state = new ProbeState(settings.state);
  const accounts = sessions.accounts;

  function urlContext(client: PinnedEdgeClient, path: string, results: ProbeFinding[]): UrlContext {
    let real: Promise<ProbeResponse> | undefined;
    let sequential: ReturnType<UrlContext['sequential']> | undefined;
    return {
      path,
      client,
      accounts,
      profile: opts.profile,
      settings,
      real: () => (real ??= client.fetch(accounts[0]!, path)),
      sequential: () =>
        (sequential ??= (async () => {
          const url = client.bust(path);
          const a = await client.fetch(accounts[0]!, url);
          const b = accounts[1] !== undefined ? await client.fetch(accounts[1], url) : undefined;
          const anon = await client.fetch(ANONYMOUS, url);
          return { url, a, b, anon };
        })()),
      requestHeadersFor: (who: Who) => ({ ...(placeholders.get(who) ?? {}) }),
      race: async (a, b, offsetMs) => {
        const [pa, pb] = await client.prepare([
          { who: a.who, path: a.path, opts: { freshConnection: true } },
          { who: b.who, path: b.path, opts: { freshConnection: true } },
        ]);
        const ra = pa!.send();
        if (offsetMs > 0) await sleep(offsetMs);
        const rb = pb!.send();
        return [await ra, await rb];
      },
      results: () => results.filter((f) => f.target === path && f.edge === client.edge.label),
      knownGood: () => state.knownGood(client.edge.label, path),
    };
  }

  async function runTechnique(t: TechniqueDefinition, ctx: UrlContext, results: ProbeFinding[]): Promise<void> {
    let r: Awaited<ReturnType<TechniqueDefinition['run']>>;
    try {
      r = await t.run(ctx);
    } catch (e) {
      if (e instanceof CwError) throw e;
      r = { verdict: 'risk', url: ctx.path, edge: ctx.client.edge.label, pops: [], accounts: [], message: `the technique could not complete: ${(e as Error).message}`, evidence: { responses: [] }, severity: 'low' };
    }
    const severity = r.verdict === 'leak' ? 'critical' : r.verdict === 'ok' ? 'info' : (r.severity ?? t.riskSeverity);
    const f: ProbeFinding = { ...r, technique: t.id, severity, target: ctx.path, time: now() };
    results.push(f);
    opts.onFinding?.(f);
  }

  return {
    edges,
    paths,
    techniques,
    async cycle(signal) {
      const startedAt = now();
      const cycleId = state.startCycle(startedAt);
      const findings: ProbeFinding[] = [];
      const work: Array<{ client: PinnedEdgeClient; path: string; kind: 'personalized' | 'public' }> = [];
      for (const client of clients) {
        for (const path of paths) work.push({ client, path, kind: 'personalized' });
        for (const path of settings.publicPaths) work.push({ client, path, kind: 'public' });
      }
      await pool(Math.max(2, Math.floor(settings.concurrency / 4)), work, async ({ client, path, kind }) => {
        if (signal?.aborted) return;
        const ctx = urlContext(client, path, findings);
        const mine = techniques.filter((t) => t.appliesTo === kind);
        await Promise.all(mine.filter((t) => !t.last).map((t) => runTechnique(t, ctx, findings)));
        for (const t of mine.filter((x) => x.last)) await runTechnique(t, ctx, findings);
      });
      const endedAt = now();
      state.endCycle(cycleId, endedAt, findings);
      return { findings, edges, paths, startedAt, endedAt };
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()));
      state.close();
    },
  };
}
