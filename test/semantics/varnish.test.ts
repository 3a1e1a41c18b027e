/** Varnish 7.x / 8.0 builtin and custom-VCL options; the waiting-list difference between versions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRequest, explain, type VarnishOptions } from '../../src/semantics/index.ts';
import { assertReasoned, cited, get, NOW, res } from './helpers.ts';

type V = 'varnish7' | 'varnish8';
const ask = (id: V, options: VarnishOptions, resHeaders: Record<string, string>, reqHeaders: Record<string, string> = {}, status = 200) => {
  const v = explain(get('/mypage', reqHeaders), res(resHeaders, status), { id, options }, NOW);
  assertReasoned(v);
  return v;
};

describe('varnish: vcl_recv', () => {
  for (const id of ['varnish7', 'varnish8'] as const) {
    it(`${id}: builtin passes on Cookie and Authorization`, () => {
      assert.equal(decideRequest(get('/', { cookie: 'sid=a' }), { id }).action.value, 'pass');
      assert.equal(decideRequest(get('/', { authorization: 'Basic x' }), { id }).action.value, 'pass');
      assert.equal(decideRequest(get('/'), { id }).action.value, 'lookup');
      assert.equal(decideRequest(get('/', {}, 'POST'), { id }).action.value, 'pass');
    });
  }

  it('a custom vcl_recv returning hash looks up cookie requests, and shares them (CW-VN-04)', () => {
    const v = ask('varnish7', { recv: 'hash' }, {}, { cookie: 'sid=user-a' });
    assert.equal(v.request.action.value, 'lookup');
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.ttl.value, 120);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('varnish7/recv-custom-hash'));
  });

  it('hashing the session cookie keeps identities apart', () => {
    const v = ask('varnish7', { recv: 'hash', hashExtra: ['cookie:sid'] }, {}, { cookie: 'sid=user-a' });
    assert.equal(v.request.key.value.includesIdentity, true);
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('stripping the request cookie lets builtin look the request up', () => {
    const v = ask('varnish8', { stripRequestCookie: true }, {}, { cookie: 'sid=user-a' });
    assert.equal(v.request.action.value, 'lookup');
    assert.ok(cited(v).includes('varnish8/recv-strip-cookie'));
  });

  it('recv pass', () => {
    assert.equal(decideRequest(get('/'), { id: 'varnish8', options: { recv: 'pass' } }).action.value, 'pass');
  });

  it('non-RFC methods: synthetic 501 in 8.0, pipe in 7.x', () => {
    const v8 = decideRequest(get('/', {}, 'BREW'), { id: 'varnish8' });
    const v7 = decideRequest(get('/', {}, 'BREW'), { id: 'varnish7' });
    assert.equal(v8.action.value, 'pass');
    assert.match(v8.action.reasons[0]!.text, /501/);
    assert.match(v7.action.reasons[0]!.text, /pipes/);
  });
});

describe('varnish: builtin vcl_backend_response', () => {
  it('marks hit-for-miss on Set-Cookie, private/no-cache/no-store, TTL ≤ 0, Vary: *, uncacheable statuses', () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' }, 200, 'varnish8/hit-for-miss-set-cookie'],
      [{ 'cache-control': 'private, max-age=60' }, 200, 'varnish8/hit-for-miss-cache-control'],
      [{ 'cache-control': 'no-cache, max-age=60' }, 200, 'varnish8/hit-for-miss-cache-control'],
      [{ 'cache-control': 'max-age=0' }, 200, 'varnish8/hit-for-miss-ttl'],
      [{ 'cache-control': 'max-age=60', vary: '*' }, 200, 'varnish8/hit-for-miss-vary-star'],
      [{}, 302, 'varnish8/hit-for-miss-ttl'],
      [{}, 500, 'varnish8/hit-for-miss-ttl'],
    ];
    for (const [headers, status, rule] of cases) {
      const v = ask('varnish8', {}, headers, {}, status);
      assert.equal(v.response.store.value, 'hit-for-miss', JSON.stringify(headers));
      assert.equal(v.response.store.reasons[0]!.rule, rule);
      assert.equal(v.response.collapse.value, 'forward');
    }
  });

  it('302 with explicit freshness is stored; an unparsable Expires falls back to default_ttl', () => {
    assert.equal(ask('varnish7', {}, { 'cache-control': 'max-age=60' }, {}, 302).response.ttl.value, 60);
    const bad = ask('varnish7', {}, { expires: '0' });
    assert.equal(bad.response.ttl.value, 120);
    assert.equal(bad.response.ttl.reasons[0]!.certainty, 'unverified');
  });

  it('hit-for-miss lifetime follows uncacheableTtl', () => {
    assert.equal(ask('varnish8', { uncacheableTtl: 300 }, { 'cache-control': 'private' }).response.ttl.value, 300);
  });

  it('any Surrogate-Control hides Cache-Control: private from builtin (CW-VN-03)', () => {
    const v = ask('varnish7', {}, { 'surrogate-control': 'content="ESI/1.0"', 'cache-control': 'private, max-age=600' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.ttl.value, 600);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('varnish7/surrogate-control-masks-cache-control'));
    assert.equal(ask('varnish7', {}, { 'surrogate-control': 'no-store', 'cache-control': 'max-age=600' }).response.store.value, 'hit-for-miss');
  });

  it('stale-while-revalidate sets grace; Vary is honoured', () => {
    const v = ask('varnish8', {}, { 'cache-control': 'max-age=60, stale-while-revalidate=30', vary: 'Accept-Language' });
    assert.deepEqual(v.response.stale.value, { whileRevalidate: 30, ifError: 30, whileUpdating: false });
    assert.deepEqual(v.response.varyOn.value, ['accept-language']);
  });
});

describe('varnish: custom vcl_backend_response', () => {
  it('forced TTL with an early return(deliver) skips builtin: Set-Cookie + private are stored (CW-VN-01)', () => {
    const v = ask('varnish7', { backendResponse: { ttl: 3600, skipBuiltin: true } }, { 'set-cookie': 'sid=1', 'cache-control': 'private' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.ttl.value, 3600);
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
    assert.ok(cited(v).includes('varnish7/custom-return-deliver'));
  });

  it('forced TTL without the early return still meets builtin', () => {
    assert.equal(ask('varnish7', { backendResponse: { ttl: 3600 } }, { 'cache-control': 'private' }).response.store.value, 'hit-for-miss');
  });

  it('unsetting Set-Cookie makes the body cacheable (CW-VN-05)', () => {
    const v = ask('varnish8', { backendResponse: { unsetSetCookie: true } }, { 'set-cookie': 'sid=1', 'cache-control': 'max-age=60' });
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.sharedAcrossIdentities.value, 'yes');
  });

  it('unsetting Vary drops the identity protection', () => {
    const kept = ask('varnish8', {}, { 'cache-control': 'max-age=60', vary: 'Cookie' });
    assert.equal(kept.sharedAcrossIdentities.value, 'no');
    const unset = ask('varnish8', { backendResponse: { unsetVary: true } }, { 'cache-control': 'max-age=60', vary: 'Cookie' });
    assert.deepEqual(unset.response.varyOn.value, []);
    assert.equal(unset.sharedAcrossIdentities.value, 'yes');
  });

  it('beresp.uncacheable gives hit-for-miss with the TTL that was set', () => {
    const v = ask('varnish8', { backendResponse: { uncacheable: true, ttl: 120, skipBuiltin: true } }, { 'cache-control': 'max-age=60' });
    assert.equal(v.response.store.value, 'hit-for-miss');
    assert.equal(v.response.ttl.value, 120);
  });
});

describe('varnish: the waiting list, 7.x vs 8.0 (CW-VN-02)', () => {
  const ttl0 = { backendResponse: { ttl: 0, grace: 0, skipBuiltin: true } };
  const mercari = { 'cache-control': 'no-cache', expires: 'Thu, 01 Jan 1970 00:00:01 GMT' };

  it('7.x serialises waiters behind a ttl=0/grace=0 object: not shared', () => {
    const v = ask('varnish7', ttl0, mercari);
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.collapse.value, 'serialize');
    assert.equal(v.response.reuse.value, 'no');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
  });

  it('8.0 hands it to every waiter: shared via collapsing', () => {
    const v = ask('varnish8', ttl0, mercari);
    assert.equal(v.response.collapse.value, 'share');
    assert.equal(v.sharedAcrossIdentities.value, 'collapsing-only');
    assert.ok(v.response.collapse.reasons.some((r) => r.rule === 'varnish8/waiting-list-ttl0-share'));
    assert.ok(v.response.collapse.reasons.some((r) => r.rule === 'rfc9111/collapse-needs-reuse'));
  });

  it('with default grace a TTL-0 object is served stale to later requests in both versions', () => {
    for (const id of ['varnish7', 'varnish8'] as const) {
      const v = ask(id, { backendResponse: { ttl: 0, skipBuiltin: true } }, mercari);
      assert.equal(v.response.stale.value.whileRevalidate, 10);
      assert.equal(v.response.collapse.value, 'share');
      assert.equal(v.sharedAcrossIdentities.value, 'yes');
    }
  });

  it('with the builtin intact both versions give hit-for-miss', () => {
    for (const id of ['varnish7', 'varnish8'] as const) assert.equal(ask(id, {}, mercari).response.store.value, 'hit-for-miss');
  });
});
