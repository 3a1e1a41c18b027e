/**
 * Load cachewarden.yaml: parse YAML, expand `${ENV}` references, validate against the strict
 * schema, and turn every problem into one line that names the file, line, key and the fix.
 * Never a stack trace, never zod's multi-line dump. The result is deep-frozen.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { CwError, type ErrorCode } from '../core/errors.ts';
import { nearest } from '../core/suggest.ts';
import { ConfigSchema, type CachewardenConfig } from './schema.ts';

export interface ConfigProblem {
  code: ErrorCode;
  /** `file:line:col key: what is wrong; how to fix (CODE)` */
  line: string;
}

/** All problems found in one config file; `lines()` gives one line per problem. */
export class ConfigError extends CwError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    const first = problems[0]!;
    super(first.code, first.line.replace(/ \([A-Z_]+\)$/, ''));
    this.problems = problems;
  }
  lines(): string[] {
    return this.problems.map((p) => p.line);
  }
  override line(): string {
    return this.lines().join('\n');
  }
}

export interface LoadedConfig {
  config: Readonly<CachewardenConfig>;
  file: string;
  /** Dot-paths whose value came from the environment; printed masked. */
  fromEnv: ReadonlySet<string>;
  /** Where a key is in the file (1-based line and column), e.g. `locate(['origin', 'headers', '/mypage*'])`. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

type PathSeg = string | number;
type Env = Readonly<Record<string, string | undefined>>;

export function dotPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(top level)' : out;
}

export async function loadConfig(file: string, env: Env = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(e as Error).message})`;
    throw new CwError('CW_CONFIG_NOT_FOUND', `${file}: config file ${why}; create it (see docs/config.md) or pass --config <file>`);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: Env = process.env): LoadedConfig {
  if (text.includes('\u0000')) {
    throw new ConfigError([{ code: 'CW_CONFIG_YAML', line: `${file}: is a binary file, not YAML (CW_CONFIG_YAML)` }]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const { line, col } = lc.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((err) => ({
        code: 'CW_CONFIG_YAML' as const,
        line: `${where(err.pos[0])} YAML: ${firstLine(err.message)} (CW_CONFIG_YAML)`,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([
      { code: 'CW_CONFIG_INVALID_VALUE', line: `${where(0)} (top level): expected a mapping of keys such as "personalized:" (CW_CONFIG_INVALID_VALUE)` },
    ]);
  }

  const problems: ConfigProblem[] = [];
  const fromEnv = new Set<string>();
  const expanded = expandEnv(raw, [], env, fromEnv, (path, name) => {
    problems.push({
      code: 'CW_CONFIG_ENV_MISSING',
      line: `${where(locate(doc, path))} ${dotPath(path)}: environment variable ${name} is not set; export it or write \${${name}:-default} (CW_CONFIG_ENV_MISSING)`,
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);

  const result = ConfigSchema.safeParse(expanded);
  if (!result.success) {
    const issues = result.error.issues;
    // A misspelt key also makes the real key "missing": report the typo only.
    const suggested = new Set<string>();
    for (const issue of issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      const known = knownKeysAt(issue.path as PathSeg[], expanded);
      for (const k of issue.keys) {
        const guess = nearest(k, known);
        if (guess) suggested.add(dotPath([...(issue.path as PathSeg[]), guess]));
      }
    }
    for (const issue of issues) {
      const isMissing = issue.code === 'invalid_type' && valueAt(expanded, issue.path as PathSeg[]) === undefined;
      if (isMissing && suggested.has(dotPath(issue.path as PathSeg[]))) continue;
      problems.push(...describeIssue(issue, expanded, doc, where));
    }
    throw new ConfigError(sortByPosition(problems));
  }
  const locateKey = (path: readonly PathSeg[]) => {
    const offset = path.length === 0 ? undefined : locate(doc, path.slice(0, -1), String(path[path.length - 1]));
    if (offset === undefined) return undefined;
    const { line, col } = lc.linePos(offset);
    return { line, column: col };
  };
  return { config: deepFreeze(result.data), file, fromEnv, locate: locateKey };
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  const pos = (p: ConfigProblem) => {
    const m = /^[^ ]*?:(\d+):(\d+) /.exec(p.line);
    return m ? Number(m[1]) * 1e6 + Number(m[2]) : 0;
  };
  return [...problems].sort((a, b) => pos(a) - pos(b));
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

const ENV_RE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function expandEnv(
  value: unknown,
  path: PathSeg[],
  env: Env,
  fromEnv: Set<string>,
  missing: (path: PathSeg[], name: string) => void,
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    let used = false;
    const out = value.replace(ENV_RE, (m, name: string | undefined, dflt: string | undefined) => {
      if (m === '$${') return '${';
      used = true;
      const v = env[name!];
      if (v !== undefined && v !== '') return v;
      if (dflt !== undefined) return dflt;
      missing(path, name!);
      return '';
    });
    if (used) fromEnv.add(dotPath(path));
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, [...path, i], env, fromEnv, missing));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, [...path, k], env, fromEnv, missing);
    return out;
  }
  return value;
}

/** Offset of the node at `path` (or of the key `key` inside it) in the YAML source. */
function locate(doc: Document, path: readonly PathSeg[], key?: string): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return offset;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      if ((node as Node | null)?.range) offset = (node as Node).range![0];
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      offset = (node as Node | undefined)?.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair) return (pair.key as Node).range?.[0];
  }
  return offset;
}

function valueAt(root: unknown, path: readonly PathSeg[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

type Issue = z.core.$ZodIssue;

function describeIssue(
  issue: Issue,
  input: unknown,
  doc: Document,
  where: (offset: number | undefined) => string,
): ConfigProblem[] {
  const path = issue.path as PathSeg[];
  const at = (p: readonly PathSeg[], key?: string) => where(locate(doc, p, key));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(path, input);
      return issue.keys.map((k) => {
        const guess = nearest(k, known);
        const fix = guess
          ? `did you mean "${guess}"?`
          : known.length > 0
            ? `valid keys here: ${known.join(', ')}`
            : 'remove it';
        return {
          code: 'CW_CONFIG_UNKNOWN_KEY' as const,
          line: `${at(path, k)} ${dotPath([...path, k])}: unknown key; ${fix} (CW_CONFIG_UNKNOWN_KEY)`,
        };
      });
    }
    case 'invalid_type': {
      const actual = valueAt(input, path);
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (actual === undefined) {
        const parent = path.slice(0, -1);
        const example = exampleAt(path, input);
        return [
          {
            code: 'CW_CONFIG_MISSING_KEY',
            line: `${at(parent)} ${dotPath(path)}: required key is missing; add it as ${expected}${example ? `, e.g. ${example}` : ''} (CW_CONFIG_MISSING_KEY)`,
          },
        ];
      }
      return [
        {
          code: 'CW_CONFIG_INVALID_VALUE',
          line: `${at(path)} ${dotPath(path)}: expected ${expected}, got ${describeValue(actual)} (CW_CONFIG_INVALID_VALUE)`,
        },
      ];
    }
    case 'invalid_value': {
      const actual = valueAt(input, path);
      const options = issue.values.map(String);
      const guess = typeof actual === 'string' ? nearest(actual, options) : undefined;
      return [
        {
          code: 'CW_CONFIG_INVALID_VALUE',
          line: `${at(path)} ${dotPath(path)}: ${describeValue(actual)} is not allowed; use one of ${options.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''} (CW_CONFIG_INVALID_VALUE)`,
        },
      ];
    }
    default:
      return [
        {
          code: 'CW_CONFIG_INVALID_VALUE',
          line: `${at(path)} ${dotPath(path)}: ${firstLine(issue.message)} (CW_CONFIG_INVALID_VALUE)`,
        },
      ];
  }
}

/* ---- walking the schema, for "did you mean" and examples ---- */

interface SchemaLike {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, SchemaLike>;
      innerType?: SchemaLike;
      element?: SchemaLike;
      valueType?: SchemaLike;
      options?: SchemaLike[];
      discriminator?: string;
      values?: unknown[];
      in?: SchemaLike;
      out?: SchemaLike;
    };
  };
  meta?: () => Record<string, unknown> | undefined;
}

/** The option of a discriminated union that the input's discriminator value selects. */
function pickOption(s: SchemaLike, input: unknown): SchemaLike | undefined {
  const d = s._zod.def;
  if (d.type !== 'union' || !d.discriminator || !d.options) return undefined;
  const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[d.discriminator] : undefined;
  return d.options.find((o) => unwrap(o)._zod.def.shape?.[d.discriminator!]?._zod.def.values?.includes(value));
}

function unwrap(s: SchemaLike): SchemaLike {
  let cur = s;
  for (;;) {
    const d = cur._zod.def;
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault' || d.type === 'readonly') && d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
}

/**
 * The schema at `path`. With `input` (the config as written), discriminated unions (the sinks
 * under `alerts:`) resolve to the option the value's `type` selects.
 */
export function schemaAt(path: readonly PathSeg[], input?: unknown, root: SchemaLike = ConfigSchema as unknown as SchemaLike): SchemaLike | undefined {
  let cur: SchemaLike | undefined = root;
  let value: unknown = input;
  for (const seg of path) {
    if (!cur) return undefined;
    let s = unwrap(cur);
    s = pickOption(s, value) ?? s;
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg as string] : undefined;
    const d = s._zod.def;
    if (d.type === 'object' && d.shape) cur = d.shape[String(seg)];
    else if (d.type === 'array' && d.element) cur = d.element;
    else if (d.type === 'record' && d.valueType) cur = d.valueType;
    else return undefined;
  }
  return cur;
}

export function knownKeysAt(path: readonly PathSeg[], input?: unknown): string[] {
  const s = schemaAt(path, input);
  if (!s) return [];
  let u = unwrap(s);
  u = pickOption(u, valueAt(input, path)) ?? u;
  const d = u._zod.def;
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
}

function exampleAt(path: readonly PathSeg[], input?: unknown): string | undefined {
  const s = schemaAt(path, input);
  const ex = s?.meta?.()?.['example'];
  return ex === undefined ? undefined : JSON.stringify(ex);
}

export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}
