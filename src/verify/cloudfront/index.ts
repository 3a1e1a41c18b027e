/**
 * CloudFront reader for `cachewarden verify`: a distribution with its cache and origin request
 * policies (AWS SDK v3 shapes, API snapshot files) → a model that evaluates exchanges for the
 * semantics core.
 */
import type { HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import type { JsonSource } from '../json-source.ts';
import type { ConfigModelBase } from '../types.ts';
import { distributionName, evaluateDistribution, type CloudFrontEvaluation } from './distribution.ts';
import { parseCloudFront, readCloudFront, type CloudFrontConfig } from './load.ts';

export { selectBehaviour, type CloudFrontEvaluation } from './distribution.ts';
export { CLOUDFRONT_FILES, isCloudFrontDocument, pathPatternMatcher, type Behaviour, type CloudFrontConfig, type FunctionAssociation } from './load.ts';
export {
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  type CachePolicy,
  type OriginRequestPolicy,
  type KeyBehavior,
  type OriginHeaderBehavior,
  type NameList,
} from './policies.ts';

export interface CloudFrontModel extends ConfigModelBase<'cloudfront'>, CloudFrontConfig {
  evaluate(request: HttpRequestInfo, response: HttpResponseInfo): CloudFrontEvaluation[];
}

/** Loads `{ 'distribution.json': path, 'cache-policies.json': path, 'origin-request-policies.json': path }`. */
export function loadCloudFront(files: Readonly<Record<string, string>>): CloudFrontModel {
  return model(readCloudFront(files));
}

/** The same from documents already parsed (examples, tests). */
export function cloudFrontFromSources(sources: readonly JsonSource[]): CloudFrontModel {
  return model(parseCloudFront(sources.map((source) => ({ source }))));
}

function model(config: CloudFrontConfig): CloudFrontModel {
  return {
    kind: 'cloudfront',
    name: distributionName(config),
    files: config.sources.map((s) => s.file),
    ...config,
    evaluate: (request, response) => evaluateDistribution(config, request, response),
  };
}
