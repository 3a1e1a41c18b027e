/**
 * The nginx configuration tree as the parser produces it: one list of nodes per file, every node
 * with its place in the source. Includes stay as `include` directives here (with the indices of the
 * files they pulled in); `expandIncludes` in config.ts gives the inlined view the model reads.
 */
import type { SourceLocation } from '../types.ts';

/** One word of a directive, as lexed. */
export interface NginxWord {
  /** The value nginx uses: quotes removed, `\"` `\'` `\\` `\t` `\r` `\n` resolved. */
  value: string;
  /** The text as written (between the quotes when quoted). */
  raw: string;
  quote: '' | '"' | "'";
  line: number;
  column: number;
}

export interface NginxDirective {
  type: 'directive';
  /** The first word's value (`proxy_pass`, or a map key such as `~*^Bearer\s+(?<t>\S+)$`). */
  name: string;
  /** The other words' values. For `if`, the outer parentheses are removed the way crossplane does. */
  args: string[];
  /** Every word as written, name included (what build and crossplane render from). */
  words: NginxWord[];
  /** Where the directive starts; `endLine` is the line of its `;` or closing `}`. */
  at: SourceLocation;
  /** Present for block directives (`http { ... }`), empty for `{}`. */
  block?: NginxNode[];
  /** `include` only: indices into `NginxConfig.files` of the files it pulled in (crossplane's `includes`). */
  includes?: number[];
}

export interface NginxComment {
  type: 'comment';
  /** Everything after `#` on that line (leading space kept, as crossplane does). */
  text: string;
  at: SourceLocation;
}

export type NginxNode = NginxDirective | NginxComment;

export interface NginxFile {
  /** As named by the user or the include (relative paths stay relative). */
  file: string;
  nodes: NginxNode[];
}

export interface NginxConfig {
  /** The main file, as given. */
  main: string;
  /** Directory relative includes resolve against (nginx's prefix: the main file's directory). */
  prefix: string;
  /** Every file read; `files[0]` is the main file; then in the order includes were found (crossplane's order). */
  files: NginxFile[];
}

/** The directive as written, on one line: `proxy_ignore_headers Cache-Control Expires;` or `location / {`. */
export function directiveHead(d: NginxDirective): string {
  let out = '';
  d.words.forEach((w, i) => {
    // `if ($a ~ "x")`: nginx allows ")" right after a closing quote, and lexes it as its own word.
    const glued = i > 0 && w.quote === '' && w.raw === ')' && d.words[i - 1]!.quote !== '';
    out += i === 0 || glued ? renderWord(w) : ` ${renderWord(w)}`;
  });
  return out;
}

/** One line of provenance text: the head plus `;`, or `{ … }` for a block. */
export function directiveText(d: NginxDirective): string {
  return d.block ? `${directiveHead(d)} { … }` : `${directiveHead(d)};`;
}

export function renderWord(w: NginxWord): string {
  return w.quote === '' ? w.raw : `${w.quote}${w.raw}${w.quote}`;
}

/** Only the directives of a node list (comments dropped). */
export function directivesOf(nodes: readonly NginxNode[] | undefined): NginxDirective[] {
  const out: NginxDirective[] = [];
  if (nodes) for (const n of nodes) if (n.type === 'directive') out.push(n);
  return out;
}

/** Calls `fn` on every directive of the tree, depth first, in source order. */
export function walkDirectives(nodes: readonly NginxNode[], fn: (d: NginxDirective, parents: readonly NginxDirective[]) => void, parents: NginxDirective[] = []): void {
  for (const n of nodes) {
    if (n.type !== 'directive') continue;
    fn(n, parents);
    if (n.block) {
      parents.push(n);
      walkDirectives(n.block, fn, parents);
      parents.pop();
    }
  }
}
