/**
 * What a CloudFront distribution does to one exchange, as `CloudFrontOptions` for the semantics
 * core, with the JSON line behind each option.
 *
 * Behaviour selection: the ordered CacheBehaviors are tried in order and the first PathPattern
 * that matches the request path wins; otherwise the DefaultCacheBehavior applies.
 * Mapping:
 * - `policy`: a managed policy the profile knows by name (CachingOptimized, CachingDisabled), or
 *   explicit TTLs (custom, other managed, legacy). A legacy behaviour forwarding all headers
 *   (`*`) does not cache: TTLs 0/0/0.
 * - `keyCookies` / `keyHeaders`: what the cache policy (or legacy ForwardedValues) keys on. Cookie
 *   behaviours `all` / `allExcept` are resolved against the cookies this request carries.
 * - `forwardCookies` / `forwardHeaders`: what the origin request policy forwards (legacy
 *   behaviours forward exactly what they key). `allExcept` headers are resolved against this
 *   request's headers.
 * Query-string keying, response headers policies and function code are not in the profile:
 * they are listed in `unmodelled`, and each function association adds an Assumption.
 */
import { basename } from 'node:path';
import { requestCtx } from '../../semantics/exchange.ts';
import { CLOUDFRONT_MANAGED_POLICIES, type CloudFrontOptions, type HttpRequestInfo, type HttpResponseInfo } from '../../semantics/types.ts';
import { renderInline } from '../json-source.ts';
import type { Assumption, Provenance, RouteEvaluation, SourceLocation } from '../types.ts';
import type { Behaviour, CloudFrontConfig } from './load.ts';
import type { CachePolicy, NameList, OriginRequestPolicy } from './policies.ts';

export interface CloudFrontEvaluation extends RouteEvaluation {
  kind: 'cloudfront';
  profile: { id: 'cloudfront'; options: CloudFrontOptions };
  /** Settings that matched this exchange but have no option in the engine profile (not reflected in `profile`). */
  unmodelled: readonly Provenance[];
}

/** The behaviour that handles `path` (path only, no query). */
export function selectBehaviour(config: CloudFrontConfig, path: string): Behaviour {
  return config.behaviours.find((b) => b.pathPattern !== undefined && b.matcher.test(path)) ?? config.behaviours.at(-1)!;
}

export function evaluateDistribution(config: CloudFrontConfig, req: HttpRequestInfo, res: HttpResponseInfo): CloudFrontEvaluation[] {
  const q = requestCtx(req, undefined);
  const b = selectBehaviour(config, q.path);
  const cookieNames = [...q.cookies.keys()];
  // Cookies are forwarded under CookiesConfig, never as a header.
  const headerNames = Object.keys(req.headers).filter((h) => req.headers[h] !== undefined && h.toLowerCase() !== 'cookie').map((h) => h.toLowerCase());
  const provenance: Provenance[] = [];
  const unmodelled: Provenance[] = [];
  const options: CloudFrontOptions = {};

  const p = b.cachePolicy;
  const allHeaders = b.legacy && p.headers.includes('*');
  const ttls = allHeaders ? { minTtl: 0, defaultTtl: 0, maxTtl: 0 } : { minTtl: p.minTtl, defaultTtl: p.defaultTtl, maxTtl: p.maxTtl };
  options.policy = p.managed && p.name in CLOUDFRONT_MANAGED_POLICIES ? (p.name as keyof typeof CLOUDFRONT_MANAGED_POLICIES) : ttls;
  provenance.push({ option: 'policy', at: b.cachePolicyAt, text: policyText(b, allHeaders) });
  if (p.at && !p.managed) provenance.push({ option: 'policy', at: p.at, text: `CachePolicyConfig "${p.name}": MinTTL ${p.minTtl}, DefaultTTL ${p.defaultTtl}, MaxTTL ${p.maxTtl}` });

  const keyCookies = resolveNames(p.cookies, cookieNames);
  if (keyCookies.length > 0) {
    options.keyCookies = keyCookies;
    provenance.push({ option: 'keyCookies', at: partAt(b, p, 'CookiesConfig'), text: listText(b.legacy ? 'Cookies.Forward' : 'CookieBehavior', p.cookies, keyCookies) });
  }
  const keyHeaders = p.headers.filter((h) => h !== '*').map((h) => h.toLowerCase());
  if (keyHeaders.length > 0) {
    options.keyHeaders = keyHeaders;
    provenance.push({ option: 'keyHeaders', at: partAt(b, p, 'HeadersConfig'), text: `${b.legacy ? 'ForwardedValues.Headers' : 'HeadersConfig'}: [${p.headers.join(', ')}]` });
  }

  if (b.legacy) {
    // Legacy behaviours forward what they key; forwarding all cookies is 'all'.
    if (p.cookies.behavior !== 'none') {
      options.forwardCookies = p.cookies.behavior === 'all' ? 'all' : keyCookies;
      provenance.push({ option: 'forwardCookies', at: b.cachePolicyAt, text: listText('Cookies.Forward', p.cookies, keyCookies) });
    }
    if (allHeaders) {
      options.forwardHeaders = 'all';
      provenance.push({ option: 'forwardHeaders', at: b.cachePolicyAt, text: 'ForwardedValues.Headers: [*]' });
    }
  } else if (b.originRequestPolicy) {
    forwarded(options, provenance, b.originRequestPolicy.policy, b.originRequestPolicy.at, cookieNames, headerNames);
  }

  if (p.queryStrings.behavior !== 'none') unmodelled.push({ option: 'queryStrings', at: partAt(b, p, 'QueryStringsConfig'), text: `query strings in the key: ${renderInline(p.queryStrings)}` });
  if (b.responseHeadersPolicy) unmodelled.push({ option: 'ResponseHeadersPolicyId', at: b.responseHeadersPolicy.at, text: `ResponseHeadersPolicyId: ${b.responseHeadersPolicy.id} (changes only what viewers receive)` });
  const assumptions: Assumption[] = b.functions.map((f) => ({
    at: f.at,
    text: `${f.type} ${f.arn} on ${f.event} not evaluated: assumed it changes neither the cache key nor the caching headers`,
  }));

  return [
    {
      kind: 'cloudfront',
      handler: { label: b.label, at: b.at },
      profile: { id: 'cloudfront', options },
      request: req,
      response: res,
      provenance,
      assumptions,
      caching: !(ttls.minTtl === 0 && ttls.defaultTtl === 0 && ttls.maxTtl === 0),
      unmodelled,
    },
  ];
}

/** `all` / `allExcept` against what the request carries; `whitelist` as listed. */
function resolveNames(l: NameList<string>, present: readonly string[]): string[] {
  if (l.behavior === 'whitelist') return l.names;
  if (l.behavior === 'all' || l.behavior === 'allViewer' || l.behavior === 'allViewerAndWhitelistCloudFront') return [...present];
  if (l.behavior === 'allExcept') {
    const except = new Set(l.names.map((n) => n.toLowerCase()));
    return present.filter((n) => !except.has(n.toLowerCase()));
  }
  return [];
}

function forwarded(
  options: CloudFrontOptions,
  provenance: Provenance[],
  orp: OriginRequestPolicy,
  at: SourceLocation,
  cookieNames: string[],
  headerNames: string[],
): void {
  const where = (part: string): SourceLocation => (orp.managed || !orp.paths ? at : orp.paths.source.locate([...orp.paths.config, part]));
  const name = orp.managed ? `${orp.name} (AWS-managed)` : `"${orp.name}"`;
  if (orp.cookies.behavior !== 'none') {
    options.forwardCookies = orp.cookies.behavior === 'all' ? 'all' : resolveNames(orp.cookies, cookieNames);
    provenance.push({ option: 'forwardCookies', at: where('CookiesConfig'), text: `origin request policy ${name}: ${listText('CookieBehavior', orp.cookies, resolveNames(orp.cookies, cookieNames))}` });
  }
  if (orp.headers.behavior !== 'none') {
    const all = orp.headers.behavior === 'allViewer' || orp.headers.behavior === 'allViewerAndWhitelistCloudFront';
    options.forwardHeaders = all ? 'all' : resolveNames(orp.headers, headerNames).map((h) => h.toLowerCase());
    provenance.push({ option: 'forwardHeaders', at: where('HeadersConfig'), text: `origin request policy ${name}: HeaderBehavior ${orp.headers.behavior}${orp.headers.names.length ? ` [${orp.headers.names.join(', ')}]` : ''}` });
  }
}

function policyText(b: Behaviour, allHeaders: boolean): string {
  const p = b.cachePolicy;
  const ttl = `MinTTL ${p.minTtl}, DefaultTTL ${p.defaultTtl}, MaxTTL ${p.maxTtl}`;
  if (b.legacy) return allHeaders ? `legacy cache settings, ForwardedValues.Headers [*]: every request goes to the origin (${ttl})` : `legacy cache settings: ${ttl}`;
  return `CachePolicyId: ${p.id} (${p.managed ? `${p.name}, AWS-managed` : `"${p.name}"`}: ${ttl})`;
}

function listText(key: string, l: NameList<string>, resolved: readonly string[]): string {
  const listed = l.names.length > 0 ? ` [${l.names.join(', ')}]` : '';
  const dynamic = l.behavior === 'all' || l.behavior === 'allExcept' ? ` (this request: ${resolved.length ? resolved.join(', ') : 'none'})` : '';
  return `${key} ${l.behavior}${listed}${dynamic}`;
}

/** Where a part of the cache policy is written (custom policies) or chosen (managed / legacy). */
function partAt(b: Behaviour, p: CachePolicy, part: string): SourceLocation {
  if (b.legacy) return b.cachePolicyAt;
  if (p.managed || !p.paths) return b.cachePolicyAt;
  return p.paths.source.locate([...p.paths.config, 'ParametersInCacheKeyAndForwardedToOrigin', part]);
}

export const distributionName = (config: CloudFrontConfig): string =>
  `cloudfront distribution ${config.distributionId ?? config.comment ?? basename(config.sources[0]?.file ?? 'distribution.json')}`;
