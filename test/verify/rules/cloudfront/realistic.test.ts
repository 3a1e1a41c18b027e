/**
 * The CloudFront rules on the realistic distribution snapshots (test/verify/fixtures/cloud/cloudfront-{bad,good};
 * personalized `/account*` and `/api/me`, session cookie `session`, host shop.example): exact findings,
 * each naming the behaviour and the setting to change. The good distribution keeps every
 * personalized route out of the cache and reports nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runVerify, type VerifyFinding } from '../../../../src/verify/engine.ts';
import { loadCloudFront } from '../../../../src/verify/cloudfront/index.ts';
import { CLOUDFRONT_RULES } from '../../../../src/verify/rules/cloudfront/index.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import { EXAMPLE_NOW } from '../harness.ts';

const FIXTURES = new URL('../../fixtures/cloud/', import.meta.url).pathname;
const settings = makeSettings({ personalized: ['/account*', '/api/me'], identity: { cookies: ['session'] }, host: 'shop.example' });
const run = (variant: string): VerifyFinding[] => {
  const dir = `${FIXTURES}cloudfront-${variant}/`;
  const model = loadCloudFront({ 'distribution.json': `${dir}distribution.json`, 'cache-policies.json': `${dir}cache-policies.json`, 'origin-request-policies.json': `${dir}origin-request-policies.json` });
  return runVerify([model], settings, { rules: CLOUDFRONT_RULES, now: EXAMPLE_NOW }).findings;
};
const brief = (f: VerifyFinding): string => `${f.severity} ${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line} [${f.routes.join(', ')}]`;

describe('cloudfront rules: realistic bad distribution (personalized routes fall to CachingOptimized + AllViewer)', () => {
  const found = run('bad');
  it('reports MinTTL, forwarding without keying, collapsing, DefaultTTL and the unread function', () => {
    assert.deepEqual(found.map(brief), [
      'critical verify/cloudfront/min-ttl-overrides-private minTtl distribution.json:136 [/account, /api/me]',
      'critical verify/cloudfront/identity-forwarded-not-keyed forwardedNotKeyed distribution.json:137 []',
      'critical verify/cloudfront/identity-forwarded-not-keyed forwardedNotKeyed distribution.json:259 []',
      'high verify/cloudfront/collapsing-on-personalized collapsed distribution.json:136 [/account, /api/me]',
      'high verify/cloudfront/default-ttl-on-headerless headerless distribution.json:136 [/account, /api/me]',
      'medium verify/cloudfront/edge-code-on-personalized unread distribution.json:129 [/account, /api/me]',
    ]);
  });
  it('names the behaviour and the policy setting', () => {
    assert.equal(
      found[0]!.message,
      'default cache behaviour: CachePolicyId: CachingOptimized (AWS-managed), MinTTL 1 (distribution.json:136) makes CloudFront cache personalized responses to requests with the session cookie session for at least 1 s even when the origin sends private, no-store: other users receive them',
    );
    assert.equal(
      found[1]!.message,
      'default cache behaviour: OriginRequestPolicyId AllViewer (AWS-managed) (distribution.json:137) sends the origin what identifies users, but CachePolicyId CachingOptimized (AWS-managed) does not key on it and the behaviour caches (DefaultTTL 86400 s): the origin can personalize a response that every user then receives. The origin request policy forwards all cookies without keying on them: the origin can personalise on data the key ignores.',
    );
    assert.match(found[5]!.message, /^default cache behaviour runs CloudFront Function canonical-host on viewer-request \(distribution\.json:129\)/);
  });
});

describe('cloudfront rules: realistic good distribution (CachingDisabled on /account* and /api/me)', () => {
  it('reports nothing', () => {
    // /api/public/* caches for 60 s and forwards only CloudFront-Viewer-Country and Accept (no cookie),
    // so nothing the origin could personalize reaches it unkeyed.
    assert.deepEqual(run('good').map(brief), []);
  });
});
