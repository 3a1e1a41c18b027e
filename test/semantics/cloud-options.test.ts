/**
 * Profile additions made for the cloud verify rules: the Cloudflare cache rule `vary` setting,
 * CloudFront's Authorization forwarding (never by an origin request policy) and which Set-Cookie
 * a stored CloudFront object keeps (only forwarded cookies).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, getProfile, type CloudflareOptions, type CloudFrontOptions } from '../../src/semantics/index.ts';
import { assertReasoned, cited, get, NOW, res } from './helpers.ts';

const IDENTITY = { cookies: ['sid'] };

const cloudflare = (options: CloudflareOptions, resHeaders: Record<string, string>, reqHeaders: Record<string, string> = { cookie: 'sid=a' }) => {
  const v = explain(get('/account', reqHeaders), res(resHeaders), { id: 'cloudflare', options, identity: IDENTITY }, NOW);
  assertReasoned(v);
  return v;
};
const cloudfront = (options: CloudFrontOptions, resHeaders: Record<string, string>, reqHeaders: Record<string, string> = {}) => {
  const v = explain(get('/account', reqHeaders), res(resHeaders), { id: 'cloudfront', options, identity: IDENTITY }, NOW);
  assertReasoned(v);
  return v;
};

const PUBLIC_VARY_COOKIE = { 'cache-control': 'public, max-age=60', vary: 'Cookie' };
const everything: CloudflareOptions = { cacheLevel: 'cache-everything' };

describe('cloudflare: cache rule vary setting', () => {
  it('without it, Vary: Cookie is ignored and the page is shared', () => {
    const v = cloudflare(everything, PUBLIC_VARY_COOKIE);
    assert.deepEqual([v.response.varyOn.value, v.sharedAcrossIdentities.value], [[], 'yes']);
    assert.ok(cited(v).includes('cloudflare/vary-ignored'));
  });
  it('bypass (by default or per header) keeps a response that varies on the header out of the cache', () => {
    for (const vary of [{ default: 'bypass' }, { default: 'normalize', headers: { cookie: 'bypass' } }] as const) {
      const v = cloudflare({ ...everything, vary }, PUBLIC_VARY_COOKIE);
      assert.deepEqual([v.response.store.value, v.response.store.reasons[0]!.rule, v.sharedAcrossIdentities.value], ['no-store', 'cloudflare/vary-bypass', 'no']);
      assert.equal(v.response.store.reasons[0]!.text, "The origin's Vary names cookie, which the cache rule's vary setting maps to bypass: the response is not stored.");
    }
  });
  it('bypass also wins over an Edge TTL override', () => {
    const v = cloudflare({ ...everything, edgeTtl: { mode: 'override_origin', default: 600 }, vary: { default: 'bypass' } }, PUBLIC_VARY_COOKIE);
    assert.equal(v.response.store.value, 'no-store');
  });
  it('normalize and passthrough select a variant by the header: Vary: Cookie then keeps users apart', () => {
    for (const action of ['normalize', 'passthrough'] as const) {
      const v = cloudflare({ ...everything, vary: { default: action } }, PUBLIC_VARY_COOKIE);
      assert.deepEqual([v.response.store.value, v.response.varyOn.value, v.sharedAcrossIdentities.value], ['store', ['cookie'], 'no']);
      assert.equal(v.response.varyOn.reasons[0]!.rule, 'cloudflare/vary-rule');
    }
  });
  it('a header the response does not vary on changes nothing; a non-identity header varies but is shared', () => {
    const v = cloudflare({ ...everything, vary: { default: 'bypass', headers: { 'accept-language': 'normalize' } } }, { 'cache-control': 'public, max-age=60', vary: 'Accept-Language' });
    assert.deepEqual([v.response.store.value, v.response.varyOn.value, v.sharedAcrossIdentities.value], ['store', ['accept-language'], 'yes']);
    const plain = cloudflare({ ...everything, vary: { default: 'bypass' } }, { 'cache-control': 'public, max-age=60' });
    assert.deepEqual([plain.response.store.value, plain.sharedAcrossIdentities.value], ['store', 'yes']);
  });
  it('is documented as an option with no default', () => {
    assert.deepEqual(getProfile('cloudflare').options.find((o) => o.name === 'vary')?.default, '(off)');
  });
});

describe('cloudfront: forwarding Authorization and Set-Cookie', () => {
  const MIN0: CloudFrontOptions = { policy: { minTtl: 0, defaultTtl: 60, maxTtl: 600 } };
  it('an origin request policy that forwards all headers does not forward Authorization (it is stripped unless keyed)', () => {
    const v = cloudfront({ ...MIN0, forwardHeaders: 'all' }, {}, { authorization: 'Bearer t' });
    assert.ok(!cited(v).includes('cloudfront/forwarded-not-keyed'));
    assert.ok(cited(v).includes('cloudfront/authorization-removed'));
  });
  it('an identity header other than Authorization is still forwarded without being keyed', () => {
    const v = explain(get('/account', { 'x-user-token': 't' }), res({}), { id: 'cloudfront', options: { ...MIN0, forwardHeaders: ['X-User-Token'] }, identity: { headers: ['x-user-token'] } }, NOW);
    assert.equal(v.request.key.reasons.find((r) => r.rule === 'cloudfront/forwarded-not-keyed')?.text, 'The origin request policy forwards header x-user-token without keying on them: the origin can personalise on data the key ignores.');
  });
  it('a stored object keeps only the Set-Cookie of forwarded cookies', () => {
    const other = cloudfront({ ...MIN0, forwardCookies: ['locale'] }, { 'set-cookie': 'sid=new; Path=/' });
    assert.equal(other.response.store.value, 'store');
    const note = other.response.store.reasons.find((r) => r.rule === 'cloudfront/set-cookie-not-forwarded');
    assert.deepEqual([note?.text, note?.certainty], ['Set-Cookie for sid is not among the forwarded cookies, so it is not cached with the object; the body is (to be confirmed for cache policies).', 'unverified']);
    const session = cloudfront({ ...MIN0, forwardCookies: ['locale', 'sid'] }, { 'set-cookie': 'sid=new; Path=/' });
    assert.ok(cited(session).includes('cloudfront/set-cookie-cached'));
    const keyed = cloudfront({ ...MIN0, keyCookies: ['sid'] }, { 'set-cookie': 'sid=new; Path=/' });
    assert.ok(cited(keyed).includes('cloudfront/set-cookie-cached'));
  });
});
