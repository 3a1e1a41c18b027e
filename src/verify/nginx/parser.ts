/**
 * The nginx configuration parser: tokens → directives, blocks and comments for one file.
 * The grammar is nginx's: `name args… ;` or `name args… { … }`; the bodies of `map`, `geo`,
 * `types`, `split_clients`, `charset_map` and `match` are key-value lines and come out as
 * directive-like entries (the key is the "name"). Includes are resolved by config.ts.
 *
 * Errors follow nginx's wording (`unexpected "}"`, `unexpected end of file` expecting `";" or "}"`)
 * with file:line:column. Comments in the middle of a directive's words are kept and placed after
 * the directive (before the block's first line for a block directive), as crossplane does.
 */
import { ConfigParseError, type SourceLocation } from '../types.ts';
import type { NginxComment, NginxDirective, NginxNode, NginxWord } from './ast.ts';
import { NginxLexer } from './lexer.ts';

/** crossplane's `if` argument preparation: removes the outer parentheses, drops words left empty. */
export function stripIfParens(args: string[]): string[] {
  if (args.length === 0 || !args[0]!.startsWith('(') || !args[args.length - 1]!.endsWith(')')) return args;
  const out = [...args];
  out[0] = out[0]!.slice(1).trimStart();
  out[out.length - 1] = out[out.length - 1]!.slice(0, -1).trimEnd();
  const start = out[0] === '' ? 1 : 0;
  const end = out.length - (out[out.length - 1] === '' ? 1 : 0);
  return out.slice(start, Math.max(start, end));
}

function makeDirective(words: NginxWord[], file: string, endLine: number): NginxDirective {
  const first = words[0]!;
  const values: string[] = [];
  for (let i = 1; i < words.length; i++) values.push(words[i]!.value);
  return {
    type: 'directive',
    name: first.value,
    args: first.value === 'if' && first.quote === '' ? stripIfParens(values) : values,
    words,
    at: { file, line: first.line, column: first.column, endLine },
  };
}

interface Frame {
  directive: NginxDirective;
  nodes: NginxNode[];
}

export interface ParseOptions {
  /** Keep `#` comments as nodes (default true; crossplane keeps them only with `--include-comments`). */
  comments?: boolean;
}

/** Parses one file's text. `file` is the name used in locations and errors. */
export function parseNginx(text: string, file: string, opts: ParseOptions = {}): NginxNode[] {
  const keepComments = opts.comments ?? true;
  const lexer = new NginxLexer(text, file);
  const root: NginxNode[] = [];
  const stack: Frame[] = [];
  let nodes = root;
  let words: NginxWord[] | undefined;
  let pending: NginxComment[] = [];
  const here = (): SourceLocation => ({ file, line: lexer.line, column: lexer.column });

  for (;;) {
    switch (lexer.next()) {
      case 'word':
        if (words) words.push(lexer.word!);
        else words = [lexer.word!];
        break;
      case 'comment': {
        if (!keepComments) break;
        const c: NginxComment = { type: 'comment', text: lexer.comment, at: { file, line: lexer.line, column: lexer.column, endLine: lexer.line } };
        if (words) pending.push(c);
        else nodes.push(c);
        break;
      }
      case ';': {
        if (!words) throw new ConfigParseError(here(), 'unexpected ";"', 'a directive name');
        nodes.push(makeDirective(words, file, lexer.line));
        if (pending.length > 0) {
          for (const c of pending) nodes.push(c);
          pending = [];
        }
        words = undefined;
        break;
      }
      case '{': {
        if (!words) throw new ConfigParseError(here(), 'unexpected "{"', 'a directive name');
        const d = makeDirective(words, file, lexer.line);
        d.block = pending.length > 0 ? pending : [];
        nodes.push(d);
        stack.push({ directive: d, nodes });
        nodes = d.block;
        words = undefined;
        if (pending.length > 0) pending = [];
        break;
      }
      case '}': {
        if (words) throw new ConfigParseError(here(), 'unexpected "}"', '";" or "{"');
        const frame = stack.pop();
        if (!frame) throw new ConfigParseError(here(), 'unexpected "}"', 'a directive or the end of the file');
        frame.directive.at.endLine = lexer.line;
        nodes = frame.nodes;
        break;
      }
      case 'eof': {
        if (words) throw new ConfigParseError(here(), 'unexpected end of file', '";" or "}"');
        const open = stack[stack.length - 1];
        if (open) {
          const d = open.directive;
          throw new ConfigParseError(here(), `unexpected end of file; "${d.name}" block opened at line ${d.at.line} is not closed`, '"}"');
        }
        return root;
      }
    }
  }
}
