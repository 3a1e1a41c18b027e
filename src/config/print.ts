/** Printing a loaded config without secrets. */
import type { LoadedConfig } from './load.ts';
import { dotPath } from './load.ts';

/**
 * Keys whose values are secrets wherever they appear (compared lower-case against the last key of
 * the path). Webhook URLs (Slack, Teams, generic) carry their secret in the path, so `url` counts.
 */
const SECRET_KEYS = new Set(['key', 'secret', 'password', 'pass', 'token', 'routingkey', 'url']);

/** Containers whose every value is secret: extra webhook headers, request headers of probe accounts. */
const SECRET_CONTAINERS = new Set(['headers']);

export function maskedConfig(loaded: LoadedConfig): unknown {
  const walk = (v: unknown, path: Array<string | number>, secret: boolean): unknown => {
    const here = dotPath(path);
    const last = String(path[path.length - 1] ?? '').toLowerCase();
    if (typeof v === 'string' && (secret || loaded.fromEnv.has(here) || SECRET_KEYS.has(last))) return '***';
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i], secret));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k], secret || SECRET_CONTAINERS.has(k.toLowerCase()))]));
    }
    return v;
  };
  return walk(loaded.config, [], false);
}
