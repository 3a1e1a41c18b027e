/** cloudfront: standard access logs (W3C, tab-separated, #Version/#Fields headers). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUDFRONT_STANDARD_COLUMNS } from '../../../src/watch/adapters/cloudfront.ts';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

const SID = 'a1b2c3d4e5f6a7b8';
const FIELDS = `#Fields: ${CLOUDFRONT_STANDARD_COLUMNS.join(' ')}`;

/** One legacy standard-log line (33 columns); `over` replaces columns by name. */
function line(over: Partial<Record<(typeof CLOUDFRONT_STANDARD_COLUMNS)[number], string>> = {}): string {
  const v: Record<string, string> = {
    date: '2026-11-21',
    time: '11:09:13',
    'x-edge-location': 'NRT57-P2',
    'sc-bytes': '18602',
    'c-ip': '203.0.113.24',
    'cs-method': 'GET',
    'cs(Host)': 'd111111abcdef8.cloudfront.net',
    'cs-uri-stem': '/mypage',
    'sc-status': '200',
    'cs(Referer)': '-',
    'cs(User-Agent)': 'Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_0)',
    'cs-uri-query': 'tab=orders',
    'cs(Cookie)': `theme=dark;%20sid=${SID}`,
    'x-edge-result-type': 'Hit',
    'x-edge-request-id': 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrsTUVWXYZ0123456789ab==',
    'x-host-header': 'www.example.jp',
    'cs-protocol': 'https',
    'cs-bytes': '611',
    'time-taken': '0.412',
    'x-forwarded-for': '-',
    'ssl-protocol': 'TLSv1.3',
    'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
    'x-edge-response-result-type': 'Hit',
    'cs-protocol-version': 'HTTP/2.0',
    'fle-status': '-',
    'fle-encrypted-fields': '-',
    'c-port': '52311',
    'time-to-first-byte': '0.409',
    'x-edge-detailed-result-type': 'Hit',
    'sc-content-type': 'text/html',
    'sc-content-len': '18234',
    'sc-range-start': '-',
    'sc-range-end': '-',
    ...over,
  };
  return CLOUDFRONT_STANDARD_COLUMNS.map((c) => v[c]).join('\t');
}

describe('cloudfront', () => {
  it('reads a log file: header lines are "empty" (not malformed), the line is the exact event', () => {
    const a = adapter('cloudfront');
    assert.deepEqual(a.parse('#Version: 1.0'), { ok: false, reason: 'empty', detail: 'comment line' });
    assert.deepEqual(a.parse(FIELDS), { ok: false, reason: 'empty', detail: 'header line (#Fields)' });
    const ev = parseOk(a, line());
    assert.deepEqual(ev, {
      time: Date.UTC(2026, 10, 21, 11, 9, 13),
      edge: 'NRT57-P2',
      method: 'GET',
      url: '/mypage?tab=orders',
      outcome: 'HIT',
      status: 200,
      host: 'www.example.jp',
      viewer: h(SID),
      durationMs: 412,
      requestId: 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrsTUVWXYZ0123456789ab==',
    });
    assertNoRaw(ev, [SID, 'theme=dark']);
  });

  it('without a #Fields line the legacy column order applies', () => {
    assert.equal(parseOk(adapter('cloudfront'), line({ 'cs-uri-query': '-' })).url, '/mypage');
  });

  it('fills: no owner, no Set-Cookie, no Cache-Control (CloudFront cannot log response headers)', () => {
    const fills = adapter('cloudfront').fills;
    for (const f of ['owner', 'setCookie', 'cacheControl', 'age', 'key'] as const) assert.equal(fills.has(f), false, f);
    for (const f of ['time', 'uri', 'status', 'cache', 'edge', 'identity', 'duration', 'requestId'] as const) assert.equal(fills.has(f), true, f);
  });

  it('maps result types; a viewer hang-up (Error) keeps what the cache did; a collapsed detailed type is COLLAPSED', () => {
    const a = adapter('cloudfront');
    const cases: Array<[string, string]> = [
      ['Hit', 'HIT'],
      ['RefreshHit', 'REVALIDATED'],
      ['OriginShieldHit', 'HIT'],
      ['Miss', 'MISS'],
      ['LimitExceeded', 'ERROR'],
      ['CapacityExceeded', 'ERROR'],
      ['Redirect', 'UNKNOWN'],
    ];
    for (const [word, outcome] of cases) assert.equal(parseOk(a, line({ 'x-edge-result-type': word, 'x-edge-response-result-type': word, 'x-edge-detailed-result-type': word })).outcome, outcome, word);
    assert.equal(parseOk(a, line({ 'x-edge-result-type': 'Error', 'x-edge-detailed-result-type': 'ClientCommError' })).outcome, 'HIT');
    assert.equal(parseOk(a, line({ 'x-edge-result-type': 'Error', 'x-edge-response-result-type': 'Error', 'x-edge-detailed-result-type': 'OriginConnectError' })).outcome, 'ERROR');
    assert.equal(parseOk(a, line({ 'x-edge-detailed-result-type': 'NonS3CollapsedHit' })).outcome, 'COLLAPSED');
  });

  it('cookie logging off or no identity cookie: anonymous', () => {
    const a = adapter('cloudfront');
    assert.equal(parseOk(a, line({ 'cs(Cookie)': '-' })).viewer, undefined);
    assert.equal(parseOk(a, line({ 'cs(Cookie)': 'theme=dark' })).viewer, undefined);
  });

  it('a v2 W3C selection: the #Fields line names fewer columns, in another order', () => {
    const a = adapter('cloudfront');
    a.parse('#Version: 1.0');
    a.parse('#Fields: date time x-edge-location cs-method x-host-header cs-uri-stem sc-status cs-cookie x-edge-result-type x-edge-request-id time-taken');
    const ev = parseOk(a, ['2026-11-21', '11:09:14', 'FRA56-P1', 'GET', 'www.example.jp', '/api/me', '304', `sid=${SID}`, 'RefreshHit', 'rid-1', '0.050'].join('\t'));
    assert.deepEqual(ev, { time: Date.UTC(2026, 10, 21, 11, 9, 14), edge: 'FRA56-P1', method: 'GET', url: '/api/me', outcome: 'REVALIDATED', status: 304, host: 'www.example.jp', viewer: h(SID), durationMs: 50, requestId: 'rid-1' });
    assert.equal(rejectOf(a, line()), 'bad_line', 'a line with more columns than #Fields names');
  });

  it('field overrides by column name or 1-based position', () => {
    const byName = adapter('cloudfront', { fields: { host: 'cs(Host)' } });
    assert.equal(parseOk(byName, line()).host, 'd111111abcdef8.cloudfront.net');
    const byPosition = adapter('cloudfront', { fields: { edge: '5' } });
    assert.equal(parseOk(byPosition, line()).edge, '203.0.113.24');
  });

  it('rejects', () => {
    const a = adapter('cloudfront');
    assert.equal(rejectOf(a, line({ date: '21/11/2026' })), 'bad_time');
    assert.equal(rejectOf(a, line({ 'sc-status': '-' })), 'missing_field');
    assert.equal(rejectOf(a, line({ 'sc-status': 'OK' })), 'bad_status');
    assert.equal(rejectOf(a, line().split('\t').slice(0, 12).join('\t')), 'bad_line');
    assert.equal(rejectOf(a, '{"uri":"/","status":200}'), 'wrong_format');
    assert.equal(rejectOf(a, '2026-11-21 11:09:13 NRT57-P2 18602 203.0.113.24 GET'), 'wrong_format');
    assert.equal(rejectOf(a, `${line()}\u0000`), 'binary');
  });
});
