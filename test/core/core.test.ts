import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRoutes, routePath } from '../../src/core/glob.ts';
import { IdentityHasher, isIdentityHash } from '../../src/core/identity.ts';
import { editDistance, nearest } from '../../src/core/suggest.ts';

describe('route globs', () => {
  const personalized = compileRoutes(['/mypage*', '/api/me', '/transactions/*']);
  const cases: Array<[string, boolean]> = [
    ['/mypage', true],
    ['/mypage/x.css', true],
    ['/mypage?tab=1', true],
    ['/%6Dypage', true],
    ['https://shop.test/mypage', true],
    ['/api/me', true],
    ['/api/me/settings', true],
    ['/api/meter', false],
    ['/transactions/42', true],
    ['/transactions', false],
    ['/', false],
    ['/items/1', false],
  ];
  for (const [path, expected] of cases) {
    it(`${path} ${expected ? 'is' : 'is not'} personalized`, () => assert.equal(personalized(path), expected));
  }
  it('routePath strips query, fragment and origin', () => {
    assert.equal(routePath('http://a.test:8080/x/y?q=1#f'), '/x/y');
    assert.equal(routePath('http://a.test'), '/');
  });
});

describe('identity hashing', () => {
  const h = new IdentityHasher('a-test-key-of-sixteen-plus');
  it('is keyed, stable and never returns the raw value', () => {
    const a = h.hash('sid-value-123')!;
    assert.ok(isIdentityHash(a));
    assert.equal(h.hash('sid-value-123'), a);
    assert.notEqual(new IdentityHasher('another-key-of-sixteen-plus').hash('sid-value-123'), a);
    assert.ok(!a.includes('sid-value'));
  });
  it('treats empty and "-" as anonymous', () => {
    assert.equal(h.hash(''), undefined);
    assert.equal(h.hash('-'), undefined);
    assert.equal(h.hash(undefined), undefined);
  });
  it('passes through values already hashed at the edge', () => {
    const a = h.hash('x')!;
    assert.equal(h.hash(a), a);
  });
  it('matches in constant time and hides its key from JSON', () => {
    assert.ok(h.matches('sid-value-123', h.hash('sid-value-123')!));
    assert.ok(!h.matches('other', h.hash('sid-value-123')!));
    assert.equal(JSON.stringify({ h }), '{"h":"[IdentityHasher]"}');
  });
  it('refuses a short key', () => assert.throws(() => new IdentityHasher('short'), RangeError));
});

describe('did-you-mean', () => {
  it('counts transpositions as one edit', () => assert.equal(editDistance('pesronalized', 'personalized'), 1));
  it('suggests close candidates only', () => {
    assert.equal(nearest('personalised', ['personalized', 'profile']), 'personalized');
    assert.equal(nearest('zzzz', ['personalized', 'profile']), undefined);
  });
});
