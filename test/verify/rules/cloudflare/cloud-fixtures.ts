/**
 * Fixture cases for the cloud rules (Cloudflare, CloudFront, Akamai; shared by their tests):
 * `test/verify/fixtures/rules/cloud/<provider>/<rule>/<case>.(bad|good)/` holds the provider's
 * snapshot files and an `expect.json` with the site settings and the exact findings of every rule of
 * that provider, in report order, as `<rule id> <messageId> <file>:<line> [<routes>]`. A `.bad` case
 * must include a finding of its folder's rule, a `.good` case none.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { runVerify } from '../../../../src/verify/engine.ts';
import { loadCloud, type CloudKind } from '../../../../src/verify/cloud.ts';
import type { VerifyRuleDefinition } from '../../../../src/verify/rules/define.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';
import { EXAMPLE_NOW } from '../harness.ts';

export const CLOUD_FIXTURES = join(import.meta.dirname, '../../fixtures/rules/cloud');

export interface CloudCase {
  rule: string;
  name: string;
  kind: 'bad' | 'good';
  dir: string;
  expect: CaseSettings;
}

interface CaseSettings {
  personalized: string[];
  identity?: { cookies?: string[]; headers?: string[] };
  host?: string;
  origin?: Record<string, Record<string, string>>;
  findings: string[];
}

/** Every case of a provider, by rule folder. */
export function cloudCases(provider: CloudKind): CloudCase[] {
  const root = join(CLOUD_FIXTURES, provider);
  return readdirSync(root).sort().flatMap((rule) =>
    readdirSync(join(root, rule)).sort().map((name): CloudCase => {
      const dir = join(root, rule, name);
      return { rule, name, kind: name.endsWith('.bad') ? 'bad' : 'good', dir, expect: JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as CaseSettings };
    }),
  );
}

/** `<rule> <messageId> <file>:<line> [<routes>]` for each finding of `rules` on the snapshot files of `dir`. */
export function runCloud(provider: CloudKind, dir: string, rules: readonly VerifyRuleDefinition[], s: Omit<CaseSettings, 'findings'>): string[] {
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'expect.json').map((f) => [f, join(dir, f)]));
  const settings = makeSettings({
    personalized: s.personalized,
    identity: s.identity ?? { cookies: ['sid'] },
    ...(s.host ? { host: s.host } : {}),
    ...(s.origin ? { origin: s.origin } : {}),
    locateOrigin: () => ({ file: 'cachewarden.yaml', line: 1, column: 1 }),
  });
  const result = runVerify([loadCloud(provider, files)], settings, { rules, now: EXAMPLE_NOW });
  return result.findings.map((f) => `${f.rule} ${f.messageId} ${f.file.split('/').pop()}:${f.line} [${f.routes.join(', ')}]`);
}

/**
 * The fixture suite of one provider: each case yields exactly the findings its expect.json lists,
 * for every rule of the provider at once; a `.bad` case includes a finding of its folder's rule, a
 * `.good` case none; every rule has at least one case of each kind.
 */
export function describeCloudFixtures(provider: CloudKind, rules: readonly VerifyRuleDefinition[]): void {
  const cases = cloudCases(provider);
  describe(`${provider} rule fixtures`, () => {
    it(`every ${provider} rule has a fixture folder with a bad and a good case, and every folder names a rule`, () => {
      const ids = rules.map((r) => r.id.split('/').pop());
      assert.deepEqual([...new Set(cases.map((c) => c.rule))].sort(), [...ids].sort());
      for (const id of ids) {
        assert.ok(cases.some((c) => c.rule === id && c.kind === 'bad'), `${id}: a .bad case`);
        assert.ok(cases.some((c) => c.rule === id && c.kind === 'good'), `${id}: a .good case`);
      }
    });
    for (const c of cases) {
      it(`${c.rule}/${c.name}: exactly the expected findings`, () => {
        const found = runCloud(provider, c.dir, rules, c.expect);
        assert.deepEqual(found, c.expect.findings);
        const own = found.filter((f) => f.startsWith(`verify/${provider}/${c.rule} `));
        if (c.kind === 'bad') assert.ok(own.length > 0, 'a bad case reports its rule');
        else assert.deepEqual(own, [], 'a good case does not report its rule');
      });
    }
  });
}
