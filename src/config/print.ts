/** Printing a loaded config without secrets. */
import type { LoadedConfig } from './load.ts';
import { dotPath } from './load.ts';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEYS = new Set(['key', 'secret', 'password', 'token', 'headers.cookie', 'headers.authorization']);

export function maskedConfig(loaded: LoadedConfig): unknown {
  const walk = (v: unknown, path: Array<string | number>): unknown => {
    const here = dotPath(path);
    const last = String(path[path.length - 1] ?? '');
    if (typeof v === 'string' && (loaded.fromEnv.has(here) || SECRET_KEYS.has(last.toLowerCase()))) return '***';
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    }
    return v;
  };
  return walk(loaded.config, []);
}
