/**
 * VCL tokenizer for Varnish 4.0–8.0 and Fastly VCL. Produces tokens with offsets and 1-based
 * line/column. Comments are dropped except Fastly macros (`#FASTLY recv`), which become `macro`
 * tokens because where they sit matters. Identifiers keep dots and dashes (`beresp.http.Set-Cookie`)
 * and Fastly subfields (`req.http.Cookie:sid`), as the engines' own lexers do.
 */
import { ConfigParseError, type SourceLocation } from '../types.ts';

export type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'macro' | 'ccode' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier, operator, number as written (`10m`), macro name, or a string's content. */
  value: string;
  /** Offsets into the file's text, [start, end). */
  start: number;
  end: number;
  line: number;
  column: number;
}

/** Operators by first character, longest first. */
const PUNCT = new Map<string, string[]>();
for (const op of [
  '&&=', '||=',
  '==', '!=', '!~', '<=', '>=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '|=', '&=', '^=',
  '{', '}', '(', ')', ';', ',', '=', '~', '!', '<', '>', '+', '-', '*', '/', '%', '.', ':', '[', ']', '&', '|', '^',
]) {
  const list = PUNCT.get(op[0]!) ?? [];
  list.push(op);
  PUNCT.set(op[0]!, list);
}

const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentChar = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === '.' || c === '-';

/** Tokenizes one file. Throws ConfigParseError on unterminated strings/comments and stray characters. */
export function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const n = text.length;

  /** Location of a token start (always on the current line). */
  const loc = (offset: number): SourceLocation => ({ file, line, column: offset - lineStart + 1 });
  /** Advances over text[i..to), keeping the line count. */
  const advanceTo = (to: number): void => {
    for (let k = i; k < to; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    i = to;
  };
  const push = (kind: TokenKind, value: string, start: number, at: SourceLocation): void => {
    tokens.push({ kind, value, start, end: i, line: at.line, column: at.column });
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const start = i;
    const at = loc(i);
    if (c === '#') {
      const eol = text.indexOf('\n', i);
      const end = eol < 0 ? n : eol;
      const m = /^#FASTLY[ \t]+([A-Za-z_]+)/.exec(text.slice(i, end));
      advanceTo(end);
      if (m) tokens.push({ kind: 'macro', value: m[1]!.toLowerCase(), start, end, line: at.line, column: at.column });
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      advanceTo(eol < 0 ? n : eol);
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw new ConfigParseError(at, 'unterminated comment', '"*/"');
      advanceTo(close + 2);
      continue;
    }
    if (c === 'C' && text[i + 1] === '{') {
      const close = text.indexOf('}C', i + 2);
      if (close < 0) throw new ConfigParseError(at, 'unterminated inline C block', '"}C"');
      advanceTo(close + 2);
      push('ccode', text.slice(start + 2, close), start, at);
      continue;
    }
    if (c === '"' && text.startsWith('"""', i)) {
      const close = text.indexOf('"""', i + 3);
      if (close < 0) throw new ConfigParseError(at, 'unterminated long string', `'"""'`);
      advanceTo(close + 3);
      push('string', text.slice(start + 3, close), start, at);
      continue;
    }
    if (c === '"') {
      let k = i + 1;
      while (k < n && text[k] !== '"' && text[k] !== '\n') k++;
      if (k >= n || text[k] !== '"') throw new ConfigParseError(at, 'unterminated string', 'a closing \'"\' on the same line');
      i = k + 1;
      push('string', text.slice(start + 1, k), start, at);
      continue;
    }
    if (c === '{') {
      // {"…"} long strings and Fastly's {DELIM"…"DELIM} heredocs.
      let k = i + 1;
      while (k < n && k - i < 40 && isIdentStart(text[k]!)) k++;
      if (text[k] === '"') {
        const closer = `"${text.slice(i + 1, k)}}`;
        const from = k + 1;
        const close = text.indexOf(closer, from);
        if (close < 0) throw new ConfigParseError(at, 'unterminated long string', `'${closer}'`);
        advanceTo(close + closer.length);
        push('string', text.slice(from, close), start, at);
        continue;
      }
    }
    if (isDigit(c)) {
      let k = i;
      while (k < n && isDigit(text[k]!)) k++;
      if (text[k] === '.' && isDigit(text[k + 1] ?? '')) {
        k++;
        while (k < n && isDigit(text[k]!)) k++;
      }
      while (k < n && ((text[k]! >= 'a' && text[k]! <= 'z') || (text[k]! >= 'A' && text[k]! <= 'Z'))) k++;
      i = k;
      push('number', text.slice(start, k), start, at);
      continue;
    }
    if (isIdentStart(c)) {
      let k = i + 1;
      while (k < n && isIdentChar(text[k]!)) k++;
      // Fastly subfield accessor: req.http.Cookie:session
      if (text[k] === ':' && isIdentStart(text[k + 1] ?? '') && text.slice(i, k).includes('.')) {
        k++;
        while (k < n && (isIdentChar(text[k]!) && text[k] !== '.')) k++;
      }
      i = k;
      push('ident', text.slice(start, k), start, at);
      continue;
    }
    const op = PUNCT.get(c)?.find((p) => p.length === 1 || text.startsWith(p, i));
    if (op === undefined) throw new ConfigParseError(at, `unexpected character ${JSON.stringify(c)}`);
    i += op.length;
    push('punct', op, start, at);
  }
  tokens.push({ kind: 'eof', value: '', start: n, end: n, line, column: n - lineStart + 1 });
  return tokens;
}
