/**
 * What a Cloudflare zone's configuration does to one exchange, as `CloudflareOptions` for the
 * semantics core, with the JSON line behind each option.
 *
 * The merge, after Cloudflare's "Order and priority" page
 * (https://developers.cloudflare.com/cache/how-to/cache-rules/order/):
 * 1. zone settings are the defaults (none of them maps to a profile option today;
 *    `development_mode: on` is switched off automatically after three hours, so rules are
 *    evaluated as if it were off and an Assumption says so);
 * 2. the first matching active page rule, highest priority first, applies its actions;
 * 3. every enabled cache rule whose expression matches applies, in ruleset order, and a later
 *    rule's value for a setting replaces the earlier value (cache rules win over page rules).
 *    Settings are replaced one at a time: `cache`, `edge_ttl` (mode, default and status-code
 *    TTLs together), `origin_cache_control`, `cache_key.cache_deception_armor`,
 *    `cache_key.custom_key.cookie`, `cache_key.custom_key.header`, and every other
 *    `action_parameters` member by its own name.
 * A status-code TTL that covers the response status acts like an Edge TTL override with that
 * value (`-1`, "no-store", is taken as bypass). Settings the profile has no option for are
 * listed in `unmodelled`.
 *
 * Conditions that a request alone cannot decide (`ip.src`, `cf.*`, an unknown function) split
 * the evaluation in two, each with an Assumption; at most MAX_BRANCHES evaluations.
 */
import { basename } from 'node:path';
import { requestCtx } from '../../semantics/exchange.ts';
import type { CloudflareOptions, HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import { mergeOutcomes } from '../branches.ts';
import { isObject, renderInline, type JsonPath, type JsonSource } from '../json-source.ts';
import type { Assumption, Provenance, RouteEvaluation, SourceLocation } from '../types.ts';
import { requestFields, truth, type Fields } from './evaluate.ts';
import { pageRuleMatches, type CacheRule, type CloudflareConfig, type PageRule, type PageRuleAction } from './load.ts';

/** A Cloudflare evaluation, plus the matched settings the engine profile cannot express. */
export interface CloudflareEvaluation extends RouteEvaluation {
  kind: 'cloudflare';
  profile: { id: 'cloudflare'; options: CloudflareOptions };
  /** Settings that matched this exchange but have no option in the engine profile (not reflected in `profile`). */
  unmodelled: readonly Provenance[];
}

export const MAX_BRANCHES = 8;

/** Zone settings that bear on caching but have no profile option. */
const CACHE_ZONE_SETTINGS = new Set(['cache_level', 'browser_cache_ttl', 'always_online', 'sort_query_string_for_cache']);

type Option = keyof CloudflareOptions;

/** Winning values, one per option or setting name, in the order the winning values appear in the configuration. */
class Settings {
  readonly options = new Map<Option, { value: unknown; prov: Provenance }>();
  readonly unmodelled = new Map<string, Provenance>();
  set<K extends Option>(option: K, value: CloudflareOptions[K], at: SourceLocation, text: string): void {
    this.options.delete(option);
    this.options.set(option, { value, prov: { option, at, text } });
  }
  note(name: string, at: SourceLocation, text: string): void {
    this.unmodelled.delete(name);
    this.unmodelled.set(name, { option: name, at, text });
  }
}

/* ------------------------------------------------------------------ entry */

export function evaluateZone(config: CloudflareConfig, req: HttpRequestInfo, res: HttpResponseInfo): CloudflareEvaluation[] {
  const fields = requestFields(req);
  const q = requestCtx(req, undefined);
  const url = { scheme: q.scheme, host: req.host ?? q.host, path: q.path, query: q.query };
  const pageRule = config.pageRules.find((r) => r.active && pageRuleMatches(r, url));
  const zoneNotes = zoneAssumptions(config);
  const evaluations = branches(config.cacheRules.filter((r) => r.enabled && r.action === 'set_cache_settings'), fields).map((branch) =>
    build(config, req, res, pageRule, branch.matched, [...zoneNotes, ...branch.assumptions]),
  );
  return mergeOutcomes(evaluations, (e) => JSON.stringify([e.handler.label, e.profile, e.caching]));
}


/* ------------------------------------------------------------------ branches */

interface Branch {
  matched: CacheRule[];
  assumptions: Assumption[];
}

/** Which cache rules match, once per combination of assumed undecidable conditions. */
function branches(rules: readonly CacheRule[], fields: Fields): Branch[] {
  const pending: Array<{ assume: Map<string, boolean>; assumptions: Assumption[] }> = [{ assume: new Map(), assumptions: [] }];
  const done: Branch[] = [];
  let count = 1;
  while (pending.length > 0) {
    const world = pending.shift()!;
    const matched: CacheRule[] = [];
    let forked = false;
    for (const rule of rules) {
      const atomText = (s: number, e: number): string => rule.expression.slice(s, e).replace(/\s+/g, ' ').trim();
      const t = truth(rule.expr, fields, (s, e) => world.assume.get(atomText(s, e)));
      if (t === true) matched.push(rule);
      if (typeof t === 'boolean') continue;
      const key = atomText(t.unknown.start, t.unknown.end);
      const at = rule.source.locateInString([...rule.path, 'expression'], t.unknown.start);
      const note = (taken: boolean, extra = ''): Assumption => ({ at, text: `cache rule "${rule.label}": ${key} ${taken ? 'taken' : 'not taken'} (${t.unknown.reason}${extra})` });
      if (count >= MAX_BRANCHES) {
        pending.unshift({ assume: new Map(world.assume).set(key, true), assumptions: [...world.assumptions, note(true, '; too many undecidable conditions to follow both branches')] });
      } else {
        count++;
        pending.unshift(
          { assume: new Map(world.assume).set(key, true), assumptions: [...world.assumptions, note(true)] },
          { assume: new Map(world.assume).set(key, false), assumptions: [...world.assumptions, note(false)] },
        );
      }
      forked = true;
      break;
    }
    if (!forked) done.push({ matched, assumptions: world.assumptions });
  }
  return done;
}

function zoneAssumptions(config: CloudflareConfig): Assumption[] {
  const dev = config.settings.find((s) => s.id === 'development_mode');
  return dev?.value === 'on'
    ? [{ at: dev.at, text: 'development_mode is on in the snapshot; it turns itself off after three hours, so the rules are evaluated as if it were off' }]
    : [];
}

/* ------------------------------------------------------------------ one evaluation */

function build(
  config: CloudflareConfig,
  req: HttpRequestInfo,
  res: HttpResponseInfo,
  pageRule: PageRule | undefined,
  matched: readonly CacheRule[],
  assumptions: Assumption[],
): CloudflareEvaluation {
  const s = new Settings();
  for (const z of config.settings) if (CACHE_ZONE_SETTINGS.has(z.id)) s.note(`zone.${z.id}`, z.at, `${z.id}: ${renderInline(z.value)}`);
  if (pageRule) for (const action of pageRule.actions) applyPageRuleAction(s, pageRule, action, req);
  for (const rule of matched) applyCacheRule(s, rule, res.status);

  const options: CloudflareOptions = {};
  for (const [option, { value }] of s.options) (options as Record<string, unknown>)[option] = value;
  const last = matched.at(-1);
  const firstSource = config.sources[0];
  const handler = last
    ? { label: `cache rule "${last.label}" (${basename(last.source.file)})`, at: last.at }
    : pageRule
      ? { label: `page rule "${pageRule.pattern}" (${basename(pageRule.source.file)})`, at: pageRule.at }
      : { label: `zone defaults${firstSource ? ` (${basename(firstSource.file)})` : ''}`, at: firstSource ? firstSource.locate([]) : { file: 'cloudflare', line: 1, column: 1 } };
  return {
    kind: 'cloudflare',
    handler,
    profile: { id: 'cloudflare', options },
    request: req,
    response: res,
    provenance: [...s.options.values()].map((o) => o.prov),
    assumptions,
    caching: options.cacheLevel !== 'bypass',
    unmodelled: [...s.unmodelled.values()],
  };
}

/* ------------------------------------------------------------------ page rules */

function applyPageRuleAction(s: Settings, rule: PageRule, action: PageRuleAction, req: HttpRequestInfo): void {
  const at = rule.source.locate(action.path);
  const text = `${action.id}: ${renderInline(action.value)}`;
  const v = action.value;
  switch (action.id) {
    case 'cache_level':
      s.set('cacheLevel', v === 'bypass' ? 'bypass' : v === 'cache_everything' ? 'cache-everything' : 'default', at, text);
      return;
    case 'edge_cache_ttl':
      if (typeof v === 'number') s.set('edgeTtl', { mode: 'override_origin', default: v }, at, text);
      return;
    case 'cache_deception_armor':
      s.set('cacheDeceptionArmor', v === 'on' || v === true, at, text);
      return;
    case 'bypass_cache_on_cookie': {
      const cookie = typeof v === 'string' ? bypassCookie(v, req) : undefined;
      if (cookie) s.set('cacheLevel', 'bypass', at, `${text} (matches cookie ${cookie})`);
      else s.note('bypass_cache_on_cookie', at, `${text} (no cookie of this request matches)`);
      return;
    }
    case 'cache_key_fields':
      if (isObject(v)) customKey(s, rule.source, [...action.path, 'value'], v, 'cache_key_fields');
      return;
    default:
      s.note(action.id, at, text);
  }
}

/**
 * Bypass Cache on Cookie: `|` separates alternatives and `.*` is a wildcard, matched against
 * each `name=value` pair of the Cookie header from its start. Returns the matching cookie's name.
 */
function bypassCookie(pattern: string, req: HttpRequestInfo): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})`);
  } catch {
    return undefined;
  }
  const cookies = requestCtx(req, undefined).cookies;
  for (const [name, value] of cookies) if (re.test(`${name}=${value}`)) return name;
  return undefined;
}

/* ------------------------------------------------------------------ cache rules */

function applyCacheRule(s: Settings, rule: CacheRule, status: number): void {
  const base: JsonPath = [...rule.path, 'action_parameters'];
  for (const [key, v] of Object.entries(rule.parameters)) {
    const path = [...base, key];
    const at = rule.source.locate(path);
    const text = `${key}: ${renderInline(v)}`;
    if (key === 'cache' && typeof v === 'boolean') s.set('cacheLevel', v ? 'cache-everything' : 'bypass', at, text);
    else if (key === 'edge_ttl' && isObject(v)) edgeTtl(s, rule.source, path, v, status);
    else if (key === 'origin_cache_control' && typeof v === 'boolean') s.set('originCacheControl', v, at, text);
    else if (key === 'cache_key' && isObject(v)) {
      for (const [sub, w] of Object.entries(v)) {
        const subPath = [...path, sub];
        const subAt = rule.source.locate(subPath);
        if (sub === 'cache_deception_armor' && typeof w === 'boolean') s.set('cacheDeceptionArmor', w, subAt, `cache_key.${sub}: ${w}`);
        else if (sub === 'custom_key' && isObject(w)) customKey(s, rule.source, subPath, w, 'cache_key.custom_key');
        else s.note(`cache_key.${sub}`, subAt, `cache_key.${sub}: ${renderInline(w)}`);
      }
    } else s.note(key, at, text);
  }
}

function edgeTtl(s: Settings, source: JsonSource, path: JsonPath, v: Record<string, unknown>, status: number): void {
  const byStatus = Array.isArray(v.status_code_ttl) ? v.status_code_ttl : [];
  const hit = byStatus.findIndex((e) => isObject(e) && coversStatus(e, status));
  if (hit >= 0) {
    const entry = byStatus[hit] as Record<string, unknown>;
    const value = typeof entry.value === 'number' ? entry.value : 0;
    const at = source.locate([...path, 'status_code_ttl', hit]);
    const text = `edge_ttl.status_code_ttl: ${renderInline(entry)} (status ${status})`;
    if (value < 0) s.set('cacheLevel', 'bypass', at, text);
    else s.set('edgeTtl', { mode: 'override_origin', default: value }, at, text);
    return;
  }
  const mode = v.mode === 'override_origin' || v.mode === 'bypass_by_default' ? v.mode : 'respect_origin';
  const ttl: NonNullable<CloudflareOptions['edgeTtl']> = { mode };
  if (typeof v.default === 'number') ttl.default = v.default;
  s.set('edgeTtl', ttl, source.locate(path), `edge_ttl: ${renderInline(v)}`);
}

function coversStatus(entry: Record<string, unknown>, status: number): boolean {
  if (typeof entry.status_code === 'number') return entry.status_code === status;
  const range = entry.status_code_range;
  if (!isObject(range)) return false;
  const from = typeof range.from === 'number' ? range.from : 100;
  const to = typeof range.to === 'number' ? range.to : 599;
  return status >= from && status <= to;
}

/** `custom_key` (cache rules) / `cache_key_fields` (page rules): cookie and header `include` lists. */
function customKey(s: Settings, source: JsonSource, path: JsonPath, v: Record<string, unknown>, name: string): void {
  for (const [part, w] of Object.entries(v)) {
    const partPath = [...path, part];
    const at = source.locate(partPath);
    if ((part === 'cookie' || part === 'header') && isObject(w)) {
      const include = Array.isArray(w.include) ? w.include.filter((x): x is string => typeof x === 'string') : [];
      s.set(part === 'cookie' ? 'keyCookies' : 'keyHeaders', include, at, `${name}.${part}: ${renderInline(w)}`);
      const rest = Object.entries(w).filter(([k]) => k !== 'include');
      if (rest.length > 0) s.note(`${name}.${part}`, at, `${name}.${part}: ${renderInline(Object.fromEntries(rest))} (only include is keyed by the profile)`);
    } else s.note(`${name}.${part}`, at, `${name}.${part}: ${renderInline(w)}`);
  }
}
