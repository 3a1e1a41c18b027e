/** nginx-json: the lab's `log_format cachewarden escape=json` lines, production variants, rejects. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

const SID = '0123456789abcdef0123456789abcdef';
const OWNER_TAG = 'h:JMLZobjSHIUGig2iRt_36A';

/** The lab's line shape (docs/lab.md §4), as nginx writes it. */
function line(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    time: '2026-11-21T11:09:13+00:00',
    msec: 1795259353.67,
    edge: 'edge-tyo-1',
    host: 'www.example.jp',
    method: 'GET',
    uri: '/mypage',
    status: 200,
    cache: 'HIT',
    identity: SID,
    identity_kind: 'cookie',
    owner: OWNER_TAG,
    set_cookie: '',
    cache_control: 'private, no-store',
    expires: '',
    vary: '',
    age: '',
    bytes: 1401,
    request_time: 0.004,
    upstream_response_time: '',
    upstream_status: '',
    request_id: 'e19b4a937536ac09e283f74d52e1986a',
    ...over,
  });
}

describe('nginx-json', () => {
  const a = adapter('nginx-json');

  it('parses the lab line into the exact event, identity hashed, owner tag kept', () => {
    const ev = parseOk(a, line());
    assert.deepEqual(ev, {
      time: 1795259353670,
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
      durationMs: 4,
      requestId: 'e19b4a937536ac09e283f74d52e1986a',
    });
    assertNoRaw(ev, [SID]);
  });

  it('fills exactly the fields of its default map', () => {
    assert.deepEqual(
      [...a.fills].sort(),
      ['age', 'cache', 'cacheControl', 'duration', 'edge', 'host', 'identity', 'method', 'owner', 'requestId', 'setCookie', 'status', 'time', 'uri'].sort(),
    );
  });

  it('maps $upstream_cache_status words; "-" and "" are PASS (no cache on the location)', () => {
    const cases: Array<[string, string]> = [
      ['HIT', 'HIT'],
      ['MISS', 'MISS'],
      ['EXPIRED', 'EXPIRED'],
      ['STALE', 'STALE'],
      ['UPDATING', 'UPDATING'],
      ['REVALIDATED', 'REVALIDATED'],
      ['BYPASS', 'BYPASS'],
      ['-', 'PASS'],
      ['', 'PASS'],
    ];
    for (const [word, outcome] of cases) assert.equal(parseOk(a, line({ cache: word })).outcome, outcome, word);
    assert.equal(parseOk(a, line({ cache: undefined })).outcome, 'PASS', 'no cache field at all');
  });

  it('reads the CDN emulator line: cache_detail "collapsed" is COLLAPSED', () => {
    const emulated = JSON.stringify({
      time: '2026-11-21T11:09:13.670Z',
      msec: 1795259353.67,
      edge: 'edge-emulator-1',
      host: '127.0.0.1:40123',
      method: 'GET',
      uri: '/mypage',
      status: 200,
      cache: 'HIT',
      cache_detail: 'collapsed',
      identity: SID,
      owner: OWNER_TAG,
      set_cookie: '',
      cache_control: 'no-cache',
      age: '0',
      request_time: 0.301234,
    });
    const ev = parseOk(a, emulated);
    assert.equal(ev.outcome, 'COLLAPSED');
    assert.equal(ev.age, 0);
    assert.equal(ev.durationMs, 301.234);
    assert.equal(ev.time, 1795259353670);
  });

  it('takes the ISO time when msec is absent', () => {
    assert.equal(parseOk(a, line({ msec: undefined })).time, Date.UTC(2026, 10, 21, 11, 9, 13));
    assert.equal(parseOk(a, line({ msec: '', time: '21/Nov/2026:20:09:13 +0900' })).time, Date.UTC(2026, 10, 21, 11, 9, 13));
  });

  it('hashes a bearer token, a whole Cookie header, and an edge-hashed value; anonymous stays empty', () => {
    assert.equal(parseOk(a, line({ identity: 'Bearer tok.abc.def' })).viewer, h('tok.abc.def'));
    const cookie = parseOk(a, line({ identity: `theme=dark; sid=${SID}; lang=ja` }));
    assert.equal(cookie.viewer, h(SID));
    assertNoRaw(cookie, [SID, 'theme=dark']);
    assert.equal(parseOk(a, line({ identity: 'theme=dark; lang=ja' })).viewer, undefined, 'a Cookie header without an identity cookie is anonymous');
    assert.equal(parseOk(a, line({ identity: 'dGVzdC10b2tlbg==' })).viewer, h('dGVzdC10b2tlbg=='), 'base64 padding is not a cookie');
    assert.equal(parseOk(a, line({ identity: OWNER_TAG })).viewer, OWNER_TAG, 'a value already in h: form is kept');
    assert.equal(parseOk(a, line({ identity: '' })).viewer, undefined);
    assert.equal(parseOk(a, line({ identity: '-' })).viewer, undefined);
  });

  it('hashes an owner that is not in h: form', () => {
    assert.equal(parseOk(a, line({ owner: 'user-4711' })).owner, h('user-4711'));
  });

  it('Set-Cookie: any cookie sets setCookie; an identity cookie also sets setCookieOwner (hashed)', () => {
    const handover = parseOk(a, line({ set_cookie: 'sid=feedfacefeedface; Path=/; HttpOnly; SameSite=Lax' }));
    assert.equal(handover.setCookie, true);
    assert.equal(handover.setCookieOwner, h('feedfacefeedface'));
    assertNoRaw(handover, ['feedfacefeedface']);
    const theme = parseOk(a, line({ set_cookie: 'theme=dark; Path=/' }));
    assert.equal(theme.setCookie, true);
    assert.equal(theme.setCookieOwner, undefined);
    const two = parseOk(a, line({ set_cookie: 'theme=dark; Expires=Wed, 21 Oct 2026 07:28:00 GMT, session=cafebabe; Path=/' }));
    assert.equal(two.setCookieOwner, h('cafebabe'), 'several Set-Cookie joined with ", "');
    const custom = adapter('nginx-json', { identityCookies: ['__Host-auth'] });
    assert.equal(parseOk(custom, line({ set_cookie: '__Host-auth=abc123; Secure; Path=/' })).setCookieOwner, h('abc123'));
    assert.equal(parseOk(custom, line({ identity: `sid=${SID}; __Host-auth=xyz789` })).viewer, h('xyz789'));
  });

  it('takes field overrides, dot paths into nested objects, and removes a field given an empty source', () => {
    const custom = adapter('nginx-json', { fields: { uri: 'request_uri', cache: 'ucs', identity: 'viewer.sid', owner: 'resp.owner', edge: 'node' } });
    const ev = parseOk(custom, JSON.stringify({ msec: '1795259353.670', request_uri: '/a?b=1', status: '404', ucs: 'MISS', node: 'edge-9', viewer: { sid: SID }, resp: { owner: 'uid-1' } }));
    assert.deepEqual(ev, { time: 1795259353670, edge: 'edge-9', method: '-', url: '/a?b=1', outcome: 'MISS', status: 404, viewer: h(SID), owner: h('uid-1'), setCookie: false });
    const noOwner = adapter('nginx-json', { fields: { owner: '' } });
    assert.equal(noOwner.fills.has('owner'), false);
    assert.equal(parseOk(noOwner, line()).owner, undefined);
    const literal = adapter('nginx-json', { fields: { cache: 'upstream.cache_status' } });
    assert.equal(parseOk(literal, line({ 'upstream.cache_status': 'STALE' })).outcome, 'STALE', 'a literal key with a dot wins over the path');
  });

  it('uses the default edge when the line names none', () => {
    const a2 = adapter('nginx-json', { defaultEdge: 'edge-from-config' });
    assert.equal(parseOk(a2, line({ edge: '' })).edge, 'edge-from-config');
    assert.equal(parseOk(a2, line()).edge, 'edge-tyo-1');
    assert.equal(parseOk(a, line({ edge: undefined })).edge, '');
  });

  it('rejects bad lines with the exact reason, never throwing, never echoing identities', () => {
    const cases: Array<[string, string]> = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['{"uri":"/mypage","status":200,', 'bad_json'],
      ['"status":200}', 'bad_json'],
      ['[{"uri":"/"}]', 'bad_json'],
      [JSON.stringify({ msec: 1795259353.67, status: 200 }), 'missing_field'],
      [JSON.stringify({ msec: 1795259353.67, uri: '/mypage' }), 'missing_field'],
      [JSON.stringify({ uri: '/mypage', status: 200, identity: SID }), 'missing_field'],
      [JSON.stringify({ RayID: 'x', EdgeResponseStatus: 200 }), 'wrong_format'],
      [line({ msec: 'yesterday', time: '' }), 'bad_time'],
      [line({ msec: 0 }), 'bad_time'],
      [line({ status: 'OK' }), 'bad_status'],
      [line({ status: 1200 }), 'bad_status'],
      ['2017-06-22\t02:14:07\tNRT57-P2\t18602\t203.0.113.24\tGET', 'wrong_format'],
      ['203.0.113.9 - - [21/Nov/2026:11:09:13 +0000] "GET /mypage HTTP/1.1" 200 1401', 'wrong_format'],
      [`{"uri":"/x","status":200,"identity":"${SID}\u0000"}`, 'binary'],
      ['\u0000\u0001\u0002', 'binary'],
    ];
    for (const [l, reason] of cases) {
      assert.equal(rejectOf(a, l), reason, l);
      const r = a.parse(l);
      assertNoRaw(r, [SID]);
    }
    const short = adapter('nginx-json', { maxLineLength: 100 });
    assert.equal(rejectOf(short, line()), 'too_long');
    assert.equal(rejectOf(short, `${'x'.repeat(101)}`), 'too_long', 'checked before anything else');
  });

  it('accepts CRLF line ends and a byte-order mark', () => {
    assert.equal(parseOk(a, `${line()}\r`).outcome, 'HIT');
    assert.equal(parseOk(a, `\uFEFF${line()}`).outcome, 'HIT');
  });
});
