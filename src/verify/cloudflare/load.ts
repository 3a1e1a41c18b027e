/**
 * Reads a Cloudflare zone's cache configuration as the API returns it (snapshot file names):
 * - `cache_rules.json`: the `http_request_cache_settings` phase entry-point ruleset
 *   (`{id, name, phase, rules: [{id, ref, description, expression, action, action_parameters, enabled}]}`);
 * - `pagerules.json`: the page rules list (`[{id, targets, actions, priority, status}]`);
 * - `settings.json`: the zone settings list (`[{id, value}]`).
 * Each may also be the full API envelope `{success, errors, messages, result}`. A file with
 * another name is recognised by its content. Expressions are parsed here, so a syntax error is
 * reported at load time with the file:line:column inside the expression.
 */
import { basename } from 'node:path';
import { isObject, readJsonFile, shapeError, type JsonObject, type JsonPath, type JsonSource } from '../json-source.ts';
import { ConfigParseError, type SourceLocation } from '../types.ts';
import { ExpressionSyntaxError, parseExpression, type Expr } from './expression.ts';

export const CLOUDFLARE_FILES = ['cache_rules.json', 'pagerules.json', 'settings.json'] as const;
type Role = 'cacheRules' | 'pageRules' | 'settings';

export interface CacheRule {
  /** Position in the ruleset (0-based). */
  index: number;
  id: string | undefined;
  /** `description`, else `ref`, else `id`, else `#<n>`. */
  label: string;
  expression: string;
  expr: Expr;
  enabled: boolean;
  action: string;
  parameters: JsonObject;
  source: JsonSource;
  /** JSON path of the rule object. */
  path: JsonPath;
  at: SourceLocation;
}

export interface PageRuleAction {
  id: string;
  value: unknown;
  path: JsonPath;
}

export interface PageRule {
  index: number;
  id: string | undefined;
  /** The URL pattern (`*.example.com/account*`). */
  pattern: string;
  matcher: RegExp;
  /** Whether the pattern names a scheme (`https://…`), so it is matched against scheme + URL. */
  withScheme: boolean;
  priority: number;
  active: boolean;
  actions: PageRuleAction[];
  source: JsonSource;
  path: JsonPath;
  at: SourceLocation;
}

export interface ZoneSetting {
  id: string;
  value: unknown;
  source: JsonSource;
  path: JsonPath;
  at: SourceLocation;
}

export interface CloudflareConfig {
  /** Every cache rule (enabled or not), in ruleset order. */
  cacheRules: CacheRule[];
  /** Page rules in the order Cloudflare tries them: highest priority first. */
  pageRules: PageRule[];
  settings: ZoneSetting[];
  sources: JsonSource[];
}

/* ------------------------------------------------------------------ entry points */

/** Reads files given as `{ 'cache_rules.json': path, ... }` (keys other than the contract names are sniffed). */
export function readCloudflare(files: Readonly<Record<string, string>>): CloudflareConfig {
  return parseCloudflare(Object.entries(files).map(([name, path]) => ({ name, source: readJsonFile(path) })));
}

/** Builds the configuration from parsed documents; each is classified by file name, then by content. */
export function parseCloudflare(docs: ReadonlyArray<{ name?: string; source: JsonSource }>): CloudflareConfig {
  if (docs.length === 0) throw new ConfigParseError({ file: 'cloudflare', line: 1, column: 1 }, 'no Cloudflare snapshot files given', CLOUDFLARE_FILES.join(', '));
  const config: CloudflareConfig = { cacheRules: [], pageRules: [], settings: [], sources: [] };
  for (const { name, source } of docs) {
    const { value, base } = unwrap(source);
    const role = roleByName(name ?? source.file) ?? roleByContent(value);
    if (!role) {
      throw shapeError(source, base, 'not a Cloudflare cache ruleset, page rule list or zone settings list', 'cache_rules.json, pagerules.json or settings.json content');
    }
    config.sources.push(source);
    if (role === 'cacheRules') config.cacheRules.push(...cacheRules(source, value, base));
    if (role === 'pageRules') config.pageRules.push(...pageRules(source, value, base));
    if (role === 'settings') config.settings.push(...zoneSettings(source, value, base));
  }
  // Highest priority first; the API lists them that way too, but do not rely on it.
  config.pageRules.sort((a, b) => b.priority - a.priority || a.index - b.index);
  return config;
}

/** Whether a parsed document looks like one of the three Cloudflare documents. */
export function isCloudflareDocument(json: unknown): boolean {
  return roleByContent(unwrapValue(json)) !== undefined;
}

/* ------------------------------------------------------------------ classification */

function unwrapValue(json: unknown): unknown {
  return isObject(json) && 'result' in json && ('success' in json || 'errors' in json) ? json.result : json;
}
function unwrap(source: JsonSource): { value: unknown; base: JsonPath } {
  const v = unwrapValue(source.value);
  return { value: v, base: v === source.value ? [] : ['result'] };
}

function roleByName(name: string): Role | undefined {
  const b = basename(name);
  return b === 'cache_rules.json' ? 'cacheRules' : b === 'pagerules.json' ? 'pageRules' : b === 'settings.json' ? 'settings' : undefined;
}

function roleByContent(v: unknown): Role | undefined {
  if (isObject(v) && (v.phase === 'http_request_cache_settings' || (Array.isArray(v.rules) && v.rules.some((r) => isObject(r) && r.action === 'set_cache_settings')))) return 'cacheRules';
  if (Array.isArray(v) && v.length > 0 && v.every((r) => isObject(r) && Array.isArray(r.targets) && Array.isArray(r.actions))) return 'pageRules';
  if (Array.isArray(v) && v.length > 0 && v.every((s) => isObject(s) && typeof s.id === 'string' && 'value' in s)) return 'settings';
  return undefined;
}

/* ------------------------------------------------------------------ cache rules */

function cacheRules(source: JsonSource, value: unknown, base: JsonPath): CacheRule[] {
  if (!isObject(value)) throw shapeError(source, base, 'the cache ruleset must be an object', '{"phase": "http_request_cache_settings", "rules": [...]}');
  if (value.phase !== undefined && value.phase !== 'http_request_cache_settings') {
    throw shapeError(source, [...base, 'phase'], `ruleset phase is "${String(value.phase)}", not the cache rules phase`, '"http_request_cache_settings"');
  }
  const rules = value.rules ?? [];
  if (!Array.isArray(rules)) throw shapeError(source, [...base, 'rules'], '"rules" must be an array', 'an array of rules');
  return rules.map((rule, index): CacheRule => {
    const path = [...base, 'rules', index];
    if (!isObject(rule)) throw shapeError(source, path, `rule #${index + 1} must be an object`, 'a rule object');
    const label = str(rule.description) || str(rule.ref) || str(rule.id) || `#${index + 1}`;
    const expression = rule.expression;
    if (typeof expression !== 'string') throw shapeError(source, [...path, 'expression'], `cache rule "${label}" has no expression`, 'an "expression" string');
    let expr: Expr;
    try {
      expr = parseExpression(expression);
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError)) throw err;
      const at = source.locateInString([...path, 'expression'], err.offset);
      throw new ConfigParseError(at, `cache rule "${label}": ${err.message} in expression`, err.expected);
    }
    const parameters = rule.action_parameters ?? {};
    if (!isObject(parameters)) throw shapeError(source, [...path, 'action_parameters'], `cache rule "${label}": action_parameters must be an object`, 'an object');
    return {
      index,
      id: str(rule.id) || undefined,
      label,
      expression,
      expr,
      enabled: rule.enabled !== false,
      action: str(rule.action) || 'set_cache_settings',
      parameters,
      source,
      path,
      at: source.locate(path),
    };
  });
}

/* ------------------------------------------------------------------ page rules */

function pageRules(source: JsonSource, value: unknown, base: JsonPath): PageRule[] {
  if (!Array.isArray(value)) throw shapeError(source, base, 'page rules must be an array', 'an array of page rules');
  return value.map((rule, index): PageRule => {
    const path = [...base, index];
    if (!isObject(rule)) throw shapeError(source, path, `page rule #${index + 1} must be an object`, 'a page rule object');
    const targets = Array.isArray(rule.targets) ? rule.targets : [];
    const url = targets.find((t) => isObject(t) && t.target === 'url');
    const constraint = isObject(url) && isObject(url.constraint) ? url.constraint : undefined;
    const pattern = constraint?.value;
    if (typeof pattern !== 'string') throw shapeError(source, [...path, 'targets'], `page rule #${index + 1} has no URL target`, '{"target": "url", "constraint": {"operator": "matches", "value": "…"}}');
    const actions = (Array.isArray(rule.actions) ? rule.actions : []).flatMap((a, i): PageRuleAction[] =>
      isObject(a) && typeof a.id === 'string' ? [{ id: a.id, value: a.value, path: [...path, 'actions', i] }] : [],
    );
    return {
      index,
      id: str(rule.id) || undefined,
      pattern,
      ...pageRuleMatcher(pattern),
      priority: typeof rule.priority === 'number' ? rule.priority : 1,
      active: rule.status === undefined || rule.status === 'active',
      actions,
      source,
      path,
      at: source.locate(path),
    };
  });
}

/**
 * A page rule URL pattern: `*` is any run of characters; the scheme is optional (without it,
 * both schemes match); the host part is compared case-insensitively. Without a `?` in the
 * pattern the query string is not compared (our reading of the page rules docs).
 */
export function pageRuleMatcher(pattern: string): { matcher: RegExp; withScheme: boolean } {
  const withScheme = /^(https?|\*):\/\//i.test(pattern);
  const hostStart = withScheme ? pattern.indexOf('://') + 3 : 0;
  const slash = pattern.indexOf('/', hostStart);
  const hostEnd = slash < 0 ? pattern.length : slash;
  const normal = pattern.slice(0, hostEnd).toLowerCase() + pattern.slice(hostEnd);
  const src = normal.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
  return { matcher: new RegExp(`^${src}$`, 's'), withScheme };
}

/** Whether a page rule's pattern matches the request URL. */
export function pageRuleMatches(rule: Pick<PageRule, 'matcher' | 'withScheme' | 'pattern'>, url: { scheme: string; host: string; path: string; query: string }): boolean {
  const query = rule.pattern.includes('?') && url.query !== '' ? `?${url.query}` : '';
  const subject = `${rule.withScheme ? `${url.scheme}://` : ''}${url.host.toLowerCase()}${url.path}${query}`;
  return rule.matcher.test(subject);
}

/* ------------------------------------------------------------------ zone settings */

function zoneSettings(source: JsonSource, value: unknown, base: JsonPath): ZoneSetting[] {
  if (Array.isArray(value)) {
    return value.flatMap((s, i): ZoneSetting[] => {
      const path = [...base, i];
      return isObject(s) && typeof s.id === 'string' ? [{ id: s.id, value: s.value, source, path, at: source.locate(path) }] : [];
    });
  }
  if (isObject(value)) {
    return Object.entries(value).map(([id, v]) => {
      const path = [...base, id];
      return { id, value: v, source, path, at: source.locate(path) };
    });
  }
  throw shapeError(source, base, 'zone settings must be an array of {id, value}', 'an array');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
