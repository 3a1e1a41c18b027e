/**
 * Snapshots of live CDN configuration and their on-disk store.
 *
 * A snapshot is what one fetch downloaded: a few files (JSON pretty-printed with sorted keys,
 * VCL as text) named by a fixed contract per provider, which the verify readers parse.
 * On disk: `<root>/<provider>-<target>/<fetchedAt with ":" → "-">/` holds the files plus
 * `snapshot.json`, the manifest without file contents. A snapshot directory is written under a
 * temporary name and renamed into place, so a listing never sees a half-written one.
 *
 * File names per provider (readers depend on them):
 * - fastly: `service.json`, `generated.vcl`, `vcl.json`, `vcl/<name>.vcl`, `snippets.json`,
 *   `cache_settings.json`, `conditions.json`, `settings.json`
 * - cloudflare: `cache_rules.json`, `pagerules.json`, `settings.json`
 * - cloudfront: `distribution.json`, `cache-policies.json`, `origin-request-policies.json`
 * - akamai: `property.json`, `rules.json`
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CwError } from '../../core/errors.ts';
import { PROVIDERS, type Provider } from './types.ts';

export interface Snapshot {
  provider: Provider;
  /** Service id, zone id, distribution id or property id. */
  target: string;
  /** Fastly service version, Cloudflare ruleset version, CloudFront ETag, PAPI property version. */
  version?: string;
  /** ISO 8601. */
  fetchedAt: string;
  /** Relative path (forward slashes) → content. */
  files: Record<string, string>;
}

/** A stored snapshot, as listed (contents not read). */
export interface SnapshotRef {
  dir: string;
  provider: Provider;
  target: string;
  version?: string;
  fetchedAt: string;
  files: string[];
}

export const MANIFEST = 'snapshot.json';
const MANIFEST_FORMAT = 1;

/** Ids as they appear in paths and URLs: letters, digits, `_`, `.`, `-`, not starting with a dot. */
export const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** JSON as stored in snapshots: keys sorted at every level, two-space indent, final newline. */
export function jsonFile(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/** The directory a snapshot is stored in. */
export function snapshotDir(root: string, s: Pick<Snapshot, 'provider' | 'target' | 'fetchedAt'>): string {
  return join(root, `${s.provider}-${s.target}`, s.fetchedAt.replace(/:/g, '-'));
}

/** Why a snapshot file name is unacceptable, or undefined when it is fine. */
function badFileName(name: string): string | undefined {
  if (name === MANIFEST) return `"${MANIFEST}" is reserved for the manifest`;
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) return 'not a relative path';
  if (name.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) return 'has an empty, "." or ".." segment';
  return undefined;
}

function checkShape(s: Snapshot): void {
  if (!PROVIDERS.includes(s.provider)) throw new RangeError(`unknown provider ${JSON.stringify(s.provider)}`);
  if (!SAFE_ID.test(s.target)) throw new RangeError(`snapshot target ${JSON.stringify(s.target)} is not a plain id`);
  if (Number.isNaN(Date.parse(s.fetchedAt))) throw new RangeError(`snapshot fetchedAt ${JSON.stringify(s.fetchedAt)} is not an ISO date`);
  for (const name of Object.keys(s.files)) {
    const why = badFileName(name);
    if (why) throw new RangeError(`snapshot file name ${JSON.stringify(name)}: ${why}`);
  }
}

/** Writes a snapshot under `root`; returns its directory. Fails if that directory exists. */
export async function saveSnapshot(root: string, s: Snapshot): Promise<string> {
  checkShape(s);
  const dir = snapshotDir(root, s);
  const tmp = `${dir}.tmp-${randomBytes(6).toString('hex')}`;
  const names = Object.keys(s.files).sort();
  const manifest = { format: MANIFEST_FORMAT, provider: s.provider, target: s.target, version: s.version, fetchedAt: s.fetchedAt, files: names };
  try {
    await mkdir(tmp, { recursive: true });
    for (const name of names) {
      const path = join(tmp, ...name.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, s.files[name]!, 'utf8');
    }
    await writeFile(join(tmp, MANIFEST), jsonFile(manifest), 'utf8');
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOTEMPTY' || code === 'EEXIST' ? 'a snapshot with that time already exists' : (e as Error).message;
    throw new CwError('CW_INPUT_UNREADABLE', `cannot save snapshot to ${dir}: ${why}`, { cause: e });
  }
  return dir;
}

function unreadable(dir: string, why: string, cause?: unknown): CwError {
  return new CwError('CW_INPUT_UNREADABLE', `${join(dir, MANIFEST)}: ${why}`, { cause });
}

async function readManifest(dir: string): Promise<SnapshotRef> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    throw unreadable(dir, `cannot read the snapshot manifest (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw unreadable(dir, `not JSON (${(e as Error).message})`, e);
  }
  if (m === null || typeof m !== 'object') throw unreadable(dir, 'expected an object');
  if (!PROVIDERS.includes(m.provider as Provider)) throw unreadable(dir, `"provider" is not one of ${PROVIDERS.join(', ')}`);
  if (typeof m.target !== 'string' || !SAFE_ID.test(m.target)) throw unreadable(dir, '"target" is not a plain id');
  if (typeof m.fetchedAt !== 'string' || Number.isNaN(Date.parse(m.fetchedAt))) throw unreadable(dir, '"fetchedAt" is not an ISO date');
  if (m.version !== undefined && typeof m.version !== 'string') throw unreadable(dir, '"version" is not a string');
  if (!Array.isArray(m.files) || m.files.some((f) => typeof f !== 'string' || badFileName(f) !== undefined)) {
    throw unreadable(dir, '"files" is not a list of relative file names');
  }
  const ref: SnapshotRef = { dir, provider: m.provider as Provider, target: m.target, fetchedAt: m.fetchedAt, files: m.files as string[] };
  if (m.version !== undefined) ref.version = m.version;
  return ref;
}

/** Reads the snapshot stored in `dir`. */
export async function loadSnapshot(dir: string): Promise<Snapshot> {
  const ref = await readManifest(dir);
  const files: Record<string, string> = {};
  for (const name of ref.files) {
    try {
      files[name] = await readFile(join(dir, ...name.split('/')), 'utf8');
    } catch (e) {
      throw unreadable(dir, `lists ${name}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
    }
  }
  const s: Snapshot = { provider: ref.provider, target: ref.target, fetchedAt: ref.fetchedAt, files };
  if (ref.version !== undefined) s.version = ref.version;
  return s;
}

/** The snapshots stored for one provider and target, oldest first. Half-written ones are skipped. */
export async function listSnapshots(root: string, provider: Provider, target: string): Promise<SnapshotRef[]> {
  if (!SAFE_ID.test(target)) throw new RangeError(`snapshot target ${JSON.stringify(target)} is not a plain id`);
  const base = join(root, `${provider}-${target}`);
  let entries;
  try {
    entries = await readdir(base, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CwError('CW_INPUT_UNREADABLE', `cannot list snapshots in ${base}: ${(e as Error).message}`, { cause: e });
  }
  const refs: SnapshotRef[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.includes('.tmp-')) continue;
    const ref = await readManifest(join(base, e.name));
    if (ref.provider === provider && ref.target === target) refs.push(ref);
  }
  return refs.sort((a, b) => Date.parse(a.fetchedAt) - Date.parse(b.fetchedAt) || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
}

/** The newest stored snapshot for one provider and target, or undefined when there is none. */
export async function latestSnapshot(root: string, provider: Provider, target: string): Promise<Snapshot | undefined> {
  const refs = await listSnapshots(root, provider, target);
  const last = refs.at(-1);
  return last ? loadSnapshot(last.dir) : undefined;
}
