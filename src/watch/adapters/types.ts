/**
 * The format-adapter contract: a pure `parse(line) → event | reject`, no I/O, no clock. The
 * reader owns files and sockets; the pipeline counts rejects by reason and keeps samples in the
 * dead-letter file. Raw identities (session cookies, tokens, user ids) are hashed inside the
 * adapter with the `IdentityHasher` it was given: no event field can hold a raw value.
 */
import type { CacheEvent } from '../../core/event.ts';
import type { IdentityHasher } from '../../core/identity.ts';

/** `--format` ids. `auto` is resolved by sniffing (see `sniffFormat`). */
export const FORMAT_IDS = ['nginx-json', 'varnishncsa', 'fastly-json', 'cloudflare', 'cloudfront', 'cloudfront-realtime', 'akamai-ds2'] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/**
 * Canonical field names. `--field <canonical>=<source field>` (and `fields:` in the config) map a
 * canonical name onto the name a log actually uses; for JSON formats the source name may be a dot
 * path into nested objects (`fastly.state`).
 */
export const CANONICAL_FIELDS = [
  'time',
  'host',
  'uri',
  'method',
  'status',
  'cache',
  'edge',
  'identity',
  'owner',
  'setCookie',
  'cacheControl',
  'age',
  'duration',
  'requestId',
  'key',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];
export type FieldMap = Partial<Record<CanonicalField, string>>;

/** Why a line was set aside. A small fixed set, so counters stay bounded. */
export const REJECT_REASONS = ['empty', 'bad_json', 'bad_line', 'missing_field', 'bad_time', 'bad_status', 'too_long', 'binary', 'wrong_format'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ParseResult = { ok: true; event: CacheEvent } | { ok: false; reason: RejectReason; detail?: string };

export interface AdapterOptions {
  /** Hashes identity, owner and Set-Cookie identity values at the moment they are read. */
  hasher: IdentityHasher;
  /** Canonical → source field overrides, merged over the format's defaults. */
  fields?: FieldMap;
  /** Cookie names that carry the session identity (when a field holds a whole Cookie header). Default `['sid', 'session', 'sessionid']`. */
  identityCookies?: readonly string[];
  /** Lines longer than this are rejected as `too_long` without being parsed. Default 65536. */
  maxLineLength?: number;
  /** Edge id for formats whose lines do not name one. */
  defaultEdge?: string;
}

export interface FormatAdapter {
  readonly id: FormatId;
  /** The canonical fields this adapter can fill, given its field map (a detector that needs another is a config error). */
  readonly fills: ReadonlySet<CanonicalField>;
  /** Parse one line (without its newline). Never throws. */
  parse(line: string): ParseResult;
}

export interface AdapterDefinition {
  id: FormatId;
  title: string;
  /** One paragraph: what produces this format and how to configure it (details in docs/log-recipes.md). */
  description: string;
  /** JSON-based formats take dot-path field overrides. */
  json: boolean;
  /** Canonical → source field names for this format's documented/default shape. */
  defaultFields: FieldMap;
  /** How confident (0..1) that these sample lines are in this format. */
  sniff(lines: readonly string[]): number;
  create(opts: AdapterOptions): FormatAdapter;
}
