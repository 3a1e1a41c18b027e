/**
 * The contract of `cachewarden verify`: readers turn a cache or CDN configuration (nginx, VCL,
 * Cloudflare, CloudFront, Akamai, from files or from a provider API snapshot) into a model that
 * answers one question per exchange: "what does this cache do to this request on this route, and
 * which lines of the configuration make it so?". Rules (src/verify/rules/) ask the model and the
 * semantics core (src/semantics/) and report findings with file:line.
 *
 * Types only, plus the parse error class every reader throws.
 */
import type { HttpRequestInfo, HttpResponseInfo, ProfileSpec } from '../semantics/types.ts';

/** What kind of configuration a reader understands. */
export const CONFIG_KINDS = ['nginx', 'varnish', 'fastly', 'cloudflare', 'cloudfront', 'akamai'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

/**
 * What verify can check: a configuration kind, or `origin`, the origin's declared response headers
 * (`origin.headers` in cachewarden.yaml) judged under the top-level `profile:`, with no file at all.
 */
export type TargetKind = ConfigKind | 'origin';

/** A place in a configuration. `file` is as the user named it (relative paths stay relative). */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Last line of the construct (a block's closing brace), when known. */
  endLine?: number;
}

/**
 * An unreadable or unparseable configuration: `file:line:column: message (expected …)`.
 * Readers throw it; the CLI turns it into exit code 2 with one line (CW_VERIFY_PARSE).
 * For JSON inputs, `line`/`column` point at the offending value where the reader can tell, else 1:1.
 */
export class ConfigParseError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** What the parser expected there, in words (`";" or "{"`, `a quoted string`), when known. */
  readonly expected: string | undefined;
  constructor(at: SourceLocation, message: string, expected?: string) {
    super(`${at.file}:${at.line}:${at.column}: ${message}${expected ? ` (expected ${expected})` : ''}`);
    this.name = 'ConfigParseError';
    this.file = at.file;
    this.line = at.line;
    this.column = at.column;
    this.expected = expected;
  }
}

/** A configuration line that made an evaluation come out the way it did. */
export interface Provenance {
  /**
   * The profile option (dot path into the profile's options, e.g. `ignoreHeaders`, `valid`,
   * `backendResponse.skipBuiltin`, `recv`, `policy`) or a response change (`response.cache-control`)
   * this line set.
   */
  option: string;
  at: SourceLocation;
  /** The directive or statement as written, on one line, trimmed (`proxy_ignore_headers Cache-Control Expires;`). */
  text: string;
}

/** A condition the reader could not decide statically, and which branch this evaluation assumed. */
export interface Assumption {
  at: SourceLocation;
  /** `if ($http_x_debug) taken`, `req.http.X-Forwarded-Proto ~ "https" not taken`. */
  text: string;
}

/**
 * What the configuration does to one exchange (one request on one route with one origin response).
 * The semantics core turns `profile` + `request` + `response` into the store/collapse/share answer.
 */
export interface RouteEvaluation {
  kind: TargetKind;
  /**
   * The block that handled the request, e.g. `location ~ ^/(mypage|orders) (server shop.example.test)`,
   * `vcl_recv → return (hash)`, `cache behaviour /account/*`, `cache rule "html"`, `rule "Dynamic"`.
   */
  handler: { label: string; at: SourceLocation };
  /** The engine profile with options mapped from the configuration for this exchange. */
  profile: ProfileSpec;
  /** The request as the cache decides on it (after request changes the configuration makes: a removed Cookie...). */
  request: HttpRequestInfo;
  /** The origin response as the cache decides on it (after header changes the configuration makes first). */
  response: HttpResponseInfo;
  /** Lines that set the options or changed the exchange, in configuration order. */
  provenance: readonly Provenance[];
  /** Undecidable conditions and the branch taken. Empty when the evaluation is exact. */
  assumptions: readonly Assumption[];
  /** False when the request never reaches a cache in this configuration (no cache on this route at all). */
  caching: boolean;
}

/** Every reader's model has this much; each kind adds its own tree for structural rules. */
export interface ConfigModelBase<K extends TargetKind = TargetKind> {
  kind: K;
  /** A short name for output: the main file, or `fastly service <id> v12`. */
  name: string;
  /** Every file read (includes resolved), in reading order. */
  files: readonly string[];
  /**
   * Evaluate one exchange. Where a condition cannot be decided, the reader follows each branch and
   * returns one evaluation per distinct outcome (at most a handful; the rule takes the worst).
   * Never empty.
   */
  evaluate(request: HttpRequestInfo, response: HttpResponseInfo): RouteEvaluation[];
}
