/**
 * Rendering a tree back to nginx text (`buildNginx`), and `flattenNginx`: the whole configuration
 * as one self-contained nginx.conf with every include inlined (a `# from <file>` line before each
 * inlined file), used to boot a user's configuration in a real nginx.
 *
 * Words are written as they were lexed (same quotes, same escapes), so parse → build → parse gives
 * the same tree. A comment that shared a line with the node before it stays on that line.
 */
import { directiveHead, type NginxConfig, type NginxNode } from './ast.ts';

export interface BuildOptions {
  /** One indentation step (default four spaces). */
  indent?: string;
  /** Called for an `include` directive with resolved files; return lines to write instead of the directive. */
  onInclude?: (includes: readonly number[], depth: number, pattern: string) => string[] | undefined;
}

function render(nodes: readonly NginxNode[], depth: number, opts: Required<Pick<BuildOptions, 'indent'>> & BuildOptions, out: string[]): void {
  const pad = opts.indent.repeat(depth);
  let lastFile: string | undefined;
  let lastLine = -1;
  for (const node of nodes) {
    if (node.type === 'comment') {
      if (out.length > 0 && node.at.file === lastFile && node.at.line === lastLine) out[out.length - 1] += ` #${node.text}`;
      else out.push(`${pad}#${node.text}`);
      lastFile = node.at.file;
      lastLine = node.at.line;
      continue;
    }
    if (node.includes && opts.onInclude) {
      const lines = opts.onInclude(node.includes, depth, node.args[0] ?? '');
      if (lines) {
        out.push(...lines);
        lastFile = undefined;
        continue;
      }
    }
    const head = directiveHead(node);
    if (node.block) {
      out.push(`${pad}${head} {`);
      render(node.block, depth + 1, opts, out);
      out.push(`${pad}}`);
    } else {
      out.push(`${pad}${head};`);
    }
    lastFile = node.at.file;
    lastLine = node.at.endLine ?? node.at.line;
  }
}

/** nginx text for a node list (one file's nodes, or a block's). Ends with a newline. */
export function buildNginx(nodes: readonly NginxNode[], opts: BuildOptions = {}): string {
  const out: string[] = [];
  render(nodes, 0, { indent: opts.indent ?? '    ', ...opts }, out);
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** One self-contained nginx.conf: every include replaced by the included files' contents. */
export function flattenNginx(config: NginxConfig, opts: Pick<BuildOptions, 'indent'> = {}): string {
  const indent = opts.indent ?? '    ';
  const out: string[] = [];
  const onInclude = (includes: readonly number[], depth: number, pattern: string): string[] => {
    const pad = indent.repeat(depth);
    if (includes.length === 0) return [`${pad}# include ${pattern}: no file matched`];
    const lines: string[] = [];
    for (const idx of includes) {
      const f = config.files[idx]!;
      lines.push(`${pad}# from ${f.file}`);
      render(f.nodes, depth, { indent, onInclude }, lines);
    }
    return lines;
  };
  render(config.files[0]!.nodes, 0, { indent, onInclude }, out);
  return `${out.join('\n')}\n`;
}
