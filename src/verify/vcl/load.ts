/**
 * Reading a VCL program: the main file and its includes (resolved against the including file's
 * directory, then extra include paths; cycles refused), binary/huge file refusal, dialect detection
 * (Varnish or Fastly) and the builtin VCL appended for Varnish.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { ConfigParseError, type SourceLocation } from '../types.ts';
import type { Decl, Stmt, SubDecl } from './ast.ts';
import { BUILTIN_FILE, BUILTIN_SOURCE, builtinVersionFor, type BuiltinVersion } from './builtin.ts';
import { Parser, type IncludeHost } from './parser.ts';

export type VclDialect = 'varnish' | 'fastly';
/** Varnish major version; 4–6 use the monolithic builtin and map to the varnish7 profile. */
export type VarnishVersion = 4 | 5 | 6 | 7 | 8;

export interface LoadVclOptions {
  /** Force the dialect instead of detecting it. */
  dialect?: VclDialect;
  /** Varnish major version (default 7); `vcl 4.x;` does not tell it. */
  varnishVersion?: VarnishVersion;
  /** Directories searched for includes after the including file's directory. */
  includePaths?: string[];
  /** Reads a file as text (default: the file system). Throw when it does not exist. */
  readFile?: (path: string) => string;
}

export interface MacroSite {
  /** `recv`, `fetch`, … */
  name: string;
  at: SourceLocation;
  /** The sub the macro sits in, when inside one. */
  sub: string | undefined;
}

export interface VclProgram {
  dialect: VclDialect;
  /** `vcl 4.1;` of the main file, when present. */
  vclVersion: string | undefined;
  /** User declarations in reading order, includes inlined where they appear. */
  decls: Decl[];
  /** Builtin subs (Varnish only), marked `builtin: true`, in builtin.vcl order. */
  builtin: SubDecl[];
  /** Fastly `#FASTLY <name>` macros. */
  macros: MacroSite[];
  /** Every file read, in reading order (main first). */
  files: string[];
  /** File name → text (user files and the builtin). */
  sources: Map<string, string>;
}

export const MAX_FILE_BYTES = 16 * 1024 * 1024;

const at1 = (file: string): SourceLocation => ({ file, line: 1, column: 1 });

function defaultRead(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) throw new ConfigParseError(at1(path), `file too large (${size} bytes; the limit is 16 MiB)`);
  return readFileSync(path, 'utf8');
}

/** Refuses binary and huge content. */
function checkText(text: string, file: string): void {
  if (text.length > MAX_FILE_BYTES) throw new ConfigParseError(at1(file), `file too large (${text.length} characters; the limit is 16 MiB)`);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new ConfigParseError(at1(file), `binary file (NUL byte at offset ${nul}), not VCL`);
}

class Includes implements IncludeHost {
  readonly files: string[] = [];
  readonly sources = new Map<string, string>();
  private readonly stack: string[] = [];
  private readonly read: (p: string) => string;
  private readonly paths: string[];

  constructor(opts: LoadVclOptions) {
    this.read = opts.readFile ?? defaultRead;
    this.paths = opts.includePaths ?? [];
  }

  enter(file: string, text: string): void {
    checkText(text, file);
    this.stack.push(resolve(file));
    if (!this.sources.has(file)) this.files.push(file);
    this.sources.set(file, text);
  }

  open(path: string, fromFile: string, at: SourceLocation): { file: string; text: string } {
    const bases = isAbsolute(path) ? [path] : [join(dirname(fromFile), path), ...this.paths.map((d) => join(d, path))];
    // Fastly names snippets and uploaded VCL files without an extension (`include "snippet";`).
    const candidates = extname(path) === '' ? bases.flatMap((b) => [b, `${b}.vcl`]) : bases;
    for (const file of candidates) {
      let text: string;
      try {
        text = this.read(file);
      } catch (e) {
        if (e instanceof ConfigParseError) throw e;
        continue;
      }
      const id = resolve(file);
      const cycle = this.stack.indexOf(id);
      if (cycle >= 0) {
        const chain = [...this.stack.slice(cycle), id].map((p) => this.display(p)).join(' → ');
        throw new ConfigParseError(at, `include cycle: ${chain}`);
      }
      this.enter(file, text);
      return { file, text };
    }
    throw new ConfigParseError(at, `include file not found: ${JSON.stringify(path)}`, `a readable file at ${candidates.join(' or ')}`);
  }

  close(): void {
    this.stack.pop();
  }

  private display(abs: string): string {
    return this.files.find((f) => resolve(f) === abs) ?? abs;
  }
}

const builtinCache = new Map<BuiltinVersion, SubDecl[]>();

const noIncludes: IncludeHost = {
  open: (path, _from, at) => {
    throw new ConfigParseError(at, `include ${JSON.stringify(path)} is not allowed here`);
  },
  close: () => undefined,
};

/** The builtin subs of a Varnish version, parsed once. */
export function builtinSubs(version: BuiltinVersion): SubDecl[] {
  let subs = builtinCache.get(version);
  if (!subs) {
    const decls = new Parser(BUILTIN_SOURCE[version], BUILTIN_FILE[version], noIncludes).parseFile();
    subs = decls.filter((d): d is SubDecl => d.type === 'sub').map((d) => ({ ...d, builtin: true }));
    builtinCache.set(version, subs);
  }
  return subs;
}

function walkStatements(body: readonly Stmt[], visit: (s: Stmt) => void): void {
  for (const s of body) {
    visit(s);
    if (s.type === 'if') {
      for (const b of s.branches) walkStatements(b.body, visit);
      if (s.else) walkStatements(s.else, visit);
    }
  }
}

/**
 * Fastly when the VCL defines vcl_fetch or vcl_error, carries `#FASTLY` macros or returns lookup
 * from vcl_recv; Varnish when it has a `vcl 4.x;` line or none of those.
 */
export function detectDialect(decls: readonly Decl[]): VclDialect {
  if (decls.some((d) => d.type === 'vcl')) return 'varnish';
  let fastly = false;
  for (const d of decls) {
    if (d.type === 'macro') fastly = true;
    if (d.type !== 'sub') continue;
    if (d.name === 'vcl_fetch' || d.name === 'vcl_error') fastly = true;
    walkStatements(d.body, (s) => {
      if (s.type === 'macro') fastly = true;
      if (d.name === 'vcl_recv' && s.type === 'return' && s.action === 'lookup') fastly = true;
    });
    if (fastly) break;
  }
  return fastly ? 'fastly' : 'varnish';
}

function macroSites(decls: readonly Decl[]): MacroSite[] {
  const out: MacroSite[] = [];
  for (const d of decls) {
    if (d.type === 'macro') out.push({ name: d.name, at: d.at, sub: undefined });
    if (d.type === 'sub') walkStatements(d.body, (s) => s.type === 'macro' && out.push({ name: s.name, at: s.at, sub: d.name }));
  }
  return out;
}

/** Parses the main text and its includes into a program. */
export function loadProgram(text: string, file: string, opts: LoadVclOptions = {}): VclProgram & { varnishVersion: VarnishVersion } {
  const includes = new Includes(opts);
  includes.enter(file, text);
  const decls = new Parser(text, file, includes).parseFile();
  includes.close();
  const dialect = opts.dialect ?? detectDialect(decls);
  const varnishVersion = opts.varnishVersion ?? 7;
  const bv = builtinVersionFor(varnishVersion);
  const builtin = dialect === 'varnish' ? builtinSubs(bv) : [];
  const sources = includes.sources;
  if (dialect === 'varnish') sources.set(BUILTIN_FILE[bv], BUILTIN_SOURCE[bv]);
  const main = decls.find((d) => d.type === 'vcl' && d.span.file === file);
  return {
    dialect,
    varnishVersion,
    vclVersion: main?.type === 'vcl' ? main.version : undefined,
    decls,
    builtin,
    macros: [...sources.values()].some((t) => t.includes('#FASTLY')) ? macroSites(decls) : [],
    files: includes.files,
    sources,
  };
}

/** Reads the main file (default reader refuses > 16 MiB before reading). */
export function readMain(file: string, opts: LoadVclOptions): string {
  try {
    return (opts.readFile ?? defaultRead)(file);
  } catch (e) {
    if (e instanceof ConfigParseError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigParseError(at1(file), code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? (e as Error).message})`);
  }
}
