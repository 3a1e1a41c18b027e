/** Cloudflare zone model: loading, the cache rule / page rule / zone settings merge, mapping to CloudflareOptions, provenance and splits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudflareFromSources, MAX_BRANCHES, type CloudflareEvaluation } from '../../../src/verify/cloudflare/index.ts';
import { fromText } from '../../../src/verify/json-source.ts';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';

const get = (url: string, headers: Record<string, string> = {}): HttpRequestInfo => ({ method: 'GET', url, host: 'shop.example', headers });
const OK: HttpResponseInfo = { status: 200, headers: { 'cache-control': 'private' } };

const ruleset = (rules: object[]) => fromText(JSON.stringify({ id: 'rs', phase: 'http_request_cache_settings', rules }, null, 2), 'cache_rules.json');
const rule = (description: string, expression: string, action_parameters: object, enabled = true) => ({ description, expression, action: 'set_cache_settings', action_parameters, enabled });
const page = (value: string, priority: number, actions: object[], status = 'active') => ({ id: `pr${priority}`, targets: [{ target: 'url', constraint: { operator: 'matches', value } }], actions, priority, status });
const zone = (rules: object[], pageRules?: object[], settings?: object[]) =>
  cloudflareFromSources([
    ruleset(rules),
    ...(pageRules ? [fromText(JSON.stringify(pageRules, null, 2), 'pagerules.json')] : []),
    ...(settings ? [fromText(JSON.stringify(settings, null, 2), 'settings.json')] : []),
  ]);
const only = (evals: CloudflareEvaluation[]): CloudflareEvaluation => {
  assert.equal(evals.length, 1, `expected one evaluation, got ${evals.length}`);
  return evals[0]!;
};
const brief = (e: CloudflareEvaluation) => ({ handler: e.handler.label, options: e.profile.options, caching: e.caching });

describe('cloudflare zone: cache rules stack, the last value of each setting wins', () => {
  const z = zone([
    rule('A', 'http.host eq "shop.example"', { cache: true, edge_ttl: { mode: 'override_origin', default: 3600 }, cache_key: { custom_key: { cookie: { include: ['sid'] } } } }),
    rule('B', 'starts_with(http.request.uri.path, "/products/")', { edge_ttl: { mode: 'respect_origin' } }),
    rule('C (off)', 'true', { cache: false }, false),
    rule('D', 'http.request.uri.path eq "/account"', { cache: false }),
  ]);
  it('settings merge one by one across matching rules; disabled rules never apply', () => {
    const e = only(z.evaluate(get('/products/1'), OK));
    assert.deepEqual(brief(e), {
      handler: 'cache rule "B" (cache_rules.json)',
      options: { cacheLevel: 'cache-everything', edgeTtl: { mode: 'respect_origin' }, keyCookies: ['sid'] },
      caching: true,
    });
    assert.deepEqual(e.provenance.map((p) => [p.option, p.text]), [
      ['cacheLevel', 'cache: true'],
      ['keyCookies', 'cache_key.custom_key.cookie: {include: [sid]}'],
      ['edgeTtl', 'edge_ttl: {mode: respect_origin}'],
    ]);
    assert.deepEqual(e.assumptions, []);
  });
  it('a later bypass wins over an earlier cache: true; nothing is cached', () => {
    assert.deepEqual(brief(only(z.evaluate(get('/account'), OK))), {
      handler: 'cache rule "D" (cache_rules.json)',
      options: { cacheLevel: 'bypass', edgeTtl: { mode: 'override_origin', default: 3600 }, keyCookies: ['sid'] },
      caching: false,
    });
  });
  it('no matching rule: zone defaults, the profile decides', () => {
    const e = only(z.evaluate({ method: 'GET', url: '/x', host: 'other.example', headers: {} }, OK));
    assert.deepEqual(brief(e), { handler: 'zone defaults (cache_rules.json)', options: {}, caching: true });
    assert.deepEqual(e.handler.at, { file: 'cache_rules.json', line: 1, column: 1, endLine: 57 });
  });
});

describe('cloudflare zone: mapping of cache rule settings', () => {
  it('origin_cache_control, cache deception armor, custom key headers; the rest is unmodelled', () => {
    const z = zone([
      rule('keys', 'true', {
        origin_cache_control: false,
        cache_key: { cache_deception_armor: true, ignore_query_strings_order: true, custom_key: { header: { include: ['x-tenant'], check_presence: ['x-debug'] }, query_string: { exclude: { all: true } } } },
        browser_ttl: { mode: 'override_origin', default: 60 },
        serve_stale: { disable_stale_while_updating: true },
        vary: { default: { action: 'bypass' } },
      }),
    ]);
    const e = only(z.evaluate(get('/a'), OK));
    assert.deepEqual(e.profile.options, { originCacheControl: false, cacheDeceptionArmor: true, keyHeaders: ['x-tenant'] });
    assert.deepEqual(e.unmodelled.map((u) => u.text), [
      'cache_key.ignore_query_strings_order: true',
      'cache_key.custom_key.header: {check_presence: [x-debug]} (only include is keyed by the profile)',
      'cache_key.custom_key.query_string: {exclude: {all: true}}',
      'browser_ttl: {mode: override_origin, default: 60}',
      'serve_stale: {disable_stale_while_updating: true}',
      'vary: {default: {action: bypass}}',
    ]);
  });
  it('status-code TTLs for the response status act as an Edge TTL override; -1 is no-store', () => {
    const z = zone([
      rule('api', 'true', {
        cache: true,
        edge_ttl: { mode: 'respect_origin', status_code_ttl: [{ status_code: 404, value: 30 }, { status_code_range: { from: 400, to: 499 }, value: 5 }, { status_code_range: { from: 500 }, value: -1 }] },
      }),
    ]);
    const at = (status: number) => only(z.evaluate(get('/api/x'), { status, headers: {} }));
    assert.deepEqual(at(200).profile.options, { cacheLevel: 'cache-everything', edgeTtl: { mode: 'respect_origin' } });
    assert.deepEqual(at(404).profile.options, { cacheLevel: 'cache-everything', edgeTtl: { mode: 'override_origin', default: 30 } });
    assert.deepEqual(at(410).profile.options, { cacheLevel: 'cache-everything', edgeTtl: { mode: 'override_origin', default: 5 } });
    assert.equal(at(410).provenance[1]!.text, 'edge_ttl.status_code_ttl: {status_code_range: {from: 400, to: 499}, value: 5} (status 410)');
    assert.deepEqual([at(503).profile.options, at(503).caching], [{ cacheLevel: 'bypass' }, false]);
  });
});

describe('cloudflare zone: page rules and zone settings', () => {
  const pages = [
    page('*shop.example/*', 1, [{ id: 'cache_level', value: 'cache_everything' }, { id: 'bypass_cache_on_cookie', value: 'session=.*|remember=.*' }]),
    page('*shop.example/static/*', 3, [{ id: 'cache_level', value: 'cache_everything' }, { id: 'edge_cache_ttl', value: 86400 }, { id: 'browser_cache_ttl', value: 600 }]),
    page('https://shop.example/account*', 2, [{ id: 'cache_level', value: 'bypass' }]),
    page('*shop.example/old/*', 9, [{ id: 'cache_level', value: 'bypass' }], 'disabled'),
  ];
  const settings = [{ id: 'cache_level', value: 'aggressive' }, { id: 'development_mode', value: 'on' }, { id: 'ssl', value: 'full' }];
  const z = zone([rule('bypass old', 'http.request.uri.path eq "/static/old.css"', { cache: false })], pages, settings);
  it('only the highest-priority matching active page rule applies', () => {
    const e = only(z.evaluate(get('/static/app.css'), OK));
    assert.deepEqual(brief(e), {
      handler: 'page rule "*shop.example/static/*" (pagerules.json)',
      options: { cacheLevel: 'cache-everything', edgeTtl: { mode: 'override_origin', default: 86400 } },
      caching: true,
    });
    assert.deepEqual(e.unmodelled.map((u) => u.text), ['cache_level: aggressive', 'browser_cache_ttl: 600']);
    assert.deepEqual(brief(only(z.evaluate(get('/old/x'), OK))).options, { cacheLevel: 'cache-everything' }, 'a disabled page rule is skipped');
  });
  it('a pattern with a scheme matches that scheme only; the host is case-insensitive', () => {
    assert.deepEqual(brief(only(z.evaluate({ ...get('/account'), host: 'SHOP.example' }, OK))).options, { cacheLevel: 'bypass' });
    assert.deepEqual(brief(only(z.evaluate({ ...get('/account'), scheme: 'http' }, OK))).options, { cacheLevel: 'cache-everything' });
  });
  it('bypass_cache_on_cookie bypasses when a cookie matches, and is noted when none does', () => {
    const withCookie = only(z.evaluate(get('/mypage', { cookie: 'theme=dark; session=abc' }), OK));
    assert.deepEqual(brief(withCookie).options, { cacheLevel: 'bypass' });
    assert.equal(withCookie.provenance[0]!.text, 'bypass_cache_on_cookie: "session=.*|remember=.*" (matches cookie session)');
    const without = only(z.evaluate(get('/mypage', { cookie: 'theme=dark' }), OK));
    assert.deepEqual(brief(without).options, { cacheLevel: 'cache-everything' });
    assert.equal(without.unmodelled.at(-1)!.text, 'bypass_cache_on_cookie: "session=.*|remember=.*" (no cookie of this request matches)');
  });
  it('cache rules take precedence over page rules', () => {
    assert.deepEqual(brief(only(z.evaluate(get('/static/old.css'), OK))), {
      handler: 'cache rule "bypass old" (cache_rules.json)',
      options: { cacheLevel: 'bypass', edgeTtl: { mode: 'override_origin', default: 86400 } },
      caching: false,
    });
  });
  it('development_mode on is assumed off (it expires), with an Assumption at its line', () => {
    assert.deepEqual(only(z.evaluate(get('/static/app.css'), OK)).assumptions, [
      { at: { file: 'settings.json', line: 6, column: 3, endLine: 9 }, text: 'development_mode is on in the snapshot; it turns itself off after three hours, so the rules are evaluated as if it were off' },
    ]);
  });
});

const POSITIONED = `{
  "phase": "http_request_cache_settings",
  "rules": [
    {
      "description": "Cache HTML",
      "expression": "(http.host eq \\"shop.example\\")",
      "action": "set_cache_settings",
      "action_parameters": {
        "cache": true,
        "edge_ttl": { "mode": "override_origin", "default": 3600 }
      }
    },
    {
      "ref": "office",
      "expression": "ip.src in {203.0.113.0/24} and ssl",
      "action": "set_cache_settings",
      "action_parameters": { "cache": false }
    }
  ]
}
`;

describe('cloudflare zone: undecidable conditions split the evaluation', () => {
  const z = cloudflareFromSources([fromText(POSITIONED, 'cache_rules.json')]);
  it('one evaluation per branch, with the Assumption at the condition in the expression', () => {
    const [taken, notTaken, ...rest] = z.evaluate(get('/'), OK);
    assert.equal(rest.length, 0);
    assert.deepEqual(taken, {
      kind: 'cloudflare',
      handler: { label: 'cache rule "office" (cache_rules.json)', at: { file: 'cache_rules.json', line: 13, column: 5, endLine: 18 } },
      profile: { id: 'cloudflare', options: { edgeTtl: { mode: 'override_origin', default: 3600 }, cacheLevel: 'bypass' } },
      request: get('/'),
      response: OK,
      provenance: [
        { option: 'edgeTtl', at: { file: 'cache_rules.json', line: 10, column: 9, endLine: 10 }, text: 'edge_ttl: {mode: override_origin, default: 3600}' },
        { option: 'cacheLevel', at: { file: 'cache_rules.json', line: 17, column: 30, endLine: 17 }, text: 'cache: false' },
      ],
      assumptions: [{ at: { file: 'cache_rules.json', line: 15, column: 22 }, text: 'cache rule "office": ip.src in {203.0.113.0/24} taken (ip.src is not known from the request alone)' }],
      caching: false,
      unmodelled: [],
    });
    assert.deepEqual(brief(notTaken!), {
      handler: 'cache rule "Cache HTML" (cache_rules.json)',
      options: { cacheLevel: 'cache-everything', edgeTtl: { mode: 'override_origin', default: 3600 } },
      caching: true,
    });
    assert.deepEqual(notTaken!.handler.at, { file: 'cache_rules.json', line: 4, column: 5, endLine: 12 });
    assert.deepEqual(notTaken!.provenance.map((p) => `${p.at.line}:${p.at.column} ${p.option}`), ['9:9 cacheLevel', '10:9 edgeTtl']);
    assert.deepEqual(notTaken!.assumptions.map((a) => a.text), ['cache rule "office": ip.src in {203.0.113.0/24} not taken (ip.src is not known from the request alone)']);
  });
  it('a decided part of the expression avoids the split', () => {
    assert.equal(z.evaluate({ ...get('/'), scheme: 'http' }, OK).length, 1);
  });
  it('branches that end the same are merged and lose the assumption that did not matter', () => {
    const same = zone([rule('office', 'ip.src in {1.2.3.4}', { cache: false }), rule('all', 'true', { cache: false })]);
    const e = only(same.evaluate(get('/'), OK));
    assert.deepEqual([e.handler.label, e.assumptions], ['cache rule "all" (cache_rules.json)', []]);
  });
  it('the same condition in two rules is assumed once, consistently', () => {
    const twice = zone([rule('a', 'ip.src in {1.2.3.4}', { cache: true }), rule('b', 'not ip.src in {1.2.3.4}', { cache: false })]);
    assert.deepEqual(twice.evaluate(get('/'), OK).map((e) => [e.handler.label, e.assumptions.length]), [
      ['cache rule "a" (cache_rules.json)', 1],
      ['cache rule "b" (cache_rules.json)', 1],
    ]);
  });
  it(`at most ${MAX_BRANCHES} evaluations; further conditions are assumed taken`, () => {
    const settings: object[] = [
      { cache: true },
      { edge_ttl: { mode: 'override_origin', default: 60 } },
      { origin_cache_control: false },
      { cache_key: { cache_deception_armor: true } },
      { cache_key: { custom_key: { cookie: { include: ['sid'] } } } },
      { cache_key: { custom_key: { header: { include: ['x-tenant'] } } } },
    ];
    const many = zone(settings.map((p, i) => rule(`r${i}`, `cf.threat_score gt ${i}`, p)));
    const evals = many.evaluate(get('/'), OK);
    assert.equal(evals.length, MAX_BRANCHES);
    const capped = evals.filter((e) => e.assumptions.some((a) => a.text.endsWith('(cf.threat_score is not known from the request alone; too many undecidable conditions to follow both branches)')));
    assert.equal(capped.length, 4);
  });
});

describe('cloudflare zone: loading', () => {
  it('accepts the API envelope and recognises files by content', () => {
    const envelope = fromText(JSON.stringify({ success: true, errors: [], messages: [], result: { phase: 'http_request_cache_settings', rules: [rule('x', 'true', { cache: true })] } }), 'zone-rules.json');
    const list = fromText(JSON.stringify({ success: true, errors: [], messages: [], result: [page('*a.example/*', 1, [{ id: 'cache_level', value: 'bypass' }])] }), 'pr.json');
    const settings = fromText('[{"id": "browser_cache_ttl", "value": 0}]', 'z.json');
    const z = cloudflareFromSources([envelope, list, settings]);
    assert.deepEqual([z.cacheRules.length, z.pageRules.length, z.settings.length, z.name], [1, 1, 1, 'cloudflare zone (zone-rules.json, pr.json, z.json)']);
  });
  it('an expression syntax error is one line at the file:line:column inside the expression', () => {
    assert.throws(() => cloudflareFromSources([fromText(POSITIONED.replace('and ssl', 'and and ssl'), 'cache_rules.json')]), {
      name: 'ConfigParseError',
      message: 'cache_rules.json:15:53: cache rule "office": unexpected "and" in expression (expected a field, a function call, a literal or "(")',
    });
  });
  it('shape errors name the place and what was expected', () => {
    assert.throws(() => cloudflareFromSources([fromText('{"phase": "http_request_firewall_custom", "rules": []}', 'cache_rules.json')]), {
      message: 'cache_rules.json:1:2: ruleset phase is "http_request_firewall_custom", not the cache rules phase (expected "http_request_cache_settings")',
    });
    assert.throws(() => cloudflareFromSources([fromText('{"phase": "http_request_cache_settings", "rules": [{"action": "set_cache_settings"}]}', 'cache_rules.json')]), {
      message: 'cache_rules.json:1:52: cache rule "#1" has no expression (expected an "expression" string)',
    });
    assert.throws(() => cloudflareFromSources([]), { message: 'cloudflare:1:1: no Cloudflare snapshot files given (expected cache_rules.json, pagerules.json, settings.json)' });
    assert.throws(() => cloudflareFromSources([fromText('{"hello": 1}', 'other.json')]), {
      message: 'other.json:1:1: not a Cloudflare cache ruleset, page rule list or zone settings list (expected cache_rules.json, pagerules.json or settings.json content)',
    });
  });
});
