/**
 * Shared by the readers that split an evaluation on undecidable conditions: merging the branches
 * that end the same way.
 */
import type { Provenance, RouteEvaluation } from './types.ts';

/**
 * One evaluation per distinct outcome. Branches that end the same are merged, keeping only the
 * assumptions (and unmodelled settings) they share: a condition both ways of which give the
 * same result did not matter.
 */
export function mergeOutcomes<E extends RouteEvaluation & { unmodelled: readonly Provenance[] }>(evaluations: readonly E[], key: (e: E) => string): E[] {
  const groups = new Map<string, E[]>();
  for (const e of evaluations) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  const common = <T extends { text: string }>(lists: ReadonlyArray<readonly T[]>): T[] => lists[0]!.filter((a) => lists.every((l) => l.some((b) => b.text === a.text)));
  return [...groups.values()].map((group) => ({
    ...group[0]!,
    assumptions: common(group.map((e) => e.assumptions)),
    unmodelled: common(group.map((e) => e.unmodelled)),
  }));
}
