/**
 * What the cloud rules (Cloudflare, CloudFront, Akamai; shared by the three rule folders) ask about
 * a personalized route: the route requested by every identified variant (session cookie, bearer
 * token), once per path, each evaluation with its verdict; the question most of them share ("is
 * this identified request looked up under a key other users read?"); the same exchange asked
 * again with another origin response (what the app should send, or no cache headers at all); and
 * a collector that reports each setting once per route, naming every credential it affects.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/cloudflare/).
 */
import { explain } from '../../../../semantics/index.ts';
import type { HttpResponseInfo, ProfileSpec, Reason, Verdict } from '../../../../semantics/types.ts';
import type { ConfigModelBase, Provenance, RouteEvaluation, SourceLocation } from '../../../types.ts';
import type { FindingInput, RequestVariant, RouteView, VerifyContext, VerifySettings } from '../../define.ts';

export type IdentifiedVariant = Exclude<RequestVariant, 'anonymous'>;

export interface CloudExchange<E extends RouteEvaluation = RouteEvaluation> {
  variant: IdentifiedVariant;
  view: RouteView;
  evaluation: E;
  verdict: Verdict;
}

/** The request variants that carry an identity under the settings (the engine's cookie and bearer requests). */
export function identifiedVariants(settings: VerifySettings): IdentifiedVariant[] {
  const out: IdentifiedVariant[] = [];
  if ((settings.identity.cookies ?? []).length > 0) out.push('cookie');
  if ((settings.identity.headers ?? []).some((h) => h.toLowerCase() === 'authorization')) out.push('authorization');
  return out;
}

/** `the session cookie sid` / `an Authorization header`, for messages. */
export function credentialName(variant: IdentifiedVariant, settings: VerifySettings): string {
  if (variant === 'authorization') return 'an Authorization header';
  const cookies = settings.identity.cookies ?? [];
  return cookies.length > 1 ? `a session cookie (${cookies.join(', ')})` : `the session cookie ${settings.sessionCookie}`;
}

const memo = new WeakMap<RouteView, CloudExchange[]>();

/**
 * The route asked with every identified variant, once per personalized path: the exchanges on the
 * engine's call for the first identified variant, undefined on its other calls (so a rule reports
 * each path once and can say which credentials are affected).
 */
export function identifiedExchanges<E extends RouteEvaluation>(route: RouteView, model: ConfigModelBase, ctx: Pick<VerifyContext, 'settings' | 'exchange'>): Array<CloudExchange<E>> | undefined {
  const variants = identifiedVariants(ctx.settings);
  if (route.variant !== variants[0]) return undefined;
  let out = memo.get(route);
  if (!out) {
    out = variants.flatMap((variant) => {
      const view = variant === route.variant ? route : ctx.exchange(model, route.path, variant);
      return view.evaluations.map((evaluation) => ({ variant, view, evaluation, verdict: view.verdict(evaluation) }));
    });
    memo.set(route, out);
  }
  return out as Array<CloudExchange<E>>;
}

/** The identified request reaches a cache, is looked up, and its key does not carry the identity. */
export function cachedForOthers(x: Pick<CloudExchange, 'evaluation' | 'verdict'>): boolean {
  return x.evaluation.caching && x.verdict.request.action.value === 'lookup' && !x.verdict.request.key.value.includesIdentity;
}

/** The semantics verdict for the same exchange with another origin response (and, optionally, options changed). */
export function ask(e: RouteEvaluation, response: HttpResponseInfo, settings: VerifySettings, options: object = {}): Verdict {
  const profile = { ...e.profile, options: { ...(e.profile.options ?? {}), ...options }, identity: settings.identity } as ProfileSpec;
  return explain(e.request, response, profile);
}

/** The response with some headers replaced (`undefined` removes one). */
export function withHeaders(r: HttpResponseInfo, headers: Readonly<Record<string, string | undefined>>): HttpResponseInfo {
  const out: Record<string, string | readonly string[] | undefined> = { ...r.headers };
  for (const [name, value] of Object.entries(headers)) {
    for (const k of Object.keys(out)) if (k.toLowerCase() === name.toLowerCase()) delete out[k];
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return { ...r, headers: out };
}

const CACHE_HEADERS = ['cache-control', 'expires', 'surrogate-control', 'cdn-cache-control', 'cloudflare-cdn-cache-control', 'edge-control', 'pragma'];

/** The response as an origin that forgot its cache headers sends it. */
export function withoutCacheHeaders(r: HttpResponseInfo): HttpResponseInfo {
  return withHeaders(r, Object.fromEntries(CACHE_HEADERS.map((h) => [h, undefined])));
}

/** What the app should send on a personal page. */
export const PRIVATE_NO_STORE = { 'cache-control': 'private, no-store' } as const;

/** `file:line:column`, to tell settings apart. */
export function locationKey(at: SourceLocation): string {
  return `${at.file}\u0000${at.line}\u0000${at.column}`;
}

/** Two locations are the same place. */
export function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}

/** `file.json:12`. */
export function shortWhere(at: SourceLocation): string {
  return `${at.file.split(/[\\/]/).pop()}:${at.line}`;
}

interface Pending<M extends string> {
  input: FindingInput<M>;
  credentials: string[];
  data: (credentials: string) => Record<string, string | number>;
}

/**
 * Findings of one route call, one per setting and message: the first exchange gives the details,
 * later ones add the credential they were found with. `flush` reports them.
 */
export class RouteFindings<M extends string> {
  private readonly byKey = new Map<string, Pending<M>>();
  private readonly ctx: Pick<VerifyContext<M>, 'report' | 'settings'>;
  constructor(ctx: Pick<VerifyContext<M>, 'report' | 'settings'>) {
    this.ctx = ctx;
  }

  add(messageId: M, at: SourceLocation, variant: IdentifiedVariant | undefined, details: () => { data: (credentials: string) => Record<string, string | number>; related?: readonly Provenance[]; reasons?: readonly Reason[]; route?: string }): void {
    const key = `${messageId}\u0000${locationKey(at)}`;
    let p = this.byKey.get(key);
    if (!p) {
      const d = details();
      const input: FindingInput<M> = { messageId, at };
      if (d.related) input.related = d.related;
      if (d.reasons) input.reasons = d.reasons;
      if (d.route) input.route = d.route;
      p = { input, credentials: [], data: d.data };
      this.byKey.set(key, p);
    }
    const name = variant === undefined ? undefined : credentialName(variant, this.ctx.settings);
    if (name !== undefined && !p.credentials.includes(name)) p.credentials.push(name);
  }

  flush(): void {
    for (const p of this.byKey.values()) this.ctx.report({ ...p.input, data: p.data(p.credentials.join(' or ')) });
    this.byKey.clear();
  }
}
