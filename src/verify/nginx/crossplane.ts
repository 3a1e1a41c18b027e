/**
 * crossplane's `parse` JSON payload for a parsed configuration, so tools built on crossplane
 * (and our own tests against it) can read what we parsed:
 * `{status, errors, config: [{file, status, errors, parsed: [{directive, line, args, includes?, block?, comment?}]}]}`.
 *
 * Arguments are given the way crossplane's lexer leaves them: quotes removed, only an escaped
 * quote of the enclosing kind unescaped, every other backslash kept. `includes` are indices
 * into `config`. Comments appear only with `comments: true` (crossplane `--include-comments`).
 */
import type { NginxConfig, NginxNode, NginxWord } from './ast.ts';
import { stripIfParens } from './parser.ts';
import type { ConfigParseError } from '../types.ts';

export interface CrossplaneDirective {
  directive: string;
  line: number;
  args: string[];
  includes?: number[];
  block?: CrossplaneDirective[];
  comment?: string;
}

export interface CrossplaneError {
  file?: string;
  error: string;
  line: number | null;
}

export interface CrossplaneFile {
  file: string;
  status: 'ok' | 'failed';
  errors: CrossplaneError[];
  parsed: CrossplaneDirective[];
}

export interface CrossplanePayload {
  status: 'ok' | 'failed';
  errors: CrossplaneError[];
  config: CrossplaneFile[];
}

/** A word as crossplane's lexer yields it. */
export function crossplaneWord(w: NginxWord): string {
  if (w.quote === '') return w.raw;
  const escaped = `\\${w.quote}`;
  if (w.raw.indexOf(escaped) < 0) return w.raw;
  let out = '';
  for (let i = 0; i < w.raw.length; i++) {
    const ch = w.raw[i]!;
    if (ch === '\\' && i + 1 < w.raw.length) {
      const pair = ch + w.raw[i + 1]!;
      out += pair === escaped ? w.quote : pair;
      i++;
    } else out += ch;
  }
  return out;
}

function convert(nodes: readonly NginxNode[], comments: boolean): CrossplaneDirective[] {
  const out: CrossplaneDirective[] = [];
  for (const n of nodes) {
    if (n.type === 'comment') {
      if (comments) out.push({ directive: '#', line: n.at.line, args: [], comment: n.text });
      continue;
    }
    const name = crossplaneWord(n.words[0]!);
    const rest = n.words.slice(1).map(crossplaneWord);
    const stmt: CrossplaneDirective = { directive: name, line: n.at.line, args: name === 'if' ? stripIfParens(rest) : rest };
    if (n.includes) stmt.includes = [...n.includes];
    if (n.block) stmt.block = convert(n.block, comments);
    out.push(stmt);
  }
  return out;
}

export function toCrossplane(config: NginxConfig, opts: { comments?: boolean } = {}): CrossplanePayload {
  const comments = opts.comments ?? false;
  return {
    status: 'ok',
    errors: [],
    config: config.files.map((f) => ({ file: f.file, status: 'ok', errors: [], parsed: convert(f.nodes, comments) })),
  };
}

/** crossplane's payload for a configuration that failed to load. */
export function crossplaneFailure(err: ConfigParseError): CrossplanePayload {
  const error = err.message.replace(/^.*?:\d+:\d+: /, '');
  return {
    status: 'failed',
    errors: [{ file: err.file, error, line: err.line }],
    config: [{ file: err.file, status: 'failed', errors: [{ error, line: err.line }], parsed: [] }],
  };
}
