/**
 * The VCL syntax tree. Every node carries its `SourceLocation` (`at`, with `endLine`) and its
 * `span` (file and [start, end) offsets) so rules can quote the text and callers can rewrite it.
 */
import type { SourceLocation } from '../types.ts';

export interface Span {
  file: string;
  start: number;
  end: number;
}

interface Node {
  at: SourceLocation;
  span: Span;
}

/* ------------------------------------------------------------------ expressions */

export type Expr =
  | (Node & { type: 'string'; value: string })
  | (Node & { type: 'number'; raw: string; value: number })
  /** Durations in seconds (`10m` → 600); byte sizes (`1MB`) are numbers with their unit kept in `raw`. */
  | (Node & { type: 'duration'; raw: string; seconds: number })
  | (Node & { type: 'bool'; value: boolean })
  /** A variable (`req.http.Cookie`, `beresp.ttl`), or a name (an ACL, backend or table). */
  | (Node & { type: 'ident'; name: string })
  | (Node & { type: 'call'; name: string; args: Expr[] })
  | (Node & { type: 'unary'; op: '!' | '-' | '+'; arg: Expr })
  | (Node & { type: 'binary'; op: BinaryOp; left: Expr; right: Expr })
  /** Fastly string concatenation by juxtaposition: `"a" req.http.X "b"`. */
  | (Node & { type: 'concat'; parts: Expr[] });

export type BinaryOp = '||' | '&&' | '==' | '!=' | '~' | '!~' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

/* ------------------------------------------------------------------ statements */

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '|=' | '&=' | '^=' | '&&=' | '||=';

export interface IfBranch {
  at: SourceLocation;
  span: Span;
  cond: Expr;
  body: Stmt[];
}

export type Stmt =
  | (Node & { type: 'set'; target: string; op: AssignOp; value: Expr })
  | (Node & { type: 'unset'; target: string; keyword: 'unset' | 'remove' })
  /** Fastly `add req.http.X = …;` (adds a header line). */
  | (Node & { type: 'add'; target: string; value: Expr })
  | (Node & { type: 'call'; name: string })
  /** `return;` has no action; `return (synth(404, "x"))` has action `synth` and its arguments. */
  | (Node & { type: 'return'; action: string | undefined; args: Expr[] })
  | (Node & { type: 'if'; branches: IfBranch[]; else: Stmt[] | undefined; elseAt: SourceLocation | undefined })
  | (Node & { type: 'hash_data'; value: Expr })
  | (Node & { type: 'synthetic'; value: Expr; base64: boolean })
  /** Fastly `error 503 "msg";` */
  | (Node & { type: 'error'; status: Expr | undefined; message: Expr | undefined })
  | (Node & { type: 'restart' })
  | (Node & { type: 'esi' })
  | (Node & { type: 'log'; value: Expr })
  | (Node & { type: 'declare'; name: string; varType: string })
  | (Node & { type: 'goto'; label: string })
  | (Node & { type: 'label'; name: string })
  /** Varnish `new obj = vmod.ctor(…);` in vcl_init. */
  | (Node & { type: 'new'; name: string; value: Expr })
  /** A function called for its effect: `std.log("x");`, `ban(…)`, `cookie.parse(req.http.Cookie);`. */
  | (Node & { type: 'expr'; value: Expr })
  /** Fastly `#FASTLY recv` (where the generated code goes). */
  | (Node & { type: 'macro'; name: string })
  | (Node & { type: 'inline_c'; code: string })
  /** Where an `include` sat; the included statements follow it in the same list. */
  | (Node & { type: 'include'; path: string; resolved: string });

/* ------------------------------------------------------------------ declarations */

/** `.host = "x";` in a backend/probe/director, or a nested object `.probe = { … }`. */
export interface Field {
  at: SourceLocation;
  span: Span;
  name: string;
  value: FieldValue;
}
export type FieldValue =
  | { type: 'expr'; expr: Expr; span: Span }
  | { type: 'object'; fields: Field[]; span: Span }
  /** Anything else written as-is (`50%`, a sequence of strings). */
  | { type: 'raw'; text: string; span: Span };

export interface AclEntry {
  at: SourceLocation;
  negated: boolean;
  address: string;
  mask: number | undefined;
}

export interface TableEntry {
  at: SourceLocation;
  key: string;
  value: Expr;
}

export type Decl =
  | (Node & { type: 'vcl'; version: string })
  | (Node & { type: 'import'; module: string; from: string | undefined })
  | (Node & { type: 'include'; path: string; resolved: string })
  | (Node & { type: 'backend'; name: string; fields: Field[]; none: boolean })
  | (Node & { type: 'probe'; name: string; fields: Field[] })
  | (Node & { type: 'acl'; name: string; flags: string[]; entries: AclEntry[] })
  /** Fastly `director name random { .quorum = 50%; { .backend = F_a; .weight = 1; } }`. */
  | (Node & { type: 'director'; name: string; policy: string; fields: Field[]; members: Field[][] })
  | (Node & { type: 'table'; name: string; valueType: string | undefined; entries: TableEntry[] })
  | (Node & { type: 'sub'; name: string; body: Stmt[]; builtin: boolean })
  /** Fastly `penaltybox`/`ratecounter` declarations (kept by name only). */
  | (Node & { type: 'object'; keyword: string; name: string })
  | (Node & { type: 'macro'; name: string })
  | (Node & { type: 'inline_c'; code: string });

export type SubDecl = Extract<Decl, { type: 'sub' }>;
export type BackendDecl = Extract<Decl, { type: 'backend' }>;
export type AclDecl = Extract<Decl, { type: 'acl' }>;
export type TableDecl = Extract<Decl, { type: 'table' }>;
