import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSink, SinkError } from '../../src/sinks/index.ts';
import { formatText, WITHHELD } from '../../src/sinks/format.ts';
import { alert, H } from './fixtures.ts';

describe('ndjson sink', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-sinks-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('appends one JSON object per alert, each line valid JSON, to an existing file', async () => {
    const path = join(dir, 'alerts.ndjson');
    const sink = createSink({ type: 'ndjson', path });
    await sink.healthcheck();
    await sink.send(alert('opened'));
    await sink.send(alert('updated'));
    const second = createSink({ type: 'ndjson', path }); // e.g. after a restart: appends, never truncates
    await second.send(alert('resolved'));
    const text = await readFile(path, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const parsed = lines.map((l) => JSON.parse(l));
    assert.deepEqual(parsed.map((p) => p.kind), ['opened', 'updated', 'resolved']);
    assert.deepEqual(parsed[0], JSON.parse(JSON.stringify(alert('opened'))), 'the line is the Alert object');
    assert.equal(parsed[2].incident.state, 'resolved');
  });

  it('withholds identity values that are not keyed hashes', async () => {
    const path = join(dir, 'guard.ndjson');
    const sink = createSink({ type: 'ndjson', path });
    const raw = 'sid=raw-session-cookie-value' as never;
    await sink.send(alert('opened', { owners: [H.a, raw], viewers: [raw], pairs: [{ owner: raw, viewer: 'anonymous' }], samples: [{ ...alert().incident.samples[0]!, viewer: raw }] }));
    const text = await readFile(path, 'utf8');
    assert.ok(!text.includes('raw-session-cookie-value'));
    assert.ok(text.includes(WITHHELD));
    assert.ok(text.includes(H.a));
  });

  it('healthcheck and send name the problem when the directory is missing or the path is a directory', async () => {
    const missing = createSink({ type: 'ndjson', path: join(dir, 'no-such-dir', 'a.ndjson') });
    await assert.rejects(missing.healthcheck(), /directory .*no-such-dir is missing or not writable/);
    await assert.rejects(missing.send(alert('opened')), (e: unknown) => e instanceof SinkError && !e.retryable && /ENOENT/.test(e.message));
    await mkdir(join(dir, 'isdir'));
    const isDir = createSink({ type: 'ndjson', path: join(dir, 'isdir') });
    await assert.rejects(isDir.healthcheck(), /not a regular file/);
    await assert.rejects(isDir.send(alert('opened')), (e: unknown) => e instanceof SinkError && !e.retryable && /EISDIR/.test(e.message));
  });
});

describe('console sink', () => {
  it('prints the title and the indented body to the chosen stream', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const deps = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
    await createSink({ type: 'console' }, deps).send(alert('opened'));
    await createSink({ type: 'console', stream: 'stdout' }, deps).send(alert('resolved'));
    assert.equal(err.length, 1);
    assert.equal(out.length, 1);
    const { title, body } = formatText(alert('opened'));
    assert.equal(err[0], `cachewarden alert ${title}\n${body.split('\n').map((l) => (l ? `  ${l}` : '')).join('\n')}\n\n`);
    assert.match(out[0]!, /^cachewarden alert \[critical\] resolved: /);
  });
});
