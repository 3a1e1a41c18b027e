/** cloudflare: Logpush http_requests NDJSON with custom fields, every timestamp_format. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

const SID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const OWNER_TAG = 'h:8c0a44d1f620AbCdEfGhIj';

/** An http_requests record as Logpush writes it (default unixnano timestamps), custom fields included. */
function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RayID: '8f3a1c2b9d7e4a10',
    EdgeStartTimestamp: 1795259352995000000,
    EdgeEndTimestamp: 1795259353412000000,
    EdgeColoCode: 'NRT',
    ClientIP: '203.0.113.24',
    ClientRequestHost: 'www.example.jp',
    ClientRequestMethod: 'GET',
    ClientRequestURI: '/mypage?tab=orders',
    CacheCacheStatus: 'hit',
    OriginResponseStatus: 0,
    EdgeResponseStatus: 200,
    EdgeResponseBytes: 18234,
    EdgeResponseContentType: 'text/html',
    Cookies: { sid: SID },
    RequestHeaders: { cookie: `_ga=GA1.2.3; sid=${SID}`, authorization: 'Bearer tok-123' },
    ResponseHeaders: { 'x-cachewarden-owner': OWNER_TAG, 'cache-control': 'private, no-store', age: '12' },
    ...over,
  };
}
const line = (over: Record<string, unknown> = {}) => JSON.stringify(record(over));

describe('cloudflare', () => {
  const a = adapter('cloudflare');

  it('parses a record with custom fields into the exact event', () => {
    const ev = parseOk(a, line());
    assert.deepEqual(ev, {
      time: 1795259353412,
      edge: 'NRT',
      method: 'GET',
      url: '/mypage?tab=orders',
      outcome: 'HIT',
      status: 200,
      host: 'www.example.jp',
      viewer: h(SID),
      owner: OWNER_TAG,
      setCookie: false,
      cacheControl: 'private, no-store',
      age: 12,
      durationMs: 417,
      requestId: '8f3a1c2b9d7e4a10',
    });
    assertNoRaw(ev, [SID, 'tok-123', '_ga']);
  });

  it('reads every timestamp_format: unixnano, unix, rfc3339', () => {
    assert.equal(parseOk(a, line({ EdgeStartTimestamp: 1795259352, EdgeEndTimestamp: 1795259353 })).time, 1795259353000);
    assert.equal(parseOk(a, line({ EdgeStartTimestamp: 1795259352, EdgeEndTimestamp: 1795259353 })).durationMs, 1000);
    const rfc = parseOk(a, line({ EdgeStartTimestamp: '2026-11-21T11:09:12Z', EdgeEndTimestamp: '2026-11-21T11:09:13Z' }));
    assert.equal(rfc.time, Date.UTC(2026, 10, 21, 11, 9, 13));
    assert.equal(rfc.durationMs, 1000);
    assert.equal(parseOk(a, line({ EdgeEndTimestamp: '1795259353412000000' })).time, 1795259353412, 'a nanosecond string');
    assert.equal(parseOk(a, line({ EdgeStartTimestamp: undefined })).durationMs, undefined);
  });

  it('maps CacheCacheStatus (bypass and dynamic are PASS for Cloudflare)', () => {
    const cases: Array<[string, string]> = [
      ['hit', 'HIT'],
      ['stream_hit', 'HIT'],
      ['miss', 'MISS'],
      ['expired', 'EXPIRED'],
      ['updating', 'UPDATING'],
      ['stale', 'STALE'],
      ['revalidated', 'REVALIDATED'],
      ['bypass', 'PASS'],
      ['dynamic', 'PASS'],
      ['ignored', 'PASS'],
      ['unknown', 'UNKNOWN'],
      ['deferred', 'UNKNOWN'],
    ];
    for (const [word, outcome] of cases) assert.equal(parseOk(a, line({ CacheCacheStatus: word })).outcome, outcome, word);
  });

  it('Set-Cookie from ResponseHeaders, or all of them from ResponseFields (preserve_duplicates)', () => {
    const one = parseOk(a, line({ ResponseHeaders: { 'set-cookie': `sid=${SID}; Path=/; HttpOnly` } }));
    assert.equal(one.setCookie, true);
    assert.equal(one.setCookieOwner, h(SID));
    const all = parseOk(a, line({ ResponseFields: { 'set-cookie': ['theme=dark; Path=/', 'session=0ddba11; Path=/; Secure'] } }));
    assert.equal(all.setCookie, true);
    assert.equal(all.setCookieOwner, h('0ddba11'));
    assertNoRaw(all, ['0ddba11']);
  });

  it('a job without custom fields still parses: no viewer, no owner', () => {
    const ev = parseOk(a, line({ Cookies: undefined, RequestHeaders: undefined, ResponseHeaders: undefined }));
    assert.equal(ev.viewer, undefined);
    assert.equal(ev.owner, undefined);
    assert.equal(ev.setCookie, false);
    const noCustom = adapter('cloudflare', { fields: { identity: '', owner: '', setCookie: '', cacheControl: '', age: '' } });
    assert.deepEqual([...noCustom.fills].sort(), ['cache', 'duration', 'edge', 'host', 'method', 'requestId', 'status', 'time', 'uri']);
  });

  it('the identity from a whole Cookie request header or a bearer token', () => {
    const byHeader = adapter('cloudflare', { fields: { identity: 'RequestHeaders.cookie' } });
    assert.equal(parseOk(byHeader, line()).viewer, h(SID));
    const byToken = adapter('cloudflare', { fields: { identity: 'RequestHeaders.authorization' } });
    assert.equal(parseOk(byToken, line()).viewer, h('tok-123'));
    const other = adapter('cloudflare', { identityCookies: ['__Secure-auth'] });
    assert.equal(parseOk(other, line({ Cookies: { '__Secure-auth': 'abc', sid: SID } })).viewer, h('abc'));
  });

  it('rejects', () => {
    assert.equal(rejectOf(a, line({ EdgeEndTimestamp: 'soon' })), 'bad_time');
    assert.equal(rejectOf(a, line({ EdgeEndTimestamp: 0 })), 'bad_time');
    assert.equal(rejectOf(a, line({ EdgeResponseStatus: undefined })), 'missing_field');
    assert.equal(rejectOf(a, JSON.stringify({ msec: 1795259353.67, uri: '/', status: 200 })), 'wrong_format');
    assert.equal(rejectOf(a, '"89.163.242.206",1506702504433000200,"3a6050bcbe121a87"'), 'bad_json', 'csv output is not read');
  });
});
