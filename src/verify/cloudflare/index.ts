/**
 * Cloudflare reader for `cachewarden verify`: a zone's cache rules, page rules and zone
 * settings (API snapshot files) → a model that evaluates exchanges for the semantics core.
 */
export { loadCloudflare, cloudflareFromSources, type CloudflareModel } from './model.ts';
export { parseExpression, textOf, ExpressionSyntaxError, COMPARE_OPS, type CompareOp, type Expr, type Rhs, type SetItem } from './expression.ts';
export { requestFields, truth, value, Unknown, Spread, MISSING, type Fields, type Value, type Truth, type Atom, type Assumed } from './evaluate.ts';
export { CLOUDFLARE_FILES, isCloudflareDocument, pageRuleMatcher, pageRuleMatches, type CacheRule, type PageRule, type PageRuleAction, type ZoneSetting, type CloudflareConfig } from './load.ts';
export { MAX_BRANCHES, type CloudflareEvaluation } from './zone.ts';
