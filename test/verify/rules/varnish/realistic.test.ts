/**
 * The Varnish rules on realistic configurations: the lab's SAFE VCL and the shop fixture
 * (test/verify/fixtures/vcl/varnish/) stay free of findings — from these rules at any severity,
 * from every rule at high or above — on Varnish 7 and 8, with and without declared origin
 * headers; the shop with one protection removed is reported at the statement that changed; and
 * on the lab's leaking scenarios S1–S6 these rules report exactly these statements.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { atLeast } from '../../../../src/core/severity.ts';
import { runVerify, type VerifyFinding } from '../../../../src/verify/engine.ts';
import { loadTarget } from '../../../../src/verify/load.ts';
import { VERIFY_RULES } from '../../../../src/verify/rules/index.ts';
import { VARNISH_RULES } from '../../../../src/verify/rules/varnish/index.ts';
import { makeSettings, type SettingsInput } from '../../../../src/verify/settings.ts';
import { LAB_PERSONALIZED_GLOBS, PERSONALIZED_HEADERS } from '../../../../lab/origin/index.ts';
import { SCENARIOS, type ScenarioId } from '../../../../lab/scenarios/registry.ts';
import { FIXTURE_NOW } from './vcl-fixtures.ts';

const SHOP = new URL('../../fixtures/vcl/varnish/main.vcl', import.meta.url).pathname;
/** What the shop keeps personal (its vcl_recv passes these) and what it serves to everyone. */
const SHOP_PERSONALIZED = ['/account*', '/mypage*', '/orders*', '/cart*', '/checkout*', '/api/*'];
const SHOP_PUBLIC = ['/', '/items/1', '/about'];

function verify(file: string, input: SettingsInput, varnishVersion: 7 | 8): VerifyFinding[] {
  const settings = makeSettings({ identity: { cookies: ['sid'] }, ...input });
  const model = loadTarget(file, { kind: 'varnish', identity: settings.identity, varnishVersion });
  return runVerify([model], settings, { rules: VERIFY_RULES, now: FIXTURE_NOW }).findings;
}

const shown = (fs: readonly VerifyFinding[]) => fs.map((f) => `${f.severity} ${f.rule} ${f.file.split('/').pop()}:${f.line} ${f.message}`);
const mine = (fs: readonly VerifyFinding[]) => fs.filter((f) => VARNISH_RULES.some((r) => r.id === f.rule));
const serious = (fs: readonly VerifyFinding[]) => fs.filter((f) => atLeast(f.severity, 'high'));

const labSettings = (id: ScenarioId, declared: boolean): SettingsInput => ({
  personalized: LAB_PERSONALIZED_GLOBS,
  host: 'shop.example.test',
  origin: declared ? Object.fromEntries(LAB_PERSONALIZED_GLOBS.map((g) => [g, PERSONALIZED_HEADERS[SCENARIOS[id].origin.personalizedHeaders ?? 'private']])) : {},
});

describe('Varnish rules on configurations that keep personal pages out of the cache', () => {
  for (const version of [7, 8] as const) {
    for (const declared of [true, false]) {
      const how = `Varnish ${version}, ${declared ? 'origin headers declared' : 'nothing declared'}`;
      it(`lab SAFE.vcl (${how})`, () => {
        const found = verify(SCENARIOS.SAFE.engines.varnish.file!, labSettings('SAFE', declared), version);
        assert.deepEqual(shown(mine(found)), []);
        assert.deepEqual(shown(serious(found)), []);
      });
      it(`shop fixture main.vcl (${how})`, () => {
        const origin = declared ? Object.fromEntries(SHOP_PERSONALIZED.map((g) => [g, { 'Cache-Control': 'private, no-store' }])) : {};
        const found = verify(SHOP, { personalized: SHOP_PERSONALIZED, publicPaths: SHOP_PUBLIC, host: 'www.example.test', origin }, version);
        assert.deepEqual(shown(mine(found)), []);
        assert.deepEqual(shown(serious(found)), []);
      });
    }
  }
});

describe('the shop fixture with one protection removed', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'cw-varnish-rules-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const text = readFileSync(SHOP, 'utf8');
  const variants: Array<{ name: string; from: string; to: string; expect: string[] }> = [
    {
      name: 'vcl_backend_response returns deliver after setting grace',
      from: '    # No return: builtin still refuses Set-Cookie, private/no-store/no-cache and TTL <= 0.\n',
      to: '    return (deliver);\n',
      expect: ['critical verify/varnish/builtin-bypassed returnsBeforeBuiltin main.vcl:206'],
    },
    {
      name: 'vcl_hash no longer hashes the Host',
      from: '    if (req.http.Host) {\n        hash_data(req.http.Host);\n    } else {\n        hash_data(server.ip);\n    }\n',
      to: '',
      expect: ['high verify/varnish/vary-unset hashWithoutHost main.vcl:128'],
    },
  ];
  for (const v of variants) {
    it(v.name, () => {
      assert.ok(text.includes(v.from), v.name);
      const dir = mkdtempSync(join(tmp, 'shop-'));
      cpSync(dirname(SHOP), dir, { recursive: true });
      writeFileSync(join(dir, 'main.vcl'), text.replace(v.from, v.to));
      const found = mine(verify(join(dir, 'main.vcl'), { personalized: SHOP_PERSONALIZED, publicPaths: SHOP_PUBLIC, host: 'www.example.test' }, 7));
      assert.deepEqual(found.map((f) => `${f.severity} ${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line}`), v.expect);
    });
  }
});

describe('Varnish rules on the lab scenarios that leak (Varnish 7, nothing declared)', () => {
  const expected: Record<Exclude<ScenarioId, 'SAFE'>, string[]> = {
    S1: ['verify/varnish/cookie-forwarded-not-hashed notHashed S1.vcl:26', 'verify/varnish/builtin-bypassed returnsBeforeBuiltin S1.vcl:34'],
    S2a: ['verify/varnish/cookie-forwarded-not-hashed notHashed S2a.vcl:24', 'verify/varnish/builtin-bypassed returnsBeforeBuiltin S2a.vcl:35'],
    S2b: ['verify/varnish/builtin-bypassed returnsBeforeBuiltin S2b.vcl:36'],
    S3: ['verify/varnish/cookie-forwarded-not-hashed notHashed S3.vcl:23'],
    S4: ['verify/varnish/cookie-forwarded-not-hashed notHashed S4.vcl:23', 'verify/varnish/vary-unset varyUnset S4.vcl:29'],
    // The extension rule is route/deception's finding: no personalized path or public page reaches it.
    S5: [],
    S6: ['verify/varnish/cookie-forwarded-not-hashed notHashed S6.vcl:23', 'verify/varnish/builtin-bypassed returnsBeforeBuiltin S6.vcl:34'],
  };
  for (const [id, lines] of Object.entries(expected) as Array<[Exclude<ScenarioId, 'SAFE'>, string[]]>) {
    it(`${id}: ${lines.length} finding${lines.length === 1 ? '' : 's'} from the Varnish rules`, () => {
      const found = mine(verify(SCENARIOS[id].engines.varnish.file!, labSettings(id, false), 7));
      assert.deepEqual(found.map((f) => `${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line}`), lines);
    });
  }

  it('S1 names the statement and why, with the routes it was found on', () => {
    const [notHashed, bypassed] = mine(verify(SCENARIOS.S1.engines.varnish.file!, labSettings('S1', false), 7));
    assert.equal(
      notHashed!.message,
      '`return (hash);` (S1.vcl:26) in vcl_recv looks up /mypage for requests with the session cookie sid or an Authorization header; the credential still reaches the backend, but the key is URL + Host only: one user\'s page can answer the next user\'s request',
    );
    assert.deepEqual(notHashed!.routes, ['/mypage', '/orders', '/transactions/cw-sample', '/api/me', '/api/orders', '/api/transactions/cw-sample']);
    assert.equal(
      bypassed!.message,
      '`return (deliver);` (S1.vcl:34) in vcl_backend_response returns before builtin\'s checks: a response with no-cache and a past Expires to /mypage, /orders and 5 more is stored under a key other users read, where builtin would have made it hit-for-miss',
    );
    assert.deepEqual(bypassed!.related.map((r) => `${r.option}@${r.at.line}`), ['recv@26', 'backendResponse.ttl@32', 'backendResponse.grace@33']);
  });
});
