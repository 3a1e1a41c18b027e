/**
 * The VCL interpreter for one path through one exchange: statement execution, expression
 * evaluation with three-valued logic, and forking on undecidable conditions. A path is replayed
 * from a list of forced choices (`forced`); every undecidable condition past that list takes its
 * `true` branch and is recorded in `taken`, so the caller can explore the other branches by
 * replaying (evaluate.ts). The exchange state and variable access are in state.ts.
 *
 * It only interprets what it is asked to run: the flows (flow-varnish.ts, flow-fastly.ts) run the
 * user's subs and model the builtin through the semantics profile.
 */
import type { HttpRequestInfo } from '../../semantics/types.ts';
import type { Assumption } from '../types.ts';
import type { Expr, Stmt, SubDecl } from './ast.ts';
import { callFunction, type FnHost } from './functions.ts';
import { compilePcre } from './regex.ts';
import { ExchangeState, defaultFor, type ProgramIndex } from './state.ts';
import { arith, bool, dur, equal, num, numeric, str, taintOf, toStr, truthy, unknown, type Value } from './values.ts';

/** How a sub ended. */
export type Exit =
  | { kind: 'fell' }
  | { kind: 'bare'; stmt: Stmt }
  | { kind: 'action'; action: string; stmt: Stmt };

type Signal = undefined | { kind: 'return'; action: string | undefined; stmt: Stmt } | { kind: 'goto'; label: string };

const MAX_DEPTH = 32;
const MAX_STEPS = 200_000;

export class Machine extends ExchangeState implements FnHost {
  private readonly forced: readonly boolean[];
  readonly taken: boolean[] = [];
  readonly assumptions: Assumption[] = [];
  readonly hashInputs: Array<{ value: Value; stmt: Stmt }> = [];
  private depth = 0;
  private steps = 0;
  private current: Stmt | undefined;

  constructor(prog: ProgramIndex, request: HttpRequestInfo, forced: readonly boolean[]) {
    super(prog, request);
    this.forced = forced;
  }

  /* ---------------------------------------------------------------- running subs */

  /** Runs the user's definitions of a vcl_* method or hook sub (not builtin's). */
  runUser(name: string): Exit {
    this.method = name;
    return this.toExit(this.execDefs(this.prog.user.get(name) ?? []));
  }

  hasUser(name: string): boolean {
    return (this.prog.user.get(name)?.length ?? 0) > 0;
  }

  private toExit(sig: Signal): Exit {
    if (sig?.kind === 'return') return sig.action === undefined ? { kind: 'bare', stmt: sig.stmt } : { kind: 'action', action: sig.action, stmt: sig.stmt };
    return { kind: 'fell' };
  }

  private execDefs(defs: readonly SubDecl[]): Signal {
    for (const def of defs) {
      const sig = this.execBody(def.body);
      if (sig?.kind === 'return') return sig;
    }
    return undefined;
  }

  /** Runs a sub body; `goto` jumps to a label at the body's top level (Fastly). */
  private execBody(body: readonly Stmt[]): Signal {
    for (let i = 0; i < body.length; i++) {
      const sig = this.execStmt(body[i]!);
      if (sig === undefined) continue;
      if (sig.kind === 'goto') {
        const target = body.findIndex((s) => s.type === 'label' && s.name === sig.label);
        if (target < 0 || target <= i) return undefined;
        i = target;
        continue;
      }
      return sig;
    }
    return undefined;
  }

  private execList(list: readonly Stmt[]): Signal {
    for (const s of list) {
      const sig = this.execStmt(s);
      if (sig) return sig;
    }
    return undefined;
  }

  private execStmt(s: Stmt): Signal {
    if (++this.steps > MAX_STEPS) return { kind: 'return', action: undefined, stmt: s };
    this.current = s;
    switch (s.type) {
      case 'set':
        this.assign(s.target, s.op, this.eval(s.value), s);
        return undefined;
      case 'unset':
        this.write(s.target, 'unset', undefined, s);
        return undefined;
      case 'add':
        this.write(s.target, 'add', this.eval(s.value), s);
        return undefined;
      case 'call':
        return this.call(s.name);
      case 'return':
        return { kind: 'return', action: s.action, stmt: s };
      case 'error':
        return { kind: 'return', action: 'error', stmt: s };
      case 'restart':
        return { kind: 'return', action: 'restart', stmt: s };
      case 'if': {
        for (const b of s.branches) {
          if (this.condition(b.cond)) return this.execList(b.body);
        }
        return s.else ? this.execList(s.else) : undefined;
      }
      case 'hash_data':
        this.hashInputs.push({ value: this.eval(s.value), stmt: s });
        return undefined;
      case 'goto':
        return { kind: 'goto', label: s.label };
      case 'expr':
        this.eval(s.value);
        return undefined;
      case 'declare':
        this.vars.set(s.name.toLowerCase(), defaultFor(s.varType));
        return undefined;
      case 'synthetic':
      case 'log':
        this.eval(s.value);
        return undefined;
      default:
        return undefined;
    }
  }

  /** `call name`: the user's definitions, then builtin's when the user calls a builtin sub. */
  private call(name: string): Signal {
    if (this.depth >= MAX_DEPTH) return undefined;
    this.depth++;
    try {
      const user = this.execDefs(this.prog.user.get(name) ?? []);
      if (user) return user.kind === 'return' && user.action !== undefined ? user : undefined;
      const builtin = this.execDefs(this.prog.builtin.get(name) ?? []);
      return builtin?.kind === 'return' && builtin.action !== undefined ? builtin : undefined;
    } finally {
      this.depth--;
    }
  }

  /* ---------------------------------------------------------------- conditions */

  /** Decides a condition; an undecidable one takes the forced (or `true`) branch and is recorded. */
  condition(e: Expr): boolean {
    const t = truthy(this.eval(e));
    if (t !== 'unknown') return t;
    const i = this.taken.length;
    const v = i < this.forced.length ? this.forced[i]! : true;
    this.taken.push(v);
    this.assumptions.push({ at: e.at, text: `${this.text(e)} ${v ? 'taken' : 'not taken'}` });
    return v;
  }

  text(e: Expr | Stmt): string {
    let t = this.prog.oneLine(e.span);
    if (t.startsWith('(') && t.endsWith(')') && e.type !== 'call') t = t.slice(1, -1).trim();
    return t;
  }

  /* ---------------------------------------------------------------- expressions */

  eval(e: Expr): Value {
    switch (e.type) {
      case 'string':
        return str(e.value);
      case 'number':
        return num(e.value);
      case 'duration':
        return dur(e.seconds);
      case 'bool':
        return bool(e.value);
      case 'ident':
        if (this.prog.acls.has(e.name) || this.prog.names.has(e.name)) return { k: 'name', v: e.name, t: undefined };
        return this.read(e.name);
      case 'call':
        return this.evalCall(e);
      case 'concat': {
        const parts = e.parts.map((p) => this.eval(p));
        const strs = parts.map(toStr);
        if (strs.some((s) => s === undefined)) return unknown(this.text(e), taintOf(...parts));
        return str(strs.join(''), taintOf(...parts));
      }
      case 'unary': {
        const v = this.eval(e.arg);
        if (e.op === '!') {
          const t = truthy(v);
          return t === 'unknown' ? unknown(this.text(e), v.t) : bool(!t, v.t);
        }
        if (v.k === 'num' || v.k === 'dur') return { ...v, v: e.op === '-' ? -v.v : v.v };
        return unknown(this.text(e), v.t);
      }
      case 'binary':
        return this.binary(e);
    }
  }

  private evalCall(e: Extract<Expr, { type: 'call' }>): Value {
    const m = /^(.+)\.(lower|upper)$/i.exec(e.name);
    if (m && e.args.length === 0 && /^(req|bereq|beresp|resp|obj)\./i.test(m[1]!)) {
      const v = this.read(m[1]!);
      const s = toStr(v);
      if (v.k === 'unknown' || v.k === 'none' || s === undefined) return v;
      return str(m[2]!.toLowerCase() === 'lower' ? s.toLowerCase() : s.toUpperCase(), v.t);
    }
    return callFunction(this, e);
  }

  private binary(e: Extract<Expr, { type: 'binary' }>): Value {
    const op = e.op;
    if (op === '&&' || op === '||') {
      const l = truthy(this.eval(e.left));
      if (op === '&&' && l === false) return bool(false);
      if (op === '||' && l === true) return bool(true);
      const r = truthy(this.eval(e.right));
      if (op === '&&') {
        if (r === false) return bool(false);
        return l === true && r === true ? bool(true) : unknown(this.text(e));
      }
      if (r === true) return bool(true);
      return l === false && r === false ? bool(false) : unknown(this.text(e));
    }
    const l = this.eval(e.left);
    if (op === '~' || op === '!~') {
      const m = this.match(l, e.right, e);
      if (m.k !== 'bool') return m;
      return bool(op === '~' ? m.v : !m.v, m.t);
    }
    const r = this.eval(e.right);
    const t = taintOf(l, r);
    if (l.k === 'unknown' || r.k === 'unknown') return unknown(this.text(e), t);
    switch (op) {
      case '==':
      case '!=': {
        const eq = equal(l, r);
        return bool(op === '==' ? eq : !eq, t);
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const a = numeric(l);
        const b = numeric(r);
        if (a === undefined || b === undefined) return unknown(this.text(e), t);
        return bool(op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b, t);
      }
      case '+':
        if ((l.k === 'num' || l.k === 'dur') && (r.k === 'num' || r.k === 'dur')) return arith(l, r, (a, b) => a + b, t);
        return str((toStr(l) ?? '') + (toStr(r) ?? ''), t);
      case '-':
      case '*':
      case '/':
      case '%': {
        if (!((l.k === 'num' || l.k === 'dur') && (r.k === 'num' || r.k === 'dur'))) return unknown(this.text(e), t);
        const f = op === '-' ? (a: number, b: number) => a - b : op === '*' ? (a: number, b: number) => a * b : op === '/' ? (a: number, b: number) => a / b : (a: number, b: number) => a % b;
        return arith(l, r, f, t);
      }
      default:
        return unknown(this.text(e), t);
    }
  }

  private match(l: Value, rightExpr: Expr, e: Expr): Value {
    if (rightExpr.type === 'ident' && this.prog.acls.has(rightExpr.name)) return unknown(this.text(e), l.t);
    const r = this.eval(rightExpr);
    const subject = toStr(l);
    const pattern = toStr(r);
    const t = taintOf(l, r);
    if (l.k === 'unknown' || r.k === 'unknown' || subject === undefined || pattern === undefined || r.k === 'name') return unknown(this.text(e), t);
    const rx = compilePcre(pattern);
    if (rx instanceof Error) return unknown(`${this.text(e)} (regex not translatable: ${rx.message})`, t);
    return bool(rx.test(subject), t);
  }

  /* ---------------------------------------------------------------- writes */

  private assign(target: string, op: string, value: Value, s: Stmt): void {
    if (op === '=') return this.write(target, 'set', value, s);
    const lower = target.toLowerCase();
    if (lower === 'req.hash' && op === '+=') {
      this.hashInputs.push({ value, stmt: s });
      return;
    }
    const old = this.read(target);
    let next: Value;
    if (old.k === 'unknown' || value.k === 'unknown') next = unknown(this.text(s), taintOf(old, value));
    else if (op === '+=' && !(old.k === 'num' || old.k === 'dur')) next = str((toStr(old) ?? '') + (toStr(value) ?? ''), taintOf(old, value));
    else if ((old.k === 'num' || old.k === 'dur') && (value.k === 'num' || value.k === 'dur')) {
      const f: Record<string, (a: number, b: number) => number> = {
        '+=': (a, b) => a + b, '-=': (a, b) => a - b, '*=': (a, b) => a * b, '/=': (a, b) => a / b, '%=': (a, b) => a % b,
      };
      next = f[op] ? arith(old, value, f[op], taintOf(old, value)) : unknown(this.text(s));
    } else if (op === '||=' || op === '&&=') {
      const a = truthy(old);
      const b = truthy(value);
      next = a === 'unknown' || b === 'unknown' ? unknown(this.text(s)) : bool(op === '||=' ? a || b : a && b);
    } else next = unknown(this.text(s));
    this.write(target, 'set', next, s);
  }

  /** Header writes from `header.set`/`header.unset`/`header.filter` (recorded like statements). */
  writeHeader(scope: string, name: string, op: 'set' | 'unset', value?: Value): void {
    if (this.current) this.write(`${scope}.http.${name}`, op, value, this.current);
  }
}
