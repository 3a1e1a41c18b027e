/**
 * The Fastly rules on the boilerplate-style fixture (test/verify/fixtures/vcl/fastly/main.vcl):
 * no finding from these rules at any severity, with and without declared origin headers, and no
 * finding at high or above from any rule. And the same file with its protections removed one at a time: each removal is reported
 * by the rule that covers it, at the statement that changed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { atLeast } from '../../../../src/core/severity.ts';
import { runVerify, type VerifyFinding } from '../../../../src/verify/engine.ts';
import { loadTarget } from '../../../../src/verify/load.ts';
import { FASTLY_RULES } from '../../../../src/verify/rules/fastly/index.ts';
import { VERIFY_RULES } from '../../../../src/verify/rules/index.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import { FIXTURE_NOW } from '../varnish/vcl-fixtures.ts';

const MAIN = new URL('../../fixtures/vcl/fastly/main.vcl', import.meta.url).pathname;
/** What the service keeps personal (its vcl_recv passes these) and the pages it serves to everyone. */
const PERSONALIZED = ['/account*', '/mypage*', '/orders*', '/cart*', '/checkout*', '/api/me*'];
const PUBLIC = ['/', '/shop', '/shop/sale'];
const tmp = mkdtempSync(join(tmpdir(), 'cw-fastly-rules-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function verify(file: string, declared: boolean): VerifyFinding[] {
  const origin = declared ? Object.fromEntries(PERSONALIZED.map((g) => [g, { 'Cache-Control': 'private, no-store' }])) : {};
  const settings = makeSettings({ personalized: PERSONALIZED, publicPaths: PUBLIC, identity: { cookies: ['sid'] }, host: 'www.example.test', origin });
  const model = loadTarget(file, { kind: 'fastly', identity: settings.identity });
  return runVerify([model], settings, { rules: VERIFY_RULES, now: FIXTURE_NOW }).findings;
}

const shown = (fs: readonly VerifyFinding[]) => fs.map((f) => `${f.severity} ${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line}`);
const mine = (fs: readonly VerifyFinding[]) => fs.filter((f) => FASTLY_RULES.some((r) => r.id === f.rule));

describe('Fastly rules on the boilerplate-style service', () => {
  for (const declared of [true, false]) {
    const how = declared ? 'origin headers declared' : 'nothing declared';
    it(`no finding from the Fastly rules (${how})`, () => assert.deepEqual(shown(mine(verify(MAIN, declared))), []));
    it(`no finding at high or above from the other rules but route/deception (${how})`, () => {
      const others = verify(MAIN, declared).filter((f) => atLeast(f.severity, 'high') && f.rule !== 'verify/route/deception');
      assert.deepEqual(shown(others), []);
    });
  }
  it('no finding at high or above at all (route/deception sees that vcl_recv removes the Cookie from extension URLs)', () => {
    assert.deepEqual(shown(verify(MAIN, false).filter((f) => atLeast(f.severity, 'high'))), []);
  });
});

describe('the same service with one protection removed', () => {
  const text = readFileSync(MAIN, 'utf8');
  const variants: Array<{ name: string; from: string; to: string; expect: string[] }> = [
    {
      name: 'vcl_recv no longer passes sessions and tokens',
      from: '    if (req.http.Authorization || req.http.Cookie:sid) {\n        return(pass);\n    }\n',
      to: '',
      // The personal areas still pass by path; /api/me is now looked up, and without declared
      // headers its response gets the fallback TTL.
      expect: ['high verify/fastly/authenticated-lookup lookedUp main.vcl:99', 'medium verify/fastly/fallback-ttl fallback main.vcl:165'],
    },
    {
      name: 'the Set-Cookie pass is gone',
      from: '    if (beresp.http.Set-Cookie) {\n        return(pass);\n    }\n',
      to: '',
      expect: ['critical verify/fastly/set-cookie-pass-missing noPass main.vcl:171'],
    },
    {
      name: 'the private/no-store pass only tests private (the 2015 template)',
      from: '"(?:private|no-store)"',
      to: '"private"',
      expect: ['critical verify/fastly/missing-private-pass noPass main.vcl:174'],
    },
    {
      name: 'the host is no longer in the key',
      from: '    set req.hash += req.http.host;\n',
      to: '',
      expect: ['high verify/fastly/hash-missing-host noHost main.vcl:114'],
    },
  ];
  for (const v of variants) {
    it(v.name, () => {
      assert.ok(text.includes(v.from), v.name);
      const file = join(tmp, `${v.name.replace(/\W+/g, '-')}.vcl`);
      writeFileSync(file, text.replace(v.from, v.to));
      const found = mine(verify(file, false)).map((f) => `${f.severity} ${f.rule} ${f.messageId} main.vcl:${f.line}`);
      assert.deepEqual(found, v.expect);
    });
  }
});
