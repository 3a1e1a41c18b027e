import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffSnapshots, fetchSnapshot, latestSnapshot, listSnapshots, saveSnapshot } from '../../../src/verify/fetch/index.ts';
import { localApi, rejectsWithFetchError } from './helpers.ts';

describe('fetchSnapshot', () => {
  it('dispatches to each provider\'s fetcher', async () => {
    await rejectsWithFetchError(fetchSnapshot('fastly', { serviceId: 'SU1Z0isxPaozGVKXdv0eY' }, {}), 'fastly: cannot fetch service SU1Z0isxPaozGVKXdv0eY: FASTLY_API_TOKEN is not set (a Fastly API token with read access)');
    await rejectsWithFetchError(
      fetchSnapshot('cloudflare', { zoneId: '023e105f4ecef8ad9ca31a8372d0c353' }, {}),
      'cloudflare: cannot fetch zone 023e105f4ecef8ad9ca31a8372d0c353: CLOUDFLARE_API_TOKEN is not set (an API token with Zone Read, Cache Rules Read and Page Rules Read)',
    );
    await rejectsWithFetchError(fetchSnapshot('cloudfront', { distributionId: 'E2QWRUHAPOMQZL' }, { AWS_SECRET_ACCESS_KEY: 'x' }), 'cloudfront: cannot fetch distribution E2QWRUHAPOMQZL: AWS_ACCESS_KEY_ID is not set');
    await rejectsWithFetchError(
      fetchSnapshot('akamai', { propertyId: 'prp_175780', contractId: 'ctr_C-0N7RAC7', groupId: 'grp_15225' }, {}),
      'akamai: cannot fetch property prp_175780: AKAMAI_HOST, AKAMAI_CLIENT_TOKEN, AKAMAI_CLIENT_SECRET and AKAMAI_ACCESS_TOKEN are not set (or name an .edgerc file in AKAMAI_EDGERC)',
    );
  });

  it('fetch → save → fetch again → diff against the latest stored snapshot', async () => {
    let ttl = 7200;
    const ok = (result: unknown) => ({ success: true, errors: [], messages: [], result });
    const api = await localApi((app) => {
      app.get('/zones/:zone/rulesets/phases/http_request_cache_settings/entrypoint', async () =>
        ok({ id: 'r1', kind: 'zone', phase: 'http_request_cache_settings', version: String(ttl), rules: [{ action: 'set_cache_settings', action_parameters: { cache: true, edge_ttl: { mode: 'override_origin', default: ttl } }, expression: 'true' }] }),
      );
      app.get('/zones/:zone/pagerules', async () => ok([]));
      app.get('/zones/:zone/settings', async () => ok([{ id: 'cache_level', value: 'aggressive', editable: true, modified_on: null }]));
    });
    const root = await mkdtemp(join(tmpdir(), 'cw-fetch-e2e-'));
    try {
      const zoneId = '023e105f4ecef8ad9ca31a8372d0c353';
      const env = { CLOUDFLARE_API_TOKEN: 'cf-token-for-the-e2e-test' };
      const first = await fetchSnapshot('cloudflare', { zoneId, endpoint: api.url, now: () => new Date('2025-03-04T00:00:00.000Z') }, env);
      await saveSnapshot(root, first);
      ttl = 60;
      const second = await fetchSnapshot('cloudflare', { zoneId, endpoint: api.url, now: () => new Date('2025-03-05T00:00:00.000Z') }, env);
      const previous = await latestSnapshot(root, 'cloudflare', zoneId);
      assert.deepEqual(previous, first);
      const d = diffSnapshots(previous!, second);
      assert.deepEqual(
        d.files.map((f) => f.file),
        ['cache_rules.json'],
      );
      assert.deepEqual(
        d.files[0]!.unified.split('\n').filter((l) => /^[-+] /.test(l)),
        ['-          "default": 7200,', '+          "default": 60,', '-  "version": "7200"', '+  "version": "60"'],
      );
      await saveSnapshot(root, second);
      assert.deepEqual(
        (await listSnapshots(root, 'cloudflare', zoneId)).map((r) => r.version),
        ['7200', '60'],
      );
    } finally {
      await api.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
