/**
 * Cloudflare specifics the zone rules share: which rule (cache rule or page rule) wrote a setting,
 * the JSON value written at a place, the setting that makes a request eligible for cache, and the
 * cache rule `vary` setting the zone evaluation still lists as unmodelled.
 *
 * Not a rule (the registry lists only the `.ts` files directly in src/verify/rules/cloudflare/).
 */
import type { CloudflareOptions } from '../../../../semantics/types.ts';
import type { CloudflareEvaluation, CloudflareModel } from '../../../cloudflare/index.ts';
import { varyOption } from '../../../cloudflare/vary.ts';
import { isObject, type JsonPath, type JsonSource } from '../../../json-source.ts';
import type { ConfigModelBase, Provenance, SourceLocation } from '../../../types.ts';
import { provenanceFor } from '../../define.ts';
import { sameLocation } from './exchanges.ts';

export function isCloudflare(model: ConfigModelBase): model is CloudflareModel {
  return model.kind === 'cloudflare';
}

const within = (at: SourceLocation, start: SourceLocation): boolean =>
  at.file === start.file && at.line >= start.line && at.line <= (start.endLine ?? start.line);

/** `cache rule "Cache HTML"`, `page rule "*shop.example/*"` or `zone setting cache_level`: who wrote the setting at `at`. */
export function ownerOf(model: CloudflareModel, at: SourceLocation): string {
  const rule = model.cacheRules.find((r) => within(at, r.at));
  if (rule) return `cache rule "${rule.label}"`;
  const page = model.pageRules.find((r) => within(at, r.at));
  if (page) return `page rule "${page.pattern}"`;
  const setting = model.settings.find((s) => within(at, s.at));
  if (setting) return `zone setting ${setting.id}`;
  return 'zone defaults';
}

/** The JSON value whose member name (or array element) is written at `at`, if any. */
export function jsonAt(model: CloudflareModel, at: SourceLocation): unknown {
  const source = model.sources.find((s) => s.file === at.file);
  if (!source) return undefined;
  const walk = (value: unknown, path: JsonPath): { value: unknown } | undefined => {
    if (path.length > 0 && sameLocation(source.locate(path), at)) return { value };
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : isObject(value) ? Object.entries(value) : [];
    for (const [k, v] of entries) {
      const found = walk(v, [...path, k]);
      if (found) return found;
    }
    return undefined;
  };
  return walk((source as JsonSource).value, [])?.value;
}

/** The line that makes the request eligible for cache (`cache: true`, `cache_level: cache_everything`), if a rule does. */
export function eligibilitySetting(e: CloudflareEvaluation): Provenance | undefined {
  return provenanceFor(e, 'cacheLevel')[0];
}

/** The cache rule `vary` setting in effect for the exchange: mapped by the reader, or resolved from its unmodelled entry. */
export function varyFor(e: CloudflareEvaluation, model: CloudflareModel): CloudflareOptions['vary'] | undefined {
  if (e.profile.options.vary) return e.profile.options.vary;
  const entry = e.unmodelled.find((u) => u.option === 'vary');
  return entry ? varyOption(jsonAt(model, entry.at)) : undefined;
}

/**
 * Who makes the request eligible and how, for messages: `cache rule "Cache pages" (cache: true (cache_rules.json:9))`,
 * or Cloudflare's default extension list when no rule does.
 */
export function eligibleBy(model: CloudflareModel, e: CloudflareEvaluation): { at: SourceLocation; text: string } {
  const setting = eligibilitySetting(e);
  if (setting) return { at: setting.at, text: `${ownerOf(model, setting.at)}: ${settingText(setting)}` };
  return { at: e.handler.at, text: `${e.handler.label}: Cloudflare's default cacheable extensions` };
}

/** `edge_ttl: {mode: override_origin, default: 3600} (cache_rules.json:48)`: a provenance line with its place. */
export function settingText(p: Provenance): string {
  return `${p.text} (${p.at.file.split(/[\\/]/).pop()}:${p.at.line})`;
}
