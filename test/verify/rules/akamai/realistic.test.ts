/**
 * The Akamai rules on the realistic property rule trees (test/verify/fixtures/cloud/akamai-{bad,good};
 * personalized `/account*` and `/api/me`, session cookie `session`, host shop.example): exact
 * findings, each naming the rule and the caching option to change; the good property yields nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAkamai } from '../../../../src/verify/akamai/index.ts';
import { runVerify, type VerifyFinding } from '../../../../src/verify/engine.ts';
import { AKAMAI_RULES } from '../../../../src/verify/rules/akamai/index.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import { EXAMPLE_NOW } from '../harness.ts';

const FIXTURES = new URL('../../fixtures/cloud/', import.meta.url).pathname;
const settings = makeSettings({ personalized: ['/account*', '/api/me'], identity: { cookies: ['session'] }, host: 'shop.example' });
const run = (variant: string): VerifyFinding[] =>
  runVerify([loadAkamai({ 'rules.json': `${FIXTURES}akamai-${variant}/rules.json` })], settings, { rules: AKAMAI_RULES, now: EXAMPLE_NOW }).findings;
const brief = (f: VerifyFinding): string => `${f.severity} ${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line} [${f.routes.join(', ')}]`;

describe('akamai rules: realistic bad property (MAX_AGE 1h on /*, honorPrivate false in the default rule)', () => {
  const found = run('bad');
  it('reports the fixed TTL on both personalized routes and the default rule\'s honorPrivate', () => {
    assert.deepEqual(found.map(brief), [
      'critical verify/akamai/fixed-ttl-on-dynamic maxAge rules.json:72 [/account, /api/me]',
      'high verify/akamai/honor-private-false privateIgnored rules.json:374 []',
    ]);
  });
  it('names the rule and the caching option', () => {
    assert.deepEqual(found.map((f) => f.message), [
      'rule "Dynamic pages": caching.behavior MAX_AGE with caching.ttl: 1h (3600 s) (rules.json:72) caches personalized routes requested with the session cookie session or an Authorization header for 3600 s whatever the origin sends: a page marked private, no-store is served to other users',
      'rule "default": caching CACHE_CONTROL_AND_EXPIRES with honorPrivate false (rules.json:374) stores responses marked Cache-Control: private and serves them to other users; set honorPrivate: true',
    ]);
  });
});

describe('akamai rules: realistic good property (a "Personalized" rule bypasses the cache)', () => {
  it('reports nothing', () => {
    assert.deepEqual(run('good').map(brief), []);
  });
});
