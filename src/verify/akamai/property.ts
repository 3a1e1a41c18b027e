/**
 * What an Akamai property's rule tree does to one exchange, as `AkamaiOptions` for the
 * semantics core, with the JSON line behind each option.
 *
 * Walk: rules are visited top to bottom, depth first; the default rule always applies; a child
 * rule applies when its criteria match (`criteriaMustSatisfy` "all" or "any"), and only then
 * are its children visited. Behaviours of applying rules take effect in that order, and a later
 * behaviour of the same name replaces the earlier one as a whole (a later `caching` decides every
 * caching option; options it leaves out fall back to the profile defaults). `cacheId` is the
 * exception: each one adds to the key, so they accumulate.
 * Mapping from `caching`: behavior, ttl (MAX_AGE), defaultTtl, honorPrivate, honorNoStore,
 * honorMustRevalidate. `removeVary` removes Vary from the response before caching. Related
 * behaviours the profile has no option for (downstreamCache, cacheKeyQueryParams, cacheId, …)
 * are listed in `unmodelled`; EdgeWorkers and includes add an Assumption.
 * Criteria this reader cannot decide split the evaluation (at most MAX_BRANCHES).
 * Reference: https://techdocs.akamai.com/property-mgr/reference/rule-trees
 */
import { requestCtx, type RequestCtx } from '../../semantics/exchange.ts';
import type { AkamaiOptions, HttpRequestInfo, HttpResponseInfo } from '../../semantics/types.ts';
import { renderInline } from '../json-source.ts';
import type { Assumption, Provenance, RouteEvaluation } from '../types.ts';
import { mergeOutcomes } from '../branches.ts';
import { criterionMatches } from './criteria.ts';
import { parseTtl, type AkamaiConfig, type AkamaiRule, type Feature } from './load.ts';

export interface AkamaiEvaluation extends RouteEvaluation {
  kind: 'akamai';
  profile: { id: 'akamai'; options: AkamaiOptions };
  /** Settings that matched this exchange but have no option in the engine profile (not reflected in `profile`). */
  unmodelled: readonly Provenance[];
}

export const MAX_BRANCHES = 8;

/** Behaviours that bear on caching but have no profile option. */
const UNMODELLED = new Set(['downstreamCache', 'cacheKeyQueryParams', 'cacheId', 'cacheKeyIgnoreCase', 'cacheKeyRewrite', 'cacheError', 'prefreshCache', 'modifyIncomingResponseHeader', 'tieredDistribution']);
/** Behaviours that run code or configuration outside the snapshot. */
const OPAQUE = new Set(['edgeWorkers', 'include']);
const CACHING_BEHAVIORS = ['MAX_AGE', 'NO_STORE', 'BYPASS_CACHE', 'CACHE_CONTROL', 'CACHE_CONTROL_AND_EXPIRES', 'EXPIRES'] as const;

interface Applied {
  behavior: Feature;
  rule: AkamaiRule;
}

interface World {
  assume: Map<string, boolean>;
  assumptions: Assumption[];
}

export function evaluateProperty(config: AkamaiConfig, req: HttpRequestInfo, res: HttpResponseInfo): AkamaiEvaluation[] {
  const q = requestCtx(req, undefined);
  const pending: World[] = [{ assume: new Map(), assumptions: [] }];
  const out: AkamaiEvaluation[] = [];
  let count = 1;
  while (pending.length > 0) {
    const world = pending.shift()!;
    const walked = walk(config.rules, true, q, res, world);
    if ('fork' in walked) {
      const { criterion, rule, reason } = walked.fork;
      const key = criterion.path.join('/');
      const note = (taken: boolean, extra = ''): Assumption => ({
        at: criterion.at,
        text: `rule "${rule.name}": ${criterion.name} ${renderInline(criterion.options, 100)} ${taken ? 'taken' : 'not taken'} (${reason}${extra})`,
      });
      if (count >= MAX_BRANCHES) {
        pending.unshift({ assume: new Map(world.assume).set(key, true), assumptions: [...world.assumptions, note(true, '; too many undecidable criteria to follow both branches')] });
      } else {
        count++;
        pending.unshift(
          { assume: new Map(world.assume).set(key, true), assumptions: [...world.assumptions, note(true)] },
          { assume: new Map(world.assume).set(key, false), assumptions: [...world.assumptions, note(false)] },
        );
      }
      continue;
    }
    out.push(build(config, req, res, walked.applied, world.assumptions));
  }
  return mergeOutcomes(out, (e) => JSON.stringify([e.handler.label, e.profile, e.caching, e.response.headers]));
}

type Walked = { applied: Applied[] } | { fork: { criterion: Feature; rule: AkamaiRule; reason: string } };

/** The behaviours that apply, in tree order, or the first undecided criterion. */
function walk(rule: AkamaiRule, isRoot: boolean, q: RequestCtx, res: HttpResponseInfo, world: World): Walked {
  if (!isRoot) {
    const m = matches(rule, q, res, world);
    if (typeof m !== 'boolean') return m;
    if (!m) return { applied: [] };
  }
  const applied: Applied[] = rule.behaviors.map((behavior) => ({ behavior, rule }));
  for (const child of rule.children) {
    const w = walk(child, false, q, res, world);
    if ('fork' in w) return w;
    applied.push(...w.applied);
  }
  return { applied };
}

function matches(rule: AkamaiRule, q: RequestCtx, res: HttpResponseInfo, world: World): boolean | Extract<Walked, { fork: unknown }> {
  if (rule.criteria.length === 0) return true;
  const any = rule.criteriaMustSatisfy === 'any';
  let undecided: { criterion: Feature; reason: string } | undefined;
  for (const c of rule.criteria) {
    const assumed = world.assume.get(c.path.join('/'));
    const d = assumed ?? criterionMatches(c, q, res);
    if (typeof d !== 'boolean') {
      undecided ??= { criterion: c, reason: d.unknown };
      continue;
    }
    if (any && d) return true;
    if (!any && !d) return false;
  }
  if (undecided) return { fork: { ...undecided, rule } };
  return !any;
}

/* ------------------------------------------------------------------ mapping */

function build(config: AkamaiConfig, req: HttpRequestInfo, res: HttpResponseInfo, applied: Applied[], assumptions: Assumption[]): AkamaiEvaluation {
  const last = new Map<string, Applied>();
  const unmodelled: Provenance[] = [];
  const notes = [...assumptions];
  for (const a of applied) {
    if (a.behavior.name === 'cacheId') unmodelled.push({ option: 'cacheId', at: a.behavior.at, text: `cacheId: ${renderInline(a.behavior.options)} (rule "${a.rule.name}")` });
    else last.set(a.behavior.name, a);
    if (OPAQUE.has(a.behavior.name) && a.behavior.options.enabled !== false) {
      notes.push({ at: a.behavior.at, text: `rule "${a.rule.name}": ${a.behavior.name} ${renderInline(a.behavior.options, 100)} not evaluated: assumed it changes neither the cache key nor caching` });
    }
  }
  for (const [name, a] of last) {
    if (UNMODELLED.has(name)) unmodelled.push({ option: name, at: a.behavior.at, text: `${name}: ${renderInline(a.behavior.options)} (rule "${a.rule.name}")` });
  }

  const options: AkamaiOptions = {};
  const provenance: Provenance[] = [];
  const caching = last.get('caching');
  let response = res;
  if (caching) {
    const o = caching.behavior.options;
    const at = (key: string) => config.source.locate([...caching.behavior.path, 'options', key]);
    const behavior = (CACHING_BEHAVIORS as readonly unknown[]).includes(o.behavior) ? (o.behavior as AkamaiOptions['behavior']) : undefined;
    if (behavior) {
      options.behavior = behavior;
      provenance.push({ option: 'behavior', at: at('behavior'), text: `caching.behavior: ${behavior}` });
    }
    const ttlKeys: Array<['ttl' | 'defaultTtl', boolean]> = [['ttl', behavior === 'MAX_AGE'], ['defaultTtl', behavior !== 'MAX_AGE']];
    for (const [key, relevant] of ttlKeys) {
      const seconds = parseTtl(o[key]);
      if (!relevant || typeof seconds !== 'number') continue;
      options[key] = seconds;
      provenance.push({ option: key, at: at(key), text: `caching.${key}: ${String(o[key])} (${seconds} s)` });
    }
    for (const key of ['honorPrivate', 'honorNoStore', 'honorMustRevalidate'] as const) {
      if (typeof o[key] !== 'boolean') continue;
      options[key] = o[key] as boolean;
      provenance.push({ option: key, at: at(key), text: `caching.${key}: ${String(o[key])}` });
    }
    const rest = Object.entries(o).filter(([k]) => !['behavior', 'ttl', 'defaultTtl', 'honorPrivate', 'honorNoStore', 'honorMustRevalidate'].includes(k));
    if (rest.length > 0) unmodelled.push({ option: 'caching', at: caching.behavior.at, text: `caching: ${renderInline(Object.fromEntries(rest))} (rule "${caching.rule.name}")` });
  } else {
    notes.push({ at: config.rules.at, text: 'no caching behaviour applies to this request: the profile default (honour Cache-Control and Expires, defaultTtl 0) is assumed' });
  }
  const removeVary = last.get('removeVary');
  if (removeVary && removeVary.behavior.options.enabled === true) {
    const headers = Object.fromEntries(Object.entries(res.headers).filter(([k]) => k.toLowerCase() !== 'vary'));
    if (Object.keys(headers).length !== Object.keys(res.headers).length) response = { ...res, headers };
    provenance.push({ option: 'response.vary', at: removeVary.behavior.at, text: `removeVary: {enabled: true} (Vary is removed before caching; rule "${removeVary.rule.name}")` });
  }

  const handlerRule = caching?.rule ?? config.rules;
  return {
    kind: 'akamai',
    handler: { label: `rule "${handlerRule.name}"`, at: handlerRule.at },
    profile: { id: 'akamai', options },
    request: req,
    response,
    provenance: provenance.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column),
    assumptions: notes,
    caching: options.behavior !== 'NO_STORE' && options.behavior !== 'BYPASS_CACHE',
    unmodelled,
  };
}
