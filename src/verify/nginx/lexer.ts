/**
 * The nginx configuration lexer. Where nginx's own reader (ngx_conf_read_token) and crossplane
 * disagree, it follows nginx, so a config that nginx refuses does not load here either:
 *
 * - Words end at whitespace, `;` or `{`. A `{` right after `$` stays in the word (`${var}`). A `}`
 *   is a token only at the start of a word. A backslash keeps the next character in the word.
 * - A quote starts a quoted string only at the start of a word. After the closing quote the next
 *   character must be whitespace, `;`, `{` or `)` (`if ($a ~ "x")`).
 * - `#` starts a comment only at the start of a word.
 * - Values are unescaped the way nginx does it: `\"` `\'` `\\` `\t` `\r` `\n`. Any other `\x` is kept.
 *
 * One addition: a template placeholder `{{NAME}}` (letters, digits, `_`) counts as word text, so
 * templated configurations (the lab's `listen {{LISTEN}};`) parse as written. nginx itself never
 * accepts `{{`.
 *
 * The lexer is pull-based (`NginxLexer.next()`), and words and quoted strings are matched with
 * sticky regexes, so a 10,000-line configuration lexes in a few milliseconds even before the JIT warms up.
 */
import { ConfigParseError } from '../types.ts';
import type { NginxWord } from './ast.ts';

export type TokenType = 'word' | ';' | '{' | '}' | 'comment' | 'eof';

/** One token (the `lexNginx` view; the parser reads the lexer's fields directly). */
export interface Token {
  t: TokenType;
  line: number;
  column: number;
  /** For `word`. */
  word: NginxWord | undefined;
  /** For `comment`: the text after `#`. */
  text: string;
}

const LF = 10;
const SEMI = 59;
const LBRACE = 123;
const RBRACE = 125;
const HASH = 35;
const DQUOTE = 34;
const SQUOTE = 39;

/**
 * A plain word: characters other than whitespace, `;` and `{`. A backslash keeps the next
 * character, `${` stays in the word, and `{{NAME}}` placeholders are word text.
 */
const WORD = /(?:[^ \t\r\n;{\\$]|\\[\s\S]?|\$\{?|\{\{[A-Za-z0-9_]+\}\})+/y;
const DQUOTED = /"(?:[^"\\]|\\[\s\S])*"/y;
const SQUOTED = /'(?:[^'\\]|\\[\s\S])*'/y;
const BLANKS = /[ \t\r]+/y;
const PLACEHOLDER = /\{\{[A-Za-z0-9_]+\}\}/y;
/** What may follow a closing quote (nginx's need_space rule). */
const AFTER_QUOTE = /[ \t\r\n;{)]/;

/** nginx's unescaping of a word (quoted or not). */
export function unescapeNginx(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  for (let k = 0; k < raw.length; k++) {
    const ch = raw[k]!;
    if (ch !== '\\' || k + 1 >= raw.length) {
      out += ch;
      continue;
    }
    const next = raw[k + 1]!;
    if (next === '"' || next === "'" || next === '\\') {
      out += next;
      k++;
    } else if (next === 't') {
      out += '\t';
      k++;
    } else if (next === 'r') {
      out += '\r';
      k++;
    } else if (next === 'n') {
      out += '\n';
      k++;
    } else {
      out += ch;
    }
  }
  return out;
}

function describe(ch: string): string {
  return ch === '\n' ? 'newline' : JSON.stringify(ch);
}

/** A pull lexer over one file's text: `next()` returns the token type and fills `line`, `column`, `word`, `comment`. */
export class NginxLexer {
  readonly text: string;
  readonly file: string;
  /** Where the current token starts. */
  line = 1;
  column = 1;
  word: NginxWord | undefined;
  comment = '';
  private i: number;
  private curLine = 1;
  private lineStart = 0;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** Advances the line counter over the newlines in [from, to). */
  private countLines(from: number, to: number): void {
    let k = this.text.indexOf('\n', from);
    while (k >= 0 && k < to) {
      this.curLine++;
      this.lineStart = k + 1;
      k = this.text.indexOf('\n', k + 1);
    }
  }

  next(): TokenType {
    const text = this.text;
    const n = text.length;
    let i = this.i;
    for (;;) {
      if (i >= n) {
        this.i = i;
        return this.eof();
      }
      if (text.charCodeAt(i) === LF) {
        this.curLine++;
        this.lineStart = ++i;
        continue;
      }
      BLANKS.lastIndex = i;
      if (!BLANKS.test(text)) break;
      i = BLANKS.lastIndex;
    }
    const c = text.charCodeAt(i);
    this.line = this.curLine;
    this.column = i - this.lineStart + 1;
    this.word = undefined;
    if (c === SEMI || c === RBRACE) {
      this.i = i + 1;
      return c === SEMI ? ';' : '}';
    }
    if (c === LBRACE) {
      PLACEHOLDER.lastIndex = i;
      if (!PLACEHOLDER.test(text)) {
        this.i = i + 1;
        return '{';
      }
    }
    if (c === HASH) {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      let body = text.slice(i + 1, end);
      if (body.endsWith('\r')) body = body.slice(0, -1);
      this.comment = body;
      this.i = end;
      return 'comment';
    }
    if (c === DQUOTE || c === SQUOTE) {
      const re = c === DQUOTE ? DQUOTED : SQUOTED;
      re.lastIndex = i;
      if (!re.test(text)) {
        const closing = c === DQUOTE ? `'"'` : `"'"`;
        throw new ConfigParseError({ file: this.file, line: this.line, column: this.column }, 'unterminated quoted string', `a closing ${closing}`);
      }
      const j = re.lastIndex;
      const raw = text.slice(i + 1, j - 1);
      this.word = { value: unescapeNginx(raw), raw, quote: c === DQUOTE ? '"' : "'", line: this.line, column: this.column };
      if (raw.indexOf('\n') >= 0) this.countLines(i + 1, j);
      if (j < n && !AFTER_QUOTE.test(text[j]!)) {
        throw new ConfigParseError({ file: this.file, line: this.curLine, column: j - this.lineStart + 1 }, `unexpected ${describe(text[j]!)} after a quoted string`, 'a space, ";" or "{"');
      }
      this.i = j;
      return 'word';
    }
    WORD.lastIndex = i;
    WORD.test(text);
    const j = WORD.lastIndex;
    const raw = text.slice(i, j);
    this.word = { value: unescapeNginx(raw), raw, quote: '', line: this.line, column: this.column };
    if (raw.indexOf('\n') >= 0) this.countLines(i, j);
    this.i = j;
    return 'word';
  }

  /** End of file: just after the last character of the last non-empty line. */
  private eof(): 'eof' {
    const n = this.text.length;
    this.word = undefined;
    if (this.lineStart === n && this.curLine > 1) {
      this.line = this.curLine - 1;
      this.column = n - (this.text.lastIndexOf('\n', n - 2) + 1);
    } else {
      this.line = this.curLine;
      this.column = n - this.lineStart + 1;
    }
    return 'eof';
  }
}

/** Splits one file's text into tokens. Throws ConfigParseError with file:line:column. */
export function lexNginx(text: string, file: string): Token[] {
  const lexer = new NginxLexer(text, file);
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push({ t, line: lexer.line, column: lexer.column, word: lexer.word, text: t === 'comment' ? lexer.comment : '' });
    if (t === 'eof') return tokens;
  }
}
