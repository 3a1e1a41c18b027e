/** varnishncsa: the lab's `varnishncsa -j` JSON lines, waiting-list collapse, handling fallback. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

const SID = 'fedcba9876543210fedcba9876543210';
const OWNER_TAG = 'h:JMLZobjSHIUGig2iRt_36A';

/** The lab's VARNISHNCSA_FORMAT output (docs/lab.md §4): strings everywhere but status and duration_us. */
function line(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    time: '2026-11-21T11:09:15+0000',
    msec: '1795259355.091874',
    edge: 'edge-tyo-1',
    host: 'www.example.jp',
    method: 'GET',
    uri: '/mypage',
    status: 200,
    cache: 'HIT',
    handling: 'hit',
    waitinglist: '',
    identity: SID,
    identity_kind: 'cookie',
    owner: OWNER_TAG,
    set_cookie: '',
    cache_control: 'private, no-store',
    expires: '',
    vary: '',
    age: '3',
    bytes: '1401',
    duration_us: 151,
    ttfb: '0.000069',
    fetch_time: '',
    vxid: '32770',
    hit_vxid: '65539',
    ...over,
  });
}

describe('varnishncsa', () => {
  const a = adapter('varnishncsa');

  it('parses the lab line into the exact event', () => {
    const ev = parseOk(a, line());
    assert.deepEqual(ev, {
      time: 1795259355091.874,
      edge: 'edge-tyo-1',
      method: 'GET',
      url: '/mypage',
      outcome: 'HIT',
      status: 200,
      host: 'www.example.jp',
      viewer: h(SID),
      owner: OWNER_TAG,
      setCookie: false,
      cacheControl: 'private, no-store',
      age: 3,
      durationMs: 0.151,
      requestId: '32770',
    });
    assertNoRaw(ev, [SID]);
  });

  it('a hit that came off the waiting list is COLLAPSED; a miss after waiting stays MISS', () => {
    assert.equal(parseOk(a, line({ waitinglist: '1795259355.090112' })).outcome, 'COLLAPSED');
    assert.equal(parseOk(a, line({ cache: 'MISS', handling: 'miss', waitinglist: '1795259355.090112' })).outcome, 'MISS');
    assert.equal(parseOk(a, line({ waitinglist: '' })).outcome, 'HIT');
  });

  it('maps X-Cache words, and falls back to Varnish:handling when X-Cache is not logged', () => {
    const xcache: Array<[string, string]> = [
      ['HIT', 'HIT'],
      ['STALE', 'STALE'],
      ['MISS', 'MISS'],
      ['PASS', 'PASS'],
      ['SYNTH', 'UNKNOWN'],
    ];
    for (const [word, outcome] of xcache) assert.equal(parseOk(a, line({ cache: word })).outcome, outcome, word);
    const handling: Array<[string, string]> = [
      ['hit', 'HIT'],
      ['miss', 'MISS'],
      ['hitmiss', 'MISS'],
      ['hitpass', 'PASS'],
      ['pass', 'PASS'],
      ['pipe', 'PASS'],
      ['synth', 'UNKNOWN'],
    ];
    for (const [word, outcome] of handling) assert.equal(parseOk(a, line({ cache: '', handling: word })).outcome, outcome, word);
  });

  it('reads the lab probe lines too (answered by the edge itself)', () => {
    const probe = parseOk(a, line({ uri: '/__lab/sync/42', status: 204, cache: 'SYNTH', handling: 'synth', identity: '', owner: '', cache_control: '', age: '' }));
    assert.deepEqual(probe, { time: 1795259355091.874, edge: 'edge-tyo-1', method: 'GET', url: '/__lab/sync/42', outcome: 'UNKNOWN', status: 204, host: 'www.example.jp', setCookie: false, durationMs: 0.151, requestId: '32770' });
  });

  it('hashes a bearer token and the session a Set-Cookie hands out', () => {
    assert.equal(parseOk(a, line({ identity: 'Bearer eyJhbGciOi.payload.sig', identity_kind: 'bearer' })).viewer, h('eyJhbGciOi.payload.sig'));
    const ev = parseOk(a, line({ set_cookie: 'sid=0badc0de0badc0de; Path=/; HttpOnly' }));
    assert.equal(ev.setCookieOwner, h('0badc0de0badc0de'));
    assertNoRaw(ev, ['0badc0de0badc0de']);
  });

  it('takes the request-start time when Resp is missing', () => {
    assert.equal(parseOk(a, line({ msec: '' })).time, Date.UTC(2026, 10, 21, 11, 9, 15));
  });

  it('rejects what is not a varnishncsa -j line', () => {
    assert.equal(rejectOf(a, '203.0.113.9 - - [21/Nov/2026:11:09:15 +0000] "GET http://www.example.jp/mypage HTTP/1.1" 200 1401 "-" "curl/8.5.0"'), 'wrong_format');
    assert.equal(rejectOf(a, line().slice(0, 80)), 'bad_json');
    assert.equal(rejectOf(a, line({ status: '' })), 'missing_field');
    assert.equal(rejectOf(a, line({ msec: 'x', time: 'y' })), 'bad_time');
  });
});
