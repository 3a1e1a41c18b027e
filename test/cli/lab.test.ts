import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { BIN, cli } from '../helpers/cli.ts';

interface LabSummary {
  scenario: string;
  engine: string;
  leakResponses: number;
  publicHitRate: number;
  leaks: Array<{ viewer: string; owner: string; url: string }>;
}

describe('cachewarden lab', () => {
  it('--list names every scenario', async () => {
    const r = await cli(['lab', '--list', '--json']);
    assert.equal(r.code, 0);
    const ids = (JSON.parse(r.stdout) as Array<{ id: string }>).map((s) => s.id);
    assert.deepEqual(ids, ['S1', 'S2a', 'S2b', 'S3', 'S4', 'S5', 'S6', 'SAFE']);
  });

  it('S1 on the emulator leaks: exit 1, and every reported pair is a different viewer and owner', async () => {
    const r = await cli(['lab', '--scenario', 'S1', '--engine', 'emulator', '--duration', '2', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const s = JSON.parse(r.stdout) as LabSummary;
    assert.equal(s.engine, 'emulator');
    assert.ok(s.leakResponses > 0);
    assert.ok(s.leaks.length > 0 && s.leaks.every((l) => l.viewer !== l.owner));
  });

  it('SAFE on the emulator: exit 0, no leak, public pages still served from cache', async () => {
    const r = await cli(['lab', '--scenario', 'SAFE', '--engine', 'emulator', '--duration', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as LabSummary;
    assert.equal(s.leakResponses, 0);
    assert.deepEqual(s.leaks, []);
    assert.ok(s.publicHitRate > 0.5, `public hit rate ${s.publicHitRate}`);
  });

  it('a missing engine is exit 2 with one line naming the fix', async () => {
    const r = await cli(['lab', '--engine', 'nginx'], { env: { CACHEWARDEN_NGINX: '/nonexistent/nginx' } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'cachewarden: lab: nginx needs nginx, which is not installed; apt-get install nginx, or use --engine emulator (CW_LAB_ENGINE_MISSING)\n');
  });

  it('survives a reader that closes the pipe early (| head): no EPIPE crash, same exit code', async () => {
    const child = spawn(BIN, ['lab', '--scenario', 'S1', '--engine', 'emulator', '--duration', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first line is written
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 1);
  });

  it('rejects an unknown scenario with the valid ones', async () => {
    const r = await cli(['lab', '--scenario', 'S9']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--scenario "S9" is not one of S1, S2a, S2b, S3, S4, S5, S6, SAFE/);
  });
});
