/** cloudfront-realtime: Kinesis records, only the selected fields, in CloudFront's order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUDFRONT_REALTIME_COLUMNS, CLOUDFRONT_REALTIME_ORDER } from '../../../src/watch/adapters/cloudfront-realtime.ts';
import { orderColumns } from '../../../src/watch/adapters/cloudfront-tsv.ts';
import { parseFieldOverrides } from '../../../src/watch/adapters/index.ts';
import { adapter, assertNoRaw, h, parseOk, rejectOf } from './helpers.ts';

const SID = '9f8e7d6c5b4a3928';

/** A record of the recommended selection; `over` replaces fields by name. */
function line(over: Partial<Record<(typeof CLOUDFRONT_REALTIME_COLUMNS)[number], string>> = {}): string {
  const v: Record<string, string> = {
    timestamp: '1795259353.412',
    'sc-status': '200',
    'cs-method': 'GET',
    'cs-uri-stem': '/mypage',
    'x-edge-location': 'NRT57-P2',
    'x-edge-request-id': 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrs==',
    'x-host-header': 'www.example.jp',
    'time-taken': '0.412',
    'cs-cookie': `sid=${SID};%20theme=dark`,
    'cs-uri-query': '-',
    'x-edge-response-result-type': 'Hit',
    'x-edge-result-type': 'Hit',
    'x-edge-detailed-result-type': 'Hit',
    ...over,
  };
  return CLOUDFRONT_REALTIME_COLUMNS.map((c) => v[c]).join('\t');
}

describe('cloudfront-realtime', () => {
  it('parses a record of the recommended selection into the exact event', () => {
    const ev = parseOk(adapter('cloudfront-realtime'), line());
    assert.deepEqual(ev, {
      time: 1795259353412,
      edge: 'NRT57-P2',
      method: 'GET',
      url: '/mypage',
      outcome: 'HIT',
      status: 200,
      host: 'www.example.jp',
      viewer: h(SID),
      durationMs: 412,
      requestId: 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrs==',
    });
    assertNoRaw(ev, [SID]);
  });

  it('the recommended selection is in CloudFront order', () => {
    assert.deepEqual(orderColumns(CLOUDFRONT_REALTIME_COLUMNS, CLOUDFRONT_REALTIME_ORDER), [...CLOUDFRONT_REALTIME_COLUMNS]);
  });

  it('takes the configured selection in any order and reads records in CloudFront order', () => {
    // The research note's example selection: 14 fields, given here shuffled.
    const columns = ['cs-cookie', 'timestamp', 'x-edge-result-type', 'c-ip', 'time-to-first-byte', 'sc-status', 'sc-bytes', 'cs-method', 'cs-protocol', 'cs-host', 'cs-uri-stem', 'cs-bytes', 'x-edge-location', 'x-edge-request-id'];
    const a = adapter('cloudfront-realtime', { columns });
    const record = ['1795259353.412', '203.0.113.24', '0.409', '200', '18602', 'GET', 'https', 'd111111abcdef8.cloudfront.net', '/mypage', '611', 'NRT57-P2', 'Q1a2', `sid=${SID}`, 'Miss'].join('\t');
    assert.deepEqual(parseOk(a, record), {
      time: 1795259353412,
      edge: 'NRT57-P2',
      method: 'GET',
      url: '/mypage',
      outcome: 'MISS',
      status: 200,
      host: 'd111111abcdef8.cloudfront.net',
      viewer: h(SID),
      requestId: 'Q1a2',
    });
  });

  it('appends cs-uri-query unless the stem already has one; status 000 (viewer left) is kept', () => {
    const a = adapter('cloudfront-realtime');
    assert.equal(parseOk(a, line({ 'cs-uri-query': 'q=1&r=2' })).url, '/mypage?q=1&r=2');
    assert.equal(parseOk(a, line({ 'cs-uri-stem': '/mypage?q=1', 'cs-uri-query': 'q=1' })).url, '/mypage?q=1');
    assert.equal(parseOk(a, line({ 'sc-status': '000' })).status, 0);
  });

  it('a record whose width differs from the selection is bad_line (the configured list is wrong)', () => {
    const a = adapter('cloudfront-realtime');
    assert.equal(rejectOf(a, `${line()}\tUS`), 'bad_line');
    assert.equal(rejectOf(a, line().split('\t').slice(1).join('\t')), 'bad_line');
  });

  it('numbered fields (the --field way to another selection): only they are read, the width is not checked', () => {
    // Every field selected: 40 columns in CloudFront order; the flags number what cachewarden needs.
    const values: Record<string, string> = { timestamp: '1795259353.412', 'sc-status': '200', 'cs-method': 'GET', 'cs-uri-stem': '/mypage', 'x-edge-location': 'NRT57-P2', 'x-edge-request-id': 'rid-40', 'cs-cookie': `sid=${SID}`, 'x-edge-result-type': 'Hit', 'time-taken': '0.002', 'x-host-header': 'www.example.jp' };
    const record = CLOUDFRONT_REALTIME_ORDER.slice(0, 40).map((c) => values[c] ?? '-').join('\t');
    const wanted: Record<string, string> = { time: 'timestamp', status: 'sc-status', method: 'cs-method', uri: 'cs-uri-stem', edge: 'x-edge-location', requestId: 'x-edge-request-id', identity: 'cs-cookie', cache: 'x-edge-result-type', duration: 'time-taken', host: 'x-host-header' };
    const flags = Object.entries(wanted).map(([canonical, column]) => `${canonical}=${CLOUDFRONT_REALTIME_ORDER.indexOf(column as never) + 1}`);
    const fields = parseFieldOverrides(flags);
    assert.deepEqual(fields.uri, '9');
    const a = adapter('cloudfront-realtime', { fields });
    assert.deepEqual(parseOk(a, record), { time: 1795259353412, edge: 'NRT57-P2', method: 'GET', url: '/mypage', outcome: 'HIT', status: 200, host: 'www.example.jp', viewer: h(SID), durationMs: 2, requestId: 'rid-40' });
    const noHost = adapter('cloudfront-realtime', { fields: { ...fields, host: 'x-host-header' } });
    assert.equal(noHost.fills.has('host'), false, 'named sources are not read in positional mode');
    assert.equal(parseOk(noHost, record).host, undefined);
    assert.throws(() => adapter('cloudfront-realtime', { fields: { edge: '11' } }), /with numbered columns, "uri" must be numbered too/);
  });

  it('rejects', () => {
    const a = adapter('cloudfront-realtime');
    assert.equal(rejectOf(a, line({ timestamp: 'now' })), 'bad_time');
    assert.equal(rejectOf(a, line({ 'cs-uri-stem': '-' })), 'missing_field');
    assert.equal(rejectOf(a, JSON.stringify({ timestamp: 1 })), 'wrong_format');
    assert.equal(rejectOf(a, ''), 'empty');
  });
});
