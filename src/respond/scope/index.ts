/**
 * `cachewarden scope`: replays an incident window's access logs through the watch detection engine
 * (the same adapters, detectors and DetectionEngine, in replay mode) and says per person whether
 * their data was shown to someone else, derived onto someone else's page, possibly exposed, or not
 * affected. See src/respond/types.ts for the report and tally.ts for how the tiers are decided.
 *
 * Order independence: the inputs are merged by event time (ties broken by the event's fields) through a
 * bounded reorder heap, so one file or the same lines split across files in any order give the same
 * event sequence, hence the same report (apart from `generatedAt` and `inputs.files`). The engine is
 * ticked every TICK_EVERY events of that merged sequence, never on wall time.
 *
 * Memory: only the heap (events within the reorder window), the engine's bounded per-key state and
 * the person table are held; lines are never all loaded.
 */
import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import type { RespondSchema } from '../../config/schema.ts';
import { CwError } from '../../core/errors.ts';
import { compileRoutes } from '../../core/glob.ts';
import { IdentityHasher, identityKeyId } from '../../core/identity.ts';
import type { FieldMap, FormatId, RejectReason } from '../../watch/adapters/types.ts';
import { DEFAULT_DETECTION } from '../../watch/detectors/define.ts';
import { DETECTORS } from '../../watch/detectors/index.ts';
import { DetectionEngine } from '../../watch/engine.ts';
import type { Category, IncidentInfo, ScopeInputs, ScopeReport } from '../types.ts';
import { loadRelations, loadSessions } from './maps.ts';
import { EventHeap, type Pending } from './merge.ts';
import type { Batch, ParseConfig } from './parse-input.ts';
import { inProcessSource, workerSource } from './pool.ts';
import { expandInputs } from './read.ts';
import { buildReport } from './report.ts';
import { routeBook } from './routes.ts';
import { Tally } from './tally.ts';

export { peopleCsv } from './people-csv.ts';
export { expandInputs } from './read.ts';

export type RespondSettings = z.output<typeof RespondSchema>;

/** The `watch:` numbers scope needs (ms), as resolved by WatchSchema. */
export interface ScopeWatchSettings {
  lateness: number;
  objectLife: number;
  joinTolerance: number;
  maxKeys: number;
}

export interface ScopeOptions {
  /** Log files or globs (`.gz` or not: gzip is recognised by content). */
  inputs: readonly string[];
  format: FormatId | 'auto';
  fields?: FieldMap;
  /** cloudfront-realtime: the selected fields of the real-time log configuration. */
  columns?: readonly string[];
  /** Window start and end, ms since the epoch (inclusive). Default: the data's own bounds. */
  from?: number;
  to?: number;
  personalized: readonly string[];
  identity: { key: string; cookies: readonly string[] };
  watch: ScopeWatchSettings;
  respond: RespondSettings;
  /** Sessions map file (CSV `session,user` or NDJSON). */
  sessions?: string;
  /** Relations file (CSV `owner,person,route,fields` or NDJSON). */
  relations?: string;
  /** How far out of time order lines may be inside one file, ms. Default 2 × watch.lateness, at least 1 s. */
  reorderWindow?: number;
  /** Worker threads that read and parse the inputs; 0 parses in the main thread. Default: one fewer than the cores, 1 to 4. */
  workers?: number;
  /** Large plain files are parsed in ranges of this many bytes, side by side (tests make it small). */
  rangeBytes?: number;
  onNotice?(line: string): void;
  now?(): number;
}

/** Ticks the engine every this many merged events (deterministic: a function of the sequence only). */
const TICK_EVERY = 1024;
/** Raw identity → hash results remembered (bounded; the memo is cleared when full). */
const HASH_MEMO = 1 << 19;

interface InputState {
  index: number;
  file: string;
  done: boolean;
  format?: FormatId;
  /** The log has no identity field: an anonymous viewer there means "unknown". */
  noIdentity: boolean;
  /** Newest event time read so far. */
  frontier: number;
}

/** The report's key fingerprint: HMAC-SHA-256(key, "cachewarden key id"), first 8 hex digits. */
/** The key fingerprint a report carries (see identityKeyId). */
export const keyIdOf = identityKeyId;

export async function runScope(opts: ScopeOptions): Promise<ScopeReport> {
  const notice = opts.onNotice ?? (() => undefined);
  const now = opts.now ?? Date.now;
  if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) {
    throw new CwError('CW_USAGE_BAD_FLAG', `--from ${new Date(opts.from).toISOString()} is after --to ${new Date(opts.to).toISOString()}; swap them`);
  }
  let hasher: IdentityHasher;
  try {
    // A memo sized for people, not for a live stream: an incident log repeats each session many times.
    hasher = new IdentityHasher(opts.identity.key, { memo: HASH_MEMO });
  } catch {
    throw new CwError('CW_CONFIG_INVALID_VALUE', 'identity.key: the identity key must be at least 16 bytes; set identity.key or CACHEWARDEN_IDENTITY_KEY to the key the logs and owner tags were hashed with');
  }
  const files = expandInputs(opts.inputs);
  const sessions = opts.sessions !== undefined ? loadSessions(opts.sessions, hasher, notice) : undefined;
  const relations = opts.relations !== undefined ? loadRelations(opts.relations, hasher, notice) : undefined;
  const respond = opts.respond;
  const book = routeBook(respond.routes, opts.personalized, respond.categories);
  const tally = new Tally(book, sessions, relations);

  // Fills shortly before the window can still make the hits inside it: the engine sees events from
  // one object life before `from`, so a hit at `from` + 1 s finds the fill made at `from` - 5 min.
  // Only what happens inside [from, to] counts as activity or exposure. Nothing after `to` matters.
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  const feedFrom = from - opts.watch.objectLife;
  const reorder = opts.reorderWindow ?? Math.max(1000, 2 * opts.watch.lateness);

  let noIdentityNow = false;
  const engine = new DetectionEngine({
    personalized: compileRoutes(opts.personalized),
    detection: { ...DEFAULT_DETECTION, latenessMs: opts.watch.lateness, objectLifeMs: opts.watch.objectLife, joinToleranceMs: opts.watch.joinTolerance, maxKeys: opts.watch.maxKeys },
    detectors: DETECTORS.filter((d) => d.id !== 'watch/drift'),
    mode: 'replay',
    onFinding: (f) => {
      if (f.time >= from && f.time <= to) tally.finding(f, noIdentityNow);
    },
  });

  const rejected: Partial<Record<RejectReason, number>> = {};
  let lines = 0;
  let events = 0;
  let outsideWindow = 0;
  let late = 0;
  let fed = 0;
  let lastFed = -Infinity;
  let observedFrom = Infinity;
  let observedTo = -Infinity;
  const heap = new EventHeap();

  const states: InputState[] = files.map((file, index) => ({ index, file, done: false, noIdentity: false, frontier: -Infinity }));
  const cfg: ParseConfig = {
    format: opts.format,
    ...(opts.fields ? { fields: opts.fields } : {}),
    ...(opts.columns ? { columns: opts.columns } : {}),
    key: opts.identity.key,
    cookies: opts.identity.cookies,
    memo: HASH_MEMO,
  };
  // The main thread merges and runs the engine; the workers read and parse (about half the work;
  // crossing threads costs a copy of every event, so one worker per spare core, no more).
  const workers = opts.workers ?? Math.min(4, Math.max(1, availableParallelism() - 1));
  const source = workers > 0 ? workerSource(files, cfg, workers, opts.rangeBytes) : inProcessSource(files, cfg);

  function take(st: InputState, b: Batch): void {
    if (b.format !== undefined) {
      st.format = b.format;
      st.noIdentity = b.noIdentity === true;
    }
    for (const n of b.notices) notice(n);
    lines += b.read;
    events += b.events.length;
    for (const [reason, n] of Object.entries(b.rejected)) rejected[reason as RejectReason] = (rejected[reason as RejectReason] ?? 0) + n;
    const evs = b.events;
    for (let i = 0; i < evs.length; i++) {
      const e = evs[i]!;
      const t = e.time;
      if (t > st.frontier) st.frontier = t;
      if (t < from || t > to) {
        outsideWindow++;
        if (t < feedFrom || t > to) continue;
      }
      heap.push({ time: t, event: e, input: st.index });
    }
    if (b.done) st.done = true;
  }

  function feed(p: Pending): void {
    if (p.time < lastFed) late++;
    else lastFed = p.time;
    const e = p.event;
    tally.beginEvent();
    if (p.time >= from) {
      if (p.time < observedFrom) observedFrom = p.time;
      if (p.time > observedTo) observedTo = p.time;
      tally.event(e);
    }
    noIdentityNow = states[p.input]!.noIdentity;
    engine.push(e);
    noIdentityNow = false;
    if (++fed % TICK_EVERY === 0) engine.tick();
  }

  function release(): void {
    let threshold = Infinity;
    for (const st of states) if (!st.done && st.frontier - reorder < threshold) threshold = st.frontier - reorder;
    for (let top = heap.peek(); top !== undefined && top.time < threshold; top = heap.peek()) feed(heap.pop()!);
  }

  try {
    for (;;) {
      // Read next from the input that is furthest behind in event time: the heap then only holds
      // about one reorder window of events across all inputs.
      let st: InputState | undefined;
      for (const s of states) if (!s.done && (st === undefined || s.frontier < st.frontier)) st = s;
      if (st === undefined) break;
      take(st, await source.next(st.index));
      release();
    }
    release();
    engine.tick(true);
  } finally {
    await source.close();
  }
  tally.resolveStored();

  if (late > 0) notice(`${late} events were more than ${reorder} ms out of time order inside an input and were replayed late; raise the reorder window if the report must not depend on how the logs were split`);
  if (tally.unmapped.size > 0) notice(`${tally.unmapped.size} identities in the logs are not in the sessions map; each counts as its own person`);
  const counters = engine.counters();
  const evicted = Object.entries(counters).filter(([k]) => k.endsWith(':evicted_keys')).reduce((n, [, v]) => n + v, 0);
  if (evicted > 0) notice(`${evicted} cache keys were evicted from the engine's memory (watch.maxKeys ${opts.watch.maxKeys}); hits on them could not be joined`);

  const observed = observedFrom <= observedTo ? { from: observedFrom, to: observedTo } : null;
  const generatedAt = now();
  const window = {
    from: Number.isFinite(from) ? from : (observed?.from ?? generatedAt),
    to: Number.isFinite(to) ? to : (observed?.to ?? generatedAt),
  };
  const formats = [...new Set(states.map((s) => s.format).filter((f) => f !== undefined))].sort();
  const inputs: ScopeInputs = {
    files,
    format: formats.length === 0 ? opts.format : formats.join(','),
    lines,
    events,
    rejected: Object.fromEntries(Object.entries(rejected).sort(([a], [b]) => (a < b ? -1 : 1))) as Record<string, number>,
    outsideWindow,
    ...(sessions ? { sessions: { file: sessions.file, rows: sessions.rows } } : {}),
    ...(relations ? { relations: { file: relations.file, rows: relations.rows } } : {}),
  };
  const categories: Category[] = Object.entries(respond.categories).map(([name, c]) => ({ name, fields: [...c.fields], direct: c.direct }));
  const { ja, en, ...facts } = respond.incident;
  const translations = { ...(ja ? { ja } : {}), ...(en ? { en } : {}) };
  const incident: IncidentInfo = { ...facts, measures: [...facts.measures], ...(ja || en ? { translations } : {}) };
  return buildReport(tally, {
    generatedAt,
    window,
    observed,
    identity: { kind: sessions ? 'user' : 'session', keyId: keyIdOf(opts.identity.key) },
    inputs,
    incident,
    categories,
    book,
  });
}
