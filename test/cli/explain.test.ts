import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.ts';

const INCIDENT = ['-H', 'Cache-Control: no-cache', '-H', 'Expires: Thu, 01 Jan 1970 00:00:01 GMT'];

describe('cachewarden explain', () => {
  it('explains with section numbers why the 2017 header pair is stored and collapsed under fastly (exit 1)', async () => {
    const r = await cli(['explain', '--profile', 'fastly', ...INCIDENT]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^SHARED WITH CONCURRENT REQUESTS/m);
    assert.match(r.stdout, /\[RFC 9111 §3\]/);
    assert.match(r.stdout, /\[RFC 9111 §5\.2\.2\.4\]/);
    assert.match(r.stdout, /\[RFC 9111 §4\]/);
    assert.match(r.stdout, /^collapse +share$/m);
    assert.match(r.stdout, /^store +store$/m);
    assert.match(r.stdout, /^ttl \(s\) +0$/m);
    assert.match(r.stdout, /^rfc class +STORABLE_REVALIDATE$/m);
    assert.doesNotMatch(r.stdout, /example-session/, 'the request cookie value is not printed');
  });

  it('says private is not stored by fastly, citing the boilerplate (exit 0)', async () => {
    const r = await cli(['explain', '--profile', 'fastly', '-H', 'Cache-Control: private']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^not shared/m);
    assert.match(r.stdout, /^store +hit-for-pass$/m);
    assert.match(r.stdout, /Fastly VCL boilerplate/);
  });

  it('--json gives the verdict object with reasons on every answer', async () => {
    const r = await cli(['explain', '--profile', 'fastly', '--json', ...INCIDENT]);
    const v = JSON.parse(r.stdout) as {
      profile: string;
      sharedAcrossIdentities: { value: string; reasons: Array<{ source: string }> };
      response: Record<string, { value: unknown; reasons: unknown[] }>;
    };
    assert.equal(v.profile, 'fastly');
    assert.equal(v.sharedAcrossIdentities.value, 'collapsing-only');
    for (const [name, answer] of Object.entries(v.response)) assert.ok(answer.reasons.length > 0, `${name} has reasons`);
  });

  it('--profile all compares every profile in one table', async () => {
    const r = await cli(['explain', '--profile', 'all', ...INCIDENT]);
    assert.equal(r.code, 1);
    const rows = r.stdout.split('\n').filter((l) => /^(rfc9111|fastly|varnish7|varnish8|nginx|cloudflare|cloudfront|akamai) /.test(l));
    assert.equal(rows.length, 8);
    assert.match(r.stdout, /^fastly +lookup +store +0 +share +after-validation +collapsing-only$/m);
    assert.match(r.stdout, /^nginx +lookup +no-store +0 +none +no +no$/m);
  });

  it('reads a response head from stdin (curl -sI style, last block of redirects)', async () => {
    const head = 'HTTP/1.1 301 Moved\r\nLocation: /mypage\r\n\r\nHTTP/2 200\r\ncache-control: public, max-age=600\r\ncontent-type: text/html\r\n\r\n';
    const r = await cli(['explain', '--profile', 'nginx', '--response', '-', '--json'], { input: head });
    assert.equal(r.code, 1, r.stderr);
    const v = JSON.parse(r.stdout) as { response: { ttl: { value: number } }; sharedAcrossIdentities: { value: string } };
    assert.equal(v.response.ttl.value, 600);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
  });

  it('rejects an unknown profile and a malformed header with one line, exit 2', async () => {
    const a = await cli(['explain', '--profile', 'fastlee']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /^cachewarden: explain: unknown profile "fastlee"; use one of .* \(CW_USAGE_BAD_FLAG\)\n$/);
    const b = await cli(['explain', '-H', 'no colon here']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /is not of the form "Name: value"/);
    const c = await cli(['explain', '--response', '-'], { input: 'garbage\n' });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /CW_INPUT_UNREADABLE/);
  });
});
