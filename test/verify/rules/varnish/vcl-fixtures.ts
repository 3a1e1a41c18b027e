/**
 * Runs the VCL rule fixtures (test/verify/fixtures/rules/vcl/<dialect>/<problem>/): each file is
 * one case, `<name>.bad.vcl` or `<name>.good.vcl`. Its first line may give the site settings as
 * JSON after `# cachewarden-test:` (personalized globs, origin headers, public paths, Varnish
 * version); a line that must be reported ends with `# expect: <messageId>[, <messageId>]`.
 * A bad case must report exactly its expected findings (message id and line, in order), a good
 * case nothing. Used by the Varnish and the Fastly fixture tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runVerify, type VerifyFinding } from '../../../../src/verify/engine.ts';
import { loadTarget } from '../../../../src/verify/load.ts';
import type { VerifyRuleDefinition } from '../../../../src/verify/rules/define.ts';
import { makeSettings } from '../../../../src/verify/settings.ts';

export const FIXTURE_ROOT = new URL('../../fixtures/rules/vcl/', import.meta.url).pathname;
export const FIXTURE_NOW = Date.parse('2026-11-21T12:00:00Z');

export interface FixtureSettings {
  personalized?: string[];
  origin?: Record<string, Record<string, string>>;
  publicPaths?: string[];
  host?: string;
  varnishVersion?: 7 | 8;
}

export interface FixtureCase {
  name: string;
  file: string;
  kind: 'bad' | 'good';
  settings: FixtureSettings;
  expect: Array<{ messageId: string; line: number }>;
}

/** The cases of one rule's folder (`varnish/builtin-bypassed`), sorted by file name. */
export function fixtureCases(dir: string): FixtureCase[] {
  const folder = join(FIXTURE_ROOT, dir);
  return readdirSync(folder)
    .filter((f) => /\.(bad|good)\.vcl$/.test(f))
    .sort()
    .map((f) => {
      const file = join(folder, f);
      const lines = readFileSync(file, 'utf8').split('\n');
      const header = /^#\s*cachewarden-test:\s*(\{.*\})\s*$/.exec(lines[0] ?? '');
      const expect = lines.flatMap((text, i) => {
        const m = /#\s*expect:\s*([\w, ]+)$/.exec(text);
        return m ? m[1]!.split(',').map((id) => ({ messageId: id.trim(), line: i + 1 })) : [];
      });
      return { name: f, file, kind: f.endsWith('.bad.vcl') ? 'bad' : 'good', settings: header ? (JSON.parse(header[1]!) as FixtureSettings) : {}, expect };
    });
}

/** Verifies one file with one rule (or several), as the CLI would. */
export function runFixture(rules: VerifyRuleDefinition | readonly VerifyRuleDefinition[], file: string, kind: 'varnish' | 'fastly', s: FixtureSettings = {}): VerifyFinding[] {
  const settings = makeSettings({
    personalized: s.personalized ?? ['/account*'],
    identity: { cookies: ['sid'] },
    ...(s.host ? { host: s.host } : {}),
    ...(s.origin ? { origin: s.origin } : {}),
    ...(s.publicPaths ? { publicPaths: s.publicPaths } : {}),
  });
  const model = loadTarget(file, { kind, identity: settings.identity, ...(s.varnishVersion ? { varnishVersion: s.varnishVersion } : {}) });
  return runVerify([model], settings, { rules: Array.isArray(rules) ? rules : [rules as VerifyRuleDefinition], now: FIXTURE_NOW }).findings;
}
