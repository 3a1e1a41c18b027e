/**
 * The VCL reader for `cachewarden verify`: Varnish 4.x–8.x and Fastly VCL. `loadVcl` parses a
 * program (includes resolved, builtin attached) into a `VclModel`; `model.evaluate(request,
 * response)` runs the user's VCL for one exchange and maps it onto the varnish7/varnish8/fastly
 * profile of the semantics core.
 */
export { loadVcl, loadVclSource, backendSpans, walk, type VclModel, type StatementVisit, type BackendSpan, type IfStmt } from './model.ts';
export { detectDialect, builtinSubs, MAX_FILE_BYTES, type LoadVclOptions, type VclDialect, type VarnishVersion, type VclProgram, type MacroSite } from './load.ts';
export { BUILTIN_FILE, BUILTIN_SOURCE, RECV_HOOKS, BERESP_HOOKS, builtinVersionFor, type BuiltinVersion } from './builtin.ts';
export { tokenize, type Token, type TokenKind } from './lexer.ts';
export { Parser, RETURN_ACTIONS, type IncludeHost } from './parser.ts';
export { translatePcre, compilePcre, type Translated } from './regex.ts';
export { MAX_PATHS } from './evaluate.ts';
export type { FastlyFallback } from './flow-fastly.ts';
export type * from './ast.ts';
