/**
 * The Cloudflare rules on the realistic zone snapshots (test/verify/fixtures/cloud/cloudflare-{bad,good};
 * personalized `/account*` and `/api/me`, session cookie `session`, host shop.example): exact findings,
 * every one naming the rule and the JSON setting to change; the good zone yields nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runVerify, type VerifyFinding } from '../../../../src/verify/engine.ts';
import { loadCloudflare } from '../../../../src/verify/cloudflare/index.ts';
import { CLOUDFLARE_RULES } from '../../../../src/verify/rules/cloudflare/index.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import { EXAMPLE_NOW } from '../harness.ts';

const FIXTURES = new URL('../../fixtures/cloud/', import.meta.url).pathname;
const settings = makeSettings({ personalized: ['/account*', '/api/me'], identity: { cookies: ['session'] }, host: 'shop.example' });
const run = (variant: string): VerifyFinding[] => {
  const dir = `${FIXTURES}cloudflare-${variant}/`;
  const model = loadCloudflare({ 'cache_rules.json': `${dir}cache_rules.json`, 'pagerules.json': `${dir}pagerules.json`, 'settings.json': `${dir}settings.json` });
  return runVerify([model], settings, { rules: CLOUDFLARE_RULES, now: EXAMPLE_NOW }).findings;
};
const brief = (f: VerifyFinding): string => `${f.severity} ${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line} [${f.routes.join(', ')}]`;

describe('cloudflare rules: realistic bad zone (Cache Everything with Edge TTL overrides, no session bypass)', () => {
  const found = run('bad');
  it('reports the overrides and the missing bypass on both personalized routes', () => {
    assert.deepEqual(found.map(brief), [
      'critical verify/cloudflare/edge-ttl-override override cache_rules.json:48 [/account]',
      'critical verify/cloudflare/edge-ttl-override override cache_rules.json:60 [/api/me]',
      'high verify/cloudflare/cache-everything-no-session-bypass notBypassed cache_rules.json:47 [/account]',
      'high verify/cloudflare/cache-everything-no-session-bypass notBypassed cache_rules.json:59 [/api/me]',
      'medium verify/cloudflare/deception-armor-off armorDefeated cache_rules.json:48 [/account]',
      'medium verify/cloudflare/deception-armor-off armorDefeated cache_rules.json:60 [/api/me]',
    ]);
  });
  it('names the cache rule and its JSON setting', () => {
    assert.equal(
      found[0]!.message,
      'cache rule "Cache HTML": edge_ttl: {mode: override_origin, default: 3600} (cache_rules.json:48) ignores the origin\'s Cache-Control where personalized routes are cached for requests with the session cookie session or an Authorization header: a page sent with private, no-store is stored for 3600 s and served to other users',
    );
    assert.equal(
      found[2]!.message,
      'cache rule "Cache HTML": cache: true (cache_rules.json:47) makes personalized routes eligible for cache for requests with the session cookie session or an Authorization header: no rule bypasses the cache for them and the cache key does not contain them, so only the origin\'s headers keep one user\'s page from the next',
    );
    for (const f of found) assert.match(f.message, /cache rule "(Cache HTML|API short TTL)"/);
  });
  it('carries the semantics reasons and the lines that take part', () => {
    assert.deepEqual(found[0]!.reasons.map((r) => r.rule).slice(0, 2), ['cloudflare/shared-yes', 'cloudflare/reuse-fresh']);
    assert.deepEqual(found[0]!.related.map((p) => `${p.option} ${p.at.line}`), ['cacheLevel 47', 'edgeTtl 48']);
  });
});

describe('cloudflare rules: realistic good zone (personalized paths and sessions bypass last)', () => {
  it('reports nothing', () => {
    assert.deepEqual(run('good').map(brief), []);
  });
});
