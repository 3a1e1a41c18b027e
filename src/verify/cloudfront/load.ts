/**
 * Reads a CloudFront distribution as the AWS SDK for JavaScript v3 returns it (snapshot file
 * names): `distribution.json` (GetDistributionConfig output `{DistributionConfig, ETag}`, or
 * `{Distribution: {Id, DistributionConfig}}`, or a bare DistributionConfig),
 * `cache-policies.json` and `origin-request-policies.json` (arrays of `{Id, …Config}`).
 *
 * Every cache behaviour is resolved here: its cache policy (AWS-managed, custom, or the legacy
 * ForwardedValues + MinTTL/DefaultTTL/MaxTTL), its origin request policy and its function
 * associations. A policy id that is neither managed nor in the snapshot is a ConfigParseError
 * naming the id and the behaviour.
 */
import { basename } from 'node:path';
import { isObject, readJsonFile, shapeError, type JsonObject, type JsonPath, type JsonSource } from '../json-source.ts';
import { ConfigParseError, type SourceLocation } from '../types.ts';
import {
  items,
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  parseCachePolicy,
  parseOriginRequestPolicy,
  policyEntries,
  type CachePolicy,
  type KeyBehavior,
  type OriginRequestPolicy,
} from './policies.ts';

export const CLOUDFRONT_FILES = ['distribution.json', 'cache-policies.json', 'origin-request-policies.json'] as const;

export interface FunctionAssociation {
  type: 'CloudFront Function' | 'Lambda@Edge';
  arn: string;
  event: string;
  at: SourceLocation;
}

export interface Behaviour {
  /** `undefined` for the default cache behaviour. */
  pathPattern: string | undefined;
  /** Position in CacheBehaviors.Items; -1 for the default behaviour. */
  index: number;
  /** `cache behaviour /account/*` or `default cache behaviour`. */
  label: string;
  matcher: RegExp;
  /** The resolved cache policy; legacy behaviours get one built from ForwardedValues and their TTLs. */
  cachePolicy: CachePolicy;
  /** True when the behaviour uses ForwardedValues (forwarded values are also keyed). */
  legacy: boolean;
  /** Where the policy is chosen: the CachePolicyId, or the legacy MinTTL / ForwardedValues. */
  cachePolicyAt: SourceLocation;
  originRequestPolicy: { policy: OriginRequestPolicy; at: SourceLocation } | undefined;
  responseHeadersPolicy: { id: string; at: SourceLocation } | undefined;
  functions: FunctionAssociation[];
  source: JsonSource;
  path: JsonPath;
  at: SourceLocation;
}

export interface CloudFrontConfig {
  /** `Distribution.Id` when the snapshot has it. */
  distributionId: string | undefined;
  comment: string | undefined;
  /** Ordered behaviours first (in order), the default behaviour last. */
  behaviours: Behaviour[];
  cachePolicies: Map<string, CachePolicy>;
  originRequestPolicies: Map<string, OriginRequestPolicy>;
  sources: JsonSource[];
}

/* ------------------------------------------------------------------ entry points */

export function readCloudFront(files: Readonly<Record<string, string>>): CloudFrontConfig {
  return parseCloudFront(Object.entries(files).map(([name, path]) => ({ name, source: readJsonFile(path) })));
}

export function parseCloudFront(docs: ReadonlyArray<{ name?: string; source: JsonSource }>): CloudFrontConfig {
  let distribution: JsonSource | undefined;
  const cachePolicies = new Map<string, CachePolicy>();
  const originRequestPolicies = new Map<string, OriginRequestPolicy>();
  const sources: JsonSource[] = [];
  for (const { name, source } of docs) {
    const role = roleByName(name ?? source.file) ?? roleByContent(source.value);
    if (!role) throw shapeError(source, [], 'not a CloudFront distribution, cache policy list or origin request policy list', 'distribution.json, cache-policies.json or origin-request-policies.json content');
    sources.push(source);
    if (role === 'distribution') distribution = source;
    if (role === 'cache') for (const e of policyEntries(source, 'CachePolicy')) cachePolicies.set(e.id, parseCachePolicy(source, e.path, e.id, e.config));
    if (role === 'orp') for (const e of policyEntries(source, 'OriginRequestPolicy')) originRequestPolicies.set(e.id, parseOriginRequestPolicy(source, e.path, e.id, e.config));
  }
  if (!distribution) {
    throw new ConfigParseError({ file: sources[0]?.file ?? 'cloudfront', line: 1, column: 1 }, 'no CloudFront distribution among the files', 'distribution.json');
  }
  const { config, base, id } = distributionConfig(distribution);
  const ctx: Ctx = { source: distribution, cachePolicies, originRequestPolicies, policyFiles: sources.filter((s) => s !== distribution).map((s) => basename(s.file)) };
  const behaviours: Behaviour[] = [];
  const ordered = isObject(config.CacheBehaviors) ? config.CacheBehaviors.Items : undefined;
  if (Array.isArray(ordered)) {
    ordered.forEach((b, i) => behaviours.push(behaviour(ctx, [...base, 'CacheBehaviors', 'Items', i], b, i)));
  }
  if (!isObject(config.DefaultCacheBehavior)) throw shapeError(distribution, base, 'the distribution has no DefaultCacheBehavior', 'a "DefaultCacheBehavior" object');
  behaviours.push(behaviour(ctx, [...base, 'DefaultCacheBehavior'], config.DefaultCacheBehavior, -1));
  return {
    distributionId: id,
    comment: typeof config.Comment === 'string' && config.Comment !== '' ? config.Comment : undefined,
    behaviours,
    cachePolicies,
    originRequestPolicies,
    sources,
  };
}

export function isCloudFrontDocument(json: unknown): boolean {
  return roleByContent(json) !== undefined;
}

/* ------------------------------------------------------------------ classification */

type Role = 'distribution' | 'cache' | 'orp';

function roleByName(name: string): Role | undefined {
  const b = basename(name);
  return b === 'distribution.json' ? 'distribution' : b === 'cache-policies.json' ? 'cache' : b === 'origin-request-policies.json' ? 'orp' : undefined;
}

function roleByContent(v: unknown): Role | undefined {
  if (isObject(v) && (isObject(v.DistributionConfig) || isObject(v.Distribution) || isObject(v.DefaultCacheBehavior))) return 'distribution';
  const first = Array.isArray(v) ? v[0] : isObject(v) ? (isObject(v.CachePolicyList) ? 'cache' : isObject(v.OriginRequestPolicyList) ? 'orp' : undefined) : undefined;
  if (first === 'cache' || first === 'orp') return first;
  if (isObject(first) && (isObject(first.CachePolicyConfig) || isObject(first.CachePolicy))) return 'cache';
  if (isObject(first) && (isObject(first.OriginRequestPolicyConfig) || isObject(first.OriginRequestPolicy))) return 'orp';
  return undefined;
}

function distributionConfig(source: JsonSource): { config: JsonObject; base: JsonPath; id: string | undefined } {
  const v = source.value;
  if (isObject(v) && isObject(v.Distribution) && isObject(v.Distribution.DistributionConfig)) {
    return { config: v.Distribution.DistributionConfig, base: ['Distribution', 'DistributionConfig'], id: typeof v.Distribution.Id === 'string' ? v.Distribution.Id : undefined };
  }
  if (isObject(v) && isObject(v.DistributionConfig)) return { config: v.DistributionConfig, base: ['DistributionConfig'], id: typeof v.Id === 'string' ? v.Id : undefined };
  if (isObject(v)) return { config: v, base: [], id: undefined };
  throw shapeError(source, [], 'the distribution must be an object', '{"DistributionConfig": {…}}');
}

/* ------------------------------------------------------------------ behaviours */

interface Ctx {
  source: JsonSource;
  cachePolicies: Map<string, CachePolicy>;
  originRequestPolicies: Map<string, OriginRequestPolicy>;
  policyFiles: string[];
}

/**
 * CloudFront path patterns: case-sensitive, `*` any run of characters (slashes included), `?`
 * exactly one; the leading `/` is optional. Matched against the path without the query.
 */
export function pathPatternMatcher(pattern: string): RegExp {
  const p = pattern.startsWith('/') || pattern === '*' ? pattern : `/${pattern}`;
  const src = [...p].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`, 's');
}

function behaviour(ctx: Ctx, path: JsonPath, b: unknown, index: number): Behaviour {
  const { source } = ctx;
  if (!isObject(b)) throw shapeError(source, path, `cache behaviour #${index + 1} must be an object`, 'a cache behaviour object');
  if (index >= 0 && typeof b.PathPattern !== 'string') throw shapeError(source, path, `cache behaviour #${index + 1} has no PathPattern`, 'a "PathPattern" string');
  const pathPattern = index < 0 ? undefined : (b.PathPattern as string);
  const label = pathPattern === undefined ? 'default cache behaviour' : `cache behaviour ${pathPattern}`;
  const at = pathPattern === undefined ? source.locate(path) : source.locate([...path, 'PathPattern']);

  let cachePolicy: CachePolicy;
  let cachePolicyAt: SourceLocation;
  let legacy = false;
  if (typeof b.CachePolicyId === 'string' && b.CachePolicyId !== '') {
    cachePolicyAt = source.locate([...path, 'CachePolicyId']);
    const found = MANAGED_CACHE_POLICIES.get(b.CachePolicyId) ?? ctx.cachePolicies.get(b.CachePolicyId);
    if (!found) throw unknownPolicy(ctx, cachePolicyAt, 'cache', b.CachePolicyId, label, 'cache-policies.json');
    cachePolicy = found;
  } else {
    legacy = true;
    cachePolicy = legacyPolicy(b);
    cachePolicyAt = source.locate([...path, isObject(b.ForwardedValues) ? 'ForwardedValues' : 'MinTTL']);
  }

  let originRequestPolicy: Behaviour['originRequestPolicy'];
  if (typeof b.OriginRequestPolicyId === 'string' && b.OriginRequestPolicyId !== '') {
    const orpAt = source.locate([...path, 'OriginRequestPolicyId']);
    const found = MANAGED_ORIGIN_REQUEST_POLICIES.get(b.OriginRequestPolicyId) ?? ctx.originRequestPolicies.get(b.OriginRequestPolicyId);
    if (!found) throw unknownPolicy(ctx, orpAt, 'origin request', b.OriginRequestPolicyId, label, 'origin-request-policies.json');
    originRequestPolicy = { policy: found, at: orpAt };
  }
  const responseHeadersPolicy = typeof b.ResponseHeadersPolicyId === 'string' && b.ResponseHeadersPolicyId !== ''
    ? { id: b.ResponseHeadersPolicyId, at: source.locate([...path, 'ResponseHeadersPolicyId']) }
    : undefined;

  return {
    pathPattern,
    index,
    label,
    matcher: pathPatternMatcher(pathPattern ?? '*'),
    cachePolicy,
    legacy,
    cachePolicyAt,
    originRequestPolicy,
    responseHeadersPolicy,
    functions: functionAssociations(source, path, b),
    source,
    path,
    at,
  };
}

function unknownPolicy(ctx: Ctx, at: SourceLocation, kind: string, id: string, label: string, file: string): ConfigParseError {
  const where = ctx.policyFiles.length > 0 ? `in ${file}` : `in the snapshot (no ${file} given)`;
  return new ConfigParseError(at, `${label}: ${kind} policy "${id}" is neither AWS-managed nor ${where}`, `a managed ${kind} policy id or an Id listed in ${file}`);
}

/**
 * Legacy cache settings: ForwardedValues decide both what is forwarded and what is keyed;
 * TTLs default to 0 / 86400 / 31536000 as in the API.
 */
function legacyPolicy(b: JsonObject): CachePolicy {
  const fv = isObject(b.ForwardedValues) ? b.ForwardedValues : {};
  const cookies = isObject(fv.Cookies) ? fv.Cookies : {};
  const forward = cookies.Forward === 'all' ? 'all' : cookies.Forward === 'whitelist' ? 'whitelist' : 'none';
  const qsKeys = items(fv.QueryStringCacheKeys);
  const queryBehavior: KeyBehavior = fv.QueryString === true ? (qsKeys.length > 0 ? 'whitelist' : 'all') : 'none';
  const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  return {
    id: 'legacy',
    name: 'legacy cache settings (ForwardedValues)',
    managed: false,
    minTtl: num(b.MinTTL, 0),
    defaultTtl: num(b.DefaultTTL, 86400),
    maxTtl: num(b.MaxTTL, 31536000),
    headers: items(fv.Headers),
    cookies: { behavior: forward, names: forward === 'whitelist' ? items(cookies.WhitelistedNames) : [] },
    queryStrings: { behavior: queryBehavior, names: qsKeys },
  };
}

function functionAssociations(source: JsonSource, path: JsonPath, b: JsonObject): FunctionAssociation[] {
  const out: FunctionAssociation[] = [];
  const add = (key: string, arnKey: string, type: FunctionAssociation['type']): void => {
    const list = isObject(b[key]) ? (b[key] as JsonObject).Items : undefined;
    if (!Array.isArray(list)) return;
    list.forEach((f, i) => {
      if (isObject(f) && typeof f[arnKey] === 'string') {
        out.push({ type, arn: f[arnKey] as string, event: typeof f.EventType === 'string' ? f.EventType : 'unknown', at: source.locate([...path, key, 'Items', i]) });
      }
    });
  };
  add('FunctionAssociations', 'FunctionARN', 'CloudFront Function');
  add('LambdaFunctionAssociations', 'LambdaFunctionARN', 'Lambda@Edge');
  return out;
}
