/**
 * One exchange through a Fastly VCL: vcl_recv → vcl_hash → vcl_fetch. `beresp.ttl` starts where
 * the platform puts it before vcl_fetch runs, computed by the semantics core (the fastly profile
 * asked with `fetch: deliver, cacheable: true` and the platform default of 120 s as fallback, so
 * the header TTL comes out: Surrogate-Control → s-maxage → max-age → Expires). The outcome maps to
 * FastlyOptions `recv`, `hashIgnoreBusy`, `hashExtra`, `fetch` and, when the VCL sets one,
 * `defaultTtl`.
 */
import { FASTLY_CACHEABLE_STATUSES, decideRequest, decideResponse, directiveSeconds, parseCacheControl } from '../../semantics/index.ts';
import type { FastlyOptions, HeaderBag } from '../../semantics/types.ts';
import type { Span, Stmt } from './ast.ts';
import {
  FRESHNESS_HEADERS, ProvenanceLog, changedWrites, hashExtraOf, requestInfo, responseInfo, returnLabel, seconds, subAt,
  type FlowContext, type FlowResult,
} from './flow-common.ts';
import type { Exit, Machine } from './machine.ts';
import { cloneReq } from './state.ts';
import { Headers, bool, dur, num, str, truthy } from './values.ts';

const MAX_RESTARTS = 3;
const PLATFORM_DEFAULT_TTL = 120;

/** The fallback TTL a VCL sets (`set beresp.ttl = 3600s;` under the boilerplate's no-freshness test). */
export interface FastlyFallback {
  seconds: number;
  stmt: Stmt;
}

function staleSeconds(headers: HeaderBag, name: string): number {
  const lines = Object.entries(headers).filter(([k]) => k.toLowerCase() === 'cache-control' || k.toLowerCase() === 'surrogate-control');
  let best = 0;
  for (const [, v] of lines) {
    const s = directiveSeconds(parseCacheControl(v), name);
    if (typeof s === 'number') best = Math.max(best, s);
  }
  return best;
}

export function runFastly(m: Machine, ctx: FlowContext, fallback: FastlyFallback | undefined): FlowResult {
  const log = new ProvenanceLog(m, ctx.fileOrder);
  const options: FastlyOptions = {};
  if (fallback) options.defaultTtl = fallback.seconds;
  const finish = (): ProvenanceLog => {
    // The fallback line sets a config-wide option; on this exchange it may also have set fetch.ttl.
    if (fallback) log.add('defaultTtl', fallback.stmt);
    return log;
  };
  let handler = { label: 'vcl_recv: no return, the boilerplate looks up GET/HEAD', at: subAt(m, 'vcl_recv', ctx.mainFile) };
  let caching = true;

  for (;;) {
    /* ---------------- vcl_recv */
    const recv = m.runUser('vcl_recv');
    if (isRestart(recv) && m.restarts < MAX_RESTARTS) {
      m.restarts++;
      continue;
    }
    delete options.recv;
    if (recv.kind === 'action') {
      handler = { label: returnLabel(m, 'vcl_recv', recv.stmt), at: recv.stmt.at };
      if (recv.action === 'pass' || recv.action === 'pipe') options.recv = 'pass';
      else if (recv.action === 'lookup' || recv.action === 'hash') options.recv = 'lookup';
      else caching = false;
      log.add('recv', recv.stmt);
    }
    const busy = m.read('req.hash_ignore_busy');
    if (truthy(busy) === true) {
      options.hashIgnoreBusy = true;
      for (const w of changedWrites(m, (w) => w.target === 'req.hash_ignore_busy')) log.add('hashIgnoreBusy', w.stmt);
    } else delete options.hashIgnoreBusy;
    for (const w of changedWrites(m, (w) => w.method === 'vcl_recv' && /^req\.(http\.|url$|method$)/.test(w.target))) {
      log.add(`request.${w.target.startsWith('req.http.') ? w.target.slice(9) : w.target.slice(4)}`, w.stmt);
    }
    const request = requestInfo(m.req, ctx.request);
    if (!caching) return { profile: { id: 'fastly', options }, request, response: ctx.response, provenance: finish().list(), handler, caching };

    /* ---------------- vcl_hash (only for lookups) */
    m.passed = decideRequest(request, { id: 'fastly', options }).action.value === 'pass';
    if (!m.passed) {
      const from = m.hashInputs.length;
      m.runUser('vcl_hash');
      const extra = hashExtraOf(m.hashInputs.slice(from), log);
      if (extra.length > 0) options.hashExtra = extra;
    }

    /* ---------------- vcl_fetch */
    if (!m.hasUser('vcl_fetch')) {
      // No custom vcl_fetch: the profile's boilerplate applies.
      return { profile: { id: 'fastly', options }, request, response: ctx.response, provenance: finish().list(), handler, caching };
    }
    m.bereq = cloneReq(m.req);
    const platform = decideResponse(request, ctx.response, { id: 'fastly', options: { fetch: { action: 'deliver', cacheable: true }, defaultTtl: PLATFORM_DEFAULT_TTL } });
    m.beresp = {
      status: num(ctx.response.status),
      reason: str(''),
      headers: Headers.fromBag(ctx.response.headers, () => new Set(['response'])),
      ttl: dur(platform.ttl.value),
      grace: dur(0),
      keep: dur(0),
      uncacheable: bool(false),
      cacheable: bool(FASTLY_CACHEABLE_STATUSES.has(ctx.response.status)),
      staleWhileRevalidate: dur(staleSeconds(ctx.response.headers, 'stale-while-revalidate')),
      staleIfError: dur(staleSeconds(ctx.response.headers, 'stale-if-error')),
    };
    const fetch = m.runUser('vcl_fetch');
    if (isRestart(fetch) && m.restarts < MAX_RESTARTS) {
      m.restarts++;
      m.beresp = undefined;
      m.bereq = undefined;
      continue;
    }
    const out: NonNullable<FastlyOptions['fetch']> = { action: 'deliver' };
    if (fetch.kind === 'action') {
      if (fetch.action === 'pass') out.action = 'pass';
      else if (fetch.action === 'error' || fetch.action === 'restart') out.cacheable = false;
      log.add(out.cacheable === false ? 'fetch.cacheable' : 'fetch.action', fetch.stmt);
    }
    const fw = (target: string) => changedWrites(m, (w) => w.method === 'vcl_fetch' && w.target === target);
    const b = m.beresp;
    if (fw('beresp.ttl').length > 0) {
      const s = seconds(b.ttl);
      if (s !== undefined) out.ttl = s;
      for (const w of fw('beresp.ttl')) log.add('fetch.ttl', w.stmt);
    }
    if (fw('beresp.cacheable').length > 0 && out.cacheable === undefined) {
      const c = truthy(b.cacheable);
      if (c !== 'unknown') out.cacheable = c;
      for (const w of fw('beresp.cacheable')) log.add('fetch.cacheable', w.stmt);
    }
    for (const w of changedWrites(m, (w) => w.method === 'vcl_fetch' && (w.target.startsWith('beresp.http.') || w.target === 'beresp.status'))) {
      log.add(`response.${w.target.startsWith('beresp.http.') ? w.target.slice(12) : 'status'}`, w.stmt);
    }
    const original = Headers.fromBag(ctx.response.headers, () => undefined);
    const freshnessChanged = FRESHNESS_HEADERS.concat('surrogate-control').some((h) => original.signature(h) !== b.headers.signature(h));
    if (freshnessChanged && out.ttl === undefined) {
      const s = seconds(b.ttl);
      if (s !== undefined) out.ttl = s;
    }
    options.fetch = out;
    return { profile: { id: 'fastly', options }, request, response: responseInfo(m, ctx.response), provenance: finish().list(), handler, caching };
  }
}

function isRestart(e: Exit): boolean {
  return e.kind === 'action' && e.action === 'restart';
}

/**
 * The fallback TTL idiom of the boilerplate: in vcl_fetch, `set beresp.ttl = <duration>;` inside an
 * `if` whose condition tests the absence of Expires / max-age.
 */
export function findFastlyFallback(subs: ReadonlyArray<{ body: readonly Stmt[] }>, oneLine: (span: Span) => string): FastlyFallback | undefined {
  let found: FastlyFallback | undefined;
  const visit = (body: readonly Stmt[], guarded: boolean): void => {
    for (const s of body) {
      if (found) return;
      if (s.type === 'if') {
        for (const b of s.branches) {
          const cond = oneLine(b.cond.span);
          visit(b.body, guarded || (/expires/i.test(cond) && /max-age/i.test(cond)));
        }
        if (s.else) visit(s.else, guarded);
      } else if (guarded && s.type === 'set' && s.target.toLowerCase() === 'beresp.ttl' && s.value.type === 'duration') {
        found = { seconds: s.value.seconds, stmt: s };
      }
    }
  };
  for (const sub of subs) visit(sub.body, false);
  return found;
}
