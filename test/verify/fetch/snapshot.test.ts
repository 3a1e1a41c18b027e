import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCwError } from '../../../src/core/errors.ts';
import { jsonFile, latestSnapshot, listSnapshots, loadSnapshot, saveSnapshot, snapshotDir, type Snapshot } from '../../../src/verify/fetch/snapshot.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cw-snapshots-'));
});
after(() => rm(root, { recursive: true, force: true }));

const fastly = (fetchedAt: string, version: string, ttl: number): Snapshot => ({
  provider: 'fastly',
  target: 'SU1Z0isxPaozGVKXdv0eY',
  version,
  fetchedAt,
  files: {
    'service.json': jsonFile({ id: 'SU1Z0isxPaozGVKXdv0eY', name: 'shop' }),
    'generated.vcl': `sub vcl_fetch {\n  set beresp.ttl = ${ttl}s;\n}\n`,
    'vcl/main.vcl': 'sub vcl_recv {\n#FASTLY recv\n}\n',
    'settings.json': jsonFile({ 'general.default_ttl': ttl }),
  },
});

describe('jsonFile', () => {
  it('sorts keys at every level, keeps array order, indents by two and ends with a newline', () => {
    assert.equal(jsonFile({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, e: undefined }), '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
    assert.equal(jsonFile({ at: new Date('2025-01-02T03:04:05.000Z') }), '{\n  "at": "2025-01-02T03:04:05.000Z"\n}\n');
  });
});

describe('snapshot store', () => {
  it('saves to <root>/<provider>-<target>/<time with - for :>/ with the files and a manifest, and loads it back', async () => {
    const s = fastly('2025-03-04T05:06:07.089Z', '12', 3600);
    const dir = await saveSnapshot(root, s);
    assert.equal(dir, join(root, 'fastly-SU1Z0isxPaozGVKXdv0eY', '2025-03-04T05-06-07.089Z'));
    assert.equal(dir, snapshotDir(root, s));
    assert.deepEqual((await readdir(dir, { recursive: true })).sort(), ['generated.vcl', 'service.json', 'settings.json', 'snapshot.json', 'vcl', 'vcl/main.vcl']);
    assert.equal(
      await readFile(join(dir, 'snapshot.json'), 'utf8'),
      jsonFile({ files: ['generated.vcl', 'service.json', 'settings.json', 'vcl/main.vcl'], fetchedAt: '2025-03-04T05:06:07.089Z', format: 1, provider: 'fastly', target: 'SU1Z0isxPaozGVKXdv0eY', version: '12' }),
    );
    assert.equal(await readFile(join(dir, 'vcl', 'main.vcl'), 'utf8'), 'sub vcl_recv {\n#FASTLY recv\n}\n');
    assert.deepEqual(await loadSnapshot(dir), s);
  });

  it('lists snapshots oldest first and loads the latest', async () => {
    const r = join(root, 'list');
    const s3 = fastly('2025-03-06T00:00:00.000Z', '14', 60);
    const s1 = fastly('2025-03-04T00:00:00.000Z', '12', 3600);
    const s2 = fastly('2025-03-05T00:00:00.000Z', '13', 600);
    for (const s of [s3, s1, s2]) await saveSnapshot(r, s);
    await saveSnapshot(r, { provider: 'cloudflare', target: '023e105f4ecef8ad9ca31a8372d0c353', fetchedAt: '2025-03-07T00:00:00.000Z', files: { 'settings.json': '[]\n' } });
    const refs = await listSnapshots(r, 'fastly', 'SU1Z0isxPaozGVKXdv0eY');
    assert.deepEqual(
      refs.map((x) => [x.fetchedAt, x.version, x.dir]),
      [s1, s2, s3].map((s) => [s.fetchedAt, s.version, snapshotDir(r, s)]),
    );
    assert.deepEqual(refs[0]!.files, ['generated.vcl', 'service.json', 'settings.json', 'vcl/main.vcl']);
    assert.deepEqual(await latestSnapshot(r, 'fastly', 'SU1Z0isxPaozGVKXdv0eY'), s3);
    assert.equal(await latestSnapshot(r, 'akamai', 'prp_1'), undefined);
    assert.deepEqual(await listSnapshots(r, 'fastly', 'other'), []);
  });

  it('skips half-written snapshot directories and keeps a snapshot without version without one', async () => {
    const r = join(root, 'partial');
    const s: Snapshot = { provider: 'cloudflare', target: '023e105f4ecef8ad9ca31a8372d0c353', fetchedAt: '2025-03-07T00:00:00.000Z', files: { 'cache_rules.json': '{\n  "rules": []\n}\n' } };
    await saveSnapshot(r, s);
    await mkdir(join(r, 'cloudflare-023e105f4ecef8ad9ca31a8372d0c353', '2025-03-08T00-00-00.000Z.tmp-abc123'), { recursive: true });
    const refs = await listSnapshots(r, 'cloudflare', '023e105f4ecef8ad9ca31a8372d0c353');
    assert.equal(refs.length, 1);
    const loaded = await loadSnapshot(refs[0]!.dir);
    assert.deepEqual(loaded, s);
    assert.equal('version' in loaded, false);
  });

  it('refuses to overwrite a snapshot taken at the same instant', async () => {
    const r = join(root, 'twice');
    const s = fastly('2025-03-04T05:06:07.089Z', '12', 3600);
    await saveSnapshot(r, s);
    await assert.rejects(saveSnapshot(r, s), (e: unknown) => {
      assert.ok(isCwError(e));
      assert.equal(e.message, `cannot save snapshot to ${snapshotDir(r, s)}: a snapshot with that time already exists`);
      return true;
    });
    assert.deepEqual((await readdir(join(r, 'fastly-SU1Z0isxPaozGVKXdv0eY'))).sort(), ['2025-03-04T05-06-07.089Z']);
  });

  it('refuses file names that would leave the snapshot directory, and targets that are not ids', async () => {
    const base = fastly('2025-03-04T05:06:07.089Z', '12', 3600);
    await assert.rejects(saveSnapshot(root, { ...base, files: { '../escape.json': '{}' } }), { name: 'RangeError', message: 'snapshot file name "../escape.json": has an empty, "." or ".." segment' });
    await assert.rejects(saveSnapshot(root, { ...base, files: { '/etc/x': '' } }), { name: 'RangeError', message: 'snapshot file name "/etc/x": not a relative path' });
    await assert.rejects(saveSnapshot(root, { ...base, files: { 'snapshot.json': '{}' } }), { name: 'RangeError', message: 'snapshot file name "snapshot.json": "snapshot.json" is reserved for the manifest' });
    await assert.rejects(saveSnapshot(root, { ...base, target: '../x' }), { name: 'RangeError', message: 'snapshot target "../x" is not a plain id' });
  });

  it('reports an unreadable or inconsistent snapshot in one line with the manifest path', async () => {
    const dir = join(root, 'broken');
    await mkdir(dir, { recursive: true });
    const line = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        assert.ok(isCwError(e));
        assert.equal(e.code, 'CW_INPUT_UNREADABLE');
        return e.message;
      }
      assert.fail('expected a failure');
    };
    const manifest = join(dir, 'snapshot.json');
    assert.equal(await line(loadSnapshot(dir)), `${manifest}: cannot read the snapshot manifest (ENOENT)`);
    await writeFile(manifest, '{"provider": "fastly",');
    assert.match(await line(loadSnapshot(dir)), new RegExp(`^${manifest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON \\(`));
    await writeFile(manifest, JSON.stringify({ format: 1, provider: 'varnish', target: 'x', fetchedAt: '2025-01-01T00:00:00Z', files: [] }));
    assert.equal(await line(loadSnapshot(dir)), `${manifest}: "provider" is not one of fastly, cloudflare, cloudfront, akamai`);
    await writeFile(manifest, JSON.stringify({ format: 1, provider: 'fastly', target: 'x', fetchedAt: '2025-01-01T00:00:00Z', files: ['gone.vcl'] }));
    assert.equal(await line(loadSnapshot(dir)), `${manifest}: lists gone.vcl, which cannot be read (ENOENT)`);
  });
});
