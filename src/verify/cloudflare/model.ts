/**
 * The Cloudflare model: loaded configuration plus `evaluate`.
 */
import { basename } from 'node:path';
import type { HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import type { JsonSource } from '../json-source.ts';
import type { ConfigModelBase } from '../types.ts';
import { parseCloudflare, readCloudflare, type CloudflareConfig } from './load.ts';
import { evaluateZone, type CloudflareEvaluation } from './zone.ts';

export interface CloudflareModel extends ConfigModelBase<'cloudflare'>, CloudflareConfig {
  evaluate(request: HttpRequestInfo, response: HttpResponseInfo): CloudflareEvaluation[];
}

/** Loads `{ 'cache_rules.json': path, 'pagerules.json': path, 'settings.json': path }` (any subset). */
export function loadCloudflare(files: Readonly<Record<string, string>>): CloudflareModel {
  return model(readCloudflare(files));
}

/** The same from documents already parsed (examples, tests), e.g. `fromText(json, 'cache_rules.json')`. */
export function cloudflareFromSources(sources: readonly JsonSource[]): CloudflareModel {
  return model(parseCloudflare(sources.map((source) => ({ source }))));
}

function model(config: CloudflareConfig): CloudflareModel {
  return {
    kind: 'cloudflare',
    name: `cloudflare zone (${config.sources.map((s) => basename(s.file)).join(', ')})`,
    files: config.sources.map((s) => s.file),
    ...config,
    evaluate: (request, response) => evaluateZone(config, request, response),
  };
}
