/**
 * The line-source contract: where log lines come from (a followed file, stdin, an HTTP receiver for
 * push delivery, syslog over UDP/TCP). A source only moves lines; the format adapter parses them.
 * Several sources run at once; each delivers batches tagged with its name.
 */
export const SOURCE_KINDS = ['file', 'stdin', 'http', 'syslog-udp', 'syslog-tcp'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceSpec {
  /**
   * Where from: a file path, `-` (stdin), `http://host:port[/path]` (receiver), `syslog+udp://host:port`,
   * `syslog+tcp://host:port`. Listening addresses are the local interface to bind.
   */
  input: string;
  /** A name for counters and evidence (default: derived from input). */
  name?: string;
  /** Files: where to start, `end` (default when following) or `beginning` (default with `once`). */
  start?: 'beginning' | 'end';
  /** Read to the end of the input and finish (replay), instead of following. Files and stdin only. */
  once?: boolean;
  /** HTTP receiver: a shared secret, accepted as `Authorization: Bearer <secret>` or as an HMAC-SHA256 body signature. */
  secret?: string;
  /** Lines longer than this are cut off and flagged (bounded memory). Default 1 MiB. */
  maxLineBytes?: number;
}

export interface SourceBatch {
  source: string;
  lines: string[];
  /** When the batch arrived, ms since the epoch (for lag). */
  receivedAt: number;
}

export interface SourceStats {
  lines: number;
  bytes: number;
  batches: number;
  /** File: rotations and truncations followed. */
  rotations: number;
  truncations: number;
  /** Lines longer than maxLineBytes (delivered cut, counted here). */
  oversized: number;
  /** HTTP: requests refused for a bad secret or signature; syslog: frames that could not be parsed. */
  rejected: number;
  /** Any other receive errors (counted, never fatal). */
  errors: number;
}

export interface LineSource {
  readonly name: string;
  readonly kind: SourceKind;
  /** For listeners: the bound address (`http://127.0.0.1:41234`), known after start. */
  readonly address: string | undefined;
  /** Starts delivering; resolves once the source is ready (file opened, socket bound). Throws a CwError (CW_INPUT_UNREADABLE) when it cannot. */
  start(onBatch: (batch: SourceBatch) => void): Promise<void>;
  /** Resolves when a finite source (`once`, stdin) has delivered everything. Never resolves for followers/listeners until stop(). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  stats(): Readonly<SourceStats>;
}
