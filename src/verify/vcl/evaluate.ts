/**
 * Evaluating one exchange through a VCL program: replays the interpreter once per combination of
 * undecidable conditions (depth first, `true` branch first, at most MAX_PATHS runs), maps each run
 * onto the profile, and merges runs whose outcome is identical (keeping the assumptions they
 * share).
 */
import type { HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import type { Assumption, RouteEvaluation } from '../types.ts';
import type { FlowContext, FlowResult } from './flow-common.ts';
import { runFastly, type FastlyFallback } from './flow-fastly.ts';
import { runVarnish } from './flow-varnish.ts';
import type { VarnishVersion } from './load.ts';
import { Machine } from './machine.ts';
import type { ProgramIndex } from './state.ts';

export const MAX_PATHS = 16;

export interface EvalSetup {
  index: ProgramIndex;
  mainFile: string;
  fileOrder: ReadonlyMap<string, number>;
  varnishVersion: VarnishVersion;
  fastlyFallback: FastlyFallback | undefined;
}

const sameAssumption = (a: Assumption, b: Assumption): boolean =>
  a.text === b.text && a.at.file === b.at.file && a.at.line === b.at.line && a.at.column === b.at.column;

export function evaluateExchange(setup: EvalSetup, request: HttpRequestInfo, response: HttpResponseInfo): RouteEvaluation[] {
  const ctx: FlowContext = { request, response, mainFile: setup.mainFile, fileOrder: setup.fileOrder };
  const kind = setup.index.dialect;
  const byKey = new Map<string, RouteEvaluation>();
  const pending: boolean[][] = [[]];
  let runs = 0;
  while (pending.length > 0 && runs < MAX_PATHS) {
    const forced = pending.pop()!;
    const m = new Machine(setup.index, request, forced);
    const flow: FlowResult = kind === 'fastly' ? runFastly(m, ctx, setup.fastlyFallback) : runVarnish(m, ctx, setup.varnishVersion);
    runs++;
    for (let i = forced.length; i < m.taken.length; i++) {
      if (m.taken[i]) pending.push([...m.taken.slice(0, i), false]);
    }
    const evaluation: RouteEvaluation = {
      kind,
      handler: flow.handler,
      profile: flow.profile,
      request: flow.request,
      response: flow.response,
      provenance: flow.provenance,
      assumptions: m.assumptions,
      caching: flow.caching,
    };
    const key = JSON.stringify([flow.profile, flow.request, flow.response, flow.caching, flow.handler], (_k, v: unknown) =>
      typeof v === 'string' && v.startsWith('<') && v.endsWith('>') ? '<unknown>' : v);
    const seen = byKey.get(key);
    if (seen) {
      byKey.set(key, { ...seen, assumptions: seen.assumptions.filter((a) => evaluation.assumptions.some((b) => sameAssumption(a, b))) });
    } else byKey.set(key, evaluation);
  }
  const out = [...byKey.values()];
  if (pending.length > 0) {
    const note: Assumption = {
      at: { file: setup.mainFile, line: 1, column: 1 },
      text: `more than ${MAX_PATHS} paths through undecidable conditions: the remaining branches were not evaluated`,
    };
    return out.map((e) => ({ ...e, assumptions: [...e.assumptions, note] }));
  }
  return out;
}
