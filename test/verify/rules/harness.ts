/**
 * Runs a verify rule's examples the way the CLI would: the example's files are written to a temp
 * folder, loaded by their reader, and verified with the example's settings and only that rule.
 * Used by the rule tests (every rule's bad and good examples) and by rule-specific tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runVerify, type VerifyFinding } from '../../../src/verify/engine.ts';
import { loadTarget } from '../../../src/verify/load.ts';
import { originModel } from '../../../src/verify/origin.ts';
import type { VerifyExample, VerifyRuleDefinition } from '../../../src/verify/rules/define.ts';
import { makeSettings } from '../../../src/verify/settings.ts';
import type { ConfigKind, ConfigModelBase } from '../../../src/verify/types.ts';

export const EXAMPLE_NOW = Date.parse('2026-11-21T12:00:00Z');

/** Verifies one example with one rule; findings' files are relative to the example folder. */
export function runExample(rule: VerifyRuleDefinition, ex: VerifyExample): VerifyFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'cw-rule-'));
  try {
    const names = Object.keys(ex.files);
    for (const [name, text] of Object.entries(ex.files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const globs = Object.keys(ex.origin ?? {});
    const settings = makeSettings({
      personalized: ex.personalized ?? ['/account*'],
      identity: { cookies: ['sid'] },
      ...(ex.profile ? { profile: ex.profile } : {}),
      ...(ex.origin ? { origin: ex.origin } : {}),
      locateOrigin: (glob) => ({ file: 'cachewarden.yaml', line: globs.indexOf(glob) + 1, column: 1 }),
    });
    const models: ConfigModelBase[] = [];
    if (ex.kind === 'origin') models.push(originModel(settings));
    else if (names.length > 0) {
      const main = join(dir, names[0]!);
      const isFolder = ['cloudflare', 'cloudfront', 'akamai'].includes(ex.kind) && names.length > 1;
      models.push(loadTarget(isFolder ? dir : main, { kind: ex.kind as ConfigKind, identity: settings.identity, ...(ex.varnishVersion ? { varnishVersion: ex.varnishVersion } : {}) }));
    }
    const result = runVerify(models, settings, { rules: [rule], now: EXAMPLE_NOW });
    return result.findings.map((f) => ({ ...f, file: f.file.startsWith(dir) ? f.file.slice(dir.length + 1) : f.file }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
