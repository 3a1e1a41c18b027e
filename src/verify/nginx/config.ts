/**
 * Reading a whole nginx configuration: the main file plus everything `include` pulls in.
 *
 * - A relative include resolves against the main file's directory (nginx's prefix), not against
 *   the including file's directory.
 * - Patterns with `*`, `?` or `[` are globs (sorted, no match is fine); a plain path must exist.
 * - Each file is read and parsed once, however often it is included (crossplane's `includes` indices).
 * - Include cycles, files over 16 MiB and binary files (NUL bytes) are refused with ConfigParseError.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigParseError, type SourceLocation } from '../types.ts';
import type { NginxConfig, NginxDirective, NginxFile, NginxNode } from './ast.ts';
import { parseNginx } from './parser.ts';

export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface NginxReadOptions {
  /** Reads a file as text (default: the file system). Throw an error with `code: 'ENOENT'` for a missing file. */
  readFile?: (path: string) => string;
  /** Lists a directory's entry names, for glob includes (default: the file system). Give it whenever `readFile` is not the file system. */
  listDir?: (dir: string) => readonly string[];
  /** Keep `#` comments in the file trees (default true). */
  comments?: boolean;
}

function fsRead(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG', size });
  return readFileSync(path, 'utf8');
}

function fsList(dir: string): readonly string[] {
  return readdirSync(dir === '' ? '.' : dir);
}

/** An in-memory file system for `loadNginx` (tests, benchmarks, API snapshots). */
export function memoryFs(files: Readonly<Record<string, string>>): Required<Pick<NginxReadOptions, 'readFile' | 'listDir'>> {
  const names = Object.keys(files);
  return {
    readFile(path) {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    listDir(dir) {
      const prefix = dir === '' || dir === '.' ? '' : `${dir.replace(/\/+$/, '')}/`;
      const out = new Set<string>();
      for (const name of names) {
        if (!name.startsWith(prefix)) continue;
        const rest = name.slice(prefix.length);
        out.add(rest.split('/')[0]!);
      }
      return [...out];
    },
  };
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

/** Reads and checks one file's text; `at` is where to point when the file cannot be read. */
function readChecked(path: string, read: (p: string) => string, at: SourceLocation, shownAs: string, isInclude: boolean): string {
  let text: string;
  try {
    text = read(path);
  } catch (e) {
    if (e instanceof ConfigParseError) throw e;
    const code = errorCode(e);
    if (code === 'EFBIG') throw new ConfigParseError({ file: path, line: 1, column: 1 }, `file too large (${(e as { size: number }).size} bytes; the limit is 16 MiB)`);
    if (code === 'ENOENT') throw new ConfigParseError(at, isInclude ? `include file not found: ${shownAs}` : 'file not found');
    throw new ConfigParseError(at, `cannot read ${isInclude ? `include file ${shownAs}` : 'file'}: ${code}`);
  }
  if (text.length > MAX_FILE_BYTES / 4 && Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    throw new ConfigParseError({ file: path, line: 1, column: 1 }, `file too large (${Buffer.byteLength(text, 'utf8')} bytes; the limit is 16 MiB)`);
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul);
    const line = before.split('\n').length;
    const column = nul - (before.lastIndexOf('\n') + 1) + 1;
    throw new ConfigParseError({ file: path, line, column }, 'binary data (a NUL byte) in a configuration file', 'text');
  }
  return text;
}

const MAGIC = /[*?[]/;

/** One glob segment as a RegExp: `*`, `?`, `[...]` (with `!` negation); a leading dot must be explicit. */
function segmentRegExp(seg: string): RegExp {
  let src = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') src += '[^/]*';
    else if (ch === '?') src += '[^/]';
    else if (ch === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        src += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      src += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else src += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`);
}

/** Expands a glob pattern to the matching paths, sorted (as nginx's glob() returns them). */
function expandGlob(pattern: string, list: (dir: string) => readonly string[]): string[] {
  const absolute = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let bases = [absolute ? '/' : ''];
  for (let s = absolute ? 1 : 0; s < segs.length; s++) {
    const seg = segs[s]!;
    const next: string[] = [];
    for (const base of bases) {
      if (!MAGIC.test(seg)) {
        next.push(base === '' ? seg : base === '/' ? `/${seg}` : `${base}/${seg}`);
        continue;
      }
      let entries: readonly string[];
      try {
        entries = list(base === '' ? '.' : base);
      } catch {
        continue;
      }
      const re = segmentRegExp(seg);
      for (const e of entries) {
        if (e.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(e)) next.push(base === '' ? e : base === '/' ? `/${e}` : `${base}/${e}`);
      }
    }
    bases = next;
  }
  return bases.sort();
}

/**
 * Reads the main file and every include. Throws ConfigParseError (syntax, missing include,
 * include cycle, binary or oversized file).
 */
export function readNginxConfig(mainFile: string, opts: NginxReadOptions = {}): NginxConfig {
  const read = opts.readFile ?? fsRead;
  const list = opts.listDir ?? fsList;
  const prefix = dirname(mainFile);
  const files: NginxFile[] = [];
  const indexOf = new Map<string, number>();

  const add = (path: string, text: string): number => {
    indexOf.set(path, files.length);
    files.push({ file: path, nodes: parseNginx(text, path, { comments: opts.comments ?? true }) });
    return files.length - 1;
  };
  add(mainFile, readChecked(mainFile, read, { file: mainFile, line: 1, column: 1 }, mainFile, false));

  const resolveIncludes = (nodes: NginxNode[]): void => {
    for (const node of nodes) {
      if (node.type !== 'directive') continue;
      if (node.name === 'include' && !node.block) {
        if (node.args.length !== 1) throw new ConfigParseError(node.at, 'invalid number of arguments in "include" directive', 'one file name or pattern');
        const pattern = node.args[0]!;
        const full = isAbsolute(pattern) ? pattern : join(prefix, pattern);
        const word = node.words[1]!;
        const at = { file: node.at.file, line: word.line, column: word.column };
        const paths = MAGIC.test(pattern) ? expandGlob(full, list) : [full];
        node.includes = paths.map((p) => indexOf.get(p) ?? add(p, readChecked(p, read, at, pattern, true)));
      }
      if (node.block) resolveIncludes(node.block);
    }
  };
  // `files` grows while we walk it: included files are parsed in discovery order.
  for (let i = 0; i < files.length; i++) resolveIncludes(files[i]!.nodes);

  checkCycles(files);
  return { main: mainFile, prefix, files };
}

function includeDirectives(nodes: readonly NginxNode[], out: NginxDirective[] = []): NginxDirective[] {
  for (const n of nodes) {
    if (n.type !== 'directive') continue;
    if (n.includes) out.push(n);
    if (n.block) includeDirectives(n.block, out);
  }
  return out;
}

function checkCycles(files: readonly NginxFile[]): void {
  const state = new Array<0 | 1 | 2>(files.length).fill(0);
  const path: number[] = [];
  const visit = (i: number): void => {
    state[i] = 1;
    path.push(i);
    for (const inc of includeDirectives(files[i]!.nodes)) {
      for (const j of inc.includes!) {
        if (state[j] === 1) {
          const cycle = [...path.slice(path.indexOf(j)), j].map((k) => files[k]!.file).join(' → ');
          throw new ConfigParseError(inc.at, `include cycle: ${cycle}`);
        }
        if (state[j] === 0) visit(j);
      }
    }
    path.pop();
    state[i] = 2;
  };
  visit(0);
}

/**
 * The main file's directives with every include inlined (recursively) and comments dropped:
 * the configuration as nginx applies it. Block directives are copies, so an included file used in
 * two places yields two independent subtrees.
 */
export function expandIncludes(config: NginxConfig): NginxDirective[] {
  const expand = (nodes: readonly NginxNode[]): NginxDirective[] => {
    const out: NginxDirective[] = [];
    for (const n of nodes) {
      if (n.type !== 'directive') continue;
      if (n.includes) {
        for (const idx of n.includes) out.push(...expand(config.files[idx]!.nodes));
        continue;
      }
      out.push(n.block ? { ...n, block: expand(n.block) } : n);
    }
    return out;
  };
  return expand(config.files[0]!.nodes);
}
