/**
 * The nginx rules on their fixture files (test/verify/fixtures/rules/nginx/<rule>/): each
 * `*.bad.conf` yields exactly the findings its `# cw-expect:` line lists (message id and line, in
 * report order) and nothing else; each `*.good.conf` yields none. Settings come from the header
 * comments: `# cw-personalized:` (globs, space-separated), `# cw-origin:` (origin.headers as JSON),
 * `# cw-profile:` (the CDN in front). Every rule has at least one fixture of each kind.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ProfileSpec } from '../../../../src/semantics/types.ts';
import type { VerifyExample } from '../../../../src/verify/rules/define.ts';
import { NGINX_RULES } from '../../../../src/verify/rules/nginx/index.ts';
import { runExample } from '../harness.ts';

const DIR = new URL('../../fixtures/rules/nginx/', import.meta.url);

/** A fixture file as a rule example: its header comments give the settings and, for bad ones, the expected findings. */
export function fixtureExample(name: string, text: string): VerifyExample {
  const header = (key: string): string | undefined => new RegExp(`^# cw-${key}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const personalized = header('personalized')?.split(/\s+/);
  const origin = header('origin');
  const profile = header('profile');
  const expect = header('expect');
  return {
    name,
    kind: 'nginx',
    files: { 'nginx.conf': text },
    ...(personalized ? { personalized } : {}),
    ...(origin ? { origin: JSON.parse(origin) as Record<string, Record<string, string>> } : {}),
    ...(profile ? { profile: { id: profile } as ProfileSpec } : {}),
    ...(expect
      ? {
          expect: expect.split(/\s+/).map((e) => {
            const [messageId = '', line = ''] = e.split(':');
            return { messageId, line: Number(line) };
          }),
        }
      : {}),
  };
}

const folders = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe('nginx rule fixtures', () => {
  it('every nginx rule has a fixture folder with at least one bad and one good file, and every folder names a rule', () => {
    const ids = NGINX_RULES.map((r) => r.id.slice('verify/nginx/'.length));
    assert.deepEqual([...folders].sort(), [...ids].sort());
    for (const f of folders) {
      const files = readdirSync(new URL(`${f}/`, DIR));
      assert.ok(files.some((n) => n.endsWith('.bad.conf')), `${f}: a .bad.conf`);
      assert.ok(files.some((n) => n.endsWith('.good.conf')), `${f}: a .good.conf`);
      assert.deepEqual(files.filter((n) => !/\.(bad|good)\.conf$/.test(n)), [], `${f}: only .bad.conf and .good.conf files`);
    }
  });
});

for (const rule of NGINX_RULES) {
  const folder = rule.id.slice('verify/nginx/'.length);
  if (!folders.includes(folder)) continue;
  describe(rule.id, () => {
    for (const file of readdirSync(new URL(`${folder}/`, DIR)).sort()) {
      const text = readFileSync(new URL(`${folder}/${file}`, DIR), 'utf8');
      const ex = fixtureExample(file, text);
      if (file.endsWith('.bad.conf')) {
        it(`${file}: reports exactly what it expects`, () => {
          assert.ok(ex.expect && ex.expect.length > 0, `${file}: a bad fixture has a "# cw-expect:" line`);
          for (const e of ex.expect) assert.ok(e.messageId in rule.messages, `${file}: unknown messageId ${e.messageId}`);
          assert.deepEqual(runExample(rule, ex).map((f) => ({ messageId: f.messageId, line: f.line })), ex.expect);
        });
      } else {
        it(`${file}: reports nothing`, () => {
          assert.equal(ex.expect, undefined, `${file}: a good fixture expects nothing`);
          assert.deepEqual(runExample(rule, ex).map((f) => `${f.messageId} ${f.line} ${f.message}`), []);
        });
      }
    }
  });
}
