import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { isCwError } from '../../../src/core/errors.ts';
import { parseSyslog, SyslogTcpFramer } from '../../../src/watch/sources/syslog-parse.ts';
import { createSyslogSource } from '../../../src/watch/sources/syslog.ts';
import type { LineSource, SourceSpec } from '../../../src/watch/sources/types.ts';
import { collector, handleCounts, leakedSince, tempDir, waitUntil } from './helpers.ts';

// Captured from nginx 1.22.1 (`access_log syslog:server=127.0.0.1:15514 j;` with an escape=json
// log_format, and `syslog:server=…,tag=edge1,nohostname,facility=local0 combined`): one UDP
// datagram per line, RFC 3164 header, no trailing newline.
const NGINX_JSON = '{"msec":"1795261556.103","uri":"/mypage?x=1","status":200,"ua":"Mozilla/5.0 \\"q\\""}';
const NGINX_DEFAULT = `<190>Nov 21 11:45:56 vm nginx: ${NGINX_JSON}`;
const NGINX_COMBINED = '127.0.0.1 - - [21/Nov/2026:11:45:56 +0000] "GET /mypage?x=1 HTTP/1.1" 200 3 "-" "Mozilla/5.0 \\x22q\\x22"';
const NGINX_NOHOSTNAME = `<134>Nov 21 11:45:56 edge1: ${NGINX_COMBINED}`;
// nginx pads the day with a space (`%2d`).
const NGINX_EARLY_DAY = `<190>Nov  5 09:41:00 edge-tyo-03 nginx: ${NGINX_JSON}`;

// RFC 5424 §6.5 examples (BOM before the message), and what `logger --rfc5424` sends.
const BOM = '\uFEFF';
const RFC5424_1 = `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`;
const RFC5424_SD = `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`;
const RFC5424_SD_ONLY = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]';
const LOGGER_5424 = `<13>1 2026-11-21T11:45:56.123456+00:00 vm cdn-relay - - [timeQuality tzKnown="1" isSynced="1" syncAccuracy="42000"] ${NGINX_JSON}`;
const ESCAPED_SD = '<14>1 2026-11-21T11:45:56Z h app 123 - [x@1 k="a \\"q\\" \\] \\\\ end"] after-sd';
const RFC3164 = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8";
const RFC3164_PID = '<30>Nov 21 11:45:56 web-01 varnishncsa[812]: 203.0.113.24 GET /mypage hit';

const GARBAGE = ['hello world', '<999>Nov 21 11:45:56 h t: x', '<13>1 yesterday h app - - - msg', '<13>1 2026-11-21T11:45:56Z h app - - [unterminated sd', '<13>no timestamp here', '\u0000\u0001\u00ff\u00fe', '<>x'];

describe('syslog parsing', () => {
  const cases: Array<[string, string, string]> = [
    ['nginx default (hostname + tag)', NGINX_DEFAULT, NGINX_JSON],
    ['nginx nohostname with a custom tag', NGINX_NOHOSTNAME, NGINX_COMBINED],
    ['nginx on a single-digit day', NGINX_EARLY_DAY, NGINX_JSON],
    ['RFC 3164 example', RFC3164, "'su root' failed for lonvick on /dev/pts/8"],
    ['RFC 3164 tag[pid]', RFC3164_PID, '203.0.113.24 GET /mypage hit'],
    ['RFC 5424 with BOM', RFC5424_1, "'su root' failed for lonvick on /dev/pts/8"],
    ['RFC 5424 with structured data', RFC5424_SD, 'An application event log entry...'],
    ['logger --rfc5424', LOGGER_5424, NGINX_JSON],
    ['RFC 5424 with escapes in structured data', ESCAPED_SD, 'after-sd'],
    ['trailing newline and CR are not part of the message', `${NGINX_DEFAULT}\r\n`, NGINX_JSON],
    ['RFC 3339 timestamp in a BSD-style header', `<13>2026-11-21T11:45:56.123+09:00 host app: ${NGINX_JSON}`, NGINX_JSON],
    // Fastly's syslog endpoint, message_type "classic" (its documented example prefix).
    ['Fastly classic', `<134>2016-07-04T22:37:26Z cache-sjc3128 LogTest[62959]: ${NGINX_JSON}`, NGINX_JSON],
    // Fastly's "loggly" message type is RFC 5424 with structured data.
    ['Fastly loggly (RFC 5424)', `<134>1 2016-07-04T22:37:26Z cache-sjc3128 cw - - [abc@41058 tag="fastly"] ${NGINX_JSON}`, NGINX_JSON],
  ];
  for (const [what, frame, msg] of cases) {
    it(what, () => {
      const r = parseSyslog(frame);
      assert.ok(r.ok, `rejected: ${JSON.stringify(r)}`);
      assert.equal(r.msg, msg);
    });
  }
  it('reports header fields of nginx frames', () => {
    assert.deepEqual(parseSyslog(NGINX_DEFAULT), { ok: true, format: 'rfc3164', pri: 190, hostname: 'vm', app: 'nginx', msg: NGINX_JSON });
    assert.deepEqual(parseSyslog(NGINX_NOHOSTNAME), { ok: true, format: 'rfc3164', pri: 134, hostname: undefined, app: 'edge1', msg: NGINX_COMBINED });
    assert.deepEqual(parseSyslog(RFC5424_SD_ONLY), { ok: true, format: 'rfc5424', pri: 165, hostname: 'mymachine.example.com', app: 'evntslog', msg: '' });
  });
  for (const g of GARBAGE) {
    it(`rejects ${JSON.stringify(g)}`, () => assert.equal(parseSyslog(g).ok, false));
  }
});

describe('RFC 6587 framing', () => {
  function frames(chunks: Buffer[], max = 1 << 20) {
    const got: Array<[string, boolean]> = [];
    const f = new SyslogTcpFramer(max, (frame, cut) => got.push([frame.toString('utf8'), cut]));
    for (const c of chunks) f.push(c);
    return { got, complete: f.end() };
  }
  const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;

  it('splits octet-counted and newline frames on the same stream, whatever the chunking', () => {
    const stream = Buffer.from(`${octet(RFC5424_1)}${octet(`line with\nnewline inside`)}${NGINX_DEFAULT}\n${octet(RFC3164)}\n${NGINX_NOHOSTNAME}`);
    const expected: Array<[string, boolean]> = [
      [RFC5424_1, false],
      ['line with\nnewline inside', false],
      [NGINX_DEFAULT, false],
      [RFC3164, false],
      [NGINX_NOHOSTNAME, false],
    ];
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      const { got, complete } = frames(chunks);
      assert.deepEqual(got, expected, `chunk size ${size}`);
      assert.equal(complete, true);
    }
  });

  it('cuts frames above the cap without buffering them, and reports a frame cut short by the peer', () => {
    const big = `<13>Nov 21 11:45:56 h t: ${'x'.repeat(1000)}`;
    const { got, complete } = frames([Buffer.from(`${octet(big)}${octet('<13>Nov 21 11:45:56 h t: ok')}500 <13>Nov`)], 64);
    assert.deepEqual(got, [
      [big.slice(0, 64), true],
      ['<13>Nov 21 11:45:56 h t: ok', false],
    ]);
    assert.equal(complete, false);
  });

  it('digits that are not a length prefix fall back to a newline frame', () => {
    const { got } = frames([Buffer.from('12345abc\n')]);
    assert.deepEqual(got, [['12345abc', false]]);
  });
});

const running: LineSource[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function listener(spec: SourceSpec) {
  const c = collector();
  const src = createSyslogSource(spec);
  running.push(src);
  await src.start(c.onBatch);
  const port = Number(/:(\d+)$/.exec(src.address!)![1]);
  assert.notEqual(port, 0);
  return { c, src, port };
}

function sendUdp(port: number, messages: Array<string | Buffer>): Promise<void> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = (): void => {
      if (i === messages.length) {
        sock.close();
        resolve();
        return;
      }
      const m = messages[i++]!;
      sock.send(typeof m === 'string' ? Buffer.from(m) : m, port, '127.0.0.1', (e) => (e ? reject(e) : next()));
    };
    next();
  });
}

function sendTcp(port: number, chunks: Array<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', async () => {
      for (const ch of chunks) {
        sock.write(ch);
        await new Promise((r) => setImmediate(r));
      }
      sock.end();
    });
    sock.on('close', () => resolve());
    sock.on('error', reject);
  });
}

describe('syslog over UDP', () => {
  it('delivers the MSG of each datagram and counts garbage as rejected', async () => {
    const { c, src, port } = await listener({ input: 'syslog+udp://127.0.0.1:0' });
    assert.match(src.address!, /^syslog\+udp:\/\/127\.0\.0\.1:\d+$/);
    const good = [NGINX_DEFAULT, NGINX_NOHOSTNAME, NGINX_EARLY_DAY, RFC5424_SD, LOGGER_5424, RFC3164_PID, `${NGINX_DEFAULT}\n`];
    await sendUdp(port, [...good.slice(0, 3), ...GARBAGE, RFC5424_SD_ONLY, ...good.slice(3)]);
    await waitUntil(() => src.stats().lines + src.stats().rejected >= good.length + GARBAGE.length, 'every datagram is accounted for');
    assert.deepEqual(c.lines, [NGINX_JSON, NGINX_COMBINED, NGINX_JSON, 'An application event log entry...', NGINX_JSON, '203.0.113.24 GET /mypage hit', NGINX_JSON]);
    const st = src.stats();
    assert.deepEqual([st.lines, st.rejected, st.errors, st.oversized], [7, GARBAGE.length, 0, 0]);
    assert.equal(st.bytes, [...good, ...GARBAGE, RFC5424_SD_ONLY].reduce((n, m) => n + Buffer.byteLength(m), 0));
  });

  it('cuts a message longer than maxLineBytes', async () => {
    const { c, src, port } = await listener({ input: 'syslog+udp://127.0.0.1:0', maxLineBytes: 10 });
    await sendUdp(port, [`<13>Nov 21 11:45:56 h t: ${'m'.repeat(100)}`, '<13>Nov 21 11:45:56 h t: short']);
    await c.waitForLines(2);
    assert.deepEqual(c.lines, ['m'.repeat(10), 'short']);
    assert.equal(src.stats().oversized, 1);
  });

  it('a port in use is CW_INPUT_UNREADABLE', async () => {
    const { port } = await listener({ input: 'syslog+udp://127.0.0.1:0' });
    const second = createSyslogSource({ input: `syslog+udp://127.0.0.1:${port}` });
    await assert.rejects(second.start(() => {}), (e: unknown) => isCwError(e) && e.code === 'CW_INPUT_UNREADABLE' && e.message.includes(`127.0.0.1:${port}`) && e.message.includes('address already in use'));
    await second.stop();
  });
});

describe('syslog over TCP', () => {
  it('takes octet-counted and newline-delimited frames, split anywhere', async () => {
    const { c, src, port } = await listener({ input: 'syslog+tcp://127.0.0.1:0' });
    const stream = `${Buffer.byteLength(RFC5424_1)} ${RFC5424_1}${NGINX_DEFAULT}\n${Buffer.byteLength(LOGGER_5424)} ${LOGGER_5424}${NGINX_NOHOSTNAME}\r\n${RFC3164}`;
    const chunks: string[] = [];
    for (let i = 0; i < stream.length; i += 13) chunks.push(stream.slice(i, i + 13));
    await sendTcp(port, chunks);
    await c.waitForLines(5);
    assert.deepEqual(c.lines, ["'su root' failed for lonvick on /dev/pts/8", NGINX_JSON, NGINX_JSON, NGINX_COMBINED, "'su root' failed for lonvick on /dev/pts/8"]);
    assert.deepEqual([src.stats().rejected, src.stats().errors], [0, 0]);
    assert.equal(src.stats().bytes, Buffer.byteLength(stream));
  });

  it('counts garbage frames, survives binary noise, and counts a frame cut short', async () => {
    const { c, src, port } = await listener({ input: 'syslog+tcp://127.0.0.1:0' });
    await sendTcp(port, ['not syslog\n', Buffer.from([0xff, 0x00, 0xfe, 0x0a]), `${NGINX_DEFAULT}\n`, '<13>1 bad-ts h a - - - m\n', '400 <13>Nov 21 11:45:56 h t: cut']);
    await waitUntil(() => src.stats().errors === 1, 'the connection end is processed');
    assert.deepEqual(c.lines, [NGINX_JSON]);
    assert.deepEqual([src.stats().lines, src.stats().rejected, src.stats().errors], [1, 3, 1]);
  });

  it('serves several connections at once', async () => {
    const { c, port } = await listener({ input: 'syslog+tcp://127.0.0.1:0' });
    const conns = 10;
    const per = 100;
    await Promise.all(
      Array.from({ length: conns }, (_, k) =>
        sendTcp(port, [Array.from({ length: per }, (_, i) => `<134>Nov 21 11:45:56 edge${k}: {"c":${k},"i":${i}}\n`).join('')]),
      ),
    );
    await c.waitForLines(conns * per);
    for (let k = 0; k < conns; k++) {
      assert.deepEqual(
        c.lines.filter((l) => l.startsWith(`{"c":${k},`)),
        Array.from({ length: per }, (_, i) => `{"c":${k},"i":${i}}`),
      );
    }
  });

  it('stop() closes the listener and open connections', async () => {
    const baseline = handleCounts();
    const c = collector();
    const src = createSyslogSource({ input: 'syslog+tcp://127.0.0.1:0' });
    await src.start(c.onBatch);
    const port = Number(/:(\d+)$/.exec(src.address!)![1]);
    const sock = connect(port, '127.0.0.1');
    const closed = new Promise((r) => sock.on('close', r));
    sock.on('error', () => {});
    sock.write(`${NGINX_DEFAULT}\n`);
    await c.waitForLines(1);
    await src.stop();
    await src.done;
    await closed;
    const udp = createSyslogSource({ input: 'syslog+udp://127.0.0.1:0' });
    await udp.start(() => {});
    await udp.stop();
    assert.deepEqual(leakedSince(baseline), []);
  });
});

const nginxBin = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => spawnSync(p, ['-v']).status === 0);

describe('syslog from a real nginx', { skip: nginxBin === undefined ? 'nginx is not installed' : false }, () => {
  let child: ChildProcess | undefined;
  const tmp = tempDir('nginx-syslog');
  after(() => {
    child?.kill('SIGKILL');
    tmp.cleanup();
  });

  it('delivers nginx access_log syslog lines as sent', async () => {
    const { c, port } = await listener({ input: 'syslog+udp://127.0.0.1:0' });
    const httpPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const conf = tmp.path('nginx.conf');
    const t = tmp.dir;
    writeFileSync(
      conf,
      `daemon off; master_process off; pid ${t}/nginx.pid; error_log ${t}/error.log;
events {}
http {
  client_body_temp_path ${t}/cb; proxy_temp_path ${t}/pt; fastcgi_temp_path ${t}/ft; uwsgi_temp_path ${t}/ut; scgi_temp_path ${t}/st;
  log_format cw escape=json '{"uri":"$request_uri","status":$status,"ua":"$http_user_agent"}';
  server {
    listen 127.0.0.1:${httpPort};
    access_log syslog:server=127.0.0.1:${port} cw;
    access_log syslog:server=127.0.0.1:${port},tag=edge1,nohostname,facility=local0 cw;
    location / { return 200 "ok\\n"; }
  }
}
`,
    );
    child = spawn(nginxBin!, ['-p', `${t}/`, '-c', conf], { stdio: 'ignore' });
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = await httpGet(`http://127.0.0.1:${httpPort}/mypage?x=1`, { 'user-agent': 'ua "q"' }).then(
        (body) => body === 'ok\n',
        () => false,
      );
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ok, 'nginx answered');
    await c.waitForLines(2, 10_000);
    const expected = '{"uri":"/mypage?x=1","status":200,"ua":"ua \\"q\\""}';
    assert.deepEqual(c.lines.slice(0, 2), [expected, expected]);
  });
});

function httpGet(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}
