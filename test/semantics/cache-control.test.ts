/** parseCacheControl: directives, qualified forms, quoting, duplicates, repeated lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directiveSeconds, parseCacheControl, parseHttpDate, qualifiedFields } from '../../src/semantics/index.ts';

describe('parseCacheControl', () => {
  it('reads names case-insensitively, with token and quoted arguments', () => {
    const cc = parseCacheControl('Public, MAX-AGE=60, s-maxage="30", no-transform');
    assert.deepEqual([...cc.directives.keys()], ['public', 'max-age', 's-maxage', 'no-transform']);
    assert.equal(directiveSeconds(cc, 'max-age'), 60);
    assert.equal(directiveSeconds(cc, 's-maxage'), 30);
    assert.equal(directiveSeconds(cc, 'stale-if-error'), undefined);
  });

  it('keeps commas inside quoted arguments (qualified private / no-cache)', () => {
    const cc = parseCacheControl('private="Set-Cookie, X-User", no-cache="Set-Cookie", max-age=0');
    assert.deepEqual(qualifiedFields(cc, 'private'), ['set-cookie', 'x-user']);
    assert.deepEqual(qualifiedFields(cc, 'no-cache'), ['set-cookie']);
    assert.equal(cc.list.length, 3);
    assert.deepEqual(qualifiedFields(parseCacheControl('private'), 'private'), []);
    assert.equal(qualifiedFields(parseCacheControl('max-age=1'), 'private'), undefined);
  });

  it('duplicates: the first occurrence is used and the duplicate reported (RFC 9111 §4.2.1)', () => {
    const cc = parseCacheControl('max-age=60, no-cache, max-age=0');
    assert.equal(directiveSeconds(cc, 'max-age'), 60);
    assert.deepEqual(cc.duplicates, ['max-age']);
  });

  it('joins repeated field lines and skips empty members', () => {
    const cc = parseCacheControl(['no-cache', ' , max-age=5 ,', 'private']);
    assert.deepEqual([...cc.directives.keys()], ['no-cache', 'max-age', 'private']);
    assert.equal(cc.present, true);
    assert.equal(parseCacheControl(undefined).present, false);
  });

  it('malformed delta-seconds are "invalid"; huge values are clamped', () => {
    assert.equal(directiveSeconds(parseCacheControl('max-age=abc'), 'max-age'), 'invalid');
    assert.equal(directiveSeconds(parseCacheControl('max-age'), 'max-age'), 'invalid');
    assert.equal(directiveSeconds(parseCacheControl('max-age=-1'), 'max-age'), 'invalid');
    assert.equal(directiveSeconds(parseCacheControl('max-age=99999999999'), 'max-age'), 2147483648);
  });

  it('handles escapes in quoted strings', () => {
    const cc = parseCacheControl('ext="a\\"b,c", max-age=1');
    assert.equal(cc.directives.get('ext')!.value, 'a"b,c');
    assert.equal(directiveSeconds(cc, 'max-age'), 1);
  });
});

describe('parseHttpDate', () => {
  it('reads the three HTTP-date forms and rejects others', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), t);
    assert.equal(parseHttpDate('0'), undefined);
    assert.equal(parseHttpDate('-1'), undefined);
    assert.equal(parseHttpDate('2017-06-22T05:00:00Z'), undefined);
  });
});
