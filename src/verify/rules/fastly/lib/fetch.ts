/**
 * What the Fastly rules ask of an evaluated vcl_fetch: did it let this response into the cache,
 * and where (its `return(deliver)`, or the end of the sub when it fell through). The shared VCL
 * helpers (exchanges, synthetic responses, statement lookup) are in ../../varnish/lib/.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/fastly/).
 */
import type { FastlyOptions } from '../../../../semantics/types.ts';
import type { Provenance, RouteEvaluation } from '../../../types.ts';
import type { VclModel } from '../../../vcl/index.ts';
import { provenanceFor } from '../../define.ts';
import { quote, place } from '../../varnish/lib/vcl.ts';

export interface Delivery {
  /** The statement to blame: `return(deliver)`, or the `sub vcl_fetch` line when it fell through. */
  statement: Provenance;
  /** How messages name it. */
  label: string;
}

/** The profile options of a Fastly evaluation. */
export function fastlyOptions(e: RouteEvaluation): FastlyOptions {
  return (e.profile.options ?? {}) as FastlyOptions;
}

/**
 * Where the user's vcl_fetch delivered this exchange to the cache; undefined when there is no user
 * vcl_fetch (the boilerplate's checks apply) or it passed the response.
 */
export function deliveredAt(vcl: VclModel, e: RouteEvaluation): Delivery | undefined {
  const fetch = fastlyOptions(e).fetch;
  if (!fetch || fetch.action !== 'deliver') return undefined;
  const ret = provenanceFor(e, 'fetch.action').at(-1);
  if (ret) return { statement: ret, label: quote(ret) };
  const sub = vcl.subs('vcl_fetch').at(-1);
  if (!sub) return undefined;
  return { statement: { option: 'fetch.action', at: sub.at, text: 'sub vcl_fetch' }, label: `the end of \`sub vcl_fetch\` (${place(sub.at)})` };
}
