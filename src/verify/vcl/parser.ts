/**
 * Recursive-descent parser for VCL as Varnish 4.0–8.0 and Fastly accept it. One Parser reads one
 * file; `include` is resolved through the caller's IncludeHost and parsed in place (top-level
 * includes contribute declarations, includes inside a sub contribute statements). Errors are
 * ConfigParseError at the offending token: `unexpected "}" (expected ";")`.
 */
import { ConfigParseError, type SourceLocation } from '../types.ts';
import type { AclEntry, AssignOp, BinaryOp, Decl, Expr, Field, FieldValue, IfBranch, Span, Stmt, TableEntry } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';

/** Reads included files for the parser; throws ConfigParseError at `at` when not found or cyclic. */
export interface IncludeHost {
  open(path: string, fromFile: string, at: SourceLocation): { file: string; text: string };
  /** Called when the included file has been parsed (pops the cycle stack). */
  close(file: string): void;
}

/** Every `return (…)` action Varnish 4.0–8.0 or Fastly accepts somewhere. */
export const RETURN_ACTIONS = [
  'abandon', 'deliver', 'deliver_stale', 'error', 'fail', 'fetch', 'hash', 'lookup', 'merge', 'miss', 'ok', 'pass',
  'pipe', 'purge', 'restart', 'retry', 'synth', 'upgrade', 'vcl',
] as const;

const ASSIGN_OPS: readonly string[] = ['=', '+=', '-=', '*=', '/=', '%=', '|=', '&=', '^=', '&&=', '||='];
const CMP_OPS: readonly string[] = ['==', '!=', '~', '!~', '<', '<=', '>', '>='];

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const describe = (t: Token): string => (t.kind === 'eof' ? 'end of file' : t.kind === 'string' ? 'a string' : JSON.stringify(t.value));

export class Parser {
  private readonly tokens: Token[];
  private readonly file: string;
  private readonly host: IncludeHost;
  private pos = 0;

  constructor(text: string, file: string, host: IncludeHost) {
    this.tokens = tokenize(text, file);
    this.file = file;
    this.host = host;
  }

  /* ---------------------------------------------------------------- helpers */

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isPunct(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.value === value;
  }
  private isWord(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.value === value;
  }
  private locOf(t: Token): SourceLocation {
    return { file: this.file, line: t.line, column: t.column };
  }
  private fail(t: Token, expected: string, message?: string): never {
    throw new ConfigParseError(this.locOf(t), message ?? `unexpected ${describe(t)}`, expected);
  }
  private expectPunct(value: string): Token {
    if (!this.isPunct(value)) this.fail(this.peek(), JSON.stringify(value));
    return this.next();
  }
  private expectIdent(what = 'a name'): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, what);
    return this.next();
  }
  private expectString(what = 'a quoted string'): Token {
    const t = this.peek();
    if (t.kind !== 'string') this.fail(t, what);
    return this.next();
  }
  /** Location and span from token `first` to the last consumed token. */
  private node(first: Token): { at: SourceLocation; span: Span } {
    const last = this.tokens[Math.max(this.pos - 1, 0)]!;
    return {
      at: { file: this.file, line: first.line, column: first.column, endLine: last.line },
      span: { file: this.file, start: first.start, end: Math.max(last.end, first.end) },
    };
  }

  /* ---------------------------------------------------------------- top level */

  parseFile(): Decl[] {
    const decls: Decl[] = [];
    while (this.peek().kind !== 'eof') this.parseDecl(decls);
    return decls;
  }

  /**
   * What may stand wherever a declaration or a statement may: a macro (Fastly `#FASTLY …`), inline
   * C, or a stray `;`. Consumes it (pushing a node for the first two) and says whether it did.
   */
  private passThrough(out: Array<Decl | Stmt>): boolean {
    const t = this.peek();
    if (t.kind === 'macro') {
      this.next();
      out.push({ type: 'macro', name: t.value, ...this.node(t) });
      return true;
    }
    if (t.kind === 'ccode') {
      this.next();
      out.push({ type: 'inline_c', code: t.value, ...this.node(t) });
      return true;
    }
    if (t.kind === 'punct' && t.value === ';') {
      this.next();
      return true;
    }
    return false;
  }

  private parseDecl(out: Decl[]): void {
    if (this.passThrough(out)) return;
    const t = this.peek();
    const expected = 'a declaration (vcl, import, include, backend, probe, acl, director, table, sub)';
    if (t.kind !== 'ident') this.fail(t, expected);
    switch (t.value) {
      case 'vcl': {
        this.next();
        const v = this.peek();
        if (v.kind !== 'number' || !/^\d+\.\d+$/.test(v.value)) this.fail(v, 'a VCL version such as 4.1');
        this.next();
        this.expectPunct(';');
        out.push({ type: 'vcl', version: v.value, ...this.node(t) });
        return;
      }
      case 'import': {
        this.next();
        const mod = this.expectIdent('a module name');
        let from: string | undefined;
        if (this.isWord('from')) {
          this.next();
          from = this.expectString().value;
        }
        this.expectPunct(';');
        out.push({ type: 'import', module: mod.value, from, ...this.node(t) });
        return;
      }
      case 'include': {
        const { path, resolved, text } = this.openInclude();
        out.push({ type: 'include', path, resolved, ...this.node(t) });
        out.push(...new Parser(text, resolved, this.host).parseFile());
        this.host.close(resolved);
        return;
      }
      case 'backend': {
        this.next();
        const name = this.expectIdent('a backend name');
        if (this.isWord('none')) {
          this.next();
          this.expectPunct(';');
          out.push({ type: 'backend', name: name.value, fields: [], none: true, ...this.node(t) });
          return;
        }
        const fields = this.parseFieldBlock().fields;
        out.push({ type: 'backend', name: name.value, fields, none: false, ...this.node(t) });
        return;
      }
      case 'probe': {
        this.next();
        const name = this.expectIdent('a probe name');
        const fields = this.parseFieldBlock().fields;
        out.push({ type: 'probe', name: name.value, fields, ...this.node(t) });
        return;
      }
      case 'acl':
        out.push(this.parseAcl());
        return;
      case 'director': {
        this.next();
        const name = this.expectIdent('a director name');
        const policy = this.expectIdent('a director type (random, hash, client, fallback, chash)');
        const block = this.parseFieldBlock(true);
        out.push({ type: 'director', name: name.value, policy: policy.value, fields: block.fields, members: block.members, ...this.node(t) });
        return;
      }
      case 'table':
        out.push(this.parseTable());
        return;
      case 'sub': {
        this.next();
        const name = this.expectIdent('a subroutine name');
        const body = this.parseBlock();
        out.push({ type: 'sub', name: name.value, body, builtin: false, ...this.node(t) });
        return;
      }
      case 'penaltybox':
      case 'ratecounter': {
        this.next();
        const name = this.expectIdent(`a ${t.value} name`);
        this.expectPunct('{');
        this.expectPunct('}');
        out.push({ type: 'object', keyword: t.value, name: name.value, ...this.node(t) });
        return;
      }
      default:
        this.fail(t, expected);
    }
  }

  private openInclude(): { path: string; resolved: string; text: string } {
    const kw = this.next();
    if (this.isPunct('+')) this.fail(this.peek(), 'a quoted file name', 'include +glob is not supported');
    const pathTok = this.expectString('a quoted file name');
    this.expectPunct(';');
    const opened = this.host.open(pathTok.value, this.file, this.locOf(kw));
    return { path: pathTok.value, resolved: opened.file, text: opened.text };
  }

  /**
   * `{ .name = value; … }` for backends, probes and directors. Directors also hold anonymous
   * member objects `{ .backend = F_a; .weight = 1; }`.
   */
  private parseFieldBlock(allowMembers = false): { fields: Field[]; members: Field[][]; span: Span } {
    const open = this.expectPunct('{');
    const fields: Field[] = [];
    const members: Field[][] = [];
    while (!this.isPunct('}')) {
      const t = this.peek();
      if (allowMembers && this.isPunct('{')) {
        members.push(this.parseFieldBlock().fields);
        continue;
      }
      if (t.kind === 'punct' && t.value === ';') {
        this.next();
        continue;
      }
      if (!this.isPunct('.')) this.fail(t, allowMembers ? '".name = value;" or "{"' : '".name = value;" or "}"');
      this.next();
      const name = this.expectIdent('a field name');
      this.expectPunct('=');
      const value = this.parseFieldValue();
      fields.push({ name: name.value, value, ...this.node(t) });
    }
    this.next();
    return { fields, members, span: this.node(open).span };
  }

  private parseFieldValue(): FieldValue {
    const first = this.peek();
    if (this.isPunct('{')) {
      const block = this.parseFieldBlock();
      if (this.isPunct(';')) this.next();
      return { type: 'object', fields: block.fields, span: block.span };
    }
    // `50%`, `"GET / HTTP/1.1" "Host: x"`: keep the text; a single expression is parsed.
    const startPos = this.pos;
    let end = first;
    while (!this.isPunct(';')) {
      if (this.peek().kind === 'eof' || this.isPunct('}')) this.fail(this.peek(), '";"');
      end = this.next();
    }
    if (this.pos === startPos) this.fail(this.peek(), 'a value');
    const span = { file: this.file, start: first.start, end: end.end };
    this.next();
    const simple = this.pos - startPos === 2 && (first.kind === 'string' || first.kind === 'number' || first.kind === 'ident');
    if (simple) {
      const save = this.pos;
      this.pos = startPos;
      const expr = this.parsePrimary();
      this.pos = save;
      return { type: 'expr', expr, span };
    }
    const raw = this.tokens.slice(startPos, this.pos - 1).map((t) => (t.kind === 'string' ? JSON.stringify(t.value) : t.value)).join(' ');
    return { type: 'raw', text: raw, span };
  }

  private parseAcl(): Decl {
    const kw = this.next();
    const name = this.expectIdent('an ACL name');
    const flags: string[] = [];
    while (this.isPunct('+') || this.isPunct('-')) {
      const sign = this.next().value;
      flags.push(sign + this.expectIdent('an ACL flag').value);
    }
    this.expectPunct('{');
    const entries: AclEntry[] = [];
    while (!this.isPunct('}')) {
      const t = this.peek();
      let negated = false;
      if (this.isPunct('!')) {
        this.next();
        negated = true;
      }
      const paren = this.isPunct('(');
      if (paren) this.next();
      const addr = this.expectString('an address in quotes');
      let mask: number | undefined;
      if (paren) this.expectPunct(')');
      if (this.isPunct('/')) {
        this.next();
        const m = this.peek();
        if (m.kind !== 'number') this.fail(m, 'a mask length');
        mask = Number(this.next().value);
      }
      this.expectPunct(';');
      entries.push({ at: this.locOf(t), negated, address: addr.value, mask });
    }
    this.next();
    return { type: 'acl', name: name.value, flags, entries, ...this.node(kw) };
  }

  private parseTable(): Decl {
    const kw = this.next();
    const name = this.expectIdent('a table name');
    let valueType: string | undefined;
    if (this.peek().kind === 'ident') valueType = this.next().value;
    this.expectPunct('{');
    const entries: TableEntry[] = [];
    while (!this.isPunct('}')) {
      const key = this.expectString('a quoted key or "}"');
      this.expectPunct(':');
      const value = this.parseUnary();
      entries.push({ at: this.locOf(key), key: key.value, value });
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct('}')) this.fail(this.peek(), '"," or "}"');
    }
    this.next();
    return { type: 'table', name: name.value, valueType, entries, ...this.node(kw) };
  }

  /* ---------------------------------------------------------------- statements */

  private parseBlock(): Stmt[] {
    this.expectPunct('{');
    const body: Stmt[] = [];
    while (!this.isPunct('}')) {
      if (this.peek().kind === 'eof') this.fail(this.peek(), '"}"');
      this.parseStatement(body);
    }
    this.next();
    return body;
  }

  /** Statements of an included file, up to its end. */
  parseStatements(): Stmt[] {
    const body: Stmt[] = [];
    while (this.peek().kind !== 'eof') this.parseStatement(body);
    return body;
  }

  private end(): void {
    this.expectPunct(';');
  }

  private parseStatement(out: Stmt[]): void {
    if (this.passThrough(out)) return;
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, 'a statement');
    if (this.isPunct(':', 1) && !t.value.includes('.')) {
      this.next();
      this.next();
      out.push({ type: 'label', name: t.value, ...this.node(t) });
      return;
    }
    switch (t.value) {
      case 'set': {
        this.next();
        const target = this.expectIdent('a variable').value;
        const op = this.peek();
        if (op.kind !== 'punct' || !ASSIGN_OPS.includes(op.value)) this.fail(op, '"=" or an assignment operator');
        this.next();
        const value = this.parseExpr();
        this.end();
        out.push({ type: 'set', target, op: op.value as AssignOp, value, ...this.node(t) });
        return;
      }
      case 'unset':
      case 'remove': {
        this.next();
        const target = this.expectIdent('a variable').value;
        this.end();
        out.push({ type: 'unset', target, keyword: t.value, ...this.node(t) });
        return;
      }
      case 'add': {
        this.next();
        const target = this.expectIdent('a header variable').value;
        this.expectPunct('=');
        const value = this.parseExpr();
        this.end();
        out.push({ type: 'add', target, value, ...this.node(t) });
        return;
      }
      case 'call': {
        this.next();
        const name = this.expectIdent('a subroutine name').value;
        this.end();
        out.push({ type: 'call', name, ...this.node(t) });
        return;
      }
      case 'return':
        out.push(this.parseReturn());
        return;
      case 'if':
        out.push(this.parseIf());
        return;
      case 'hash_data': {
        this.next();
        this.expectPunct('(');
        const value = this.parseExpr();
        this.expectPunct(')');
        this.end();
        out.push({ type: 'hash_data', value, ...this.node(t) });
        return;
      }
      case 'synthetic':
      case 'synthetic.base64': {
        this.next();
        const value = this.parseExpr();
        this.end();
        out.push({ type: 'synthetic', value, base64: t.value !== 'synthetic', ...this.node(t) });
        return;
      }
      case 'error': {
        this.next();
        let status: Expr | undefined;
        let message: Expr | undefined;
        if (!this.isPunct(';')) status = this.parseUnary();
        if (!this.isPunct(';')) message = this.parseExpr();
        this.end();
        out.push({ type: 'error', status, message, ...this.node(t) });
        return;
      }
      case 'restart':
      case 'esi': {
        this.next();
        this.end();
        out.push({ type: t.value as 'restart' | 'esi', ...this.node(t) });
        return;
      }
      case 'log': {
        this.next();
        const value = this.parseExpr();
        this.end();
        out.push({ type: 'log', value, ...this.node(t) });
        return;
      }
      case 'declare': {
        this.next();
        if (!this.isWord('local')) this.fail(this.peek(), '"local"');
        this.next();
        const name = this.expectIdent('a variable name (var.x)').value;
        const varType = this.expectIdent('a type (STRING, INTEGER, BOOL, RTIME, …)').value;
        this.end();
        out.push({ type: 'declare', name, varType, ...this.node(t) });
        return;
      }
      case 'goto': {
        this.next();
        const label = this.expectIdent('a label').value;
        this.end();
        out.push({ type: 'goto', label, ...this.node(t) });
        return;
      }
      case 'new': {
        this.next();
        const name = this.expectIdent('an object name').value;
        this.expectPunct('=');
        const value = this.parseExpr();
        this.end();
        out.push({ type: 'new', name, value, ...this.node(t) });
        return;
      }
      case 'include': {
        const { path, resolved, text } = this.openInclude();
        out.push({ type: 'include', path, resolved, ...this.node(t) });
        out.push(...new Parser(text, resolved, this.host).parseStatements());
        this.host.close(resolved);
        return;
      }
      default: {
        if (!this.isPunct('(', 1)) this.fail(t, 'a statement (set, unset, call, return, if, …) or a function call', `unknown statement ${JSON.stringify(t.value)}`);
        const value = this.parsePrimary();
        this.end();
        out.push({ type: 'expr', value, ...this.node(t) });
      }
    }
  }

  private parseReturn(): Stmt {
    const kw = this.next();
    if (this.isPunct(';')) {
      this.next();
      return { type: 'return', action: undefined, args: [], ...this.node(kw) };
    }
    this.expectPunct('(');
    const actionTok = this.expectIdent('a return action');
    if (!(RETURN_ACTIONS as readonly string[]).includes(actionTok.value)) {
      this.fail(actionTok, `one of ${RETURN_ACTIONS.join(', ')}`, `unknown return action ${JSON.stringify(actionTok.value)}`);
    }
    const args: Expr[] = [];
    if (this.isPunct('(')) {
      this.next();
      if (!this.isPunct(')')) {
        args.push(this.parseExpr());
        while (this.isPunct(',')) {
          this.next();
          args.push(this.parseExpr());
        }
      }
      this.expectPunct(')');
    }
    this.expectPunct(')');
    this.end();
    return { type: 'return', action: actionTok.value, args, ...this.node(kw) };
  }

  private parseIf(): Stmt {
    const kw = this.next();
    const branches: IfBranch[] = [];
    const branch = (first: Token): void => {
      this.expectPunct('(');
      const cond = this.parseExpr();
      this.expectPunct(')');
      const body = this.parseBlock();
      branches.push({ cond, body, ...this.node(first) });
    };
    branch(kw);
    let elseBody: Stmt[] | undefined;
    let elseAt: SourceLocation | undefined;
    for (;;) {
      const t = this.peek();
      if (this.isWord('elsif') || this.isWord('elseif')) {
        this.next();
        branch(t);
      } else if (this.isWord('else') && this.isWord('if', 1)) {
        this.next();
        this.next();
        branch(t);
      } else if (this.isWord('else')) {
        this.next();
        elseAt = this.locOf(t);
        elseBody = this.parseBlock();
        break;
      } else break;
    }
    return { type: 'if', branches, else: elseBody, elseAt, ...this.node(kw) };
  }

  /* ---------------------------------------------------------------- expressions */

  parseExpr(): Expr {
    return this.parseOr();
  }

  private binary(first: Token, op: BinaryOp, left: Expr, right: Expr): Expr {
    return { type: 'binary', op, left, right, ...this.node(first) };
  }

  private parseOr(): Expr {
    const first = this.peek();
    let left = this.parseAnd();
    while (this.isPunct('||')) {
      this.next();
      left = this.binary(first, '||', left, this.parseAnd());
    }
    return left;
  }

  private parseAnd(): Expr {
    const first = this.peek();
    let left = this.parseNot();
    while (this.isPunct('&&')) {
      this.next();
      left = this.binary(first, '&&', left, this.parseNot());
    }
    return left;
  }

  private parseNot(): Expr {
    const first = this.peek();
    if (this.isPunct('!')) {
      this.next();
      const arg = this.parseNot();
      return { type: 'unary', op: '!', arg, ...this.node(first) };
    }
    return this.parseCmp();
  }

  private parseCmp(): Expr {
    const first = this.peek();
    const left = this.parseAdd();
    const op = this.peek();
    if (op.kind === 'punct' && CMP_OPS.includes(op.value)) {
      this.next();
      return this.binary(first, op.value as BinaryOp, left, this.parseAdd());
    }
    return left;
  }

  private startsOperand(): boolean {
    const t = this.peek();
    return t.kind === 'string' || (t.kind === 'ident' && !['else', 'elsif', 'elseif'].includes(t.value));
  }

  private parseAdd(): Expr {
    const first = this.peek();
    let left = this.parseMul();
    const juxtaposed: Expr[] = [];
    for (;;) {
      if (this.isPunct('+') || this.isPunct('-')) {
        const op = this.next().value as BinaryOp;
        const right = this.parseMul();
        if (juxtaposed.length > 0) {
          left = { type: 'concat', parts: [left, ...juxtaposed.splice(0)], ...this.node(first) };
        }
        left = this.binary(first, op, left, right);
      } else if (this.startsOperand()) {
        juxtaposed.push(this.parseMul());
      } else break;
    }
    if (juxtaposed.length > 0) return { type: 'concat', parts: [left, ...juxtaposed], ...this.node(first) };
    return left;
  }

  private parseMul(): Expr {
    const first = this.peek();
    let left = this.parseUnary();
    while (this.isPunct('*') || this.isPunct('/') || this.isPunct('%')) {
      const op = this.next().value as BinaryOp;
      left = this.binary(first, op, left, this.parseUnary());
    }
    return left;
  }

  private parseUnary(): Expr {
    const first = this.peek();
    if (this.isPunct('-') || this.isPunct('+')) {
      const op = this.next().value as '-' | '+';
      const arg = this.parseUnary();
      return { type: 'unary', op, arg, ...this.node(first) };
    }
    if (this.isPunct('!')) {
      this.next();
      const arg = this.parseUnary();
      return { type: 'unary', op: '!', arg, ...this.node(first) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { type: 'string', value: t.value, ...this.node(t) };
      case 'number':
        this.next();
        return this.numberNode(t);
      case 'ident': {
        this.next();
        if (t.value === 'true' || t.value === 'false') return { type: 'bool', value: t.value === 'true', ...this.node(t) };
        if (this.isPunct('(')) {
          this.next();
          const args: Expr[] = [];
          if (!this.isPunct(')')) {
            args.push(this.parseArg());
            while (this.isPunct(',')) {
              this.next();
              args.push(this.parseArg());
            }
          }
          this.expectPunct(')');
          return { type: 'call', name: t.value, args, ...this.node(t) };
        }
        return { type: 'ident', name: t.value, ...this.node(t) };
      }
      case 'punct':
        if (t.value === '(') {
          this.next();
          const inner = this.parseExpr();
          this.expectPunct(')');
          return { ...inner, ...this.node(t) } as Expr;
        }
        break;
      default:
        break;
    }
    return this.fail(t, 'an expression');
  }

  /** A function argument; VMOD named arguments (`fallback = 0s`) are read positionally. */
  private parseArg(): Expr {
    if (this.peek().kind === 'ident' && this.isPunct('=', 1)) {
      this.next();
      this.next();
    }
    return this.parseExpr();
  }

  private numberNode(t: Token): Expr {
    let cut = t.value.length;
    while (cut > 0 && !isDigitCode(t.value.charCodeAt(cut - 1))) cut--;
    const value = Number(t.value.slice(0, cut));
    const unit = t.value.slice(cut);
    if (unit === '') return { type: 'number', raw: t.value, value, ...this.node(t) };
    const d = DURATION_UNITS[unit];
    if (d !== undefined) return { type: 'duration', raw: t.value, seconds: value * d, ...this.node(t) };
    const b = BYTE_UNITS[unit];
    if (b !== undefined) return { type: 'number', raw: t.value, value: value * b, ...this.node(t) };
    return this.fail(t, 'a unit such as ms, s, m, h, d, w, y or KB, MB', `unknown unit ${JSON.stringify(unit)} in ${t.value}`);
  }
}
