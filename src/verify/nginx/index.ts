/**
 * The nginx reader for `cachewarden verify`: a parser of nginx's configuration grammar (with
 * includes), crossplane-compatible JSON, rendering and flattening back to text, and a model that
 * routes requests, applies nginx's inheritance and variables, and maps the cache directives onto
 * the semantics core's nginx profile.
 */
export type { NginxComment, NginxConfig, NginxDirective, NginxFile, NginxNode, NginxWord } from './ast.ts';
export { directiveHead, directiveText, directivesOf, walkDirectives } from './ast.ts';
export { lexNginx, NginxLexer, unescapeNginx, type Token, type TokenType } from './lexer.ts';
export { parseNginx, stripIfParens, type ParseOptions } from './parser.ts';
export { expandIncludes, MAX_FILE_BYTES, memoryFs, readNginxConfig, type NginxReadOptions } from './config.ts';
export { buildNginx, flattenNginx, type BuildOptions } from './build.ts';
export { crossplaneFailure, crossplaneWord, toCrossplane, type CrossplaneDirective, type CrossplaneError, type CrossplaneFile, type CrossplanePayload } from './crossplane.ts';
export { parseNginxTime } from './time.ts';
export { compilePcre, type CompiledRegex } from './regex.ts';
export {
  findLocation,
  locationParts,
  normalizeUri,
  selectServer,
  PASS_DIRECTIVES,
  type LocationMatch,
  type LocationModifier,
  type LocationResult,
  type NginxListen,
  type NginxLocation,
  type NginxServer,
  type ServerMatch,
} from './routing.ts';
export { effective, effectiveOne } from './inherit.ts';
export { variableRefs, VarEnv, type NginxMap, type NginxMapEntry, type VarSource, type VarValue } from './variables.ts';
export { enumerateBranches, MAX_BRANCHES, type PassModule, type RouteHandler, type RouteOutcome } from './walk.ts';
export { parseCacheValid, proxyHostOf } from './evaluate.ts';
export { expiresHeaders, HEADER_FILTER_STATUSES, type DownstreamResult } from './downstream.ts';
export { downstreamResponse, downstreamResponses, loadNginx, type NginxLoadOptions, type NginxModel, type NginxRoute } from './model.ts';
