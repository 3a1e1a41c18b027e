/** Building a technique's result for one URL on one edge. */
import type { Severity } from '../../core/severity.ts';
import { accountsOf, popsOf, type Exposure } from '../evidence.ts';
import type { ProbeEvidence, ProbeFinding, ProbeResponse, UrlContext, VerdictKind } from '../types.ts';

export type TechniqueResult = Omit<ProbeFinding, 'technique' | 'severity' | 'time' | 'target'> & { severity?: Severity };

export function result(
  ctx: UrlContext,
  verdict: VerdictKind,
  message: string,
  responses: readonly ProbeResponse[],
  extra: Omit<ProbeEvidence, 'responses'> & { severity?: Severity; url?: string } = {},
): TechniqueResult {
  const { severity, url, ...evidence } = extra;
  const exposures: Exposure[] = evidence.exposures ?? [];
  return {
    verdict,
    ...(severity ? { severity } : {}),
    url: url ?? ctx.path,
    edge: ctx.client.edge.label,
    pops: popsOf(responses),
    accounts: accountsOf(responses, exposures),
    message,
    evidence: { responses: [...responses], ...evidence },
  };
}
