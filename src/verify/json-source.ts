/**
 * JSON documents with positions: provider API snapshots (Cloudflare, CloudFront, Akamai) are
 * read here so that every value can be traced back to `file:line:column`.
 *
 * The value comes from `JSON.parse` (exact JSON semantics); positions come from the `yaml`
 * package's CST (`parseDocument` + `LineCounter`, JSON being a subset of YAML 1.2). Malformed
 * JSON is reported by a small strict scanner below, which knows where it stopped and what it
 * expected there. Binary files and files over 16 MiB are refused.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigParseError, type SourceLocation } from './types.ts';

export type JsonPath = ReadonlyArray<string | number>;

/** Largest JSON file a reader accepts. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface JsonSource {
  /** The file as the user named it. */
  file: string;
  /** The parsed document. */
  value: unknown;
  /**
   * Where the value at `path` is written: for an object member, its key; for an array element,
   * the element. A path that does not exist resolves to its nearest existing ancestor.
   */
  locate(path: JsonPath): SourceLocation;
  /** Where character `index` of the string value at `path` is written (escapes accounted for). */
  locateInString(path: JsonPath, index: number): SourceLocation;
}

/* ------------------------------------------------------------------ reading */

/** Reads and parses a JSON file; `display` is the name used in locations (default: `path`). */
export function readJsonFile(path: string, display: string = path): JsonSource {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new ConfigParseError({ file: display, line: 1, column: 1 }, `cannot read file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size > MAX_JSON_BYTES) {
    throw new ConfigParseError({ file: display, line: 1, column: 1 }, `file is ${size} bytes, larger than the 16 MiB a JSON snapshot may be`);
  }
  const bytes = Buffer.alloc(size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, bytes, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  if (bytes.includes(0)) throw new ConfigParseError({ file: display, line: 1, column: 1 }, 'binary file (contains NUL bytes), not JSON');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigParseError({ file: display, line: 1, column: 1 }, 'binary file (not UTF-8), not JSON');
  }
  return fromText(text, display);
}

/** Parses JSON held in memory (examples, tests); `fileName` is used in locations. */
export function fromText(text: string, fileName: string): JsonSource {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const failure = scanJson(body);
  if (failure) {
    const { line, column } = lineColumn(body, failure.offset);
    throw new ConfigParseError({ file: fileName, line, column }, `invalid JSON: ${failure.message}`, failure.expected);
  }
  const value: unknown = JSON.parse(body);
  const lineCounter = new LineCounter();
  const doc = parseDocument(body, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const root = doc.errors.length === 0 ? (doc.contents as YamlNode | null) : null;

  const at = (offset: number, end?: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    const loc: SourceLocation = { file: fileName, line: p.line, column: p.col };
    if (end !== undefined) loc.endLine = lineCounter.linePos(end).line;
    return loc;
  };
  const locate = (path: JsonPath): SourceLocation => {
    const found = walk(root, path);
    if (!found) return { file: fileName, line: 1, column: 1 };
    return at(found.start, found.end);
  };
  const locateInString = (path: JsonPath, index: number): SourceLocation => {
    const found = walk(root, path);
    if (!found?.scalar) return locate(path);
    const [start, end] = found.scalar;
    return at(start + rawOffset(body.slice(start, end), index));
  };
  return { file: fileName, value, locate, locateInString };
}

interface Found {
  /** Offset of the member key or the element. */
  start: number;
  /** End offset of the value. */
  end: number;
  /** Range of the value when it is a quoted scalar. */
  scalar?: [number, number];
}

/** Follows `path` through the YAML node tree; the last matching member wins, as in JSON.parse. */
function walk(root: YamlNode | null, path: JsonPath): Found | undefined {
  if (!root?.range) return undefined;
  let node: YamlNode = root;
  let found: Found = { start: root.range[0], end: root.range[1] };
  for (const step of path) {
    let next: { start: number; node: YamlNode } | undefined;
    if (typeof step === 'string' && isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i]!;
        if (isScalar(pair.key) && String(pair.key.value) === step && pair.key.range && pair.value) {
          next = { start: pair.key.range[0], node: pair.value as YamlNode };
          break;
        }
      }
    } else if (typeof step === 'number' && isSeq(node)) {
      const item = node.items[step] as YamlNode | undefined;
      if (item?.range) next = { start: item.range[0], node: item };
    }
    if (!next?.node.range) return found;
    node = next.node;
    found = { start: next.start, end: next.node.range![1] };
  }
  if (isScalar(node) && node.range && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) found.scalar = [node.range[0], node.range[1]];
  return found;
}

/** Offset in the raw quoted token (starting with `"`) of decoded character `index`. */
function rawOffset(raw: string, index: number): number {
  let pos = 1;
  for (let decoded = 0; decoded < index && pos < raw.length - 1; decoded++) pos += raw[pos] === '\\' ? (raw[pos + 1] === 'u' ? 6 : 2) : 1;
  return pos;
}

/** 1-based line and column of `offset`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/* ------------------------------------------------------------------ strict scanner */

interface ScanFailure {
  offset: number;
  message: string;
  expected: string;
}

/** Checks `text` is exactly one JSON value; returns where and why it is not. */
export function scanJson(text: string): ScanFailure | undefined {
  let i = 0;
  const fail = (expected: string, at = i): ScanFailure => ({
    offset: at,
    message: at >= text.length ? 'unexpected end of file' : `unexpected ${describe(text[at]!)}`,
    expected,
  });
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string): ScanFailure | undefined => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return fail(`"${word}"`);
    return undefined;
  };
  const string = (): ScanFailure | undefined => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('a closing \'"\' (control characters must be escaped)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('four hex digits after \\u', i + 2);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return fail('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX', i + 1);
        continue;
      }
      i++;
    }
    return fail('a closing \'"\'');
  };
  const number = (): ScanFailure | undefined => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('a value (object, array, string, number, true, false or null)');
    i += m[0].length;
    return undefined;
  };
  const value = (depth: number): ScanFailure | undefined => {
    if (depth > 512) return fail('less nesting (more than 512 levels)');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return undefined;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') return fail('a member name in double quotes');
        const e = string();
        if (e) return e;
        ws();
        if (text[i] !== ':') return fail('":"');
        i++;
        const v = value(depth + 1);
        if (v) return v;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return undefined;
        }
        return fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return undefined;
      }
      for (;;) {
        const v = value(depth + 1);
        if (v) return v;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return undefined;
        }
        return fail('"," or "]"');
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  const e = value(0);
  if (e) return e;
  ws();
  return i < text.length ? fail('end of file after the JSON value') : undefined;
}

function describe(ch: string): string {
  if (ch === '\n' || ch === '\r') return 'end of line';
  if (ch === "'") return 'single quote (JSON strings use double quotes)';
  const code = ch.charCodeAt(0);
  return code < 0x20 ? `control character U+${code.toString(16).padStart(4, '0')}` : `"${ch}"`;
}

/* ------------------------------------------------------------------ shapes and rendering */

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A one-line `ConfigParseError` at `path`: `<what> must be <expected>`. */
export function shapeError(src: JsonSource, path: JsonPath, message: string, expected?: string): ConfigParseError {
  return new ConfigParseError(src.locate(path), message, expected);
}

/** A JSON value on one line, compactly (`{mode: override_origin, default: 3600}`), cut at `max` characters. */
export function renderInline(value: unknown, max = 160): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return /^[\w./:*@-]+$/.test(v) && v !== '' ? v : JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
    if (isObject(v)) return `{${Object.entries(v).map(([k, x]) => `${k}: ${render(x)}`).join(', ')}}`;
    return String(v);
  };
  const out = render(value);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}
