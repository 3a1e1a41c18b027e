/**
 * The notice template language, kept tiny on purpose:
 * - `{{name}}` puts a value in (HTML-escaped in .html templates; a list becomes bullet lines or a `<ul>`);
 * - `{{#if name}} … {{else}} … {{/if}}` keeps a part only when the value is not empty (`{{else}}` optional).
 * A block tag alone on its line takes the whole line with it. Anything else is literal text.
 * Parsing checks every name against the placeholders the template may use and fails with one line
 * naming the file, the line, the unknown placeholder and the known ones.
 */
import { CwError } from '../../core/errors.ts';
import { nearest } from '../../core/suggest.ts';

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'if'; name: string; then: Node[]; else: Node[] };

/** A value: text, or a list (empty text and an empty list count as absent in `{{#if}}`). */
export type Value = string | readonly string[];

export interface Template {
  /** The file it came from (for messages). */
  file: string;
  nodes: Node[];
}

export interface RenderOptions {
  /** Escape text values for HTML. */
  escape: (text: string) => string;
  /** Turn a list value into text (already escaped as needed). */
  list: (items: readonly string[]) => string;
}

const TAG_RE = /\{\{([^{}]*)\}\}/g;
const NAME_RE = /^[A-Za-z][A-Za-z0-9]*$/;

function fail(file: string, line: number, problem: string): never {
  throw new CwError('CW_INPUT_UNREADABLE', `notice template ${file} line ${line}: ${problem}`);
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** Parse a template, accepting only the placeholder names in `known`. */
export function parseTemplate(source: string, file: string, known: readonly string[]): Template {
  const knownSet = new Set(known);
  const knownList = known.map((k) => `{{${k}}}`).join(', ');
  const checkName = (name: string, at: number, tag: string): void => {
    if (knownSet.has(name)) return;
    const near = nearest(name, known);
    const hint = near !== undefined ? ` (did you mean {{${near}}}?)` : '';
    fail(file, lineAt(source, at), `unknown placeholder ${tag}${hint}; this template may use ${knownList}`);
  };

  const root: Node[] = [];
  /** Open `{{#if}}` blocks: the node, where the tag was, and whether `{{else}}` was seen. */
  const stack: Array<{ node: Extract<Node, { kind: 'if' }>; at: number; inElse: boolean }> = [];
  const target = (): Node[] => {
    const top = stack[stack.length - 1];
    if (top === undefined) return root;
    return top.inElse ? top.node.else : top.node.then;
  };
  const pushText = (text: string): void => {
    if (text !== '') target().push({ kind: 'text', text });
  };

  let pos = 0;
  for (const m of source.matchAll(TAG_RE)) {
    const at = m.index;
    const raw = m[1]!.trim();
    const tag = m[0];
    const isBlock = raw.startsWith('#') || raw.startsWith('/') || raw === 'else';
    let before = source.slice(pos, at);
    let end = at + tag.length;
    if (isBlock) {
      // Standalone: only whitespace around the tag on its line; drop the whole line.
      const lineStart = source.lastIndexOf('\n', at - 1) + 1;
      const nl = source.indexOf('\n', end);
      const lineEnd = nl === -1 ? source.length : nl + 1;
      if (lineStart >= pos && /^[ \t]*$/.test(source.slice(lineStart, at)) && /^[ \t]*\r?\n?$/.test(source.slice(end, lineEnd))) {
        before = source.slice(pos, lineStart);
        end = lineEnd;
      }
    }
    pushText(before);
    pos = end;

    if (raw.startsWith('#')) {
      const parts = raw.slice(1).trim().split(/\s+/);
      if (parts[0] !== 'if' || parts.length !== 2) fail(file, lineAt(source, at), `${tag} is not a known block; write {{#if name}} … {{/if}}`);
      const name = parts[1]!;
      checkName(name, at, tag);
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', name, then: [], else: [] };
      target().push(node);
      stack.push({ node, at, inElse: false });
    } else if (raw === 'else') {
      const top = stack[stack.length - 1];
      if (top === undefined || top.inElse) fail(file, lineAt(source, at), '{{else}} outside an {{#if}} block (or a second {{else}})');
      top.inElse = true;
    } else if (raw.startsWith('/')) {
      if (raw.slice(1).trim() !== 'if') fail(file, lineAt(source, at), `${tag} is not a known block end; write {{/if}}`);
      if (stack.pop() === undefined) fail(file, lineAt(source, at), '{{/if}} without an {{#if}} before it');
    } else {
      if (!NAME_RE.test(raw)) fail(file, lineAt(source, at), `${tag} is not a placeholder; this template may use ${knownList}`);
      checkName(raw, at, tag);
      target().push({ kind: 'value', name: raw });
    }
  }
  pushText(source.slice(pos));
  const open = stack[stack.length - 1];
  if (open !== undefined) fail(file, lineAt(source, open.at), `{{#if ${open.node.name}}} is never closed; add {{/if}}`);
  // A lone `{{` or `}}` left over is almost always a typo in a placeholder.
  const stray = /\{\{|\}\}/.exec(source.replace(TAG_RE, (t) => ' '.repeat(t.length)));
  if (stray !== null) fail(file, lineAt(source, stray.index), `unmatched "${stray[0]}"; placeholders are written {{name}}`);
  return { file, nodes: root };
}

function present(v: Value | undefined): boolean {
  return v !== undefined && v.length > 0;
}

/** Render a parsed template with the given values (a name without a value renders as nothing). */
export function renderTemplate(t: Template, values: Readonly<Record<string, Value>>, opts: RenderOptions): string {
  const out: string[] = [];
  const walk = (nodes: readonly Node[]): void => {
    for (const n of nodes) {
      if (n.kind === 'text') out.push(n.text);
      else if (n.kind === 'if') walk(present(values[n.name]) ? n.then : n.else);
      else {
        const v = values[n.name];
        if (v === undefined) continue;
        out.push(typeof v === 'string' ? opts.escape(v) : opts.list(v));
      }
    }
  };
  walk(t.nodes);
  return out.join('');
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}
