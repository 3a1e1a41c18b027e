/**
 * Every verify rule, sorted by id. Each folder (one per target) keeps its own sorted list in its
 * index.ts; a meta-test checks the lists against the files and against docs/rules/.
 */
import { AKAMAI_RULES } from './akamai/index.ts';
import { CLOUDFLARE_RULES } from './cloudflare/index.ts';
import { CLOUDFRONT_RULES } from './cloudfront/index.ts';
import type { VerifyRuleDefinition } from './define.ts';
import { FASTLY_RULES } from './fastly/index.ts';
import { NGINX_RULES } from './nginx/index.ts';
import { ORIGIN_RULES } from './origin/index.ts';
import { ROUTE_RULES } from './route/index.ts';
import { VARNISH_RULES } from './varnish/index.ts';

export const VERIFY_RULES: readonly VerifyRuleDefinition[] = [
  ...AKAMAI_RULES,
  ...CLOUDFLARE_RULES,
  ...CLOUDFRONT_RULES,
  ...FASTLY_RULES,
  ...NGINX_RULES,
  ...ORIGIN_RULES,
  ...ROUTE_RULES,
  ...VARNISH_RULES,
];

export function verifyRuleById(id: string): VerifyRuleDefinition | undefined {
  return VERIFY_RULES.find((r) => r.id === id);
}
