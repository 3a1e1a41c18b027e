/**
 * Reads an Akamai property's rule tree as the Property Manager API (PAPI) returns it
 * (`GET /papi/v1/properties/{id}/versions/{v}/rules`): `{accountId, contractId, groupId,
 * propertyId, propertyVersion, ruleFormat, rules: {name: "default", behaviors, criteria,
 * children, criteriaMustSatisfy, options}}`; a bare `{rules: …}` or the rule object itself are
 * accepted too. TTL strings of `caching` behaviours are checked here.
 * Reference: https://techdocs.akamai.com/property-mgr/reference/rule-trees
 */
import { basename } from 'node:path';
import { isObject, readJsonFile, shapeError, type JsonObject, type JsonPath, type JsonSource } from '../json-source.ts';
import { ConfigParseError, type SourceLocation } from '../types.ts';

export const AKAMAI_FILES = ['rules.json'] as const;

export interface Feature {
  /** `caching`, `path`, `requestCookie`, … */
  name: string;
  options: JsonObject;
  path: JsonPath;
  at: SourceLocation;
}

export interface AkamaiRule {
  name: string;
  path: JsonPath;
  /** The rule's `name` member. */
  at: SourceLocation;
  criteria: Feature[];
  criteriaMustSatisfy: 'all' | 'any';
  behaviors: Feature[];
  children: AkamaiRule[];
}

export interface AkamaiConfig {
  propertyId: string | undefined;
  propertyVersion: number | undefined;
  ruleFormat: string | undefined;
  rules: AkamaiRule;
  source: JsonSource;
}

export function readAkamai(files: Readonly<Record<string, string>>): AkamaiConfig {
  const entries = Object.values(files);
  if (entries.length !== 1) {
    throw new ConfigParseError({ file: entries[0] ?? 'rules.json', line: 1, column: 1 }, `an Akamai property is one rule tree file; got ${entries.length}`, 'rules.json');
  }
  return parseAkamai(readJsonFile(entries[0]!));
}

export function parseAkamai(source: JsonSource): AkamaiConfig {
  const v = source.value;
  if (!isObject(v)) throw shapeError(source, [], 'the rule tree must be an object', '{"rules": {"name": "default", …}}');
  const wrapped = isObject(v.rules);
  const root = wrapped ? (v.rules as JsonObject) : v;
  if (!wrapped && !isRuleLike(root)) throw shapeError(source, [], 'not an Akamai rule tree', '{"rules": {"name": "default", "behaviors": […], "children": […]}}');
  return {
    propertyId: typeof v.propertyId === 'string' ? v.propertyId : undefined,
    propertyVersion: typeof v.propertyVersion === 'number' ? v.propertyVersion : undefined,
    ruleFormat: typeof v.ruleFormat === 'string' ? v.ruleFormat : undefined,
    rules: rule(source, wrapped ? ['rules'] : [], root),
    source,
  };
}

export function isAkamaiDocument(json: unknown): boolean {
  return isObject(json) && ((isObject(json.rules) && isRuleLike(json.rules)) || isRuleLike(json) || typeof json.ruleFormat === 'string');
}

const isRuleLike = (v: unknown): boolean => isObject(v) && typeof v.name === 'string' && (Array.isArray(v.behaviors) || Array.isArray(v.children));

export const akamaiName = (c: AkamaiConfig): string =>
  c.propertyId ? `akamai property ${c.propertyId}${c.propertyVersion !== undefined ? ` v${c.propertyVersion}` : ''}` : `akamai property (${basename(c.source.file)})`;

function rule(source: JsonSource, path: JsonPath, r: unknown): AkamaiRule {
  if (!isObject(r)) throw shapeError(source, path, 'a rule must be an object', 'a rule object');
  const name = typeof r.name === 'string' ? r.name : '(unnamed)';
  const children = r.children ?? [];
  if (!Array.isArray(children)) throw shapeError(source, [...path, 'children'], `rule "${name}": children must be an array`, 'an array of rules');
  const must = r.criteriaMustSatisfy;
  if (must !== undefined && must !== 'all' && must !== 'any') {
    throw shapeError(source, [...path, 'criteriaMustSatisfy'], `rule "${name}": criteriaMustSatisfy "${String(must)}"`, '"all" or "any"');
  }
  const behaviors = features(source, [...path, 'behaviors'], r.behaviors, name);
  for (const b of behaviors) if (b.name === 'caching') for (const key of ['ttl', 'defaultTtl']) checkTtl(source, b, key, name);
  return {
    name,
    path,
    at: source.locate(typeof r.name === 'string' ? [...path, 'name'] : path),
    criteria: features(source, [...path, 'criteria'], r.criteria, name),
    criteriaMustSatisfy: must ?? 'all',
    behaviors,
    children: children.map((c, i) => rule(source, [...path, 'children', i], c)),
  };
}

function features(source: JsonSource, path: JsonPath, list: unknown, ruleName: string): Feature[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw shapeError(source, path, `rule "${ruleName}": ${String(path.at(-1))} must be an array`, 'an array of {name, options}');
  return list.map((f, i) => {
    const p = [...path, i];
    if (!isObject(f) || typeof f.name !== 'string') throw shapeError(source, p, `rule "${ruleName}": entry #${i + 1} has no name`, '{"name": "…", "options": {…}}');
    return { name: f.name, options: isObject(f.options) ? f.options : {}, path: p, at: source.locate(p) };
  });
}

/** `30s`, `10m`, `1h`, `7d` or a plain number of seconds → seconds; `''` → undefined. */
export function parseTtl(v: unknown): number | undefined | 'invalid' {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+)\s*([smhd]?)$/.exec(v.trim()) : null;
  if (!m) return 'invalid';
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

function checkTtl(source: JsonSource, b: Feature, key: string, ruleName: string): void {
  if (parseTtl(b.options[key]) === 'invalid') {
    throw shapeError(source, [...b.path, 'options', key], `rule "${ruleName}": caching ${key} "${String(b.options[key])}" is not a duration`, 'a number and a unit: 30s, 10m, 1h, 7d');
  }
}
