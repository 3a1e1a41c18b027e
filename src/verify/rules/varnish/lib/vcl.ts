/**
 * VCL helpers the Varnish and Fastly rules share (the Fastly rules import them from here):
 * narrowing a model to the VCL reader's, the user sub a statement sits in, the statements a
 * vcl_* method reaches through `call` (with the block each sits in), the same-block scan for a
 * TTL of 0 that is then delivered, and how a statement is named in messages.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/varnish/).
 */
import type { ConfigModelBase, Provenance, SourceLocation } from '../../../types.ts';
import type { Expr, IfStmt, Stmt, SubDecl, VclDialect, VclModel } from '../../../vcl/index.ts';

/** The model as the VCL reader's, when it is one of this dialect. */
export function asVcl(model: ConfigModelBase, dialect: VclDialect): VclModel | undefined {
  return model.kind === dialect && 'program' in model ? (model as VclModel) : undefined;
}

/** `main.vcl:12`. */
export function place(at: SourceLocation): string {
  return `${at.file.split('/').pop()}:${at.line}`;
}

/** A location as a map key (file, line, column). */
export function locationKey(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}

/** `` `return (deliver);` (main.vcl:34) ``: a statement as messages name it. */
export function quote(p: { text: string; at: SourceLocation }): string {
  return `\`${p.text}\` (${place(p.at)})`;
}

/** A statement as a provenance-like entry (text on one line, location). */
export function entry(model: VclModel, stmt: Stmt, option = 'statement'): Provenance {
  return { option, at: stmt.at, text: model.text(stmt) };
}

/** The user sub whose body holds `at` (subs do not nest). */
export function subAt(model: VclModel, at: SourceLocation): SubDecl | undefined {
  for (const name of model.subNames()) {
    for (const s of model.subs(name)) {
      if (s.at.file === at.file && s.at.line <= at.line && at.line <= (s.at.endLine ?? s.at.line)) return s;
    }
  }
  return undefined;
}

/** The name of the user sub holding `at`, for messages (`vcl_backend_response`). */
export function subName(model: VclModel, at: SourceLocation): string {
  return subAt(model, at)?.name ?? 'the VCL';
}

export interface Reached {
  stmt: Stmt;
  /** The user sub the statement is written in. */
  sub: SubDecl;
  /** Enclosing `if`s, outermost first, through the call sites that led here (-1 = else branch). */
  guards: ReadonlyArray<{ stmt: IfStmt; branch: number }>;
}

/**
 * Every statement of a method's user definitions and of the user subs it calls, depth first, in
 * order (a sub called twice is walked twice, a recursive call once).
 */
export function reachable(model: VclModel, method: string): Reached[] {
  const out: Reached[] = [];
  const walkSub = (sub: SubDecl, outer: Reached['guards'], stack: readonly string[]): void => {
    const inner = (body: readonly Stmt[], guards: Reached['guards']): void => {
      for (const stmt of body) {
        out.push({ stmt, sub, guards });
        if (stmt.type === 'if') {
          stmt.branches.forEach((b, i) => inner(b.body, [...guards, { stmt, branch: i }]));
          if (stmt.else) inner(stmt.else, [...guards, { stmt, branch: -1 }]);
        } else if (stmt.type === 'call' && !stack.includes(stmt.name)) {
          for (const callee of model.subs(stmt.name)) walkSub(callee, guards, [...stack, stmt.name]);
        }
      }
    };
    inner(sub.body, outer);
  };
  for (const def of model.subs(method)) walkSub(def, [], [method]);
  return out;
}

/** A constant number of seconds (`0s`, `-1s`, `0`), when the expression is one. */
export function constSeconds(e: Expr): number | undefined {
  if (e.type === 'duration') return e.seconds;
  if (e.type === 'number') return e.value;
  if (e.type === 'unary' && e.op === '-') {
    const v = constSeconds(e.arg);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/** `return (deliver)`, `return(pass)`…: the action of a return statement, lower case. */
export function returnAction(s: Stmt): string | undefined {
  return s.type === 'return' ? s.action?.toLowerCase() : undefined;
}

/** Whether a statement is `set <target> = <expr>` on this variable (case-insensitive). */
export function sets(s: Stmt, target: string): s is Extract<Stmt, { type: 'set' }> {
  return s.type === 'set' && s.target.toLowerCase() === target;
}

/** Whether a statement removes a header (`unset`, or `set … = ""`) of a scope (`bereq.http.cookie`). */
export function removes(s: Stmt, target: string): boolean {
  if (s.type === 'unset') return s.target.toLowerCase() === target;
  return sets(s, target) && s.op === '=' && s.value.type === 'string' && s.value.value === '';
}

export interface ZeroTtlDelivery {
  /** `set beresp.ttl = 0s;` (or less). */
  ttl: Extract<Stmt, { type: 'set' }>;
  /** The `return (deliver)` after it in the same block. */
  deliver: Stmt;
  /** A constant `beresp.grace` set in the block before the deliver, when there is one. */
  grace: number | undefined;
}

/** The statement list a reached statement sits in. */
export function blockOf(r: Reached): readonly Stmt[] {
  const inner = r.guards.at(-1);
  if (!inner) return r.sub.body;
  return inner.branch >= 0 ? inner.stmt.branches[inner.branch]!.body : (inner.stmt.else ?? []);
}

/** `beresp.status == 503`, `beresp.status >= 500`: a test that only error statuses pass. */
function errorStatusTest(e: Expr): boolean {
  if (e.type === 'binary' && (e.op === '&&' || e.op === '||')) return e.op === '&&' ? errorStatusTest(e.left) || errorStatusTest(e.right) : errorStatusTest(e.left) && errorStatusTest(e.right);
  if (e.type !== 'binary' || !['==', '>=', '>'].includes(e.op)) return false;
  const status = e.left.type === 'ident' && e.left.name.toLowerCase() === 'beresp.status';
  return status && e.right.type === 'number' && e.right.value >= (e.op === '>' ? 399 : 400);
}

/**
 * In the subs a method reaches: `set beresp.ttl = <0 or less>;` followed in the same block by
 * `return (deliver)`, with nothing between that `keeps` the object out of the cache (Varnish
 * `set beresp.uncacheable = true`, Fastly `set beresp.cacheable = false`), sets another TTL, or
 * returns otherwise. The shape the evaluator may not reach (a condition on a header no probe
 * sends); blocks only error statuses enter are left out (neither engine stores those by default).
 */
export function zeroTtlDeliveries(model: VclModel, method: string, keeps: (s: Stmt) => boolean): ZeroTtlDelivery[] {
  const out: ZeroTtlDelivery[] = [];
  for (const r of reachable(model, method)) {
    const s = r.stmt;
    if (!sets(s, 'beresp.ttl') || s.op !== '=') continue;
    const seconds = constSeconds(s.value);
    if (seconds === undefined || seconds > 0) continue;
    if (r.guards.some((g) => g.branch >= 0 && errorStatusTest(g.stmt.branches[g.branch]!.cond))) continue;
    const body = blockOf(r);
    for (const next of body.slice(body.indexOf(s) + 1)) {
      if (keeps(next) || sets(next, 'beresp.ttl') || next.type === 'error' || next.type === 'restart') break;
      if (next.type !== 'return') continue;
      if (returnAction(next) === 'deliver') {
        const last = body.slice(0, body.indexOf(next)).filter((g) => sets(g, 'beresp.grace')).at(-1);
        out.push({ ttl: s, deliver: next, grace: last?.type === 'set' ? constSeconds(last.value) : undefined });
      }
      break;
    }
  }
  return out;
}
