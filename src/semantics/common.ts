/**
 * Small pieces several vendor profiles share: Vary and stale answers built from a profile's own
 * rule entries, and the usual request-method test. Keeps the vendor modules to their deviations.
 */
import { parseCacheControl, type CacheControl } from './cache-control.ts';
import type { RequestCtx, ResponseCtx } from './exchange.ts';
import { staleExtensions } from './freshness.ts';
import { headerLines } from './headers.ts';
import { NO_STALE } from './profile.ts';
import { answer, stamp, type RuleEntry } from './rules.ts';
import type { Answer, StaleAllowance } from './types.ts';

export const isGetOrHead = (q: RequestCtx): boolean => q.method === 'GET' || q.method === 'HEAD';

/** Vary as honoured natively (variants per listed header), using the profile's three rule entries. */
export function honouredVary(s: ResponseCtx, rules: { none: RuleEntry; vary: RuleEntry; star: RuleEntry }): Answer<string[]> {
  if (s.vary.length === 0) return answer([], [stamp(rules.none)]);
  if (s.vary.includes('*')) return answer(['*'], [stamp(rules.star)]);
  return answer([...s.vary], [stamp(rules.vary, { fields: s.vary.join(', ') })]);
}

/** RFC 5861 extensions read from the first directive set that has them. */
export function staleFrom(
  sets: readonly CacheControl[],
  rules: { some: RuleEntry; none: RuleEntry },
): Answer<StaleAllowance> {
  for (const cc of sets) {
    const ext = staleExtensions(cc);
    if (ext.whileRevalidate > 0 || ext.ifError > 0) {
      return answer({ ...ext, whileUpdating: false }, [stamp(rules.some, { swr: ext.whileRevalidate, sie: ext.ifError })]);
    }
  }
  return answer(NO_STALE, [stamp(rules.none)]);
}

/** `Surrogate-Control` parsed like Cache-Control (absent → empty). */
export function surrogateControl(s: ResponseCtx): CacheControl {
  return parseCacheControl(headerLines(s.headers, 'surrogate-control'));
}
