/**
 * `verify --prove` on real engines: the lab's S1 and S2a configurations (nginx and VCL) booted in
 * front of the lab origin with the headers that scenario's origin sends; the canary accounts'
 * sequential replay or concurrent race demonstrates the leak. SAFE, under the same traffic, shows
 * none. Also: what the rewrite changes, and one-line errors for what cannot be booted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CwError } from '../../src/core/errors.ts';
import { proveConfig, renderProof } from '../../src/verify/prove.ts';
import { makeSettings } from '../../src/verify/settings.ts';
import { PERSONALIZED_HEADERS } from '../../lab/origin/index.ts';
import { SCENARIOS, type ScenarioId } from '../../lab/scenarios/registry.ts';
import { engineSkip, requireEngine } from '../lab/helpers.ts';

const GLOBS = ['/mypage*', '/orders*'];
const dir = mkdtempSync(join(tmpdir(), 'cw-prove-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function settingsFor(id: ScenarioId) {
  const headers = PERSONALIZED_HEADERS[SCENARIOS[id].origin.personalizedHeaders ?? 'private'];
  return makeSettings({ personalized: GLOBS, identity: { cookies: ['sid'] }, host: 'shop.example.test', origin: Object.fromEntries(GLOBS.map((g) => [g, headers])) });
}

for (const engine of ['nginx', 'varnish'] as const) {
  const skip = engineSkip(engine);
  describe(`verify --prove on real ${engine}`, () => {
    for (const id of ['S1', 'S2a'] as const) {
      it(`${id}: leak demonstrated, with one canary's page in the other's response`, { skip }, async () => {
        requireEngine(engine);
        const proof = await proveConfig(SCENARIOS[id].engines[engine].file!, { settings: settingsFor(id) });
        assert.equal(proof.verdict, 'leak demonstrated', renderProof(proof));
        assert.equal(proof.engine, engine);
        assert.ok(proof.results.length > 0 && proof.results.every((r) => r.verdict === 'leak'));
        assert.ok(proof.results.some((r) => /alice's page reached bob|bob's page reached alice/.test(r.message)), renderProof(proof));
        assert.deepEqual(proof.originHeaders, PERSONALIZED_HEADERS[SCENARIOS[id].origin.personalizedHeaders ?? 'private']);
        assert.match(renderProof(proof), /LEAK DEMONSTRATED \(real /);
      });
    }

    it('SAFE: no leak under test, every technique ran on every route', { skip }, async () => {
      requireEngine(engine);
      const proof = await proveConfig(SCENARIOS.SAFE.engines[engine].file!, { settings: settingsFor('SAFE'), cycles: 2 });
      assert.equal(proof.verdict, 'no leak under test', renderProof(proof));
      assert.equal(proof.cycles, 2);
      assert.deepEqual(proof.results.map((r) => `${r.technique} ${r.route}`).sort(), ['probe/concurrent-race /mypage', 'probe/concurrent-race /orders', 'probe/cross-identity-replay /mypage', 'probe/cross-identity-replay /orders']);
      assert.ok(proof.results.every((r) => r.verdict !== 'leak'));
    });
  });
}

describe('verify --prove refuses what it cannot boot, in one line', () => {
  it('a Fastly VCL', async () => {
    const f = join(dir, 'fastly.vcl');
    writeFileSync(f, 'sub vcl_recv {\n#FASTLY recv\n  return(lookup);\n}\nsub vcl_fetch {\n#FASTLY fetch\n  return(deliver);\n}\n');
    await assert.rejects(proveConfig(f, { settings: settingsFor('SAFE') }), (e: unknown) => e instanceof CwError && e.code === 'CW_VERIFY_PROVE' && /Fastly VCL does not run in Varnish/.test(e.message));
  });

  it('a provider JSON document', async () => {
    const f = join(dir, 'rules.json');
    writeFileSync(f, '{"rules": {"name": "default", "behaviors": [], "children": []}}');
    await assert.rejects(proveConfig(f, { settings: settingsFor('SAFE') }), (e: unknown) => e instanceof CwError && e.code === 'CW_VERIFY_PROVE' && /nginx \.conf and Varnish \.vcl files only/.test(e.message));
  });

  it('an nginx config the engine refuses: the engine\'s own message', { skip: engineSkip('nginx') }, async () => {
    requireEngine('nginx');
    const f = join(dir, 'bad-directive.conf');
    writeFileSync(f, 'events {}\nhttp {\n  server {\n    listen 80;\n    no_such_directive on;\n    location / { proxy_pass http://app.example; }\n  }\n}\n');
    await assert.rejects(proveConfig(f, { settings: settingsFor('SAFE') }), (e: unknown) => e instanceof CwError && e.code === 'CW_VERIFY_PROVE' && /unknown directive "no_such_directive"/.test(e.message) && !e.message.includes('\n'));
  });
});
