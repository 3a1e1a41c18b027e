/**
 * Akamai reader for `cachewarden verify`: a property's PAPI rule tree (API snapshot file
 * `rules.json`) → a model that evaluates exchanges for the semantics core.
 */
import type { HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import type { JsonSource } from '../json-source.ts';
import type { ConfigModelBase } from '../types.ts';
import { akamaiName, parseAkamai, readAkamai, type AkamaiConfig } from './load.ts';
import { evaluateProperty, type AkamaiEvaluation } from './property.ts';

export { AKAMAI_FILES, isAkamaiDocument, parseTtl, type AkamaiConfig, type AkamaiRule, type Feature } from './load.ts';
export { criterionMatches, wildcard, EVALUATED_CRITERIA, type Decision } from './criteria.ts';
export { MAX_BRANCHES, type AkamaiEvaluation } from './property.ts';

export interface AkamaiModel extends ConfigModelBase<'akamai'>, AkamaiConfig {
  evaluate(request: HttpRequestInfo, response: HttpResponseInfo): AkamaiEvaluation[];
}

/** Loads `{ 'rules.json': path }` (one rule tree). */
export function loadAkamai(files: Readonly<Record<string, string>>): AkamaiModel {
  return model(readAkamai(files));
}

/** The same from a document already parsed (examples, tests). */
export function akamaiFromSource(source: JsonSource): AkamaiModel {
  return model(parseAkamai(source));
}

function model(config: AkamaiConfig): AkamaiModel {
  return {
    kind: 'akamai',
    name: akamaiName(config),
    files: [config.source.file],
    ...config,
    evaluate: (request, response) => evaluateProperty(config, request, response),
  };
}
