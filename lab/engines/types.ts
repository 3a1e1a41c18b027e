import type { LabLogRecord, LogFormat } from './logs.ts';

export const ENGINES = ['nginx', 'varnish'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface EngineStartOptions {
  /** Base URL of the origin the engine proxies to, e.g. `origin.url`. Loopback only. */
  origin: string;
  /** Scenario id: uses `lab/scenarios/<engine>/<id>.conf|.vcl`. */
  scenario?: string;
  /** Or an explicit template file (same placeholders); its includes resolve to the lab's shared files. */
  configFile?: string;
  /** Loopback listen address (127.0.0.0/8). Default `127.0.0.1`. */
  address?: string;
  /** Listen port. Default: a free port (retried if another process grabs it first). */
  port?: number;
  /** Edge id, sent as `X-Served-By` and logged as `edge`. Default `<engine>-<address>-<port>`. */
  edge?: string;
  /** Access log path. Default `<tmpDir>/access.log` (removed by `stop()`: copy it first if needed). */
  accessLog?: string;
  /** Extra template placeholders (`{{NAME}}`). */
  vars?: Record<string, string>;
  /** Milliseconds to wait for the engine to accept connections. Default 15000. */
  startTimeoutMs?: number;
}

export interface EngineInstance {
  readonly engine: EngineName;
  readonly scenario: string | undefined;
  /** `http://<address>:<port>` */
  readonly url: string;
  readonly address: string;
  readonly port: number;
  readonly edge: string;
  readonly accessLog: string;
  readonly logFormat: LogFormat;
  /** Main engine process (nginx master / varnishd manager). */
  readonly pid: number;
  /** Every process group leader of this run (nginx; varnishd and varnishncsa). */
  readonly pids: readonly number[];
  /** The run's private temp dir (rendered config, cache, pid file, error log). */
  readonly tmpDir: string;
  /** The rendered configuration file the engine runs. */
  readonly configPath: string;
  /**
   * Wait until the requests answered so far are in the access log. nginx writes a line a
   * moment after the client has the response; varnishncsa lags a little more. With
   * `minLines`, first wait until the log holds at least that many traffic (non-probe) lines.
   */
  syncLog(opts?: SyncLogOptions): Promise<void>;
  /** Parse the access log (probe lines dropped). */
  readLog(): LabLogRecord[];
  /** The engine's own error/diagnostic output so far. */
  errorOutput(): string;
  /** Kill the whole process tree, wait for it, remove the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface SyncLogOptions {
  /** Wait until at least this many non-probe lines are in the log. */
  minLines?: number;
  /** Give up (throw) after this long. Default 10000 ms. */
  timeoutMs?: number;
}

export class EngineConfigError extends Error {
  readonly engine: EngineName;
  readonly engineMessage: string;
  constructor(engine: EngineName, configPath: string, engineMessage: string) {
    super(`${engine} rejected the configuration ${configPath}:\n${engineMessage.trim()}`);
    this.name = 'EngineConfigError';
    this.engine = engine;
    this.engineMessage = engineMessage;
  }
}

export class EngineStartError extends Error {
  readonly engine: EngineName;
  constructor(engine: EngineName, message: string) {
    super(`${engine} did not start: ${message}`);
    this.name = 'EngineStartError';
    this.engine = engine;
  }
}
