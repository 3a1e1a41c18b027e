import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffSnapshots } from '../../../src/verify/fetch/diff.ts';
import { jsonFile, type Snapshot } from '../../../src/verify/fetch/snapshot.ts';

const cacheRules = (ttl: number) =>
  jsonFile({
    rules: [
      { action: 'set_cache_settings', action_parameters: { cache: true, edge_ttl: { default: ttl, mode: 'override_origin' } }, description: 'static', expression: '(http.request.uri.path wildcard "/static/*")' },
      { action: 'set_cache_settings', action_parameters: { cache: false }, description: 'account', expression: '(starts_with(http.request.uri.path, "/account"))' },
    ],
    version: '3',
  });

const cf = (fetchedAt: string, version: string | undefined, files: Record<string, string>): Snapshot => ({
  provider: 'cloudflare',
  target: '023e105f4ecef8ad9ca31a8372d0c353',
  ...(version !== undefined ? { version } : {}),
  fetchedAt,
  files,
});

describe('diffSnapshots', () => {
  it('is empty when nothing changed', () => {
    const files = { 'cache_rules.json': cacheRules(86400), 'pagerules.json': '[]\n' };
    const d = diffSnapshots(cf('2025-03-04T00:00:00.000Z', '3', files), cf('2025-03-05T00:00:00.000Z', '3', { ...files }));
    assert.deepEqual(d.files, []);
    assert.equal(d.text(), '');
  });

  it('shows a changed TTL in cache_rules.json as the old and the new line with 3 lines of context', () => {
    const older = cf('2025-03-04T00:00:00.000Z', '3', { 'cache_rules.json': cacheRules(86400), 'pagerules.json': '[]\n' });
    const newer = cf('2025-03-05T00:00:00.000Z', '4', { 'cache_rules.json': cacheRules(3600), 'pagerules.json': '[]\n' });
    const d = diffSnapshots(older, newer);
    const unified = [
      '--- a/cache_rules.json\t2025-03-04T00:00:00.000Z (version 3)',
      '+++ b/cache_rules.json\t2025-03-05T00:00:00.000Z (version 4)',
      '@@ -5,7 +5,7 @@',
      '       "action_parameters": {',
      '         "cache": true,',
      '         "edge_ttl": {',
      '-          "default": 86400,',
      '+          "default": 3600,',
      '           "mode": "override_origin"',
      '         }',
      '       },',
      '',
    ].join('\n');
    assert.deepEqual(d.files, [{ file: 'cache_rules.json', change: 'changed', unified }]);
    assert.equal(d.text(), `cloudflare 023e105f4ecef8ad9ca31a8372d0c353: 1 file changed between 2025-03-04T00:00:00.000Z (version 3) and 2025-03-05T00:00:00.000Z (version 4)\n${unified}`);
  });

  it('lists added and removed files, in file-name order, against /dev/null', () => {
    const older = cf('2025-03-04T00:00:00.000Z', undefined, { 'vcl/old.vcl': 'sub a {\n}\n', 'settings.json': '[]\n' });
    const newer = cf('2025-03-05T00:00:00.000Z', undefined, { 'settings.json': '[]\n', 'vcl/new.vcl': 'sub b {\n}\n' });
    const d = diffSnapshots(older, newer);
    assert.deepEqual(d.files, [
      { file: 'vcl/new.vcl', change: 'added', unified: '--- /dev/null\n+++ b/vcl/new.vcl\t2025-03-05T00:00:00.000Z\n@@ -0,0 +1,2 @@\n+sub b {\n+}\n' },
      { file: 'vcl/old.vcl', change: 'removed', unified: '--- a/vcl/old.vcl\t2025-03-04T00:00:00.000Z\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-sub a {\n-}\n' },
    ]);
    assert.match(d.text(), /^cloudflare 023e105f4ecef8ad9ca31a8372d0c353: 2 files changed between 2025-03-04T00:00:00.000Z and 2025-03-05T00:00:00.000Z\n--- \/dev\/null\n/);
  });

  it('refuses to compare different targets', () => {
    const a = cf('2025-03-04T00:00:00.000Z', '3', {});
    assert.throws(() => diffSnapshots(a, { ...a, target: 'ffffffffffffffffffffffffffffffff' }), {
      name: 'RangeError',
      message: 'cannot diff cloudflare 023e105f4ecef8ad9ca31a8372d0c353 against cloudflare ffffffffffffffffffffffffffffffff',
    });
  });
});
