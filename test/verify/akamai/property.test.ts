/** Akamai rule trees: criteria, the walk (all/any, nesting, later overrides), mapping to AkamaiOptions, provenance, splits, errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestCtx } from '../../../src/semantics/exchange.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';
import { akamaiFromSource, criterionMatches, MAX_BRANCHES, parseTtl, type AkamaiEvaluation, type Decision } from '../../../src/verify/akamai/index.ts';
import { fromText } from '../../../src/verify/json-source.ts';

const req = (url: string, headers: Record<string, string> = {}, method = 'GET'): HttpRequestInfo => ({ method, url, host: 'www.shop.example', headers });
const RES: HttpResponseInfo = { status: 200, headers: { 'cache-control': 'private', 'content-type': 'text/html; charset=utf-8', vary: 'Accept-Encoding, Cookie' } };
const crit = (name: string, options: object) => ({ name, options });
const caching = (options: object) => ({ name: 'caching', options });
const rule = (name: string, behaviors: object[], criteria: object[] = [], children: object[] = [], criteriaMustSatisfy = 'all') => ({ name, behaviors, criteria, children, criteriaMustSatisfy });
const tree = (children: object[], defaultBehaviors: object[] = [caching({ behavior: 'CACHE_CONTROL_AND_EXPIRES', defaultTtl: '0s', honorPrivate: true })]) =>
  akamaiFromSource(fromText(JSON.stringify({ propertyId: 'prp_1', propertyVersion: 3, ruleFormat: 'v2025-07-07', rules: rule('default', defaultBehaviors, [], children) }, null, 2), 'rules.json'));
const only = (evals: AkamaiEvaluation[]): AkamaiEvaluation => {
  assert.equal(evals.length, 1, `expected one evaluation, got ${evals.length}`);
  return evals[0]!;
};

describe('akamai criteria', () => {
  const m = (name: string, options: object, r: HttpRequestInfo = req('/Account/Orders.HTML?page=2&sort=asc', { cookie: 'session=abc; n=5', 'X-Tenant': 'Blue' }), res = RES): Decision =>
    criterionMatches({ name, options: options as Record<string, unknown>, path: [], at: { file: 'rules.json', line: 1, column: 1 } }, requestCtx(r, undefined), res);
  it('path: wildcards, case-insensitive unless told, and the negative operator', () => {
    assert.equal(m('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/account/*'] }), true);
    assert.equal(m('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/account/*'], matchCaseSensitive: true }), false);
    assert.equal(m('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/Account/Order?.HTML'], matchCaseSensitive: true }), true);
    assert.equal(m('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/account'] }), false, 'the whole path must match');
    assert.equal(m('path', { matchOperator: 'DOES_NOT_MATCH_ONE_OF', values: ['/api/*', '/admin/*'] }), true);
    assert.deepEqual(m('path', { matchOperator: 'MATCHES_ONE_OF', values: ['{{user.PMUSER_PREFIX}}/*'] }), { unknown: 'uses a property variable' });
  });
  it('fileExtension, hostname, requestMethod, requestProtocol', () => {
    assert.equal(m('fileExtension', { matchOperator: 'IS_ONE_OF', values: ['html', 'htm'] }), true);
    assert.equal(m('fileExtension', { matchOperator: 'IS_ONE_OF', values: ['html'], matchCaseSensitive: true }), false);
    assert.equal(m('fileExtension', { matchOperator: 'IS_NOT_ONE_OF', values: ['css'] }, req('/account')), true);
    assert.equal(m('fileExtension', { matchOperator: 'IS_ONE_OF', values: ['css'] }, req('/account')), false);
    assert.equal(m('hostname', { matchOperator: 'IS_ONE_OF', values: ['*.SHOP.example'] }), true);
    assert.equal(m('hostname', { matchOperator: 'IS_NOT_ONE_OF', values: ['img.shop.example'] }), true);
    assert.equal(m('requestMethod', { matchOperator: 'IS', value: 'GET' }), true);
    assert.equal(m('requestMethod', { matchOperator: 'IS_NOT', value: 'GET' }), false);
    assert.equal(m('requestMethod', { matchOperator: 'IS', value: 'HTTP_DELETE' }, req('/', {}, 'DELETE')), true);
    assert.equal(m('requestProtocol', { value: 'HTTPS' }), true);
  });
  it('requestHeader: names case-insensitive, values case-sensitive unless told, wildcards, existence', () => {
    assert.equal(m('requestHeader', { headerName: 'x-tenant', matchOperator: 'IS_ONE_OF', values: ['Blue'] }), true);
    assert.equal(m('requestHeader', { headerName: 'x-tenant', matchOperator: 'IS_ONE_OF', values: ['blue'] }), false);
    assert.equal(m('requestHeader', { headerName: 'x-tenant', matchOperator: 'IS_ONE_OF', values: ['blue'], matchCaseSensitiveValue: false }), true);
    assert.equal(m('requestHeader', { headerName: 'x-tenant', matchOperator: 'IS_ONE_OF', values: ['B*'], matchWildcardValue: true }), true);
    assert.equal(m('requestHeader', { headerName: 'X-T*', matchOperator: 'EXISTS', matchWildcardName: true }), true);
    assert.equal(m('requestHeader', { headerName: 'Authorization', matchOperator: 'DOES_NOT_EXIST' }), true);
    assert.equal(m('requestHeader', { headerName: 'Authorization', matchOperator: 'IS_NOT_ONE_OF', values: ['x'] }), true, 'an absent header is not one of the values');
  });
  it('requestCookie (and the older name cookie): IS, IS_NOT, EXISTS, DOES_NOT_EXIST, IS_BETWEEN', () => {
    assert.equal(m('requestCookie', { cookieName: 'session', matchOperator: 'EXISTS' }), true);
    assert.equal(m('requestCookie', { cookieName: 'Session', matchOperator: 'EXISTS' }), false, 'names are case-sensitive by default');
    assert.equal(m('requestCookie', { cookieName: 'Session', matchOperator: 'EXISTS', matchCaseSensitiveName: false }), true);
    assert.equal(m('cookie', { cookieName: 'session', matchOperator: 'IS', value: 'abc' }), true);
    assert.equal(m('requestCookie', { cookieName: 'session', matchOperator: 'IS', value: 'a*', matchWildcardValue: true }), true);
    assert.equal(m('requestCookie', { cookieName: 'cart', matchOperator: 'IS_NOT', value: 'x' }), true);
    assert.equal(m('requestCookie', { cookieName: 'cart', matchOperator: 'DOES_NOT_EXIST' }), true);
    assert.equal(m('requestCookie', { cookieName: 'n', matchOperator: 'IS_BETWEEN', lowerBound: 1, upperBound: 9 }), true);
  });
  it('queryStringParameter, contentType (from the response); others are unknown', () => {
    assert.equal(m('queryStringParameter', { parameterName: 'page', matchOperator: 'IS_ONE_OF', values: ['1', '2'] }), true);
    assert.equal(m('queryStringParameter', { parameterName: 'page', matchOperator: 'IS_MORE_THAN', lowerBound: 5 }), false);
    assert.equal(m('queryStringParameter', { parameterName: 'q', matchOperator: 'DOES_NOT_EXIST' }), true);
    assert.equal(m('contentType', { matchOperator: 'IS_ONE_OF', values: ['text/*'], matchWildcard: true }), true);
    assert.equal(m('contentType', { matchOperator: 'IS_NOT_ONE_OF', values: ['application/json'] }), true);
    assert.deepEqual(m('userLocation', { field: 'COUNTRY', matchOperator: 'IS_ONE_OF', countryValues: ['DE'] }), { unknown: 'criterion userLocation is not evaluated by this checker' });
  });
});

describe('akamai rule tree walk and mapping', () => {
  const t = tree([
    rule('Static', [caching({ behavior: 'MAX_AGE', ttl: '7d' })], [crit('fileExtension', { matchOperator: 'IS_ONE_OF', values: ['css', 'js'] })]),
    rule('Sections', [], [crit('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/shop/*'] })], [
      rule('Cart', [caching({ behavior: 'NO_STORE' })], [crit('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/shop/cart*'] })]),
    ]),
    rule('Signed in', [caching({ behavior: 'BYPASS_CACHE' }), { name: 'downstreamCache', options: { behavior: 'BUST' } }], [
      crit('requestCookie', { cookieName: 'session', matchOperator: 'EXISTS' }),
      crit('requestHeader', { headerName: 'Authorization', matchOperator: 'EXISTS' }),
    ], [], 'any'),
    rule('Fonts', [caching({ behavior: 'MAX_AGE', ttl: '30d' })], [crit('fileExtension', { matchOperator: 'IS_ONE_OF', values: ['woff2'] }), crit('path', { matchOperator: 'MATCHES_ONE_OF', values: ['/fonts/*'] })]),
  ]);
  const o = (url: string, headers: Record<string, string> = {}) => {
    const e = only(t.evaluate(req(url, headers), RES));
    return [e.handler.label, e.profile.options, e.caching];
  };
  it('the default rule applies; a matching child overrides it', () => {
    assert.deepEqual(o('/page'), ['rule "default"', { behavior: 'CACHE_CONTROL_AND_EXPIRES', defaultTtl: 0, honorPrivate: true }, true]);
    assert.deepEqual(o('/a.css'), ['rule "Static"', { behavior: 'MAX_AGE', ttl: 604800 }, true]);
  });
  it('children apply only when their parent matches', () => {
    assert.deepEqual(o('/shop/cart/1'), ['rule "Cart"', { behavior: 'NO_STORE' }, false]);
    assert.deepEqual(o('/cart/1'), ['rule "default"', { behavior: 'CACHE_CONTROL_AND_EXPIRES', defaultTtl: 0, honorPrivate: true }, true]);
  });
  it('criteriaMustSatisfy any: one criterion is enough; all: every one; a later rule overrides an earlier one', () => {
    assert.deepEqual(o('/a.css', { authorization: 'Bearer x' }), ['rule "Signed in"', { behavior: 'BYPASS_CACHE' }, false]);
    assert.deepEqual(o('/shop/cart', { cookie: 'session=1' }), ['rule "Signed in"', { behavior: 'BYPASS_CACHE' }, false]);
    assert.deepEqual(o('/fonts/a.woff2'), ['rule "Fonts"', { behavior: 'MAX_AGE', ttl: 2592000 }, true]);
    assert.deepEqual(o('/other/a.woff2'), ['rule "default"', { behavior: 'CACHE_CONTROL_AND_EXPIRES', defaultTtl: 0, honorPrivate: true }, true]);
  });
  it('related behaviours are listed as unmodelled, cacheId entries accumulate', () => {
    const u = tree([rule('Keys', [{ name: 'cacheId', options: { rule: 'INCLUDE_COOKIES', elements: ['session'], includeValue: true } }, { name: 'cacheId', options: { rule: 'INCLUDE_HEADERS', elements: ['X-Tenant'] } }, { name: 'cacheKeyQueryParams', options: { behavior: 'IGNORE_ALL' } }])]);
    assert.deepEqual(only(u.evaluate(req('/'), RES)).unmodelled.map((x) => x.text), [
      'cacheId: {rule: INCLUDE_COOKIES, elements: [session], includeValue: true} (rule "Keys")',
      'cacheId: {rule: INCLUDE_HEADERS, elements: [X-Tenant]} (rule "Keys")',
      'cacheKeyQueryParams: {behavior: IGNORE_ALL} (rule "Keys")',
    ]);
  });
  it('removeVary takes Vary off the response the cache decides on', () => {
    const v = only(tree([rule('No Vary', [{ name: 'removeVary', options: { enabled: true } }])]).evaluate(req('/'), RES));
    assert.deepEqual(v.response.headers, { 'cache-control': 'private', 'content-type': 'text/html; charset=utf-8' });
    assert.deepEqual(v.provenance.at(-1), { option: 'response.vary', at: { file: 'rules.json', line: 22, column: 11, endLine: 27 }, text: 'removeVary: {enabled: true} (Vary is removed before caching; rule "No Vary")' });
  });
  it('EdgeWorkers and a missing caching behaviour are Assumptions', () => {
    const e = only(tree([rule('EW', [{ name: 'edgeWorkers', options: { enabled: true, edgeWorkerId: '4242' } }])], []).evaluate(req('/'), RES));
    assert.deepEqual(e.assumptions.map((a) => a.text), [
      'rule "EW": edgeWorkers {enabled: true, edgeWorkerId: 4242} not evaluated: assumed it changes neither the cache key nor caching',
      'no caching behaviour applies to this request: the profile default (honour Cache-Control and Expires, defaultTtl 0) is assumed',
    ]);
    assert.deepEqual(e.profile.options, {});
  });
});

const POSITIONED = `{
  "propertyId": "prp_1",
  "propertyVersion": 7,
  "rules": {
    "name": "default",
    "behaviors": [
      {
        "name": "caching",
        "options": { "behavior": "MAX_AGE", "mustRevalidate": false, "ttl": "1h", "honorPrivate": false }
      }
    ],
    "children": [
      {
        "name": "Bots",
        "criteria": [
          { "name": "userAgent", "options": { "matchOperator": "IS_ONE_OF", "values": ["*bot*"] } }
        ],
        "behaviors": [
          { "name": "caching", "options": { "behavior": "NO_STORE" } }
        ]
      }
    ]
  }
}
`;

describe('akamai: provenance and undecidable criteria', () => {
  const p = akamaiFromSource(fromText(POSITIONED, 'rules.json'));
  it('an unknown criterion splits the evaluation; each option points at its line', () => {
    const [taken, notTaken, ...rest] = p.evaluate(req('/account'), RES);
    assert.equal(rest.length, 0);
    assert.deepEqual(taken, {
      kind: 'akamai',
      handler: { label: 'rule "Bots"', at: { file: 'rules.json', line: 14, column: 9, endLine: 14 } },
      profile: { id: 'akamai', options: { behavior: 'NO_STORE' } },
      request: req('/account'),
      response: RES,
      provenance: [{ option: 'behavior', at: { file: 'rules.json', line: 19, column: 45, endLine: 19 }, text: 'caching.behavior: NO_STORE' }],
      assumptions: [{ at: { file: 'rules.json', line: 16, column: 11, endLine: 16 }, text: 'rule "Bots": userAgent {matchOperator: IS_ONE_OF, values: [*bot*]} taken (criterion userAgent is not evaluated by this checker)' }],
      caching: false,
      unmodelled: [],
    });
    assert.deepEqual([notTaken!.handler.label, notTaken!.profile.options, notTaken!.caching], ['rule "default"', { behavior: 'MAX_AGE', ttl: 3600, honorPrivate: false }, true]);
    assert.deepEqual(notTaken!.provenance.map((x) => `${x.at.line}:${x.at.column} ${x.text}`), ['9:22 caching.behavior: MAX_AGE', '9:70 caching.ttl: 1h (3600 s)', '9:83 caching.honorPrivate: false']);
    assert.deepEqual(notTaken!.unmodelled.map((x) => x.text), ['caching: {mustRevalidate: false} (rule "default")']);
    assert.equal(notTaken!.assumptions[0]!.text.endsWith('not taken (criterion userAgent is not evaluated by this checker)'), true);
  });
  it(`at most ${MAX_BRANCHES} branches; past that, undecided criteria are assumed taken`, () => {
    const many = tree(Array.from({ length: 6 }, (_, i) => rule(`r${i}`, [caching({ behavior: 'MAX_AGE', ttl: `${i + 1}m` })], [crit('clientIp', { values: [`10.0.0.${i}`] })])));
    const evals = many.evaluate(req('/'), RES);
    // Eight branches; every branch cut at the limit ends with r5 taken, so three outcomes remain.
    assert.deepEqual(evals.map((e) => e.handler.label), ['rule "r5"', 'rule "r4"', 'rule "r3"']);
  });
});

describe('akamai: loading', () => {
  it('TTL strings', () => {
    assert.deepEqual(['30s', '10m', '1h', '7d', '90', 120, '', undefined, 'soon'].map(parseTtl), [30, 600, 3600, 604800, 90, 120, undefined, undefined, 'invalid']);
  });
  it('accepts {rules} and the bare default rule', () => {
    const bare = akamaiFromSource(fromText(JSON.stringify(rule('default', [caching({ behavior: 'NO_STORE' })])), 'tree.json'));
    assert.deepEqual([bare.name, only(bare.evaluate(req('/'), RES)).profile.options], ['akamai property (tree.json)', { behavior: 'NO_STORE' }]);
    const wrapped = akamaiFromSource(fromText(JSON.stringify({ rules: rule('default', []) }), 'rules.json'));
    assert.equal(wrapped.rules.name, 'default');
  });
  it('errors: an invalid TTL, a bad criteriaMustSatisfy, not a rule tree', () => {
    assert.throws(() => akamaiFromSource(fromText(POSITIONED.replace('"ttl": "1h"', '"ttl": "an hour"'), 'rules.json')), {
      name: 'ConfigParseError',
      message: 'rules.json:9:70: rule "default": caching ttl "an hour" is not a duration (expected a number and a unit: 30s, 10m, 1h, 7d)',
    });
    assert.throws(() => akamaiFromSource(fromText(JSON.stringify({ rules: { ...rule('default', []), criteriaMustSatisfy: 'some' } }), 'rules.json')), {
      message: 'rules.json:1:71: rule "default": criteriaMustSatisfy "some" (expected "all" or "any")',
    });
    assert.throws(() => akamaiFromSource(fromText('{"hello": 1}', 'rules.json')), { message: 'rules.json:1:1: not an Akamai rule tree (expected {"rules": {"name": "default", "behaviors": […], "children": […]}})' });
  });
});
