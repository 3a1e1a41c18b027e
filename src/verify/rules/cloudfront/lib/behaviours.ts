/**
 * CloudFront specifics the distribution rules share: the behaviour that handles a path, where a
 * TTL of its cache policy is written (the behaviour's CachePolicyId for managed policies, the
 * policy's own member for custom ones, the behaviour's member for legacy settings), how to name
 * the policy in a message, a sample path that each behaviour handles (for structural checks
 * asked through the engine's exchanges), and whether a credential reaches the origin at all.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/cloudfront/).
 */
import type { Behaviour, CloudFrontEvaluation, CloudFrontModel } from '../../../cloudfront/index.ts';
import { selectBehaviour } from '../../../cloudfront/index.ts';
import type { ConfigModelBase, SourceLocation } from '../../../types.ts';
import type { VerifySettings } from '../../define.ts';

export function isCloudFront(model: ConfigModelBase): model is CloudFrontModel {
  return model.kind === 'cloudfront';
}

/** The behaviour that handles a URL (path only). */
export function behaviourFor(model: CloudFrontModel, url: string): Behaviour {
  return selectBehaviour(model, url.split('?')[0] ?? url);
}

/** `CachingOptimized (AWS-managed)`, `"pages"`, `legacy cache settings`. */
export function policyName(b: Behaviour): string {
  if (b.legacy) return 'legacy cache settings';
  return b.cachePolicy.managed ? `${b.cachePolicy.name} (AWS-managed)` : `"${b.cachePolicy.name}"`;
}

/** The setting that chooses the behaviour's cache policy, in words: `CachePolicyId CachingOptimized (AWS-managed)`. */
export function policySetting(b: Behaviour): string {
  return b.legacy ? 'legacy cache settings (ForwardedValues with MinTTL, DefaultTTL, MaxTTL)' : `CachePolicyId ${policyName(b)}`;
}

export type TtlKey = 'MinTTL' | 'DefaultTTL' | 'MaxTTL';

const TTL_FIELD: Record<TtlKey, 'minTtl' | 'defaultTtl' | 'maxTtl'> = { MinTTL: 'minTtl', DefaultTTL: 'defaultTtl', MaxTTL: 'maxTtl' };

/** Where a TTL of the behaviour's cache policy is set, and the setting in words (`CachePolicyId: CachingOptimized (AWS-managed), MinTTL 1`). */
export function ttlSetting(b: Behaviour, key: TtlKey): { at: SourceLocation; text: string } {
  const p = b.cachePolicy;
  const value = p[TTL_FIELD[key]];
  if (b.legacy) return { at: b.source.locate([...b.path, key]), text: `${key}: ${value} (legacy cache settings)` };
  if (!p.managed && p.paths) return { at: p.paths.source.locate([...p.paths.config, key]), text: `${key}: ${value} in cache policy ${policyName(b)}` };
  return { at: b.cachePolicyAt, text: `CachePolicyId: ${policyName(b)}, ${key} ${value}` };
}

/** `distribution.json:136`. */
export function where(at: SourceLocation): string {
  return `${at.file.split(/[\\/]/).pop()}:${at.line}`;
}

/**
 * A path the behaviour handles: its PathPattern with wildcards filled in, or, for the default
 * behaviour, a path no ordered behaviour takes. Undefined when earlier behaviours shadow it.
 */
export function samplePath(model: CloudFrontModel, b: Behaviour): string | undefined {
  const fill = (pattern: string): string => {
    const p = pattern.startsWith('/') ? pattern : `/${pattern}`;
    return p.replace(/\*/g, 'cw-sample').replace(/\?/g, 'x');
  };
  const candidates = b.pathPattern === undefined ? ['/cw-sample', '/cw-sample/cw-sample', '/'] : [fill(b.pathPattern), fill(b.pathPattern.replace(/\*$/, ''))];
  return candidates.find((path) => selectBehaviour(model, path) === b);
}

/**
 * Whether the identified request's credential reaches the origin, so the origin can personalize
 * the response: the session cookie when a policy forwards or keys it; Authorization only when the
 * cache policy keys it (CloudFront strips it from GET/HEAD otherwise, and an origin request policy
 * cannot forward it).
 */
export function credentialForwarded(x: { variant: 'cookie' | 'authorization'; evaluation: CloudFrontEvaluation }, settings: VerifySettings): boolean {
  const o = x.evaluation.profile.options;
  if (x.variant === 'authorization') return (o.keyHeaders ?? []).some((h) => h.toLowerCase() === 'authorization');
  const session = settings.identity.cookies ?? [];
  if (o.forwardCookies === 'all') return true;
  return [...(o.forwardCookies ?? []), ...(o.keyCookies ?? [])].some((c) => session.includes(c));
}
