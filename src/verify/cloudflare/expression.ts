/**
 * A parser for the Cloudflare Rules language as cache rules use it (Wireshark-like filter
 * expressions): fields with `.` names, map/array access (`["x"]`, `[0]`, `[*]`), function calls,
 * comparison operators in English and C-like notation (`eq`/`==`, `ne`/`!=`, `lt`/`<`, `le`/`<=`,
 * `gt`/`>`, `ge`/`>=`, `contains`, `matches`/`~`, `wildcard`, `strict wildcard`, `in {…}` with
 * integer and IP ranges, `in $list`), logical operators by precedence `not`/`!` > `and`/`&&` >
 * `xor`/`^^` > `or`/`||`, and parentheses. Quoted strings (`"…"`) and raw strings (`r"…"`,
 * `r#"…"#`).
 *
 * Syntax errors carry the offset in the expression and what was expected there; the caller
 * maps the offset to file:line:column. Evaluation lives in evaluate.ts.
 * Reference: https://developers.cloudflare.com/ruleset-engine/rules-language/
 */

export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains', 'matches', 'wildcard', 'strict wildcard', 'in'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

interface Span {
  /** Offset of the first character of the construct in the expression. */
  start: number;
  /** Offset just past its last character. */
  end: number;
}

export type SetItem =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'range'; from: number; to: number }
  /** IP address, CIDR or IP range: kept as written (ip fields are not known for a request). */
  | { kind: 'ip'; text: string };

export type Rhs =
  | (Span & { type: 'literal'; value: string | number | boolean })
  | (Span & { type: 'ip'; text: string })
  | (Span & { type: 'set'; items: SetItem[] })
  | (Span & { type: 'list'; name: string });

export type Expr =
  | (Span & { type: 'logical'; op: 'and' | 'or' | 'xor'; left: Expr; right: Expr })
  | (Span & { type: 'not'; operand: Expr })
  | (Span & { type: 'group'; inner: Expr })
  | (Span & {
      type: 'compare';
      op: CompareOp;
      left: Expr;
      right: Rhs;
      /** `matches`: the pattern as a JS RegExp, or undefined when it uses syntax JS lacks. */
      regex?: RegExp | undefined;
      /** `wildcard` / `strict wildcard`: the pattern as an anchored RegExp. */
      wildcard?: RegExp;
    })
  | (Span & { type: 'field'; name: string })
  | (Span & { type: 'index'; target: Expr; key: string | number | '*' })
  | (Span & { type: 'call'; name: string; args: Expr[] })
  | (Span & { type: 'literal'; value: string | number | boolean });

/** A syntax error at `offset` of the expression. */
export class ExpressionSyntaxError extends Error {
  readonly offset: number;
  readonly expected: string | undefined;
  constructor(offset: number, message: string, expected?: string) {
    super(message);
    this.name = 'ExpressionSyntaxError';
    this.offset = offset;
    this.expected = expected;
  }
}

const ENGLISH_OPS: Record<string, CompareOp> = {
  eq: 'eq', ne: 'ne', lt: 'lt', le: 'le', gt: 'gt', ge: 'ge', contains: 'contains', matches: 'matches', wildcard: 'wildcard', in: 'in',
};
const SYMBOL_OPS: ReadonlyArray<[string, CompareOp]> = [
  ['==', 'eq'], ['!=', 'ne'], ['<=', 'le'], ['>=', 'ge'], ['<', 'lt'], ['>', 'gt'], ['~', 'matches'],
];
const KEYWORDS = new Set(['and', 'or', 'xor', 'not', 'strict', ...Object.keys(ENGLISH_OPS)]);

/** Parses a whole expression; throws ExpressionSyntaxError. */
export function parseExpression(text: string): Expr {
  const p = new Parser(text);
  const e = p.parseOr();
  p.skip();
  if (!p.atEnd()) throw p.error('"and", "or", "xor" or the end of the expression');
  return e;
}

/** The source text of a node. */
export const textOf = (source: string, node: Span): string => source.slice(node.start, node.end);

class Parser {
  readonly src: string;
  pos = 0;
  constructor(src: string) {
    this.src = src;
  }

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }
  skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }
  error(expected: string, at = this.pos): ExpressionSyntaxError {
    const ch = this.src[at];
    const found = ch === undefined ? 'end of expression' : `"${this.word(at) || ch}"`;
    return new ExpressionSyntaxError(at, `unexpected ${found}`, expected);
  }
  /** The identifier-like word at `at` (lowercase letters, digits, `_`, `.`), if any. */
  word(at = this.pos): string {
    return /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.src.slice(at))?.[0] ?? '';
  }
  /** Consumes `w` if it is the next whole word. */
  keyword(w: string): boolean {
    this.skip();
    if (this.word() !== w) return false;
    this.pos += w.length;
    return true;
  }
  symbol(s: string): boolean {
    this.skip();
    if (!this.src.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  /* logical operators, lowest precedence first */

  parseOr(): Expr {
    return this.binary('or', '||', () => this.parseXor());
  }
  parseXor(): Expr {
    return this.binary('xor', '^^', () => this.parseAnd());
  }
  parseAnd(): Expr {
    return this.binary('and', '&&', () => this.parseNot());
  }
  binary(op: 'and' | 'or' | 'xor', sym: string, next: () => Expr): Expr {
    let left = next();
    for (;;) {
      if (!this.keyword(op) && !this.symbol(sym)) return left;
      const right = next();
      left = { type: 'logical', op, left, right, start: left.start, end: right.end };
    }
  }
  parseNot(): Expr {
    this.skip();
    const start = this.pos;
    if (this.keyword('not') || (this.src[this.pos] === '!' && this.src[this.pos + 1] !== '=' && this.symbol('!'))) {
      const operand = this.parseNot();
      return { type: 'not', operand, start, end: operand.end };
    }
    return this.parseComparison();
  }

  /* comparisons */

  parseComparison(): Expr {
    const left = this.parsePostfix();
    const op = this.compareOp();
    if (!op) return left;
    const right = op === 'in' ? this.parseInTarget() : this.parseRhs(op);
    const node: Expr = { type: 'compare', op, left, right, start: left.start, end: right.end };
    if (op === 'matches') node.regex = toRegExp(rhsString(right, this, op));
    if (op === 'wildcard' || op === 'strict wildcard') node.wildcard = wildcardRegExp(rhsString(right, this, op), op === 'wildcard', right.start);
    return node;
  }
  compareOp(): CompareOp | undefined {
    this.skip();
    const w = this.word();
    if (w === 'strict') {
      const save = this.pos;
      this.pos += w.length;
      if (this.keyword('wildcard')) return 'strict wildcard';
      this.pos = save;
      throw this.error('"strict wildcard"');
    }
    const english = ENGLISH_OPS[w];
    if (english) {
      this.pos += w.length;
      return english;
    }
    for (const [sym, op] of SYMBOL_OPS) if (this.symbol(sym)) return op;
    return undefined;
  }
  parseRhs(op: CompareOp): Rhs {
    this.skip();
    const start = this.pos;
    const c = this.src[start];
    if (c === '"' || (c === 'r' && /^r#*"/.test(this.src.slice(start)))) {
      return { type: 'literal', value: this.parseString(op === 'matches'), start, end: this.pos };
    }
    const bare = /^[0-9a-fA-F:.\/-]+/.exec(this.src.slice(start))?.[0];
    if (bare && /^-?\d+$/.test(bare)) {
      this.pos += bare.length;
      return { type: 'literal', value: Number(bare), start, end: this.pos };
    }
    if (bare && /^[0-9a-fA-F]*[.:][0-9a-fA-F.:\/]*$/.test(bare) && /\d/.test(bare)) {
      this.pos += bare.length;
      return { type: 'ip', text: bare, start, end: this.pos };
    }
    const w = this.word();
    if (w === 'true' || w === 'false') {
      this.pos += w.length;
      return { type: 'literal', value: w === 'true', start, end: this.pos };
    }
    throw this.error('a string, raw string or number');
  }
  parseInTarget(): Rhs {
    this.skip();
    const start = this.pos;
    if (this.symbol('$')) {
      const name = /^[a-z0-9_]+/.exec(this.src.slice(this.pos))?.[0];
      if (!name) throw this.error('a list name (lowercase letters, digits, "_")');
      this.pos += name.length;
      return { type: 'list', name, start, end: this.pos };
    }
    if (!this.symbol('{')) throw this.error('"{" or a list reference "$name"');
    const items: SetItem[] = [];
    for (;;) {
      this.skip();
      if (this.symbol('}')) return { type: 'set', items, start, end: this.pos };
      if (this.atEnd()) throw this.error('"}"');
      items.push(this.parseSetItem());
    }
  }
  parseSetItem(): SetItem {
    const c = this.src[this.pos];
    if (c === '"' || (c === 'r' && /^r#*"/.test(this.src.slice(this.pos)))) return { kind: 'string', value: this.parseString(false) };
    const token = /^[^\s{}"]+/.exec(this.src.slice(this.pos))?.[0] ?? '';
    const range = /^(-?\d+)\.\.(-?\d+)$/.exec(token);
    if (range) {
      this.pos += token.length;
      return { kind: 'range', from: Number(range[1]), to: Number(range[2]) };
    }
    if (/^-?\d+$/.test(token)) {
      this.pos += token.length;
      return { kind: 'number', value: Number(token) };
    }
    if (/^[0-9a-fA-F:.]+(?:\/\d+|\.\.[0-9a-fA-F:.]+)?$/.test(token) && /[.:]/.test(token)) {
      this.pos += token.length;
      return { kind: 'ip', text: token };
    }
    throw this.error('a string, an integer, an integer range (1..5) or an IP address/range');
  }

  /* operands */

  parsePostfix(): Expr {
    let node = this.parsePrimary();
    for (;;) {
      if (this.src[this.pos] !== '[') return node;
      this.pos++;
      this.skip();
      let key: string | number | '*';
      if (this.symbol('*')) key = '*';
      else if (this.src[this.pos] === '"' || this.src[this.pos] === 'r') key = this.parseString(false);
      else {
        const n = /^\d+/.exec(this.src.slice(this.pos))?.[0];
        if (!n) throw this.error('a map key in quotes, an array index or "*"');
        this.pos += n.length;
        key = Number(n);
      }
      if (!this.symbol(']')) throw this.error('"]"');
      node = { type: 'index', target: node, key, start: node.start, end: this.pos };
    }
  }
  parsePrimary(): Expr {
    this.skip();
    const start = this.pos;
    const c = this.src[start];
    if (c === '(') {
      this.pos++;
      const inner = this.parseOr();
      if (!this.symbol(')')) throw this.error('")"');
      return { type: 'group', inner, start, end: this.pos };
    }
    if (c === '"' || (c === 'r' && /^r#*"/.test(this.src.slice(start)))) return { type: 'literal', value: this.parseString(false), start, end: this.pos };
    const num = /^-?\d+/.exec(this.src.slice(start))?.[0];
    if (num) {
      this.pos += num.length;
      return { type: 'literal', value: Number(num), start, end: this.pos };
    }
    const w = this.word();
    if (!w || KEYWORDS.has(w)) throw this.error('a field, a function call, a literal or "("');
    if (w === 'true' || w === 'false') {
      this.pos += w.length;
      return { type: 'literal', value: w === 'true', start, end: this.pos };
    }
    this.pos += w.length;
    if (this.src[this.pos] !== '(') {
      if (w.endsWith('.') || w.includes('..')) throw this.error('a field name', start);
      return { type: 'field', name: w, start, end: this.pos };
    }
    this.pos++;
    const args: Expr[] = [];
    this.skip();
    if (!this.symbol(')')) {
      for (;;) {
        args.push(this.parseOr());
        if (this.symbol(')')) break;
        if (!this.symbol(',')) throw this.error('"," or ")"');
      }
    }
    return { type: 'call', name: w, args, start, end: this.pos };
  }

  /** A quoted or raw string at the current position. Regex strings keep their backslashes. */
  parseString(forRegex: boolean): string {
    const start = this.pos;
    const raw = /^r(#*)"/.exec(this.src.slice(start));
    if (raw) {
      const close = `"${raw[1]}`;
      const body = start + raw[0].length;
      const end = this.src.indexOf(close, body);
      if (end < 0) throw new ExpressionSyntaxError(start, 'raw string never closed', `"${close}" to close it`);
      this.pos = end + close.length;
      return this.src.slice(body, end);
    }
    let out = '';
    let i = start + 1;
    for (;;) {
      const c = this.src[i];
      if (c === undefined) throw new ExpressionSyntaxError(start, 'string never closed', 'a closing \'"\'');
      if (c === '"') break;
      if (c === '\\') {
        const e = this.src[i + 1];
        if (e === undefined) throw new ExpressionSyntaxError(i, 'string never closed', 'a closing \'"\'');
        if (e === '"') out += '"';
        else if (forRegex) out += `\\${e}`;
        else if (e === '\\') out += '\\';
        else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(this.src.slice(i + 2, i + 4))) {
          out += String.fromCharCode(parseInt(this.src.slice(i + 2, i + 4), 16));
          i += 2;
        } else out += `\\${e}`;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.pos = i + 1;
    return out;
  }
}

function rhsString(right: Rhs, p: Parser, op: CompareOp): string {
  if (right.type === 'literal' && typeof right.value === 'string') return right.value;
  throw p.error(`a string after "${op}"`, right.start);
}

/** Translates a Rust regex (the engine Cloudflare uses) to JS; undefined when JS cannot express it. */
export function toRegExp(pattern: string): RegExp | undefined {
  let flags = '';
  let body = pattern;
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline) {
    if (inline[1]!.includes('x')) return undefined;
    flags = [...new Set(inline[1]!)].join('');
    body = body.slice(inline[0].length);
  }
  body = body.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$').replace(/\\A/g, '^');
  try {
    return new RegExp(body, `${flags}u`);
  } catch {
    try {
      return new RegExp(body, flags);
    } catch {
      return undefined;
    }
  }
}

/**
 * `wildcard` patterns: `*` is any run of characters, `\*` a literal star, `\\` a backslash;
 * `**` is invalid. The whole value must match.
 */
function wildcardRegExp(pattern: string, caseInsensitive: boolean, at: number): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      src += `\\${pattern[++i]}`;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') throw new ExpressionSyntaxError(at, 'wildcard pattern contains "**"', 'at most one "*" in a row (write \\* for a literal star)');
      src += '.*';
    } else src += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, caseInsensitive ? 'is' : 's');
}
