/**
 * The format adapters: one module per `--format` id, registered here in id order. Also the two
 * things the CLI and config need around them: `--format auto` (sniffFormat) and repeated
 * `--field canonical=source` flags (parseFieldOverrides).
 */
import { nearest } from '../../core/suggest.ts';
import { akamaiDs2 } from './akamai-ds2.ts';
import { cloudflare } from './cloudflare.ts';
import { cloudfront } from './cloudfront.ts';
import { cloudfrontRealtime } from './cloudfront-realtime.ts';
import type { TsvAdapterOptions } from './cloudfront-tsv.ts';
import { fastlyJson } from './fastly-json.ts';
import { nginxJson } from './nginx-json.ts';
import { CANONICAL_FIELDS, FORMAT_IDS } from './types.ts';
import type { AdapterDefinition, AdapterOptions, CanonicalField, FieldMap, FormatAdapter, FormatId } from './types.ts';
import { varnishncsa } from './varnishncsa.ts';

export type { TsvAdapterOptions } from './cloudfront-tsv.ts';

/** Every format, keyed by id, in id order. */
export const ADAPTERS: Readonly<Record<FormatId, AdapterDefinition>> = {
  'akamai-ds2': akamaiDs2,
  cloudflare,
  cloudfront,
  'cloudfront-realtime': cloudfrontRealtime,
  'fastly-json': fastlyJson,
  'nginx-json': nginxJson,
  varnishncsa,
};

/** Options for `createAdapter`: the contract's, plus `columns` for the tab-separated formats. */
export type CreateAdapterOptions = AdapterOptions & Pick<TsvAdapterOptions, 'columns'>;

/** An adapter for a format. Throws (at set-up, never while parsing) when the field map lacks a required field. */
export function createAdapter(id: FormatId, opts: CreateAdapterOptions): FormatAdapter {
  const def = ADAPTERS[id];
  if (def === undefined) throw new Error(`unknown log format "${id}"; valid formats: ${FORMAT_IDS.join(', ')}`);
  return def.create(opts);
}

export interface SniffResult {
  format: FormatId;
  /** The winning format's confidence, 0..1. */
  confidence: number;
  /** Every format's confidence, for "why this one" output. */
  scores: Record<FormatId, number>;
}

/** Below this, `sniffFormat` names no format. */
export const SNIFF_THRESHOLD = 0.5;

/**
 * `--format auto`: scores the first lines of a log against every format and returns the best one,
 * or undefined when none reaches SNIFF_THRESHOLD (or two tie for first).
 */
export function sniffFormat(lines: readonly string[]): SniffResult | undefined {
  const scores = {} as Record<FormatId, number>;
  let best: FormatId | undefined;
  let tie = false;
  for (const id of FORMAT_IDS) {
    const s = Math.round(ADAPTERS[id].sniff(lines) * 1000) / 1000;
    scores[id] = s;
    if (best === undefined || s > scores[best]) {
      best = id;
      tie = false;
    } else if (s === scores[best]) tie = true;
  }
  if (best === undefined || tie || scores[best] < SNIFF_THRESHOLD) return undefined;
  return { format: best, confidence: scores[best], scores };
}

/**
 * Repeated `--field <canonical>=<source>` flags → a FieldMap (a later flag for the same field wins;
 * an empty source removes the field). Throws a one-line Error naming a bad flag and the valid names.
 */
export function parseFieldOverrides(specs: readonly string[]): FieldMap {
  const out: FieldMap = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`"${spec}": write <canonical>=<source>, e.g. identity=sid_hash; valid fields: ${CANONICAL_FIELDS.join(', ')}`);
    const name = spec.slice(0, eq).trim();
    if (!(CANONICAL_FIELDS as readonly string[]).includes(name)) {
      const guess = nearest(name, CANONICAL_FIELDS);
      throw new Error(`"${spec}": unknown field "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; valid fields: ${CANONICAL_FIELDS.join(', ')}`);
    }
    out[name as CanonicalField] = spec.slice(eq + 1).trim();
  }
  return out;
}
