/**
 * The verify rule contract (the rule-module pattern shared with watch detectors and probe
 * techniques): one file per rule with a stable id `verify/<target>/<problem>`, a severity, the
 * configuration kinds it reads, docs with fix advice, message templates, bad and good examples (run
 * by the test suite and rendered into docs/rules/), and `create(ctx)` returning handlers.
 *
 * Two handler kinds:
 * - `config(model)`: once per loaded configuration, for structural checks on the engine's own tree
 *   (a directive that is wrong wherever it appears);
 * - `route(route)`: once per personalized route × request variant, with what the configuration does
 *   to that exchange and the semantics core's verdict on it.
 * The engine, not the rule, stamps findings with id, severity (after config overrides) and docs.
 */
import type { RouteMatcher } from '../../core/glob.ts';
import type { Severity } from '../../core/severity.ts';
import type { HttpRequestInfo, HttpResponseInfo, IdentityHints, ProfileSpec, Reason, Verdict } from '../../semantics/types.ts';
import type { ConfigModelBase, Provenance, RouteEvaluation, SourceLocation, TargetKind } from '../types.ts';

/** How a route is requested: with the session cookie, with a bearer token, or by nobody in particular. */
export const REQUEST_VARIANTS = ['cookie', 'authorization', 'anonymous'] as const;
export type RequestVariant = (typeof REQUEST_VARIANTS)[number];

/** What the engine knows about the site, from cachewarden.yaml (or a rule example). */
export interface VerifySettings {
  /** The `personalized:` globs. */
  personalized: readonly string[];
  matcher: RouteMatcher;
  /** How requesters are identified (identity.cookies / identity.headers). */
  identity: IdentityHints;
  /** Session cookie name the engine sends in `cookie` variants (the first identity cookie, else `sid`). */
  sessionCookie: string;
  /** Host the requests carry (verify.host, else probe.target's host, else none). */
  host: string | undefined;
  /** The CDN or cache in front of the origin (top-level `profile:`), for origin-side checks. */
  profile: ProfileSpec;
  /** Public pages (shared by design) to ask about, e.g. for a cached Set-Cookie (`probe.publicPaths`, default `/`). */
  publicPaths: readonly string[];
  /** Declared origin response headers per route glob (`origin.headers`), in declaration order. */
  originHeaders: ReadonlyArray<{ glob: string; headers: Readonly<Record<string, string>>; at?: SourceLocation }>;
}

/** One personalized route × variant, as a `route` handler sees it. */
export interface RouteView {
  /** The sample path requested (`/mypage`), derived from `glob`. */
  path: string;
  glob: string;
  variant: RequestVariant;
  request: HttpRequestInfo;
  /** The origin response: the declared headers for this route, else the worst realistic origin (no cache headers). */
  response: HttpResponseInfo;
  /** True when `response` comes from `origin.headers`; false when it is the no-cache-headers assumption. */
  declared: boolean;
  /** Where the declaration is, when declared and known. */
  declaredAt: SourceLocation | undefined;
  /** What the configuration does, one entry per undecidable branch (never empty). */
  evaluations: readonly RouteEvaluation[];
  /** The semantics verdict for an evaluation (memoized; identity hints filled in). */
  verdict(e: RouteEvaluation): Verdict;
  /** The evaluation whose verdict shares the most (`yes` over `collapsing-only` over `no`), with its verdict. */
  worst(): { evaluation: RouteEvaluation; verdict: Verdict };
  /** Evaluate another URL on the same configuration with this variant's credentials (e.g. deception variants). */
  evaluateUrl(url: string): RouteView;
}

export interface FindingInput<M extends string = string> {
  messageId: M;
  /** A severity for this finding other than the rule's (e.g. worse on Varnish 8); config overrides still win. */
  severity?: Severity;
  data?: Record<string, string | number>;
  /** Where the problem is (the directive or statement to change). */
  at: SourceLocation;
  /** Other lines that take part (the settings that together make the problem), shown under the finding. */
  related?: readonly Provenance[];
  /** The personalized route this was found on, when route-based. */
  route?: string;
  /** The semantics reasons behind the verdict (RFC section or vendor rule), most decisive first. */
  reasons?: readonly Reason[];
}

export interface ExchangeOptions {
  /** Extra origin response headers for this exchange (e.g. a `Set-Cookie`), added to the declared or assumed ones. */
  responseHeaders?: Readonly<Record<string, string>>;
}

export interface VerifyContext<M extends string = string> {
  readonly settings: VerifySettings;
  report(finding: FindingInput<M>): void;
  /** Ask a configuration about any URL (public pages, variants), as a route handler would see it. */
  exchange(model: ConfigModelBase, url: string, variant: RequestVariant, opts?: ExchangeOptions): RouteView;
}

export interface VerifyHandlers {
  /** Once per loaded configuration (any model; check `model.kind`). */
  config?(model: ConfigModelBase): void;
  /** Once per personalized route × request variant of a configuration the rule applies to. */
  route?(route: RouteView, model: ConfigModelBase): void;
}

/** A rule example: a small configuration (first file is the main one) and the site settings. */
export interface VerifyExample {
  name: string;
  kind: TargetKind;
  /** File name → content. For `origin` examples, leave empty and give `origin`. */
  files: Readonly<Record<string, string>>;
  /** `personalized:` globs (default `['/account*']`). */
  personalized?: readonly string[];
  /** `origin.headers` (default: none declared). */
  origin?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Top-level `profile:` (default `rfc9111`). */
  profile?: ProfileSpec;
  /** Varnish major version for `.vcl` examples (default 7). */
  varnishVersion?: 7 | 8;
  /** For bad examples: the message ids expected, with the 1-based line in the main file, in report order. */
  expect?: ReadonlyArray<{ messageId: string; line: number }>;
}

export interface VerifyRuleDefinition<M extends string = string> {
  /** `verify/<target>/<problem>`; permanent, never reused. */
  id: `verify/${string}`;
  severity: Severity;
  /** The configurations it reads. */
  kinds: readonly TargetKind[];
  /** The research catalogue entry it implements (`CW-NX-01`), when there is one. */
  catalogue?: string;
  docs: {
    title: string;
    /** What it catches and why it matters. */
    description: string;
    fix: string;
    references: readonly string[];
  };
  /** Message templates with `{placeholders}`. */
  messages: Record<M, string>;
  examples: { bad: readonly VerifyExample[]; good: readonly VerifyExample[] };
  create(ctx: VerifyContext<M>): VerifyHandlers;
}

/** Identity function that keeps the message-id type of each rule. */
export function defineVerifyRule<M extends string>(r: VerifyRuleDefinition<M>): VerifyRuleDefinition<M> {
  return r;
}

/** Source of a provenance entry as `file:line`. */
export function where(at: SourceLocation): string {
  return `${at.file}:${at.line}`;
}

/** The provenance entries of an evaluation for some options (prefix match: `backendResponse` covers `backendResponse.ttl`). */
export function provenanceFor(e: RouteEvaluation, ...options: string[]): Provenance[] {
  return e.provenance.filter((p) => options.some((o) => p.option === o || p.option.startsWith(`${o}.`)));
}

/** `proxy_ignore_headers (S1.conf:52), proxy_cache_valid (S1.conf:53)`: the first word of each setting with its place. */
export function settingLines(provenance: readonly Provenance[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of provenance) {
    const text = p.text.trim().replace(/;$/, '');
    const head = text.length <= 40 ? text : text.split(/[\s(;:=]/)[0] || text;
    const item = `${head} (${p.at.file.split('/').pop()}:${p.at.line})`;
    if (seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out.join(', ');
}

/** Whether the request, as the cache forwards it, still carries the variant's credential (the origin can personalize). */
export function carriesCredential(request: HttpRequestInfo, variant: RequestVariant, settings: VerifySettings): boolean {
  const get = (name: string): string | undefined => {
    for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === name && v !== undefined) return Array.isArray(v) ? v.join('; ') : String(v);
    return undefined;
  };
  if (variant === 'cookie') return (get('cookie') ?? '').split(';').some((c) => c.trim().startsWith(`${settings.sessionCookie}=`));
  if (variant === 'authorization') return (get('authorization') ?? '') !== '';
  return false;
}
