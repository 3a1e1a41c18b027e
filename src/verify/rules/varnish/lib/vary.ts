/**
 * The Vary check the Varnish and Fastly rules share: each personalized path requested with the
 * session cookie and with a bearer token, as a lookup, with a response that varies on that
 * credential (`Vary: Accept-Encoding, Cookie` / `Authorization`); the statements that leave the
 * credential out of the Vary the cache decides on are gathered per statement.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/varnish/).
 */
import type { Provenance } from '../../../types.ts';
import type { VclModel } from '../../../vcl/index.ts';
import { provenanceFor, type RouteView, type VerifyContext } from '../../define.ts';
import { Hits, type Hit } from './hits.ts';
import { ask, carriesCredential, credentialName, headerOf, identifiedVariants } from './probes.ts';
import { quote, subName } from './vcl.ts';

export interface VaryDetail {
  /** The Vary fields lost (`Cookie`, `Authorization`). */
  fields: string[];
  /** What is left of Vary, undefined when the header is gone. */
  vary: string | undefined;
  credentials: string[];
  related: Provenance[];
}

/** Message templates (the rules keep them in their `messages`). */
export const VARY_MESSAGES = {
  varyUnset:
    '{statement} in {sub} removes Vary from {url}: the "Vary: {fields}" an origin sends to keep users apart is lost, so requests with {credentials} get one object under a key other users read',
  varyOverwritten:
    '{statement} in {sub} rewrites Vary on {url} to "{vary}": the {fields} an origin puts in Vary to keep users apart is lost, so requests with {credentials} get one object under a key other users read',
} as const;

/**
 * On the first identified variant's call (undefined on the others, so each path is reported
 * once): the statements of `options` (provenance options such as `response.vary`) that dropped
 * the credential's Vary field on a lookup whose key has no identity.
 */
export function varyDropped(ctx: Pick<VerifyContext, 'exchange' | 'settings'>, vcl: VclModel, route: RouteView, options: readonly string[]): Hits<VaryDetail> | undefined {
  const variants = identifiedVariants(ctx.settings);
  if (route.variant !== variants[0]) return undefined;
  const hits = new Hits<VaryDetail>();
  for (const variant of variants) {
    const field = variant === 'cookie' ? 'Cookie' : 'Authorization';
    const view = ask(ctx, vcl, route.path, variant, variant === 'cookie' ? 'varyCookie' : 'varyAuthorization');
    for (const e of view.evaluations) {
      const v = view.verdict(e);
      if (!e.caching || v.request.action.value !== 'lookup' || v.request.key.value.includesIdentity || !carriesCredential(e, variant, ctx.settings)) continue;
      const vary = headerOf(e.response.headers, 'vary');
      if (vary !== undefined && vary.split(',').some((f) => f.trim().toLowerCase() === field.toLowerCase())) continue;
      for (const statement of provenanceFor(e, ...options)) {
        const d = hits.add(statement, route.path, () => ({ fields: [], vary, credentials: [], related: e.provenance.filter((p) => p !== statement) })).detail;
        const name = credentialName(variant, ctx.settings);
        if (!d.credentials.includes(name)) d.credentials.push(name);
        if (!d.fields.includes(field)) d.fields.push(field);
      }
    }
  }
  return hits;
}

/** The finding for one entry. */
export function varyFinding(vcl: VclModel, route: RouteView, { statement, detail: d }: Hit<VaryDetail>) {
  return {
    messageId: d.vary === undefined ? ('varyUnset' as const) : ('varyOverwritten' as const),
    data: { statement: quote(statement), sub: subName(vcl, statement.at), url: route.path, fields: d.fields.join('/'), vary: d.vary ?? '', credentials: d.credentials.join(' or ') },
    related: d.related,
  };
}
