/** fastly-json: the recommended real-time logging format (docs/log-recipes.md). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

// digest.hmac_sha256(<edge key>, <sid>) as Fastly writes it: 0x + 64 hex digits (invented values).
const VIEWER = '0x5f3c1d0e9b8a7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070e1';
const OWNER = '0x8c0a44d1f6209b7e3a5d1c0f9e8d7c6b5a4938271605f4e3d2c1b0a998877665';
const DIGEST = '5c0f3d7e9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293e21a';

function line(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    time: '1795259353412',
    elapsed_us: 413877,
    pop: 'NRT',
    node: 'cache-nrt-rjtf7700047-NRT',
    host: 'www.example.jp',
    method: 'GET',
    url: '/mypage',
    status: 200,
    state: 'HIT-WAIT',
    digest: DIGEST,
    viewer: VIEWER,
    owner: OWNER,
    set_cookie: '(null)',
    cache_control: 'private, no-store',
    age: '0',
    request_id: '0b2b3e5f9d7c41a8',
    ...over,
  });
}

describe('fastly-json', () => {
  const a = adapter('fastly-json');

  it('parses the recommended format: HIT-WAIT is COLLAPSED, req.digest is the key, edge-hashed ids hashed again', () => {
    const ev = parseOk(a, line());
    assert.deepEqual(ev, {
      time: 1795259353412,
      edge: 'cache-nrt-rjtf7700047-NRT',
      method: 'GET',
      url: '/mypage',
      outcome: 'COLLAPSED',
      status: 200,
      host: 'www.example.jp',
      key: DIGEST,
      viewer: h(VIEWER),
      owner: h(OWNER),
      setCookie: false,
      cacheControl: 'private, no-store',
      age: 0,
      durationMs: 413.877,
      requestId: '0b2b3e5f9d7c41a8',
    });
    assertNoRaw(ev, [VIEWER, OWNER]);
    assert.notEqual(ev.viewer, ev.owner);
  });

  it('an owner tag made the same way as the edge viewer hash matches the viewer', () => {
    const ev = parseOk(a, line({ owner: VIEWER, state: 'MISS' }));
    assert.equal(ev.owner, ev.viewer);
  });

  it('maps fastly_info.state with its suffixes', () => {
    const cases: Array<[string, string]> = [
      ['HIT', 'HIT'],
      ['HIT-CLUSTER', 'HIT'],
      ['HIT-WAIT', 'COLLAPSED'],
      ['HIT-CLUSTER-WAIT', 'COLLAPSED'],
      ['HIT-WAIT-CLUSTER', 'COLLAPSED'],
      ['MISS', 'MISS'],
      ['MISS-WAIT', 'MISS'],
      ['MISS-CLUSTER', 'MISS'],
      ['HIT-STALE', 'STALE'],
      ['HIT-REFRESH', 'REVALIDATED'],
      ['PASS', 'PASS'],
      ['HITPASS', 'PASS'],
      ['UPGRADE', 'PASS'],
      ['HIT-SYNTH', 'UNKNOWN'],
      ['ERROR', 'ERROR'],
      ['ERROR-LOSTHDR', 'ERROR'],
      ['BG-ERROR-HIT', 'ERROR'],
      ['NONE', 'UNKNOWN'],
    ];
    for (const [state, outcome] of cases) assert.equal(parseOk(a, line({ state })).outcome, outcome, state);
  });

  it('treats "(null)" (an unset VCL variable) as absent', () => {
    const ev = parseOk(a, line({ owner: '(null)', viewer: '(null)', cache_control: '(null)', age: '(null)' }));
    assert.equal(ev.owner, undefined);
    assert.equal(ev.viewer, undefined);
    assert.equal(ev.cacheControl, undefined);
    assert.equal(ev.age, undefined);
  });

  it('Set-Cookie handing out a session', () => {
    const ev = parseOk(a, line({ set_cookie: 'session=1f2e3d4c5b6a; Path=/; Secure; HttpOnly' }));
    assert.equal(ev.setCookie, true);
    assert.equal(ev.setCookieOwner, h('1f2e3d4c5b6a'));
  });

  it('field overrides with dot paths: a nested format, the POP as edge', () => {
    const nested = adapter('fastly-json', { fields: { cache: 'fastly.state', edge: 'pop', time: 'ts.end', duration: 'ts.elapsed_us', key: '' } });
    const ev = parseOk(nested, JSON.stringify({ ts: { end: 1795259353412, elapsed_us: 1200 }, url: '/a', status: 200, pop: 'NRT', fastly: { state: 'HIT-STALE' } }));
    assert.deepEqual(ev, { time: 1795259353412, edge: 'NRT', method: '-', url: '/a', outcome: 'STALE', status: 200, setCookie: false, durationMs: 1.2 });
    assert.equal(nested.fills.has('key'), false);
  });

  it('rejects', () => {
    assert.equal(rejectOf(a, line({ time: '(null)' })), 'missing_field');
    assert.equal(rejectOf(a, line({ status: '(null)' })), 'missing_field');
    assert.equal(rejectOf(a, '<134>2026-11-21T11:09:13Z cache-nrt-rjtf7700047 my-endpoint[1]: {"time":"1"}'), 'wrong_format');
  });
});
