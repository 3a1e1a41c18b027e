/** PCRE → JavaScript translation as VCL regexes need it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePcre, translatePcre } from '../../../src/verify/vcl/index.ts';

const re = (p: string): RegExp => {
  const r = compilePcre(p);
  assert.ok(r instanceof RegExp, String(r));
  return r;
};

describe('vcl regex translation', () => {
  it('turns a leading (?i) into the i flag', () => {
    assert.deepEqual(translatePcre('(?i)\\.(css|js)$'), { source: '\\.(css|js)$', flags: 'i' });
    assert.equal(re('(?i)^bearer\\s+\\S').test('BEARER abc'), true);
  });

  it('scopes inline flags that are not leading to the end of their group', () => {
    assert.deepEqual(translatePcre('^(?i)HTTP/1.1'), { source: '^(?i:HTTP\\/1.1)', flags: '' });
    assert.deepEqual(translatePcre('a(b(?i)c)d'), { source: 'a(b(?i:c))d', flags: '' });
    assert.equal(re('a(b(?i)c)d').test('abCd'), true);
    assert.equal(re('a(b(?i)c)d').test('abCD'), false);
    assert.equal(re('(?i:no-cache|no-store|private)').test('Private'), true);
  });

  it('expands POSIX classes, \\A \\z \\h, \\Q…\\E and named groups', () => {
    assert.equal(re('[[:upper:]]').test('Host'), true);
    assert.equal(re('[[:upper:]]').test('host'), false);
    assert.equal(re('^[[:alnum:]_-]+$').test('a_b-1'), true);
    assert.equal(re('\\A/x\\z').test('/x'), true);
    assert.equal(re('a\\hb').test('a\tb'), true);
    assert.equal(re('\\Q.*+\\E$').test('x.*+'), true);
    assert.equal(re('(?P<n>ab)(?P=n)').test('abab'), true);
  });

  it('approximates possessive quantifiers and atomic groups by their greedy forms', () => {
    assert.deepEqual(translatePcre('a++b*+(?>c)'), { source: 'a+b*(?:c)', flags: '' });
    assert.deepEqual(translatePcre('a+?x{2,3}+'), { source: 'a+?x{2,3}', flags: '' });
  });

  it('matches the patterns the lab and builtin use', () => {
    assert.equal(re('(^|;)\\s*sid=[^;]').test('a=1; sid=x'), true);
    assert.equal(re('^/(mypage|orders|transactions/)').test('/orders'), true);
    assert.equal(re('(?i)\\.(css|js|png|jpe?g|gif|svg|ico|woff2?)(\\?.*)?$').test('/mypage/x.CSS?v=1'), true);
  });

  it('returns an Error for what JavaScript cannot express', () => {
    assert.equal((compilePcre('a\\Kb') as Error).message, '\\K has no JavaScript equivalent');
    assert.equal((compilePcre('(?x) a b') as Error).message, '(?x) extended mode is not supported');
    assert.equal((compilePcre('[[:nope:]]') as Error).message, 'unknown POSIX class [:nope:]');
    assert.equal((compilePcre('[abc') as Error).message, 'unterminated character class');
  });
});
