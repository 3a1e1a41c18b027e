/** A few realistic lines per format (invented values, documentation IPs, fake hashes), for sniffing and cross-format tests. */
import type { FormatId } from '../../../src/watch/adapters/types.ts';

const tsv = (...cols: string[]) => cols.join('\t');

export const SAMPLES: Record<FormatId, readonly string[]> = {
  'nginx-json': [
    '{"time":"2026-11-21T11:09:13+00:00","msec":1795259353.670,"edge":"edge-tyo-1","host":"127.0.0.1","method":"GET","uri":"/mypage","status":200,"cache":"HIT","identity":"0123456789abcdef0123456789abcdef","identity_kind":"cookie","owner":"h:JMLZobjSHIUGig2iRt_36A","set_cookie":"","cache_control":"private, no-store","expires":"","vary":"","age":"","bytes":1401,"request_time":0.000,"upstream_response_time":"","upstream_status":"","request_id":"e19b4a937536ac09e283f74d52e1986a"}',
    '{"time":"2026-11-21T11:09:13+00:00","msec":1795259353.702,"edge":"edge-tyo-1","host":"127.0.0.1","method":"GET","uri":"/static/app.js","status":200,"cache":"MISS","identity":"","identity_kind":"","owner":"","set_cookie":"","cache_control":"public, max-age=600","expires":"","vary":"","age":"","bytes":5120,"request_time":0.004,"upstream_response_time":"0.004","upstream_status":"200","request_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"}',
    '{"time":"2026-11-21T11:09:13.750Z","msec":1795259353.75,"edge":"edge-emulator-1","host":"127.0.0.1:40123","method":"GET","uri":"/mypage","status":200,"cache":"HIT","cache_detail":"collapsed","identity":"fedcba9876543210fedcba9876543210","owner":"h:JMLZobjSHIUGig2iRt_36A","set_cookie":"","cache_control":"no-cache","age":"0","request_time":0.301}',
  ],
  varnishncsa: [
    '{"time":"2026-11-21T11:09:15+0000","msec":"1795259355.091874","edge":"edge-tyo-1","host":"127.0.0.1:40659","method":"GET","uri":"/mypage","status":200,"cache":"HIT","handling":"hit","waitinglist":"1795259355.090001","identity":"0123456789abcdef0123456789abcdef","identity_kind":"cookie","owner":"h:JMLZobjSHIUGig2iRt_36A","set_cookie":"","cache_control":"private, no-store","expires":"","vary":"","age":"0","bytes":"1401","duration_us":151,"ttfb":"0.000069","fetch_time":"","vxid":"5","hit_vxid":"65539"}',
    '{"time":"2026-11-21T11:09:15+0000","msec":"1795259355.101000","edge":"edge-tyo-1","host":"127.0.0.1:40659","method":"GET","uri":"/__lab/ready","status":204,"cache":"SYNTH","handling":"synth","waitinglist":"","identity":"","identity_kind":"","owner":"","set_cookie":"","cache_control":"","expires":"","vary":"","age":"","bytes":"-","duration_us":40,"ttfb":"0.000031","fetch_time":"","vxid":"7","hit_vxid":""}',
  ],
  'fastly-json': [
    '{"time":"1795259353412","elapsed_us":413877,"pop":"NRT","node":"cache-nrt-rjtf7700047-NRT","host":"www.example.jp","method":"GET","url":"/mypage","status":200,"state":"HIT-WAIT","digest":"5c0f3d7e9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293e21a","viewer":"0x5f3c1d0e9b8a7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918070e1","owner":"0x8c0a44d1f6209b7e3a5d1c0f9e8d7c6b5a4938271605f4e3d2c1b0a998877665","set_cookie":"(null)","cache_control":"private, no-store","age":"0","request_id":"0b2b3e5f9d7c41a8"}',
    '{"time":"1795259353530","elapsed_us":1022,"pop":"NRT","node":"cache-nrt-rjtf7700051-NRT","host":"www.example.jp","method":"GET","url":"/","status":200,"state":"HIT-CLUSTER","digest":"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293e21a5c0f3d7e9","viewer":"(null)","owner":"(null)","set_cookie":"(null)","cache_control":"public, max-age=300","age":"42","request_id":"1c3d5e7f9a0b2c4d"}',
  ],
  cloudflare: [
    '{"RayID":"8f3a1c2b9d7e4a10","EdgeStartTimestamp":1795259352995000000,"EdgeEndTimestamp":1795259353412000000,"EdgeColoCode":"NRT","ClientIP":"203.0.113.24","ClientRequestHost":"www.example.jp","ClientRequestMethod":"GET","ClientRequestURI":"/mypage","CacheCacheStatus":"hit","OriginResponseStatus":0,"EdgeResponseStatus":200,"EdgeResponseBytes":18234,"EdgeResponseContentType":"text/html","Cookies":{"sid":"c0ffee00c0ffee00"},"ResponseHeaders":{"x-cachewarden-owner":"h:8c0a44d1f620AbCdEfGhIj","cache-control":"private, no-store"}}',
    '{"RayID":"8f3a1c2b9d7e4a11","EdgeStartTimestamp":"2026-11-21T11:09:13Z","EdgeEndTimestamp":"2026-11-21T11:09:13Z","EdgeColoCode":"KIX","ClientRequestHost":"www.example.jp","ClientRequestMethod":"GET","ClientRequestURI":"/","CacheCacheStatus":"dynamic","EdgeResponseStatus":200}',
  ],
  cloudfront: [
    '#Version: 1.0',
    '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end',
    tsv('2026-11-21', '11:09:13', 'NRT57-P2', '18602', '203.0.113.24', 'GET', 'd111111abcdef8.cloudfront.net', '/mypage', '200', '-', 'Mozilla/5.0%20(iPhone)', '-', 'sid=a1b2c3d4e5f6a7b8', 'Hit', 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrs==', 'www.example.jp', 'https', '611', '0.412', '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'Hit', 'HTTP/2.0', '-', '-', '52311', '0.409', 'Hit', 'text/html', '18234', '-', '-'),
    tsv('2026-11-21', '11:09:14', 'NRT57-P2', '5120', '198.51.100.7', 'GET', 'd111111abcdef8.cloudfront.net', '/static/app.js', '200', '-', 'curl/8.5.0', '-', '-', 'Miss', 'R2b3c4d5e6f7g8h9i0jklmnopqrst==', 'www.example.jp', 'https', '402', '0.031', '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'Miss', 'HTTP/2.0', '-', '-', '40112', '0.030', 'Miss', 'application/javascript', '4900', '-', '-'),
  ],
  'cloudfront-realtime': [
    tsv('1795259353.412', '200', 'GET', '/mypage', 'NRT57-P2', 'Q1a2b3c4d5e6f7g8h9i0jklmnopqrs==', 'www.example.jp', '0.412', 'sid=9f8e7d6c5b4a3928', '-', 'Hit', 'Hit', 'Hit'),
    tsv('1795259353.530', '200', 'GET', '/static/app.js', 'NRT57-P2', 'R2b3c4d5e6f7g8h9i0jklmnopqrst==', 'www.example.jp', '0.031', '-', 'v=3', 'Miss', 'Miss', 'Miss'),
  ],
  'akamai-ds2': [
    '{"version":"1","cp":"123456","reqId":"1a2b3c4d","reqTimeSec":"1795259353.412","bytes":"18234","cliIP":"203.0.113.24","statusCode":"200","reqHost":"www.example.jp","reqMethod":"GET","reqPath":"/mypage","queryStr":"tab=orders","cookie":"sid=5a5a5a5a5a5a5a5a","turnAroundTimeMSec":"11","transferTimeMSec":"3","edgeIP":"198.51.100.17","cacheStatus":"1","cacheable":"1","customField":"h:2d1f9a0c7b3eQwErTyUiOp"}',
    '{"version":"1","cp":"123456","reqId":"1a2b3c4e","reqTimeSec":"1795259353.530","bytes":"5120","cliIP":"198.51.100.7","statusCode":"200","reqHost":"www.example.jp","reqMethod":"GET","reqPath":"/static/app.js","turnAroundTimeMSec":"30","transferTimeMSec":"1","edgeIP":"198.51.100.17","cacheStatus":"0","cacheable":"1"}',
  ],
};
