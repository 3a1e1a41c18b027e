/**
 * Findings gathered per statement: a VCL rule asks many exchanges (paths × variants × synthetic
 * responses) and the same statement is to blame on several of them. `Hits` keeps one entry per
 * statement with the URLs it was found on and the rule's own details (first exchange wins);
 * `reportHits` reports each entry once per URL, so the engine lists every route on one finding.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/varnish/).
 */
import type { Provenance } from '../../../types.ts';
import type { FindingInput, VerifyContext } from '../../define.ts';
import { locationKey } from './vcl.ts';

export interface Hit<T> {
  /** The statement to change. */
  statement: Provenance;
  /** Where it was found, in discovery order (empty for structural findings). */
  urls: string[];
  detail: T;
}

export class Hits<T> {
  private readonly byKey = new Map<string, Hit<T>>();

  /** The entry for a statement (made by `detail` the first time), with `url` added. */
  add(statement: Provenance, url: string | undefined, detail: () => T): Hit<T> {
    const key = locationKey(statement.at);
    let h = this.byKey.get(key);
    if (!h) this.byKey.set(key, (h = { statement, urls: [], detail: detail() }));
    if (url !== undefined && !h.urls.includes(url)) h.urls.push(url);
    return h;
  }

  has(statement: { at: Provenance['at'] }): boolean {
    return this.byKey.has(locationKey(statement.at));
  }

  values(): Array<Hit<T>> {
    return [...this.byKey.values()];
  }
}

/** Reports every entry at its statement, once per URL it was found on (once when it has none). */
export function reportHits<T, M extends string>(ctx: Pick<VerifyContext<M>, 'report'>, hits: Hits<T>, finding: (h: Hit<T>) => Omit<FindingInput<M>, 'at' | 'route'>): void {
  for (const h of hits.values()) {
    const input = { ...finding(h), at: h.statement.at };
    if (h.urls.length === 0) ctx.report(input);
    for (const url of h.urls) ctx.report({ ...input, route: url });
  }
}
