/**
 * The cache rule `vary` setting (`{default: {action}, headers: {<name>: {action, …}}}`) as the
 * Cloudflare profile's `vary` option. `action` is `normalize`, `passthrough` or `bypass`; header
 * names are lower case. Reference: https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#vary
 *
 * The zone evaluation still lists `vary` among the unmodelled settings (its tests pin that); rules
 * that need it resolve it with this function. Mapping it in zone.ts is the next step.
 */
import type { CloudflareOptions, CloudflareVaryAction } from '../../semantics/types.ts';
import { isObject } from '../json-source.ts';

const ACTIONS: readonly string[] = ['normalize', 'passthrough', 'bypass'];

function action(v: unknown): CloudflareVaryAction | undefined {
  return isObject(v) && typeof v.action === 'string' && ACTIONS.includes(v.action) ? (v.action as CloudflareVaryAction) : undefined;
}

/** The option for a `vary` value, or undefined when it has no valid `default` (Cloudflare rejects such rules). */
export function varyOption(v: unknown): CloudflareOptions['vary'] | undefined {
  if (!isObject(v)) return undefined;
  const dflt = action(v.default);
  if (!dflt) return undefined;
  const headers: Record<string, CloudflareVaryAction> = {};
  if (isObject(v.headers)) {
    for (const [name, cfg] of Object.entries(v.headers)) {
      const a = action(cfg);
      if (a) headers[name.toLowerCase()] = a;
    }
  }
  return Object.keys(headers).length > 0 ? { default: dflt, headers } : { default: dflt };
}
