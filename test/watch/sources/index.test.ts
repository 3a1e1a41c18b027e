import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { isCwError } from '../../../src/core/errors.ts';
import { createSource, describeInput, mergeSources, parseInput } from '../../../src/watch/sources/index.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../../src/watch/sources/input.ts';
import { collector, handleCounts, leakedSince, tempDir } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
before(() => (tmp = tempDir('index')));
after(() => tmp.cleanup());

const unreadable = (text: string) => (e: unknown) => isCwError(e) && e.code === 'CW_INPUT_UNREADABLE' && e.message.includes(text);

describe('describeInput / parseInput', () => {
  const cases: Array<[string, string, string]> = [
    ['/var/log/nginx/access.log', 'file', 'file /var/log/nginx/access.log'],
    ['relative/cache.log', 'file', 'file relative/cache.log'],
    ['-', 'stdin', 'standard input'],
    ['http://0.0.0.0:8514', 'http', 'HTTP receiver on http://0.0.0.0:8514/'],
    ['http://127.0.0.1:0/fastly', 'http', 'HTTP receiver on http://127.0.0.1:0/fastly'],
    ['http://[::1]:8514/cf/', 'http', 'HTTP receiver on http://[::1]:8514/cf'],
    ['syslog+udp://0.0.0.0:5514', 'syslog-udp', 'syslog over UDP on 0.0.0.0:5514'],
    ['syslog+tcp://[::]:6514', 'syslog-tcp', 'syslog over TCP on [::]:6514'],
    ['SYSLOG+UDP://localhost:5514', 'syslog-udp', 'syslog over UDP on localhost:5514'],
  ];
  for (const [input, kind, label] of cases) {
    it(`${input} → ${kind}`, () => assert.deepEqual(describeInput(input), { kind, label }));
  }

  it('reads receiver options from the query', () => {
    assert.deepEqual(parseInput('http://0.0.0.0:8514/logs?fastly-service-id=A,B&fastly-service-id=*&max-body=1048576'), {
      kind: 'http',
      host: '0.0.0.0',
      port: 8514,
      path: '/logs',
      fastlyServiceIds: ['A', 'B', '*'],
      maxBodyBytes: 1048576,
    });
    assert.equal((parseInput('http://0.0.0.0:8514') as { maxBodyBytes: number }).maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
    assert.equal(DEFAULT_MAX_BODY_BYTES, 64 * 1024 * 1024);
  });

  const bad: Array<[string, string]> = [
    ['https://0.0.0.0:8443', 'terminate TLS in front'],
    ['syslog://0.0.0.0:514', 'syslog+udp://'],
    ['ftp://x:21', 'unknown scheme "ftp"'],
    ['file:///var/log/x.log', 'give the path itself'],
    ['http://0.0.0.0', 'the port is missing'],
    ['http://0.0.0.0:99999', 'out of range'],
    ['http://user:pw@0.0.0.0:80', 'not a valid listen address'],
    ['http://0.0.0.0:80/?secret=x', 'unknown receiver option "secret"'],
    ['http://0.0.0.0:80/?max-body=lots', 'max-body must be a whole number'],
    ['syslog+udp://0.0.0.0:514/path', 'no path or options'],
    ['', 'empty input'],
  ];
  for (const [input, text] of bad) {
    it(`refuses ${JSON.stringify(input)} with a fix`, () => {
      assert.throws(() => describeInput(input), unreadable(text));
      assert.throws(() => createSource({ input }), unreadable(text));
    });
  }
});

describe('createSource', () => {
  it('dispatches on the input', () => {
    assert.equal(createSource({ input: tmp.path('a.log') }).kind, 'file');
    assert.equal(createSource({ input: '-' }).kind, 'stdin');
    assert.equal(createSource({ input: 'http://127.0.0.1:0' }).kind, 'http');
    assert.equal(createSource({ input: 'syslog+udp://127.0.0.1:0' }).kind, 'syslog-udp');
    assert.equal(createSource({ input: 'syslog+tcp://127.0.0.1:0' }).kind, 'syslog-tcp');
  });

  it('names sources after their input unless named', () => {
    assert.equal(createSource({ input: 'http://127.0.0.1:0/x' }).name, 'http://127.0.0.1:0/x');
    assert.equal(createSource({ input: '-' }).name, 'stdin');
    assert.equal(createSource({ input: '-', name: 'replay' }).name, 'replay');
  });

  it('refuses options that do not apply', () => {
    assert.throws(() => createSource({ input: 'http://127.0.0.1:0', once: true }), unreadable('once (replay) applies to files and stdin only'));
    assert.throws(() => createSource({ input: 'syslog+udp://127.0.0.1:0', secret: 's' }), unreadable('a secret applies to the HTTP receiver only'));
    assert.throws(() => createSource({ input: 'http://127.0.0.1:0', secret: '' }), unreadable('secret is empty'));
    assert.throws(() => createSource({ input: tmp.path('a.log'), maxLineBytes: 0 }), unreadable('maxLineBytes'));
  });

  it('a directory is refused at start, also when following', async () => {
    const src = createSource({ input: tmp.dir });
    await assert.rejects(src.start(() => {}), unreadable('not a regular file'));
    await src.stop();
  });
});

describe('mergeSources', () => {
  it('runs several sources at once, each batch tagged with its source, and stops them all', async () => {
    const baseline = handleCounts();
    const file = tmp.path('merged.log');
    writeFileSync(file, '');
    const group = mergeSources([createSource({ input: file, name: 'edge-file' }), createSource({ input: 'http://127.0.0.1:0', name: 'fastly' })]);
    const c = collector();
    await group.start(c.onBatch);
    appendFileSync(file, 'from-file\n');
    await c.waitForLines(1);
    const agent = new Agent();
    const res = await request(group.sources[1]!.address!, { method: 'POST', body: 'from-http\n', dispatcher: agent });
    await res.body.dump();
    await c.waitForLines(2);
    await group.stop();
    await group.done;
    await agent.close();
    assert.deepEqual(
      c.batches.map((b) => [b.source, b.lines]),
      [
        ['edge-file', ['from-file']],
        ['fastly', ['from-http']],
      ],
    );
    const st = group.stats();
    assert.deepEqual(Object.keys(st.bySource), ['edge-file', 'fastly']);
    assert.equal(st.total.lines, 2);
    assert.equal(st.total.batches, 2);
    assert.deepEqual(leakedSince(baseline), []);
  });

  it('if one source cannot start, the others are stopped and the error is thrown', async () => {
    const baseline = handleCounts();
    const file = tmp.path('ok.log');
    writeFileSync(file, '');
    const group = mergeSources([createSource({ input: file }), createSource({ input: tmp.path('missing.log'), once: true, name: 'replay' })]);
    await assert.rejects(group.start(() => {}), unreadable('missing.log'));
    await group.done;
    assert.deepEqual(leakedSince(baseline), []);
  });

  it('refuses two sources with one name', () => {
    assert.throws(() => mergeSources([createSource({ input: '-', name: 'x' }), createSource({ input: 'http://127.0.0.1:0', name: 'x' })]), unreadable('both named "x"'));
  });
});
