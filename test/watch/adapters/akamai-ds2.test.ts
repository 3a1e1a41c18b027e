/** akamai-ds2: DataStream 2 JSON records (every value a string; absent fields left out). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

const SID = '5a5a5a5a5a5a5a5a';
const OWNER_TAG = 'h:2d1f9a0c7b3eQwErTyUiOp';

function line(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '1',
    streamId: '12345',
    cp: '123456',
    reqId: '1a2b3c4d',
    reqTimeSec: '1795259353.412',
    bytes: '18234',
    cliIP: '203.0.113.24',
    statusCode: '200',
    proto: 'HTTPS',
    reqHost: 'www.example.jp',
    reqMethod: 'GET',
    reqPath: '/mypage',
    reqPort: '443',
    queryStr: 'tab=orders',
    UA: 'Mozilla%2F5.0',
    cookie: `sid=${SID};%20theme=dark`,
    reqEndTimeMSec: '2',
    turnAroundTimeMSec: '11',
    transferTimeMSec: '3',
    edgeIP: '198.51.100.17',
    serverCountry: 'JP',
    cacheStatus: '1',
    cacheable: '1',
    customField: OWNER_TAG,
    ...over,
  });
}

describe('akamai-ds2', () => {
  const a = adapter('akamai-ds2');

  it('parses a record into the exact event; the time is the request time plus the logged durations', () => {
    const ev = parseOk(a, line());
    assert.deepEqual(ev, {
      time: 1795259353412 + 16,
      edge: '198.51.100.17',
      method: 'GET',
      url: '/mypage?tab=orders',
      outcome: 'HIT',
      status: 200,
      host: 'www.example.jp',
      viewer: h(SID),
      owner: OWNER_TAG,
      durationMs: 16,
      requestId: '1a2b3c4d',
    });
    assertNoRaw(ev, [SID]);
  });

  it('cacheStatus and cacheable: 1 = HIT, 0 = MISS, 0 with cacheable 0 = PASS', () => {
    assert.equal(parseOk(a, line({ cacheStatus: '1' })).outcome, 'HIT');
    assert.equal(parseOk(a, line({ cacheStatus: '0', cacheable: '1' })).outcome, 'MISS');
    assert.equal(parseOk(a, line({ cacheStatus: '0', cacheable: '0' })).outcome, 'PASS');
    assert.equal(parseOk(a, line({ cacheStatus: '0', cacheable: undefined })).outcome, 'MISS');
    assert.equal(parseOk(a, line({ cacheStatus: 1, cacheable: 1 })).outcome, 'HIT', 'pipelines that re-type the values');
    assert.equal(parseOk(a, line({ cacheStatus: undefined })).outcome, 'UNKNOWN');
  });

  it('an Akamai-Cache-Status word logged in another field (field override)', () => {
    const words = adapter('akamai-ds2', { fields: { cache: 'cacheWord' } });
    assert.equal(parseOk(words, line({ cacheWord: 'Hit from child, Miss from parent' })).outcome, 'HIT');
    assert.equal(parseOk(words, line({ cacheWord: 'RefreshHit from child' })).outcome, 'REVALIDATED');
    assert.equal(parseOk(words, line({ cacheWord: 'NotCacheable from child' })).outcome, 'PASS');
  });

  it('an encoded path is decoded; the query joins the path', () => {
    assert.equal(parseOk(a, line({ reqPath: '%2Fmypage%2Forders', queryStr: undefined })).url, '/mypage/orders');
    assert.equal(parseOk(a, line({ reqPath: 'mypage', queryStr: undefined })).url, '/mypage');
  });

  it('fills: no Set-Cookie, no Cache-Control, no age, no key', () => {
    for (const f of ['setCookie', 'cacheControl', 'age', 'key'] as const) assert.equal(a.fills.has(f), false, f);
    for (const f of ['time', 'uri', 'status', 'cache', 'edge', 'identity', 'owner', 'duration', 'requestId'] as const) assert.equal(a.fills.has(f), true, f);
  });

  it('without timing fields the time is the request time', () => {
    const ev = parseOk(a, line({ reqEndTimeMSec: undefined, turnAroundTimeMSec: undefined, transferTimeMSec: undefined }));
    assert.equal(ev.time, 1795259353412);
    assert.equal(ev.durationMs, undefined);
  });

  it('rejects', () => {
    assert.equal(rejectOf(a, line({ reqTimeSec: 'x' })), 'bad_time');
    assert.equal(rejectOf(a, line({ statusCode: undefined })), 'missing_field');
    assert.equal(rejectOf(a, '123456 1a2b3c4d 1795259353.412 18234 203.0.113.24 200 HTTPS www.example.jp GET /mypage'), 'wrong_format', 'the structured (space-delimited) format');
  });
});
