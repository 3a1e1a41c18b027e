/**
 * The VCL model a reader returns: the program (user subs with locations, builtin subs,
 * declarations, Fastly macro sites), helpers structural rules need (`subs`, `statements`,
 * `backends`, `text`), `evaluate` for one exchange, and `backendSpans` for rewriting backends
 * before booting the config in a real varnishd.
 */
import type { HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import type { ConfigModelBase, RouteEvaluation } from '../types.ts';
import type { AclDecl, BackendDecl, Decl, FieldValue, Span, Stmt, SubDecl, TableDecl } from './ast.ts';
import { evaluateExchange, type EvalSetup } from './evaluate.ts';
import { findFastlyFallback, type FastlyFallback } from './flow-fastly.ts';
import { loadProgram, readMain, type LoadVclOptions, type MacroSite, type VarnishVersion, type VclDialect, type VclProgram } from './load.ts';
import type { ProgramIndex } from './state.ts';

export type IfStmt = Extract<Stmt, { type: 'if' }>;

export interface StatementVisit {
  stmt: Stmt;
  sub: SubDecl;
  /** Enclosing `if` statements, outermost first, with the branch taken to get here (-1 = else). */
  guards: ReadonlyArray<{ stmt: IfStmt; branch: number }>;
}

export interface VclModel extends ConfigModelBase<VclDialect> {
  readonly dialect: VclDialect;
  /** Varnish major version the model assumes (undefined for Fastly). */
  readonly varnishVersion: VarnishVersion | undefined;
  /** `vcl 4.1;` of the main file, when present. */
  readonly vclVersion: string | undefined;
  readonly program: VclProgram;
  readonly backends: readonly BackendDecl[];
  readonly acls: readonly AclDecl[];
  readonly tables: readonly TableDecl[];
  /** Imported VMOD names. */
  readonly imports: readonly string[];
  readonly macros: readonly MacroSite[];
  /** Fastly: the fallback TTL the VCL sets in vcl_fetch, when it does. */
  readonly fastlyFallback: FastlyFallback | undefined;
  /**
   * The definitions of a sub in order of appearance (the engine concatenates them). User
   * definitions only, unless `builtin: true`, which appends builtin's as the engine would.
   */
  subs(name: string, opts?: { builtin?: boolean }): SubDecl[];
  /** Names of user-defined subs in order of first appearance (plus builtin's with `builtin: true`). */
  subNames(opts?: { builtin?: boolean }): string[];
  /** Every statement of a sub (all its definitions, or one definition), depth first, with enclosing ifs. */
  statements(sub: SubDecl | string, opts?: { builtin?: boolean }): StatementVisit[];
  /** A file's text (user files and `<builtin varnish N>`). */
  source(file: string): string | undefined;
  /** A node's source text on one line. */
  text(node: { span: Span }): string;
}

export function* walk(sub: SubDecl): Generator<StatementVisit> {
  function* inner(body: readonly Stmt[], guards: StatementVisit['guards']): Generator<StatementVisit> {
    for (const stmt of body) {
      yield { stmt, sub, guards };
      if (stmt.type === 'if') {
        for (let i = 0; i < stmt.branches.length; i++) yield* inner(stmt.branches[i]!.body, [...guards, { stmt, branch: i }]);
        if (stmt.else) yield* inner(stmt.else, [...guards, { stmt, branch: -1 }]);
      }
    }
  }
  yield* inner(sub.body, []);
}

function group(subs: readonly SubDecl[]): Map<string, SubDecl[]> {
  const out = new Map<string, SubDecl[]>();
  for (const s of subs) {
    const list = out.get(s.name);
    if (list) list.push(s);
    else out.set(s.name, [s]);
  }
  return out;
}

function buildModel(program: VclProgram & { varnishVersion: VarnishVersion }, mainFile: string): VclModel {
  const decls = program.decls;
  const userSubs = decls.filter((d): d is SubDecl => d.type === 'sub');
  const user = group(userSubs);
  const builtin = group(program.builtin);
  const ofType = <T extends Decl['type']>(t: T) => decls.filter((d): d is Extract<Decl, { type: T }> => d.type === t);
  const backends = ofType('backend');
  const acls = ofType('acl');
  const tables = ofType('table');
  const oneLine = (span: Span): string => (program.sources.get(span.file) ?? '').slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  const names = new Set<string>([
    ...backends.map((b) => b.name),
    ...ofType('director').map((d) => d.name),
    ...ofType('probe').map((p) => p.name),
    ...tables.map((t) => t.name),
  ]);
  const index: ProgramIndex = {
    dialect: program.dialect,
    user,
    builtin,
    acls: new Set(acls.map((a) => a.name)),
    names,
    tables: new Map(tables.map((t) => [t.name, t])),
    oneLine,
  };
  const fileOrder = new Map(program.files.map((f, i) => [f, i]));
  const fastlyFallback = program.dialect === 'fastly' ? findFastlyFallback(user.get('vcl_fetch') ?? [], oneLine) : undefined;
  const setup: EvalSetup = { index, mainFile, fileOrder, varnishVersion: program.varnishVersion, fastlyFallback };
  const subs = (name: string, opts?: { builtin?: boolean }): SubDecl[] => [...(user.get(name) ?? []), ...(opts?.builtin ? (builtin.get(name) ?? []) : [])];

  return {
    kind: program.dialect,
    name: mainFile,
    files: program.files,
    dialect: program.dialect,
    varnishVersion: program.dialect === 'varnish' ? program.varnishVersion : undefined,
    vclVersion: program.vclVersion,
    program,
    backends,
    acls,
    tables,
    imports: ofType('import').map((i) => i.module),
    macros: program.macros,
    fastlyFallback,
    subs,
    subNames: (opts) => [...new Set([...user.keys(), ...(opts?.builtin ? builtin.keys() : [])])],
    statements: (sub, opts) => (typeof sub === 'string' ? subs(sub, opts) : [sub]).flatMap((s) => [...walk(s)]),
    source: (file) => program.sources.get(file),
    text: (node) => oneLine(node.span),
    evaluate: (request: HttpRequestInfo, response: HttpResponseInfo): RouteEvaluation[] => evaluateExchange(setup, request, response),
  };
}

/** Loads a VCL file and its includes. Throws ConfigParseError (file:line:column) on bad input. */
export function loadVcl(mainFile: string, opts: LoadVclOptions = {}): VclModel {
  return buildModel(loadProgram(readMain(mainFile, opts), mainFile, opts), mainFile);
}

/** Loads VCL from memory (`fileName` names it in locations; includes resolve against its directory). */
export function loadVclSource(text: string, fileName: string, opts: LoadVclOptions = {}): VclModel {
  return buildModel(loadProgram(text, fileName, opts), fileName);
}

export interface BackendSpan {
  name: string;
  file: string;
  /** The whole declaration, [start, end) offsets in `file`. */
  start: number;
  end: number;
  /** The value of `.host` / `.port` (quotes included), when present. */
  host: { value: string; start: number; end: number } | undefined;
  port: { value: string; start: number; end: number } | undefined;
}

function fieldSpan(v: FieldValue | undefined): { value: string; start: number; end: number } | undefined {
  if (!v || v.type === 'object') return undefined;
  const value = v.type === 'expr' ? (v.expr.type === 'string' ? v.expr.value : v.expr.type === 'number' ? v.expr.raw : '') : v.text;
  return { value, start: v.span.start, end: v.span.end };
}

/** Every backend declaration's place, so a caller can rewrite `.host`/`.port` before booting varnishd. */
export function backendSpans(model: VclModel): BackendSpan[] {
  return model.backends.map((b) => ({
    name: b.name,
    file: b.span.file,
    start: b.span.start,
    end: b.span.end,
    host: fieldSpan(b.fields.find((f) => f.name === 'host')?.value),
    port: fieldSpan(b.fields.find((f) => f.name === 'port')?.value),
  }));
}
