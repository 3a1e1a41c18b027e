/**
 * What the VCL rules (Varnish and Fastly) ask a configuration, beyond the route views the engine
 * hands them: the same exchange with a synthetic origin response a shared cache must not keep
 * (Set-Cookie, private, no-store, the 2017 header pair, …), so a rule sees what the VCL does with
 * such a response even where the origin's declared headers happen to be safe today. Views are
 * memoized per run, so the rules share the evaluations. Plus the questions the rules ask of a
 * verdict ("stored under a key other users read?") and of an evaluation ("does the credential
 * still reach the backend?").
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/varnish/).
 */
import type { IdentityHints, Verdict } from '../../../../semantics/types.ts';
import { personalizedRoutes } from '../../../routes.ts';
import type { ConfigModelBase, RouteEvaluation } from '../../../types.ts';
import type { VclModel } from '../../../vcl/index.ts';
import { REQUEST_VARIANTS, type RequestVariant, type RouteView, type VerifyContext, type VerifySettings } from '../../define.ts';
import { reachable, removes } from './vcl.ts';

/** A past Expires, as the 2017 origin sent it. */
export const PAST_EXPIRES = 'Thu, 01 Jan 1970 00:00:01 GMT';

/** Synthetic origin responses, by what they carry (`label` is how messages name them). */
export const PROBES = {
  setCookie: {
    label: 'Set-Cookie',
    headers: (s: VerifySettings): Record<string, string> => ({ 'set-cookie': `${s.sessionCookie}=cw-verify-set-cookie; Path=/; HttpOnly`, 'cache-control': 'public, max-age=60' }),
  },
  private: { label: 'Cache-Control: private', headers: (): Record<string, string> => ({ 'cache-control': 'private, max-age=60' }) },
  noStore: { label: 'no-store', headers: (): Record<string, string> => ({ 'cache-control': 'no-store' }) },
  incident2017: {
    label: 'no-cache and a past Expires',
    headers: (): Record<string, string> => ({ 'cache-control': 'no-cache', expires: PAST_EXPIRES }),
  },
  noCache: { label: 'a bare no-cache', headers: (): Record<string, string> => ({ 'cache-control': 'no-cache' }) },
  maxAge0: { label: 'max-age=0', headers: (): Record<string, string> => ({ 'cache-control': 'max-age=0' }) },
  varyCookie: { label: 'Vary: Cookie', headers: (): Record<string, string> => ({ vary: 'Accept-Encoding, Cookie', 'cache-control': 'public, max-age=60' }) },
  varyAuthorization: {
    label: 'Vary: Authorization',
    headers: (): Record<string, string> => ({ vary: 'Accept-Encoding, Authorization', 'cache-control': 'public, max-age=60' }),
  },
} as const;
export type ProbeId = keyof typeof PROBES;

type Asker = Pick<VerifyContext, 'exchange' | 'settings'>;

/**
 * Views shared by every VCL rule of a run, per settings and model. A run is told apart by its
 * clock (the origin response's receivedAt, which the engine sets to the run's `now`), so a model
 * verified again later is asked again.
 */
const memo = new WeakMap<VerifySettings, WeakMap<ConfigModelBase, { now: number; views: Map<string, RouteView> }>>();
/** The run's `now`, per rule context (each rule gets its own `exchange` in each run). */
const clocks = new WeakMap<Asker['exchange'], number>();

const keyOf = (url: string, variant: RequestVariant, probe: ProbeId | undefined): string => `${url}\u0000${variant}\u0000${probe ?? ''}`;

function viewsFor(ctx: Asker, model: ConfigModelBase): Map<string, RouteView> {
  let now = clocks.get(ctx.exchange);
  let clock: RouteView | undefined;
  if (now === undefined) {
    clock = ctx.exchange(model, '/', 'anonymous');
    now = clock.response.receivedAt ?? 0;
    clocks.set(ctx.exchange, now);
  }
  let byModel = memo.get(ctx.settings);
  if (!byModel) memo.set(ctx.settings, (byModel = new WeakMap()));
  let entry = byModel.get(model);
  if (!entry || entry.now !== now) byModel.set(model, (entry = { now, views: new Map() }));
  const clockKey = keyOf('/', 'anonymous', undefined);
  if (clock && !entry.views.has(clockKey)) entry.views.set(clockKey, clock);
  return entry.views;
}

/** The exchange for `url` with `variant`, the origin's declared (or assumed) headers plus the probe's. */
export function ask(ctx: Asker, model: ConfigModelBase, url: string, variant: RequestVariant, probe?: ProbeId): RouteView {
  const views = viewsFor(ctx, model);
  const key = keyOf(url, variant, probe);
  let view = views.get(key);
  if (!view) {
    view = probe ? ctx.exchange(model, url, variant, { responseHeaders: PROBES[probe].headers(ctx.settings) }) : ctx.exchange(model, url, variant);
    views.set(key, view);
  }
  return view;
}

/** The requests the unscoped rules look at: every personalized path and public page, with every variant. */
export function targets(settings: VerifySettings): Array<{ url: string; variant: RequestVariant }> {
  const urls = [...new Set([...personalizedRoutes(settings.personalized).map((r) => r.path), ...settings.publicPaths])];
  return urls.flatMap((url) => REQUEST_VARIANTS.map((variant) => ({ url, variant })));
}

/** The variants that carry an identity under the settings. */
export function identifiedVariants(settings: VerifySettings): Array<Exclude<RequestVariant, 'anonymous'>> {
  const out: Array<Exclude<RequestVariant, 'anonymous'>> = [];
  if ((settings.identity.cookies ?? ['sid']).length > 0) out.push('cookie');
  if ((settings.identity.headers ?? ['authorization']).some((h) => h.toLowerCase() === 'authorization')) out.push('authorization');
  return out;
}

/** `the session cookie sid` / `an Authorization header`, for messages. */
export function credentialName(variant: RequestVariant, settings: VerifySettings): string {
  if (variant === 'authorization') return 'an Authorization header';
  if (variant === 'anonymous') return 'no credentials';
  const cookies = settings.identity.cookies ?? [];
  return cookies.length > 1 ? `a session cookie (${cookies.join(', ')})` : `the session cookie ${settings.sessionCookie}`;
}

/** `/mypage`, `/mypage, /orders` or `/mypage, /orders and 3 more`. */
export function urlList(urls: readonly string[]): string {
  const shown = urls.slice(0, 2).join(', ');
  return urls.length > 2 ? `${shown} and ${urls.length - 2} more` : shown;
}

/** `Set-Cookie` / `Set-Cookie or Cache-Control: private`. */
export function probeList(probes: Iterable<ProbeId>): string {
  const labels = [...new Set([...probes].map((p) => PROBES[p].label))];
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
}

function identityHeaders(identity: IdentityHints): string[] {
  return ['cookie', ...(identity.headers ?? ['authorization'])].map((h) => h.toLowerCase());
}

/**
 * The response is stored as a real object under a key other users look up: the request was looked
 * up, the key has no identity, and no Vary on an identity header (or `*`) keeps requesters apart.
 * Whatever its TTL: a TTL-0 object is still handed to collapsed requests or served stale.
 */
export function storedForOthers(v: Verdict, identity: IdentityHints): boolean {
  if (v.request.action.value === 'pass' || v.response.store.value !== 'store') return false;
  if (v.request.key.value.includesIdentity) return false;
  const id = identityHeaders(identity);
  return !v.response.varyOn.value.some((f) => f === '*' || id.includes(f.toLowerCase()));
}

/** The cache key's parts as messages name them: `URL + Host`, `URL + Host + x-device`. */
export function keyText(v: Verdict): string {
  const names: Record<string, string> = { url: 'URL', host: 'Host' };
  return v.request.key.value.parts.map((p) => names[p.name] ?? p.name).join(' + ');
}

/** A header of an evaluated request or response, case-insensitively (first value). */
export function headerOf(headers: Readonly<Record<string, string | readonly string[] | undefined>>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return typeof v === 'string' ? v : v?.[0];
  }
  return undefined;
}

/**
 * Whether the request the cache decided on still carries this variant's credential (a session
 * cookie in the Cookie header, or Authorization). A value the reader could not compute counts as
 * carrying it.
 */
export function carriesCredential(e: RouteEvaluation, variant: RequestVariant, settings: VerifySettings): boolean {
  if (variant === 'anonymous') return false;
  const value = headerOf(e.request.headers, variant === 'cookie' ? 'cookie' : 'authorization');
  if (value === undefined || value.trim() === '') return false;
  if (variant === 'authorization' || /^<.*>$/.test(value)) return true;
  const names = settings.identity.cookies ?? [settings.sessionCookie];
  return value.split(';').some((part) => names.includes(part.split('=')[0]!.trim()));
}

/**
 * The backend request loses the credential before it leaves: an unconditional `unset
 * bereq.http.Cookie` (or Authorization) in the method that builds it (Varnish vcl_backend_fetch,
 * Fastly vcl_miss), so the origin cannot personalize the response.
 */
export function droppedBeforeBackend(model: VclModel, method: string, variant: RequestVariant): boolean {
  const target = `bereq.http.${variant === 'authorization' ? 'authorization' : 'cookie'}`;
  return reachable(model, method).some((r) => r.guards.length === 0 && removes(r.stmt, target));
}
