/**
 * Child-process bookkeeping for the lab engines: no orphans, ever.
 *
 * Every engine process is spawned as the leader of its own process group, so one signal to
 * the group reaches the master and all its workers (nginx), the manager and the cache child
 * (varnishd), or the log writer (varnishncsa). Four layers make sure nothing outlives us:
 *
 * 1. `stop()` on the engine: SIGTERM to each group, wait for exit, SIGKILL stragglers,
 *    remove the private temp dir.
 * 2. `exit` / `SIGINT` / `SIGTERM` / `SIGHUP` handlers: synchronous SIGKILL of every live group
 *    and removal of the temp dirs when this Node process ends without calling `stop()`.
 * 3. A watchdog (`sh` loop, own process group) per run: when this Node process dies even by
 *    SIGKILL, it kills the recorded groups and removes the temp dir within half a second.
 *    Set `CACHEWARDEN_LAB_NO_WATCHDOG=1` to disable it (the sweeper test does).
 * 4. A sweeper: each run is recorded in a state dir (`$CACHEWARDEN_LAB_STATE_DIR`, default
 *    `<tmpdir>/cachewarden-lab-state`); every engine start first sweeps records whose owner
 *    process is gone, killing what is left of them and removing their temp dirs.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, chmod } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function labStateDir(): string {
  return process.env.CACHEWARDEN_LAB_STATE_DIR ?? join(tmpdir(), 'cachewarden-lab-state');
}

/** Prefix of every lab temp dir (`<tmpdir>/cachewarden-lab-<engine>-XXXXXX`). */
export const LAB_TMP_PREFIX = 'cachewarden-lab-';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  comm: string;
  /** Command line, NUL separators replaced by spaces; '' for zombies and kernel threads. */
  cmdline: string;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  start: number;
}

export function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(open + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    } catch {
      // raced with exit
    }
    return {
      pid,
      state: rest[0] ?? '?',
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      comm,
      cmdline,
      start: Number(rest[19]),
    };
  } catch {
    return undefined;
  }
}

/** All processes visible in /proc (zombies included; filter on `state !== 'Z'`). */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): ProcInfo[] {
  return listProcesses().filter((p) => p.pgid === pgid && p.state !== 'Z');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function ownStartTime(): number {
  return readProc(process.pid)?.start ?? 0;
}

interface RunRecord {
  id: string;
  engine: string;
  ownerPid: number;
  ownerStart: number;
  tmpDir: string;
  groups: number[];
  watchdog?: number;
  startedAt: string;
}

export interface ManagedRun {
  readonly id: string;
  readonly engine: string;
  readonly tmpDir: string;
  /** Process group ids (= pids of the spawned leaders). */
  readonly groups: ReadonlySet<number>;
  /** Spawn a group leader that belongs to this run; stdout and stderr go to `outFile`. */
  spawn(command: string, args: readonly string[], outFile: string): ChildProcess;
  /** Stop every group (SIGTERM, then SIGKILL after `graceMs`) and remove the temp dir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Map<string, RunImpl>();
let handlersInstalled = false;

function recordPath(id: string): string {
  return join(labStateDir(), `${id}.json`);
}

function groupsPath(id: string): string {
  return join(labStateDir(), `${id}.groups`);
}

class RunImpl implements ManagedRun {
  readonly id: string;
  readonly engine: string;
  readonly tmpDir: string;
  readonly groups = new Set<number>();
  readonly children = new Map<number, ChildProcess>();
  watchdog: number | undefined;
  stopping: Promise<void> | undefined;
  readonly stateDir: string;

  constructor(id: string, engine: string, tmpDir: string) {
    this.id = id;
    this.engine = engine;
    this.tmpDir = tmpDir;
    this.stateDir = labStateDir();
  }

  writeRecord(): void {
    const rec: RunRecord = {
      id: this.id,
      engine: this.engine,
      ownerPid: process.pid,
      ownerStart: ownStartTime(),
      tmpDir: this.tmpDir,
      groups: [...this.groups],
      startedAt: new Date().toISOString(),
      ...(this.watchdog !== undefined ? { watchdog: this.watchdog } : {}),
    };
    mkdirSync(this.stateDir, { recursive: true });
    writeFileSync(join(this.stateDir, `${this.id}.json`), JSON.stringify(rec));
    writeFileSync(join(this.stateDir, `${this.id}.groups`), [...this.groups].join(' ') + '\n');
  }

  spawn(command: string, args: readonly string[], outFile: string): ChildProcess {
    const fd = openSync(outFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new Error(`could not start ${command}`);
    }
    // Do not keep the event loop alive for an engine: if the test forgets stop(), the exit
    // handler still kills it.
    child.unref();
    child.on('error', () => {});
    this.groups.add(child.pid);
    this.children.set(child.pid, child);
    this.writeRecord();
    return child;
  }

  startWatchdog(): void {
    if (process.env.CACHEWARDEN_LAB_NO_WATCHDOG === '1') return;
    const script = [
      'owner=$1; tmp=$2; groups=$3; rec=$4',
      // Wait while the owner lives (a zombie owner counts as dead: PID 1 may never reap it).
      'while :; do',
      '  st=$(cat /proc/"$owner"/stat 2>/dev/null) || break',
      '  st=${st##*) }',
      '  case "$st" in Z*|X*|"") break;; esac',
      '  sleep 0.5',
      'done',
      // dash's kill takes no `--`: `-KILL -<pgid>` signals the process group.
      'for g in $(cat "$groups" 2>/dev/null); do kill -KILL -"$g" 2>/dev/null; done',
      'rm -rf -- "$tmp"; rm -f -- "$groups" "$rec"',
    ].join('\n');
    const wd = spawn('/bin/sh', ['-c', script, 'cachewarden-lab-watchdog', String(process.pid), this.tmpDir, groupsPath(this.id), recordPath(this.id)], {
      detached: true,
      stdio: 'ignore',
    });
    wd.unref();
    wd.on('error', () => {});
    if (wd.pid !== undefined) {
      this.watchdog = wd.pid;
      this.writeRecord();
    }
  }

  killWatchdog(): void {
    if (this.watchdog !== undefined) signalGroup(this.watchdog, 'SIGKILL');
    this.watchdog = undefined;
  }

  /** Synchronous last-resort cleanup (exit handlers). */
  killNowSync(): void {
    this.killWatchdog();
    for (const g of this.groups) signalGroup(g, 'SIGKILL');
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && [...this.groups].some((g) => groupMembers(g).length > 0)) sleepSync(10);
    this.removeFiles();
  }

  removeFiles(): void {
    rmSync(this.tmpDir, { recursive: true, force: true });
    rmSync(join(this.stateDir, `${this.id}.json`), { force: true });
    rmSync(join(this.stateDir, `${this.id}.groups`), { force: true });
    live.delete(this.id);
  }

  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= this.doStop(graceMs);
    return this.stopping;
  }

  private async doStop(graceMs: number): Promise<void> {
    // A referenced timer keeps the event loop alive while we wait (children are unref'd).
    const keepAlive = setInterval(() => {}, 1000);
    try {
      this.killWatchdog();
      const exits = [...this.children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
          }),
      );
      for (const g of this.groups) signalGroup(g, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && [...this.groups].some((g) => groupMembers(g).length > 0)) await sleep(20);
      if ([...this.groups].some((g) => groupMembers(g).length > 0)) {
        for (const g of this.groups) signalGroup(g, 'SIGKILL');
        const hard = Date.now() + 2000;
        while (Date.now() < hard && [...this.groups].some((g) => groupMembers(g).length > 0)) await sleep(20);
      }
      await Promise.race([Promise.all(exits), sleep(2000)]);
    } finally {
      clearInterval(keepAlive);
      this.removeFiles();
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const run of [...live.values()]) run.killNowSync();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      for (const run of [...live.values()]) run.killNowSync();
      process.removeListener(sig, handler);
      // Nobody else handles it: restore the default action (terminate with the signal).
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** Create a managed run with a private temp dir (mode 0755 so nginx workers, user nobody, can enter it). */
export async function createRun(engine: string): Promise<ManagedRun & { startWatchdog(): void }> {
  sweepLabLeftovers();
  installHandlers();
  const tmpDir = await mkdtemp(join(tmpdir(), `${LAB_TMP_PREFIX}${engine}-`));
  await chmod(tmpDir, 0o755);
  const id = `${engine}-${process.pid}-${tmpDir.slice(-6)}`;
  const run = new RunImpl(id, engine, tmpDir);
  live.set(id, run);
  run.writeRecord();
  return run;
}

export interface SweepReport {
  /** Records whose owner was gone. */
  swept: string[];
  /** Processes killed. */
  killed: number[];
  /** Temp dirs removed. */
  removed: string[];
}

/**
 * Kill what is left of lab runs whose owner process has died (crashed test, SIGKILL) and
 * remove their temp dirs. Runs owned by live processes (e.g. a parallel test file) are left alone.
 */
export function sweepLabLeftovers(opts: { stateDir?: string } = {}): SweepReport {
  const dir = opts.stateDir ?? labStateDir();
  const report: SweepReport = { swept: [], killed: [], removed: [] };
  if (!existsSync(dir)) return report;
  let procs: ProcInfo[] | undefined;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    let rec: RunRecord;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    } catch {
      continue; // being written right now, or garbage: leave it
    }
    const owner = readProc(rec.ownerPid);
    const ownerAlive = owner !== undefined && owner.state !== 'Z' && (rec.ownerStart === 0 || owner.start === rec.ownerStart);
    if (ownerAlive) continue;
    procs ??= listProcesses();
    const groups = new Set([...rec.groups, ...(rec.watchdog !== undefined ? [rec.watchdog] : [])]);
    for (const p of procs) {
      if (groups.has(p.pgid) && p.state !== 'Z') {
        try {
          process.kill(p.pid, 'SIGKILL');
          report.killed.push(p.pid);
        } catch {
          // gone
        }
      }
    }
    if (rec.tmpDir && rec.tmpDir.includes(LAB_TMP_PREFIX) && existsSync(rec.tmpDir)) {
      rmSync(rec.tmpDir, { recursive: true, force: true });
      report.removed.push(rec.tmpDir);
    }
    rmSync(file, { force: true });
    rmSync(join(dir, `${rec.id}.groups`), { force: true });
    report.swept.push(rec.id);
  }
  return report;
}

// ---- ports -------------------------------------------------------------------------

export function assertLoopback(address: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) {
    throw new RangeError(`lab engines listen on loopback addresses (127.0.0.0/8) only, got ${address}`);
  }
}

/** A port that was free a moment ago on `address`. */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Wait until `address:port` accepts connections, or `child` exits, or the timeout passes. */
export async function waitForPort(
  address: string,
  port: number,
  child: ChildProcess,
  timeoutMs = 15_000,
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return 'exited';
    if (await tryConnect(address, port)) {
      // The port may belong to someone else if our child died meanwhile.
      return child.exitCode !== null || child.signalCode !== null ? 'exited' : 'ready';
    }
    await sleep(25);
  }
  return 'timeout';
}

export function readTail(file: string, max = 8000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > max ? text.slice(-max) : text;
  } catch {
    return '';
  }
}

/** Count complete lines in a log file that are not lab probes. */
export function countTrafficLines(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let n = 0;
  for (const line of text.split('\n').slice(0, -1)) {
    if (line !== '' && !line.includes('"uri":"/__lab/')) n++;
  }
  return n;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}

/**
 * Wait until the log holds `minLines` traffic lines (if given) and then has not grown for
 * `quietMs`. Throws after `timeoutMs`.
 */
export async function waitForLog(file: string, opts: { minLines?: number; timeoutMs?: number; quietMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const quiet = opts.quietMs ?? 40;
  if (opts.minLines !== undefined) {
    while (countTrafficLines(file) < opts.minLines) {
      if (Date.now() > deadline) {
        throw new Error(`access log ${file} has ${countTrafficLines(file)} lines, expected at least ${opts.minLines}`);
      }
      await sleep(10);
    }
  }
  let size = fileSize(file);
  let stableSince = Date.now();
  while (Date.now() - stableSince < quiet) {
    if (Date.now() > deadline) throw new Error(`access log ${file} kept growing`);
    await sleep(10);
    const now = fileSize(file);
    if (now !== size) {
      size = now;
      stableSince = Date.now();
    }
  }
}
