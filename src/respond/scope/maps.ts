/**
 * The two side inputs of scope, hashed as they are read (no raw id is kept):
 * - the sessions map (CSV `session,user` or NDJSON `{"session":…,"user":…}`): session credential
 *   hash → user hash, so people are counted per user, not per session;
 * - the relations file (CSV `owner,person,route,fields` with fields split by `|` or `;`, or NDJSON
 *   with `fields` as an array): whose data sits on whose page (the 2017 "case 2").
 * Malformed rows are counted and named by file:line in one notice; they never stop the run.
 */
import { readFileSync } from 'node:fs';
import { CwError } from '../../core/errors.ts';
import { globToRegExp, routePath } from '../../core/glob.ts';
import type { IdentityHash, IdentityHasher } from '../../core/identity.ts';
import { parseCsv } from './csv.ts';

export interface SessionsMap {
  file: string;
  rows: number;
  /** Credential hash → user hash. */
  userOf: Map<IdentityHash, IdentityHash>;
}

export interface Relation {
  owner: IdentityHash;
  person: IdentityHash;
  /** As written (a path or a glob). */
  route: string;
  fields: string[];
  matches(url: string): boolean;
}

export interface RelationsFile {
  file: string;
  rows: number;
  /** Relations by page owner, in file order. */
  byOwner: Map<IdentityHash, Relation[]>;
}

const FIELD_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const LISTED = 5;

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new CwError('CW_INPUT_UNREADABLE', `${what} ${file}: ${why}; check the path`);
  }
}

/** Records of a CSV or NDJSON file as name → value, with their line; `undefined` records are malformed. */
function records(text: string, file: string, what: string, columns: readonly string[]): Array<{ line: number; rec: Record<string, unknown> | undefined }> {
  const first = text.replace(/^\uFEFF/, '').trimStart();
  const out: Array<{ line: number; rec: Record<string, unknown> | undefined }> = [];
  if (first.startsWith('{')) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      try {
        const v = JSON.parse(l) as unknown;
        out.push({ line: i + 1, rec: v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined });
      } catch {
        out.push({ line: i + 1, rec: undefined });
      }
    }
    return out;
  }
  const rows = parseCsv(text);
  const header = rows.shift();
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const missing = columns.filter((c) => !names.includes(c));
  if (header === undefined || missing.length > 0) {
    throw new CwError('CW_INPUT_UNREADABLE', `${what} ${file}: the first line must be a header naming ${columns.join(',')} (missing ${missing.join(', ') || columns.join(', ')}); or write NDJSON`);
  }
  for (const r of rows) {
    if (r.unterminated || r.fields.length !== names.length) {
      out.push({ line: r.line, rec: undefined });
      continue;
    }
    const rec: Record<string, unknown> = {};
    names.forEach((n, i) => (rec[n] = r.fields[i]));
    out.push({ line: r.line, rec });
  }
  return out;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s === '' ? undefined : s;
}

function malformedNotice(what: string, file: string, bad: number[], notice: (l: string) => void, expected: string): void {
  if (bad.length === 0) return;
  const where = bad.slice(0, LISTED).map((l) => `${file}:${l}`).join(', ');
  notice(`${what} ${file}: ${bad.length} malformed row${bad.length === 1 ? '' : 's'} skipped (${where}${bad.length > LISTED ? ', …' : ''}); each row needs ${expected}`);
}

export function loadSessions(file: string, hasher: IdentityHasher, notice: (l: string) => void): SessionsMap {
  const userOf = new Map<IdentityHash, IdentityHash>();
  const bad: number[] = [];
  let rows = 0;
  for (const { line, rec } of records(readText(file, 'sessions map'), file, 'sessions map', ['session', 'user'])) {
    const session = rec ? text(rec['session']) : undefined;
    const user = rec ? text(rec['user']) : undefined;
    if (session === undefined || user === undefined) {
      bad.push(line);
      continue;
    }
    userOf.set(hasher.hash(session)!, hasher.hash(user)!);
    rows++;
  }
  malformedNotice('sessions map', file, bad, notice, 'a session and a user');
  return { file, rows, userOf };
}

function fieldList(v: unknown): string[] | undefined {
  const parts = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[|;]/) : undefined;
  if (parts === undefined) return undefined;
  const out: string[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') return undefined;
    const f = p.trim();
    if (f === '') continue;
    if (!FIELD_RE.test(f)) return undefined;
    if (!out.includes(f)) out.push(f);
  }
  return out.length === 0 ? undefined : out.sort();
}

export function loadRelations(file: string, hasher: IdentityHasher, notice: (l: string) => void): RelationsFile {
  const byOwner = new Map<IdentityHash, Relation[]>();
  const bad: number[] = [];
  let rows = 0;
  for (const { line, rec } of records(readText(file, 'relations file'), file, 'relations file', ['owner', 'person', 'route', 'fields'])) {
    const owner = rec ? text(rec['owner']) : undefined;
    const person = rec ? text(rec['person']) : undefined;
    const route = rec ? text(rec['route']) : undefined;
    const fields = rec ? fieldList(rec['fields']) : undefined;
    if (owner === undefined || person === undefined || route === undefined || !route.startsWith('/') || fields === undefined) {
      bad.push(line);
      continue;
    }
    const re = globToRegExp(route);
    const rel: Relation = { owner: hasher.hash(owner)!, person: hasher.hash(person)!, route, fields, matches: (url) => re.test(routePath(url)) };
    const list = byOwner.get(rel.owner);
    if (list) list.push(rel);
    else byOwner.set(rel.owner, [rel]);
    rows++;
  }
  malformedNotice('relations file', file, bad, notice, 'owner, person, a route starting with /, and field names');
  return { file, rows, byOwner };
}
