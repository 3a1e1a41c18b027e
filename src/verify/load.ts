/**
 * From a path on the command line (or in `verify.files`) to a verify model: recognise the kind
 * (nginx `.conf`, `.vcl` in the Varnish or Fastly dialect, a provider's JSON document, or a snapshot
 * directory written by `verify --fetch`) and hand it to its reader. Every reader failure becomes
 * one line: `file:line:column: what is wrong (expected …) (CW_VERIFY_PARSE)`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { CwError } from '../core/errors.ts';
import type { IdentityHints } from '../semantics/types.ts';
import { detectCloudKind, loadCloud, type CloudKind } from './cloud.ts';
import { loadNginx } from './nginx/index.ts';
import { ConfigParseError, CONFIG_KINDS, type ConfigKind, type ConfigModelBase } from './types.ts';
import { loadVcl } from './vcl/index.ts';

export interface LoadTargetOptions {
  /** Force the kind instead of recognising it. */
  kind?: ConfigKind;
  /** Varnish major version for `.vcl` files (default 7). */
  varnishVersion?: 7 | 8;
  /** Identity cookies and headers (nginx variable taint). */
  identity?: IdentityHints;
}

const MANIFEST = 'snapshot.json';
const CLOUD_FILES: Record<CloudKind, readonly string[]> = {
  cloudflare: ['cache_rules.json', 'pagerules.json', 'settings.json'],
  cloudfront: ['distribution.json', 'cache-policies.json', 'origin-request-policies.json'],
  akamai: ['rules.json', 'property.json'],
};

function parseError(e: unknown): never {
  if (e instanceof ConfigParseError) throw new CwError('CW_VERIFY_PARSE', e.message, { cause: e });
  throw e;
}

/** The files of a snapshot or provider folder that exist, by contract name. */
function cloudFiles(dir: string, kind: CloudKind): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CLOUD_FILES[kind]) if (existsSync(join(dir, name))) out[name] = join(dir, name);
  return out;
}

function readManifestProvider(dir: string): string | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { provider?: unknown };
    return typeof m.provider === 'string' ? m.provider : undefined;
  } catch {
    return undefined;
  }
}

function loadDirectory(dir: string, opts: LoadTargetOptions): ConfigModelBase {
  const provider = existsSync(join(dir, MANIFEST)) ? readManifestProvider(dir) : undefined;
  const entries = readdirSync(dir);
  const kind: ConfigKind | undefined =
    opts.kind ??
    (provider && (CONFIG_KINDS as readonly string[]).includes(provider) ? (provider as ConfigKind) : undefined) ??
    (entries.includes('generated.vcl') ? 'fastly' : undefined) ??
    (entries.includes('cache_rules.json') || entries.includes('pagerules.json') ? 'cloudflare' : undefined) ??
    (entries.includes('distribution.json') ? 'cloudfront' : undefined) ??
    (entries.includes('rules.json') ? 'akamai' : undefined) ??
    (entries.includes('nginx.conf') ? 'nginx' : undefined) ??
    (entries.includes('default.vcl') ? 'varnish' : undefined);
  switch (kind) {
    case 'fastly':
      return loadVcl(join(dir, entries.includes('generated.vcl') ? 'generated.vcl' : 'main.vcl'), { dialect: 'fastly' });
    case 'cloudflare':
    case 'cloudfront':
    case 'akamai':
      return loadCloud(kind, cloudFiles(dir, kind));
    case 'nginx':
      return loadNginx(join(dir, 'nginx.conf'), opts.identity ? { identity: opts.identity } : {});
    case 'varnish':
      return loadVcl(join(dir, 'default.vcl'), { dialect: 'varnish', varnishVersion: opts.varnishVersion ?? 7 });
    default:
      throw new CwError('CW_VERIFY_PARSE', `${dir}: not a snapshot or configuration folder (no snapshot.json, generated.vcl, cache_rules.json, distribution.json, rules.json, nginx.conf or default.vcl); name a file, or give --kind`);
  }
}

/** Guess a file's kind from its name, then its content. */
export function recognise(file: string): ConfigKind | CloudKind | 'vcl' | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.conf' || basename(file) === 'nginx.conf') return 'nginx';
  if (ext === '.vcl') return 'vcl';
  let head: string;
  try {
    head = readFileSync(file, { encoding: 'utf8' }).slice(0, 65_536);
  } catch {
    return undefined;
  }
  if (ext === '.json' || /^\s*[{[]/.test(head)) {
    try {
      return detectCloudKind(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      return undefined;
    }
  }
  if (/\bsub\s+vcl_\w+\s*\{/.test(head)) return 'vcl';
  if (/^\s*(http|server|events|location|upstream|proxy_cache_path)\b/m.test(head)) return 'nginx';
  return undefined;
}

/** Loads one configuration for verify. Throws CwError (exit 2) with one line when it cannot. */
export function loadTarget(path: string, opts: LoadTargetOptions = {}): ConfigModelBase {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CwError('CW_VERIFY_PARSE', `${path}: no such file or folder`);
  }
  try {
    if (st.isDirectory()) return loadDirectory(path, opts);
    const kind = opts.kind ?? recognise(path);
    switch (kind) {
      case 'nginx':
        return loadNginx(path, opts.identity ? { identity: opts.identity } : {});
      case 'vcl':
        return loadVcl(path, { varnishVersion: opts.varnishVersion ?? 7 });
      case 'varnish':
      case 'fastly':
        return loadVcl(path, { dialect: kind, varnishVersion: opts.varnishVersion ?? 7 });
      case 'cloudflare':
      case 'cloudfront':
      case 'akamai': {
        const name = CLOUD_FILES[kind].includes(basename(path)) ? basename(path) : CLOUD_FILES[kind][0]!;
        return loadCloud(kind, { [name]: path });
      }
      default:
        throw new CwError(
          'CW_VERIFY_PARSE',
          `${path}: cannot tell what configuration this is (an nginx .conf, a .vcl, or a Cloudflare/CloudFront/Akamai JSON document); give --kind ${CONFIG_KINDS.join('|')}`,
        );
    }
  } catch (e) {
    return parseError(e);
  }
}
