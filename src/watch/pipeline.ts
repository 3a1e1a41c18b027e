/**
 * The watch pipeline: sources → format adapters (identities hashed here) → detection engine →
 * incidents → alerts. Used live (follow) and on replay (`--once`, and later `scope`).
 *
 * Bad input is counted by reason and sampled into the dead-letter file (identity-like values
 * masked); it never stops the stream. A source whose first lines clearly are not the declared
 * format stops the run early with one clear line, instead of silently counting rejects.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { CwError } from '../core/errors.ts';
import { compileRoutes } from '../core/glob.ts';
import type { Alert, IncidentSnapshot } from '../core/incident.ts';
import { IncidentTracker } from '../core/incidents.ts';
import { IdentityHasher } from '../core/identity.ts';
import type { Severity } from '../core/severity.ts';
import { createAdapter, sniffFormat } from './adapters/index.ts';
import type { FieldMap, FormatAdapter, FormatId, RejectReason } from './adapters/types.ts';
import { docsUrl, type DetectionOptions, type DetectorDefinition } from './detectors/define.ts';
import { DETECTORS, detectorById } from './detectors/index.ts';
import { DetectionEngine } from './engine.ts';
import { maskExcerpt } from './mask.ts';
import { createSource } from './sources/index.ts';
import type { LineSource, SourceBatch, SourceSpec } from './sources/types.ts';

export interface WatchInput {
  spec: SourceSpec;
  format: FormatId | 'auto';
  fields?: FieldMap;
  /** cloudfront-realtime: the selected fields of the real-time log configuration. */
  columns?: readonly string[];
}

/** The resolved `watch:` config section (durations in ms). */
export interface WatchSettings {
  lateness: number;
  objectLife: number;
  joinTolerance: number;
  maxKeys: number;
  deadLetter?: string | undefined;
  drift: { window: number; threshold: number; minRequests: number };
  incidents: { quiet: number; backoff: readonly number[]; samples: number; listed: number };
  rules: Readonly<Partial<Record<string, 'off' | Severity>>>;
}

export interface WatchRunOptions {
  inputs: readonly WatchInput[];
  personalized: readonly string[];
  identity: { key?: string | undefined; cookies: readonly string[] };
  settings: WatchSettings;
  /** Read each input to its end and stop (replay) instead of following. */
  once: boolean;
  onAlert(alert: Alert): void;
  /** One-line notices (chosen formats, rules that cannot work with a format, ...). */
  onNotice?(line: string): void;
  /** Every `statusIntervalMs` while running. */
  onStatus?(status: WatchStatus): void;
  /** Default 1000. */
  statusIntervalMs?: number;
  signal?: AbortSignal;
  /** Wall clock (tests). */
  now?: () => number;
}

export interface SourceStatus {
  name: string;
  format: FormatId | 'auto';
  lines: number;
  events: number;
  rejected: number;
}

export interface WatchStatus {
  lines: number;
  events: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Lines per second over the last interval. */
  rate: number;
  /** Seconds between the newest event time and now (live). */
  lagSec: number | undefined;
  findings: number;
  incidentsOpen: number;
  deadLettered: number;
  sources: SourceStatus[];
  /** Detector counters (evicted keys, unattributed hits...). */
  counters: Record<string, number>;
}

export interface WatchResult {
  incidents: IncidentSnapshot[];
  status: WatchStatus;
}

/** The first lines of a source decide whether the declared format is plausible. */
const PROBE_LINES = 20;
const FORMAT_REJECTS: ReadonlySet<RejectReason> = new Set(['bad_json', 'wrong_format', 'bad_line', 'missing_field', 'binary']);
const DEAD_LETTER_MAX = 1000;
const DEAD_LETTER_PER_SECOND = 10;

interface InputState {
  input: WatchInput;
  source: LineSource;
  adapter: FormatAdapter | undefined;
  format: FormatId | 'auto';
  buffered: string[];
  probed: number;
  probeRejects: number;
  status: SourceStatus;
}

export function detectorsFor(settings: WatchSettings): DetectorDefinition[] {
  return DETECTORS.filter((d) => settings.rules[d.id] !== 'off');
}

export async function runWatch(opts: WatchRunOptions): Promise<WatchResult> {
  const now = opts.now ?? Date.now;
  const notice = opts.onNotice ?? (() => undefined);
  let detectors = detectorsFor(opts.settings);
  let key = opts.identity.key;
  if (!key) {
    key = randomBytes(32).toString('base64url');
    if (detectors.some((d) => d.id === 'watch/owner-mismatch')) {
      detectors = detectors.filter((d) => d.id !== 'watch/owner-mismatch');
      notice('no identity key (identity.key or CACHEWARDEN_IDENTITY_KEY): identities are hashed with a random per-run key, so owner tags cannot be compared and watch/owner-mismatch is off');
    }
  }
  const hasher = new IdentityHasher(key);
  const detection: DetectionOptions = {
    latenessMs: opts.settings.lateness,
    objectLifeMs: opts.settings.objectLife,
    joinToleranceMs: opts.settings.joinTolerance,
    drift: { windowMs: opts.settings.drift.window, threshold: opts.settings.drift.threshold, minRequests: opts.settings.drift.minRequests },
    maxKeys: opts.settings.maxKeys,
  };
  const severities: Record<string, Severity> = {};
  for (const [id, v] of Object.entries(opts.settings.rules)) if (v && v !== 'off') severities[id] = v;

  const engine: DetectionEngine = new DetectionEngine({
    personalized: compileRoutes(opts.personalized),
    detection,
    detectors,
    severities,
    mode: opts.once ? 'replay' : 'live',
    now,
    onFinding: (f) => incidents.add(f),
  });
  const incidents = new IncidentTracker({
    job: 'watch',
    policy: {
      quietMs: opts.settings.incidents.quiet,
      backoffMs: opts.settings.incidents.backoff,
      samples: opts.settings.incidents.samples,
      maxListed: opts.settings.incidents.listed,
    },
    emit: opts.onAlert,
    clock: () => engine.clock(),
    wall: now,
    measureDelay: !opts.once,
    describe: (rule) => {
      const d = detectorById(rule);
      return { title: d?.docs.title ?? rule, fix: d?.docs.fix ?? '', docs: docsUrl(rule) };
    },
  });

  const rejected: Partial<Record<RejectReason, number>> = {};
  let lines = 0;
  let deadLettered = 0;
  let deadLetterWindow = { second: 0, n: 0 };
  let newestEvent = -Infinity;
  let fatal: CwError | undefined;
  const abort = new AbortController();
  const stopAll = () => abort.abort();
  opts.signal?.addEventListener('abort', stopAll, { once: true });

  function deadLetter(st: InputState, line: string, reason: RejectReason): void {
    const path = opts.settings.deadLetter;
    if (!path || deadLettered >= DEAD_LETTER_MAX) return;
    const second = Math.floor(now() / 1000);
    if (second !== deadLetterWindow.second) deadLetterWindow = { second, n: 0 };
    if (deadLetterWindow.n >= DEAD_LETTER_PER_SECOND) return;
    deadLetterWindow.n++;
    deadLettered++;
    const rec = { at: new Date(now()).toISOString(), source: st.status.name, reason, length: line.length, excerpt: maskExcerpt(line) };
    try {
      appendFileSync(path, `${JSON.stringify(rec)}\n`);
    } catch (e) {
      fatal ??= new CwError('CW_INPUT_UNREADABLE', `dead-letter file ${path} cannot be written: ${(e as Error).message}`);
      stopAll();
    }
  }

  function chooseAdapter(st: InputState, sample: readonly string[]): void {
    let format = st.input.format;
    if (format === 'auto') {
      const sniffed = sniffFormat(sample);
      if (!sniffed) {
        fatal = new CwError('CW_INPUT_UNREADABLE', `${st.status.name}: cannot tell the log format from the first lines; pass --format (one of the formats in \`cachewarden watch --help\`)`);
        stopAll();
        return;
      }
      format = sniffed.format;
      notice(`${st.status.name}: format auto → ${format} (confidence ${sniffed.confidence.toFixed(2)})`);
    }
    st.format = format;
    st.status.format = format;
    st.adapter = createAdapter(format, {
      hasher,
      identityCookies: opts.identity.cookies,
      defaultEdge: st.status.name,
      ...(st.input.fields ? { fields: st.input.fields } : {}),
      ...(st.input.columns ? { columns: st.input.columns } : {}),
    });
    const silent = detectors.filter((d) => d.needs.some((f) => !st.adapter!.fills.has(f)));
    if (silent.length > 0) {
      const fields = [...new Set(silent.flatMap((d) => d.needs.filter((f) => !st.adapter!.fills.has(f))))];
      notice(`${st.status.name}: format ${format} fills no ${fields.join(', ')} here, so ${silent.map((d) => d.id).join(', ')} stay silent for this source (map a field with --field ${fields[0]}=<name> if the log has it)`);
    }
  }

  function parseLine(st: InputState, line: string): void {
    lines++;
    st.status.lines++;
    const r = st.adapter!.parse(line);
    if (st.probed < PROBE_LINES && !(r.ok === false && r.reason === 'empty')) {
      st.probed++;
      if (!r.ok && FORMAT_REJECTS.has(r.reason)) st.probeRejects++;
      if (st.probed === PROBE_LINES || (st.probed >= 5 && st.probeRejects === st.probed)) checkFormat(st);
    }
    if (r.ok) {
      st.status.events++;
      if (r.event.time > newestEvent) newestEvent = r.event.time;
      engine.push(r.event, st.status.name);
    } else if (r.reason !== 'empty') {
      st.status.rejected++;
      rejected[r.reason] = (rejected[r.reason] ?? 0) + 1;
      deadLetter(st, line, r.reason);
    }
  }

  const sampleLines: Map<InputState, string[]> = new Map();
  function checkFormat(st: InputState): void {
    if (st.probeRejects / st.probed < 0.8 || fatal) return;
    const sniffed = sniffFormat(sampleLines.get(st) ?? []);
    const hint = sniffed && sniffed.format !== st.format ? `; it looks like ${sniffed.format}: pass --format ${sniffed.format}` : '; check --format and --field';
    fatal = new CwError('CW_INPUT_UNREADABLE', `${st.status.name}: ${st.probeRejects} of the first ${st.probed} lines are not ${st.format}${hint}`);
    stopAll();
  }

  function onBatch(st: InputState, batch: SourceBatch): void {
    if (fatal) return;
    let todo = batch.lines;
    if (!st.adapter) {
      st.buffered.push(...todo.filter((l) => l.trim() !== ''));
      if (st.buffered.length < 5) return; // sniff from a handful of lines (the rest are parsed when the input ends)
      chooseAdapter(st, st.buffered);
      todo = st.buffered;
      st.buffered = [];
      if (!st.adapter) return;
    }
    const sample = sampleLines.get(st);
    if (sample && sample.length < PROBE_LINES) sample.push(...todo.slice(0, PROBE_LINES - sample.length));
    for (const line of todo) {
      parseLine(st, line);
      if (fatal) return;
    }
    engine.tick();
    incidents.tick();
  }

  const states: InputState[] = opts.inputs.map((input) => ({
    input,
    source: createSource({ ...input.spec, ...(opts.once ? { once: true } : {}) }),
    adapter: undefined,
    format: input.format,
    buffered: [],
    probed: 0,
    probeRejects: 0,
    status: { name: '', format: input.format, lines: 0, events: 0, rejected: 0 },
  }));
  for (const st of states) {
    st.status.name = st.source.name;
    sampleLines.set(st, []);
    if (st.input.format !== 'auto') chooseAdapter(st, []);
  }

  let lastLines = 0;
  let lastStatusAt = now();
  const status = (): WatchStatus => {
    const t = now();
    const rate = ((lines - lastLines) * 1000) / Math.max(1, t - lastStatusAt);
    lastLines = lines;
    lastStatusAt = t;
    return {
      lines,
      events: engine.events,
      rejected: { ...rejected },
      rate,
      lagSec: newestEvent === -Infinity || opts.once ? undefined : Math.max(0, (t - newestEvent) / 1000),
      findings: incidents.findings,
      incidentsOpen: incidents.openCount(),
      deadLettered,
      sources: states.map((s) => ({ ...s.status })),
      counters: engine.counters(),
    };
  };

  // Start every source; a source that cannot start is fatal (unreadable file, port in use).
  try {
    for (const st of states) await st.source.start((b) => onBatch(st, b));
  } catch (e) {
    await Promise.allSettled(states.map((s) => s.source.stop()));
    throw e;
  }

  const timers: NodeJS.Timeout[] = [];
  if (!opts.once) {
    timers.push(
      setInterval(() => {
        engine.tick();
        incidents.tick();
      }, 100),
    );
  }
  if (opts.onStatus) timers.push(setInterval(() => opts.onStatus!(status()), opts.statusIntervalMs ?? 1000));

  const finished = opts.once
    ? Promise.all(states.map((s) => s.source.done)).then(() => undefined)
    : new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([finished, new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }))]);

  for (const t of timers) clearInterval(t);
  await Promise.allSettled(states.map((s) => s.source.stop()));
  opts.signal?.removeEventListener('abort', stopAll);
  // Inputs that ended before five lines arrived still get parsed, and judged on what they had.
  for (const st of states) {
    if (!st.adapter && st.buffered.length > 0 && !fatal) {
      chooseAdapter(st, st.buffered);
      if (st.adapter) for (const line of st.buffered) parseLine(st, line);
    }
    if (!fatal && st.probed > 0 && st.probed < PROBE_LINES) checkFormat(st);
  }
  if (fatal) throw fatal;
  engine.tick(true);
  incidents.tick();
  incidents.flush();
  return { incidents: incidents.all(), status: status() };
}
