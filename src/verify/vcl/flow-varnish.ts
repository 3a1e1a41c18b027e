/**
 * One exchange through a Varnish VCL: the user's vcl_recv → vcl_hash → vcl_backend_fetch →
 * vcl_backend_response, with beresp.ttl/grace initialised from Varnish core (varnishCoreTimes).
 * Where the user's code falls through, builtin would run: that is not interpreted but mapped onto
 * the varnish7/varnish8 profile (recv 'builtin', disabledBuiltinChecks, backendResponse…), as is
 * `req.hash_ignore_busy` (hashIgnoreBusy). User overrides of builtin's hook subs (7.0+) are run
 * where builtin would call them.
 */
import { decideRequest, decideResponse, varnishCoreTimes } from '../../semantics/index.ts';
import type { VarnishOptions } from '../../semantics/types.ts';
import { BERESP_HOOKS, RECV_HOOKS } from './builtin.ts';
import {
  FRESHNESS_HEADERS, ProvenanceLog, changedWrites, hashExtraOf, requestInfo, responseInfo, returnLabel, seconds, subAt,
  type FlowContext, type FlowResult,
} from './flow-common.ts';
import type { VarnishVersion } from './load.ts';
import type { Exit, Machine } from './machine.ts';
import { cloneReq } from './state.ts';
import { Headers, bool, dur, num, str, truthy, type Value } from './values.ts';

type Check = NonNullable<VarnishOptions['disabledBuiltinChecks']>[number];
type BackendResponse = NonNullable<VarnishOptions['backendResponse']>;

const MAX_RESTARTS = 4;
const CLIENT_METHODS = new Set(['vcl_recv', 'vcl_builtin_recv', ...RECV_HOOKS.map((h) => h.sub)]);
const BACKEND_METHODS = new Set(['vcl_backend_response', 'vcl_builtin_backend_response', 'vcl_beresp_hitmiss', ...BERESP_HOOKS.map((h) => h.sub)]);
/** Profile rules by which builtin marks hit-for-miss (the hook vcl_beresp_hitmiss runs then). */
const HITMISS_RULES = ['hit-for-miss-ttl', 'hit-for-miss-set-cookie', 'hit-for-miss-surrogate-no-store', 'hit-for-miss-cache-control', 'hit-for-miss-vary-star'];

/** What vcl_recv decided: the profile's `recv`, or `off` when the request never reaches the cache (synth, purge…). */
type Recv = 'hash' | 'pass' | 'builtin' | 'off';

function recvKind(action: string): Exclude<Recv, 'builtin'> {
  if (action === 'hash' || action === 'lookup') return 'hash';
  if (action === 'pass' || action === 'pipe') return 'pass';
  return 'off';
}

export function runVarnish(m: Machine, ctx: FlowContext, version: VarnishVersion): FlowResult {
  const id = version >= 8 ? 'varnish8' : 'varnish7';
  const hooks = version >= 7;
  const log = new ProvenanceLog(m, ctx.fileOrder);
  const disabled: Check[] = [];
  const disable = (checks: readonly (Check | undefined)[], stmt: Exit): void => {
    for (const c of checks) if (c && !disabled.includes(c)) disabled.push(c);
    if (stmt.kind !== 'fell') log.add('disabledBuiltinChecks', stmt.stmt);
  };

  /* ---------------- vcl_recv */
  let exit: Exit;
  for (;;) {
    exit = m.runUser('vcl_recv');
    if (exit.kind === 'action' && exit.action === 'restart' && m.restarts < MAX_RESTARTS) {
      m.restarts++;
      continue;
    }
    break;
  }
  let recv: Recv = 'builtin';
  let handler = { label: 'vcl_recv: no return, builtin decides', at: subAt(m, 'vcl_recv', ctx.mainFile) };
  let piped = false;
  if (exit.kind === 'action') {
    recv = recvKind(exit.action);
    piped = exit.action === 'pipe';
    handler = { label: returnLabel(m, 'vcl_recv', exit.stmt), at: exit.stmt.at };
    log.add('recv', exit.stmt);
  } else if (hooks) {
    // Builtin's vcl_recv: the user's vcl_builtin_recv, then each hook sub in order.
    const decided = (sub: string, e: Exclude<Exit, { kind: 'fell' }>): void => {
      handler = { label: returnLabel(m, sub, e.stmt), at: e.stmt.at };
      log.add('recv', e.stmt);
    };
    const builtinRecv = m.hasUser('vcl_builtin_recv') ? m.runUser('vcl_builtin_recv') : ({ kind: 'fell' } as Exit);
    if (builtinRecv.kind === 'bare') {
      // Builtin's own vcl_recv then returns hash.
      recv = 'hash';
      decided('vcl_builtin_recv', builtinRecv);
    } else if (builtinRecv.kind === 'action') {
      recv = recvKind(builtinRecv.action);
      decided('vcl_builtin_recv', builtinRecv);
    } else {
      for (let i = 0; i < RECV_HOOKS.length; i++) {
        const hook = RECV_HOOKS[i]!;
        if (!m.hasUser(hook.sub)) continue;
        const e = m.runUser(hook.sub);
        if (e.kind === 'fell') continue;
        if (e.kind === 'bare') {
          disable([hook.check], e);
          continue;
        }
        const k = recvKind(e.action);
        if (k === 'hash') disable(RECV_HOOKS.slice(i).map((h) => h.check), e);
        else {
          recv = k;
          decided(hook.sub, e);
        }
        break;
      }
    }
  }

  const options: VarnishOptions = recv === 'off' ? {} : { recv };
  const hadCookie = m.original.headers.has('cookie');
  if (hadCookie && !m.req.headers.has('cookie')) options.stripRequestCookie = true;
  if (disabled.length > 0) options.disabledBuiltinChecks = disabled;
  if (recv !== 'off' && truthy(m.read('req.hash_ignore_busy')) === true) {
    // The request does not wait on another's fetch: nothing is handed to waiters.
    options.hashIgnoreBusy = true;
    for (const w of changedWrites(m, (w) => CLIENT_METHODS.has(w.method) && w.target === 'req.hash_ignore_busy')) log.add('hashIgnoreBusy', w.stmt);
  }
  for (const w of changedWrites(m, (w) => CLIENT_METHODS.has(w.method) && /^req\.(http\.|url$|method$)/.test(w.target))) {
    const name = w.target.startsWith('req.http.') ? w.target.slice('req.http.'.length) : w.target.slice('req.'.length);
    log.add(name === 'cookie' && options.stripRequestCookie ? 'stripRequestCookie' : `request.${name}`, w.stmt);
  }

  const request = requestInfo(m.req, ctx.request);
  if (recv === 'off' || piped) {
    // Synth/purge never reach the cache; a piped request is passed and never meets vcl_backend_response.
    return { profile: { id, options }, request, response: ctx.response, provenance: log.list(), handler, caching: recv !== 'off' };
  }

  /* ---------------- does the request reach a lookup? (builtin's part decided by the profile) */
  m.passed = decideRequest(request, { id, options }).action.value === 'pass';

  /* ---------------- vcl_hash */
  if (!m.passed) {
    const from = m.hashInputs.length;
    m.runUser('vcl_hash');
    const extra = hashExtraOf(m.hashInputs.slice(from), log);
    if (extra.length > 0) options.hashExtra = extra;
  }

  /* ---------------- backend side */
  m.bereq = cloneReq(m.req);
  const br: BackendResponse = {};
  const fetchExit = m.runUser('vcl_backend_fetch');
  const core = varnishCoreTimes(request, ctx.response);
  m.beresp = {
    status: num(ctx.response.status),
    reason: str(''),
    headers: Headers.fromBag(ctx.response.headers, () => new Set(['response'])),
    ttl: dur(core.ttl),
    grace: dur(core.grace),
    keep: dur(0),
    uncacheable: bool(m.passed === true),
    cacheable: bool(true),
    staleWhileRevalidate: dur(0),
    staleIfError: dur(0),
  };
  if (fetchExit.kind === 'action' && fetchExit.action !== 'fetch') {
    // abandon/error: no backend response is stored.
    br.uncacheable = true;
    br.skipBuiltin = true;
    log.add('backendResponse.uncacheable', fetchExit.stmt);
  } else {
    backendResponse(m, br, log, hooks, disable, disabled, id, options, request, ctx);
  }
  // Hook subs on the backend side add to the same list after the request-side options were built.
  if (disabled.length > 0) options.disabledBuiltinChecks = disabled;

  /* ---------------- what vcl_backend_response left */
  const bw = (pred: (target: string) => boolean) => changedWrites(m, (w) => BACKEND_METHODS.has(w.method) && pred(w.target));
  const b = m.beresp;
  for (const w of bw((t) => t === 'beresp.ttl')) log.add('backendResponse.ttl', w.stmt);
  for (const w of bw((t) => t === 'beresp.grace')) log.add('backendResponse.grace', w.stmt);
  if (bw((t) => t === 'beresp.ttl').length > 0) setTime(m, br, 'ttl', b.ttl, bw((t) => t === 'beresp.ttl').at(-1)!.stmt.at);
  if (bw((t) => t === 'beresp.grace').length > 0) setTime(m, br, 'grace', b.grace, bw((t) => t === 'beresp.grace').at(-1)!.stmt.at);
  const uncacheableSet = bw((t) => t === 'beresp.uncacheable');
  if (uncacheableSet.length > 0 && b.uncacheable.k === 'bool' && b.uncacheable.v) {
    br.uncacheable = true;
    for (const w of uncacheableSet) log.add('backendResponse.uncacheable', w.stmt);
  }
  const original = Headers.fromBag(ctx.response.headers, () => undefined);
  if (original.has('set-cookie') && !b.headers.has('set-cookie')) {
    br.unsetSetCookie = true;
    for (const w of bw((t) => t === 'beresp.http.set-cookie')) log.add('backendResponse.unsetSetCookie', w.stmt);
  }
  if (original.has('vary') && !b.headers.has('vary')) {
    br.unsetVary = true;
    for (const w of bw((t) => t === 'beresp.http.vary')) log.add('backendResponse.unsetVary', w.stmt);
  }
  for (const w of bw((t) => t.startsWith('beresp.http.') || t === 'beresp.status')) log.add(`response.${w.target.slice(w.target.startsWith('beresp.http.') ? 12 : 7)}`, w.stmt);
  // Core computed beresp.ttl from the headers as the origin sent them; if the VCL changed those,
  // the profile must not recompute from the new ones.
  const freshnessChanged = FRESHNESS_HEADERS.some((h) => original.signature(h) !== b.headers.signature(h)) || (b.status.k === 'num' && b.status.v !== ctx.response.status);
  if (freshnessChanged) {
    if (br.ttl === undefined) setTime(m, br, 'ttl', b.ttl, subAt(m, 'vcl_backend_response', ctx.mainFile));
    if (br.grace === undefined) setTime(m, br, 'grace', b.grace, subAt(m, 'vcl_backend_response', ctx.mainFile));
  }
  if (Object.keys(br).length > 0) options.backendResponse = br;

  return { profile: { id, options }, request, response: responseInfo(m, ctx.response), provenance: log.list(), handler, caching: true };
}

function setTime(m: Machine, br: BackendResponse, key: 'ttl' | 'grace', v: Value, at: { file: string; line: number; column: number }): void {
  const s = seconds(v);
  if (s !== undefined) br[key] = s;
  else m.assumptions.push({ at, text: `beresp.${key} is set to a value that cannot be computed (${v.k === 'unknown' ? v.text : v.k}); core's value assumed` });
}

/** vcl_backend_response: the user's code, then builtin's hooks where builtin would call them. */
function backendResponse(
  m: Machine,
  br: BackendResponse,
  log: ProvenanceLog,
  hooks: boolean,
  disable: (checks: readonly (Check | undefined)[], e: Exit) => void,
  disabled: readonly Check[],
  id: 'varnish7' | 'varnish8',
  options: VarnishOptions,
  request: ReturnType<typeof requestInfo>,
  ctx: FlowContext,
): void {
  const onAction = (e: Extract<Exit, { kind: 'action' }>): void => {
    if (e.action === 'deliver') {
      br.skipBuiltin = true;
      log.add('backendResponse.skipBuiltin', e.stmt);
      return;
    }
    if (e.action === 'pass' && e.stmt.type === 'return') {
      br.uncacheable = true;
      const ttl = e.stmt.args[0] ? seconds(m.eval(e.stmt.args[0])) : undefined;
      if (ttl !== undefined) br.ttl = ttl;
      log.add('backendResponse.uncacheable', e.stmt);
      return;
    }
    // abandon, retry, error, fail: no object from this response.
    br.uncacheable = true;
    br.skipBuiltin = true;
    log.add('backendResponse.uncacheable', e.stmt);
  };
  const exit = m.runUser('vcl_backend_response');
  if (exit.kind === 'action') return onAction(exit);
  if (!hooks || m.passed === true) return;
  if (m.hasUser('vcl_builtin_backend_response')) {
    const e = m.runUser('vcl_builtin_backend_response');
    if (e.kind === 'bare') {
      br.skipBuiltin = true;
      log.add('backendResponse.skipBuiltin', e.stmt);
      return;
    }
    if (e.kind === 'action') return onAction(e);
  }
  for (let i = 0; i < BERESP_HOOKS.length; i++) {
    const hook = BERESP_HOOKS[i]!;
    if (!m.hasUser(hook.sub)) continue;
    const e = m.runUser(hook.sub);
    if (e.kind === 'fell') continue;
    if (e.kind === 'bare') {
      disable([hook.check], e);
      continue;
    }
    if (e.action === 'deliver') disable(BERESP_HOOKS.slice(i).map((h) => h.check), e);
    else onAction(e);
    return;
  }
  if (!m.hasUser('vcl_beresp_hitmiss')) return;
  // vcl_beresp_hitmiss runs only when a builtin check fires: ask the profile whether one does.
  const pending: VarnishOptions = { ...options, ...(Object.keys(br).length ? { backendResponse: { ...br } } : {}) };
  // Checks whose hook sub returned early above do not call vcl_beresp_hitmiss.
  if (disabled.length > 0) pending.disabledBuiltinChecks = [...disabled];
  const now = ttlOf(m);
  if (now.ttl !== undefined || now.grace !== undefined) pending.backendResponse = { ...pending.backendResponse, ...now };
  const store = decideResponse(request, responseInfo(m, ctx.response), { id, options: pending }).store;
  const rule = store.reasons[0]?.rule ?? '';
  if (store.value !== 'hit-for-miss' || !HITMISS_RULES.some((r) => rule === `${id}/${r}`)) return;
  const e = m.runUser('vcl_beresp_hitmiss');
  if (e.kind === 'bare' || (e.kind === 'action' && e.action === 'deliver')) disable(BERESP_HOOKS.map((h) => h.check), e);
  else if (e.kind === 'action') onAction(e);
}

function ttlOf(m: Machine): { ttl?: number; grace?: number } {
  const out: { ttl?: number; grace?: number } = {};
  const written = (t: string) => m.writes.some((w) => w.changed && w.target === t && BACKEND_METHODS.has(w.method));
  if (m.beresp && written('beresp.ttl')) {
    const s = seconds(m.beresp.ttl);
    if (s !== undefined) out.ttl = s;
  }
  if (m.beresp && written('beresp.grace')) {
    const s = seconds(m.beresp.grace);
    if (s !== undefined) out.grace = s;
  }
  return out;
}
