/**
 * CloudFront cache policies and origin request policies: the AWS-managed ones as data (with the
 * documentation page each fact comes from), and custom ones read from the SDK shapes
 * (`CachePolicyConfig`, `OriginRequestPolicyConfig`: PascalCase, lists as `{Quantity, Items}`).
 *
 * Managed policy settings, in our words, from:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 * (a policy that enables compressed objects also keys on the normalised Accept-Encoding; that
 * does not separate requesters and is not listed below).
 */
import { isObject, shapeError, type JsonPath, type JsonSource } from '../json-source.ts';
import type { SourceLocation } from '../types.ts';

const MANAGED_CACHE_DOC = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html';
const MANAGED_ORP_DOC = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html';

export type KeyBehavior = 'none' | 'whitelist' | 'allExcept' | 'all';
export type OriginHeaderBehavior = 'none' | 'whitelist' | 'allViewer' | 'allViewerAndWhitelistCloudFront' | 'allExcept';

export interface NameList<B extends string = KeyBehavior> {
  behavior: B;
  names: string[];
}

export interface CachePolicy {
  id: string;
  /** Managed policies: the console name without `Managed-` (`CachingOptimized`). */
  name: string;
  managed: boolean;
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
  /** Headers in the key (cache policies only allow a whitelist; legacy behaviours may say `*`). */
  headers: string[];
  cookies: NameList;
  queryStrings: NameList;
  /** Where a custom policy is written (its `CachePolicyConfig`). */
  at?: SourceLocation;
  /** JSON paths of a custom policy's parts, for provenance. */
  paths?: { source: JsonSource; config: JsonPath };
  /** The documentation page for a managed policy. */
  doc?: string;
}

export interface OriginRequestPolicy {
  id: string;
  name: string;
  managed: boolean;
  headers: NameList<OriginHeaderBehavior>;
  cookies: NameList;
  queryStrings: NameList;
  at?: SourceLocation;
  paths?: { source: JsonSource; config: JsonPath };
  doc?: string;
}

const none: NameList = { behavior: 'none', names: [] };
const all: NameList = { behavior: 'all', names: [] };
const list = (...names: string[]): NameList => ({ behavior: 'whitelist', names });
const METHOD_OVERRIDE = ['Host', 'Origin', 'X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'];

const cachePolicy = (id: string, name: string, [minTtl, defaultTtl, maxTtl]: [number, number, number], headers: string[], cookies: NameList, queryStrings: NameList): CachePolicy => ({
  id, name, managed: true, minTtl, defaultTtl, maxTtl, headers, cookies, queryStrings, doc: MANAGED_CACHE_DOC,
});

/** AWS-managed cache policies by id. */
export const MANAGED_CACHE_POLICIES: ReadonlyMap<string, CachePolicy> = new Map(
  [
    cachePolicy('658327ea-f89d-4fab-a63d-7e88639e58f6', 'CachingOptimized', [1, 86400, 31536000], [], none, none),
    cachePolicy('b2884449-e4de-46a7-ac36-70bc7f1ddd6d', 'CachingOptimizedForUncompressedObjects', [1, 86400, 31536000], [], none, none),
    cachePolicy('4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'CachingDisabled', [0, 0, 0], [], none, none),
    cachePolicy('83da9c7e-98b4-4e11-a168-04f0df8e2c65', 'UseOriginCacheControlHeaders', [0, 0, 31536000], METHOD_OVERRIDE, all, none),
    cachePolicy('4cc15a8a-d715-48a4-82b8-cc0b614638fe', 'UseOriginCacheControlHeaders-QueryStrings', [0, 0, 31536000], METHOD_OVERRIDE, all, all),
    cachePolicy('08627262-05a9-4f76-9ded-b50ca2e3a84f', 'Elemental-MediaPackage', [0, 86400, 31536000], ['Origin'], none, list('aws.manifestfilter', 'start', 'end', 'm')),
    cachePolicy('2e54312d-136d-493c-8eb9-b001f22f67d2', 'Amplify', [2, 2, 600], ['Authorization', 'CloudFront-Viewer-Country', 'Host'], all, all),
  ].map((p) => [p.id, p]),
);

const orp = (id: string, name: string, headers: NameList<OriginHeaderBehavior>, cookies: NameList, queryStrings: NameList): OriginRequestPolicy => ({
  id, name, managed: true, headers, cookies, queryStrings, doc: MANAGED_ORP_DOC,
});
const CF_VIEWER_HEADERS = [
  'CloudFront-Forwarded-Proto', 'CloudFront-Is-Android-Viewer', 'CloudFront-Is-Desktop-Viewer', 'CloudFront-Is-IOS-Viewer',
  'CloudFront-Is-Mobile-Viewer', 'CloudFront-Is-SmartTV-Viewer', 'CloudFront-Is-Tablet-Viewer', 'CloudFront-Viewer-Address',
  'CloudFront-Viewer-ASN', 'CloudFront-Viewer-City', 'CloudFront-Viewer-Country', 'CloudFront-Viewer-Country-Name',
  'CloudFront-Viewer-Country-Region', 'CloudFront-Viewer-Country-Region-Name', 'CloudFront-Viewer-Http-Version',
  'CloudFront-Viewer-Latitude', 'CloudFront-Viewer-Longitude', 'CloudFront-Viewer-Metro-Code', 'CloudFront-Viewer-Postal-Code',
  'CloudFront-Viewer-Time-Zone', 'CloudFront-Viewer-TLS',
];

/** AWS-managed origin request policies by id. */
export const MANAGED_ORIGIN_REQUEST_POLICIES: ReadonlyMap<string, OriginRequestPolicy> = new Map(
  [
    orp('216adef6-5c7f-47e4-b989-5492eafa07d3', 'AllViewer', { behavior: 'allViewer', names: [] }, all, all),
    orp('b689b0a8-53d0-40ab-baf2-68738e2966ac', 'AllViewerExceptHostHeader', { behavior: 'allExcept', names: ['Host'] }, all, all),
    orp('33f36d7e-f396-46d9-90e0-52428a34d9dc', 'AllViewerAndCloudFrontHeaders-2022-06', { behavior: 'allViewerAndWhitelistCloudFront', names: CF_VIEWER_HEADERS }, all, all),
    orp('88a5eaf4-2fd4-4709-b370-b4c650ea3fcf', 'CORS-S3Origin', { behavior: 'whitelist', names: ['Origin', 'Access-Control-Request-Headers', 'Access-Control-Request-Method'] }, none, none),
    orp('59781a5b-3903-41f3-afcb-af62929ccde1', 'CORS-CustomOrigin', { behavior: 'whitelist', names: ['Origin'] }, none, none),
    orp('acba4595-bd28-49b8-b9fe-13317c0390fa', 'UserAgentRefererHeaders', { behavior: 'whitelist', names: ['User-Agent', 'Referer'] }, none, none),
    orp('775133bc-15f2-49f9-abea-afb2e0bf67d2', 'Elemental-MediaTailor-PersonalizedManifests', {
      behavior: 'whitelist',
      names: ['Origin', 'Access-Control-Request-Headers', 'Access-Control-Request-Method', 'User-Agent', 'X-Forwarded-For'],
    }, none, all),
    orp('bf0718e1-ba1e-49d1-88b1-f726733018ae', 'HostHeaderOnly', { behavior: 'whitelist', names: ['Host'] }, none, none),
  ].map((p) => [p.id, p]),
);

/* ------------------------------------------------------------------ SDK shapes */

/** `{Quantity, Items}` → the items (strings only). */
export function items(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return isObject(v) && Array.isArray(v.Items) ? v.Items.filter((x): x is string => typeof x === 'string') : [];
}

function nameList<B extends string>(source: JsonSource, path: JsonPath, v: unknown, behaviorKey: string, listKey: string, allowed: readonly B[]): NameList<B> {
  if (v === undefined) return { behavior: 'none' as B, names: [] };
  if (!isObject(v)) throw shapeError(source, path, `${path.at(-1)} must be an object`, `{"${behaviorKey}": "${allowed.join('" | "')}"}`);
  const behavior = v[behaviorKey];
  if (typeof behavior !== 'string' || !(allowed as readonly string[]).includes(behavior)) {
    throw shapeError(source, [...path, behaviorKey], `${behaviorKey} "${String(behavior)}" is not one CloudFront knows`, allowed.map((a) => `"${a}"`).join(', '));
  }
  return { behavior: behavior as B, names: items(v[listKey]) };
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** One custom cache policy from `{Id, CachePolicyConfig}` at `path`. */
export function parseCachePolicy(source: JsonSource, path: JsonPath, id: string, config: Record<string, unknown>): CachePolicy {
  const cfgPath = [...path, 'CachePolicyConfig'];
  const params = isObject(config.ParametersInCacheKeyAndForwardedToOrigin) ? config.ParametersInCacheKeyAndForwardedToOrigin : {};
  const pPath = [...cfgPath, 'ParametersInCacheKeyAndForwardedToOrigin'];
  const headers = nameList(source, [...pPath, 'HeadersConfig'], params.HeadersConfig, 'HeaderBehavior', 'Headers', ['none', 'whitelist'] as const);
  return {
    id,
    name: typeof config.Name === 'string' ? config.Name : id,
    managed: false,
    minTtl: num(config.MinTTL, 0),
    defaultTtl: num(config.DefaultTTL, 86400),
    maxTtl: num(config.MaxTTL, 31536000),
    headers: headers.names,
    cookies: nameList(source, [...pPath, 'CookiesConfig'], params.CookiesConfig, 'CookieBehavior', 'Cookies', ['none', 'whitelist', 'allExcept', 'all'] as const),
    queryStrings: nameList(source, [...pPath, 'QueryStringsConfig'], params.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings', ['none', 'whitelist', 'allExcept', 'all'] as const),
    at: source.locate(cfgPath),
    paths: { source, config: cfgPath },
  };
}

/** One custom origin request policy from `{Id, OriginRequestPolicyConfig}` at `path`. */
export function parseOriginRequestPolicy(source: JsonSource, path: JsonPath, id: string, config: Record<string, unknown>): OriginRequestPolicy {
  const cfgPath = [...path, 'OriginRequestPolicyConfig'];
  return {
    id,
    name: typeof config.Name === 'string' ? config.Name : id,
    managed: false,
    headers: nameList(source, [...cfgPath, 'HeadersConfig'], config.HeadersConfig, 'HeaderBehavior', 'Headers', ['none', 'whitelist', 'allViewer', 'allViewerAndWhitelistCloudFront', 'allExcept'] as const),
    cookies: nameList(source, [...cfgPath, 'CookiesConfig'], config.CookiesConfig, 'CookieBehavior', 'Cookies', ['none', 'whitelist', 'allExcept', 'all'] as const),
    queryStrings: nameList(source, [...cfgPath, 'QueryStringsConfig'], config.QueryStringsConfig, 'QueryStringBehavior', 'QueryStrings', ['none', 'whitelist', 'allExcept', 'all'] as const),
    at: source.locate(cfgPath),
    paths: { source, config: cfgPath },
  };
}

/**
 * The policy entries of a policies file: an array of `{Id, <Kind>Config}` (or `{<Kind>: {Id,
 * <Kind>Config}}`), or a List…Policies output (`{<Kind>List: {Items: [{Type, <Kind>: {…}}]}}`).
 */
export function policyEntries(source: JsonSource, kind: 'CachePolicy' | 'OriginRequestPolicy'): Array<{ path: JsonPath; id: string; config: Record<string, unknown> }> {
  const configKey = `${kind}Config`;
  let base: JsonPath = [];
  let list: unknown = source.value;
  if (isObject(list) && isObject(list[`${kind}List`])) {
    base = [`${kind}List`, 'Items'];
    list = (list[`${kind}List`] as Record<string, unknown>).Items;
  }
  if (!Array.isArray(list)) throw shapeError(source, base, `${basenameOf(source)} must be an array of {Id, ${configKey}}`, `[{"Id": "…", "${configKey}": {…}}]`);
  return list.map((entry, i) => {
    let path: JsonPath = [...base, i];
    let e: unknown = entry;
    if (isObject(e) && isObject(e[kind])) {
      path = [...path, kind];
      e = e[kind];
    }
    if (!isObject(e) || typeof e.Id !== 'string' || !isObject(e[configKey])) {
      throw shapeError(source, path, `entry #${i + 1} is not {Id, ${configKey}}`, `{"Id": "…", "${configKey}": {…}}`);
    }
    return { path, id: e.Id, config: e[configKey] as Record<string, unknown> };
  });
}

const basenameOf = (s: JsonSource): string => s.file.split(/[\\/]/).pop() ?? s.file;
