/** CloudFront distribution model: behaviour selection, managed/custom/legacy policies, origin request policies, mapping, provenance, errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequestInfo, HttpResponseInfo } from '../../../src/semantics/types.ts';
import {
  cloudFrontFromSources,
  MANAGED_CACHE_POLICIES,
  MANAGED_ORIGIN_REQUEST_POLICIES,
  pathPatternMatcher,
  type CloudFrontEvaluation,
} from '../../../src/verify/cloudfront/index.ts';
import { fromText } from '../../../src/verify/json-source.ts';

const ID = {
  optimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  uncompressed: 'b2884449-e4de-46a7-ac36-70bc7f1ddd6d',
  disabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  origin: '83da9c7e-98b4-4e11-a168-04f0df8e2c65',
  originQs: '4cc15a8a-d715-48a4-82b8-cc0b614638fe',
  mediaPackage: '08627262-05a9-4f76-9ded-b50ca2e3a84f',
  amplify: '2e54312d-136d-493c-8eb9-b001f22f67d2',
  allViewer: '216adef6-5c7f-47e4-b989-5492eafa07d3',
  allViewerExceptHost: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
  allViewerCf: '33f36d7e-f396-46d9-90e0-52428a34d9dc',
  corsS3: '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf',
  corsCustom: '59781a5b-3903-41f3-afcb-af62929ccde1',
  userAgentReferer: 'acba4595-bd28-49b8-b9fe-13317c0390fa',
  mediaTailor: '775133bc-15f2-49f9-abea-afb2e0bf67d2',
};

const req = (url: string, headers: Record<string, string> = { cookie: 'session=abc; theme=dark', accept: 'text/html' }): HttpRequestInfo => ({ method: 'GET', url, host: 'shop.example', headers });
const PRIVATE: HttpResponseInfo = { status: 200, headers: { 'cache-control': 'private' } };
const behaviour = (pattern: string | undefined, extra: object) => ({ ...(pattern === undefined ? {} : { PathPattern: pattern }), TargetOriginId: 'app', ViewerProtocolPolicy: 'redirect-to-https', ...extra });
const dist = (items: object[], def: object, wrap: (c: object) => object = (c) => ({ ETag: 'E1', DistributionConfig: c })) =>
  fromText(JSON.stringify(wrap({ CallerReference: 'ref', Comment: 'test distribution', Enabled: true, DefaultCacheBehavior: def, CacheBehaviors: { Quantity: items.length, Items: items } }), null, 2), 'distribution.json');
const only = (evals: CloudFrontEvaluation[]): CloudFrontEvaluation => {
  assert.equal(evals.length, 1);
  return evals[0]!;
};
const evalWith = (def: object, url = '/x', headers?: Record<string, string>) => only(cloudFrontFromSources([dist([], def)]).evaluate(req(url, headers), PRIVATE));

describe('cloudfront: path patterns and behaviour selection', () => {
  it('path patterns: case-sensitive, * any run (slashes too), ? one character, leading slash optional', () => {
    const m = (p: string, path: string) => pathPatternMatcher(p).test(path);
    assert.deepEqual(
      [m('/images/*.jpg', '/images/a/b.jpg'), m('/images/*.jpg', '/Images/a.jpg'), m('images/*', '/images/x'), m('/a?c', '/abc'), m('/a?c', '/abbc'), m('*', '/anything'), m('/api/me', '/api/me'), m('/api/me', '/api/me/x')],
      [true, false, true, true, false, true, true, false],
    );
  });
  const d = cloudFrontFromSources([
    dist([behaviour('/api/*', { CachePolicyId: ID.disabled }), behaviour('/api/me', { CachePolicyId: ID.optimized }), behaviour('*.css', { CachePolicyId: ID.optimized })], behaviour(undefined, { CachePolicyId: ID.optimized })),
  ]);
  it('the first matching behaviour in order wins; the query is not part of the path; else the default', () => {
    assert.deepEqual(['/api/me', '/api/me?x=1', '/static/app.css', '/account'].map((u) => only(d.evaluate(req(u), PRIVATE)).handler.label), [
      'cache behaviour /api/*',
      'cache behaviour /api/*',
      'cache behaviour *.css',
      'default cache behaviour',
    ]);
  });
});

describe('cloudfront: managed cache policies', () => {
  it('has the seven documented policies with their TTLs', () => {
    assert.deepEqual(
      [...MANAGED_CACHE_POLICIES.values()].map((p) => `${p.name} ${p.minTtl}/${p.defaultTtl}/${p.maxTtl}`),
      [
        'CachingOptimized 1/86400/31536000',
        'CachingOptimizedForUncompressedObjects 1/86400/31536000',
        'CachingDisabled 0/0/0',
        'UseOriginCacheControlHeaders 0/0/31536000',
        'UseOriginCacheControlHeaders-QueryStrings 0/0/31536000',
        'Elemental-MediaPackage 0/86400/31536000',
        'Amplify 2/2/600',
      ],
    );
  });
  it('maps to the profile by name when it knows the policy, else by TTLs; keys resolve against the request', () => {
    const o = (id: string) => evalWith(behaviour(undefined, { CachePolicyId: id })).profile.options;
    assert.deepEqual(o(ID.optimized), { policy: 'CachingOptimized' });
    assert.deepEqual(o(ID.disabled), { policy: 'CachingDisabled' });
    assert.deepEqual(o(ID.uncompressed), { policy: { minTtl: 1, defaultTtl: 86400, maxTtl: 31536000 } });
    assert.deepEqual(o(ID.origin), {
      policy: { minTtl: 0, defaultTtl: 0, maxTtl: 31536000 },
      keyCookies: ['session', 'theme'],
      keyHeaders: ['host', 'origin', 'x-http-method-override', 'x-http-method', 'x-method-override'],
    });
    assert.deepEqual(o(ID.mediaPackage), { policy: { minTtl: 0, defaultTtl: 86400, maxTtl: 31536000 }, keyHeaders: ['origin'] });
    assert.deepEqual(o(ID.amplify), { policy: { minTtl: 2, defaultTtl: 2, maxTtl: 600 }, keyCookies: ['session', 'theme'], keyHeaders: ['authorization', 'cloudfront-viewer-country', 'host'] });
  });
  it('CachingDisabled means nothing is cached on the behaviour', () => {
    assert.equal(evalWith(behaviour(undefined, { CachePolicyId: ID.disabled })).caching, false);
    assert.equal(evalWith(behaviour(undefined, { CachePolicyId: ID.optimized })).caching, true);
  });
});

describe('cloudfront: origin request policies (forwarded, not keyed)', () => {
  it('has the documented managed policies', () => {
    assert.deepEqual([...MANAGED_ORIGIN_REQUEST_POLICIES.values()].map((p) => p.name), [
      'AllViewer', 'AllViewerExceptHostHeader', 'AllViewerAndCloudFrontHeaders-2022-06', 'CORS-S3Origin', 'CORS-CustomOrigin', 'UserAgentRefererHeaders', 'Elemental-MediaTailor-PersonalizedManifests', 'HostHeaderOnly',
    ]);
  });
  it('maps each to forwardCookies / forwardHeaders', () => {
    const o = (id: string) => evalWith(behaviour(undefined, { CachePolicyId: ID.optimized, OriginRequestPolicyId: id }), '/x', { cookie: 'session=abc', accept: 'text/html', host: 'shop.example', 'user-agent': 'UA' }).profile.options;
    assert.deepEqual(o(ID.allViewer), { policy: 'CachingOptimized', forwardCookies: 'all', forwardHeaders: 'all' });
    assert.deepEqual(o(ID.allViewerCf), { policy: 'CachingOptimized', forwardCookies: 'all', forwardHeaders: 'all' });
    assert.deepEqual(o(ID.allViewerExceptHost), { policy: 'CachingOptimized', forwardCookies: 'all', forwardHeaders: ['accept', 'user-agent'] });
    assert.deepEqual(o(ID.corsS3), { policy: 'CachingOptimized', forwardHeaders: ['origin', 'access-control-request-headers', 'access-control-request-method'] });
    assert.deepEqual(o(ID.corsCustom), { policy: 'CachingOptimized', forwardHeaders: ['origin'] });
    assert.deepEqual(o(ID.userAgentReferer), { policy: 'CachingOptimized', forwardHeaders: ['user-agent', 'referer'] });
    assert.deepEqual(o(ID.mediaTailor), { policy: 'CachingOptimized', forwardHeaders: ['origin', 'access-control-request-headers', 'access-control-request-method', 'user-agent', 'x-forwarded-for'] });
  });
});

const POLICIES = `[
  {
    "Id": "custom-1",
    "CachePolicyConfig": {
      "Name": "pages",
      "MinTTL": 0,
      "DefaultTTL": 60,
      "MaxTTL": 600,
      "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": true,
        "HeadersConfig": { "HeaderBehavior": "whitelist", "Headers": { "Quantity": 1, "Items": ["X-Tenant"] } },
        "CookiesConfig": { "CookieBehavior": "allExcept", "Cookies": { "Quantity": 1, "Items": ["theme"] } },
        "QueryStringsConfig": { "QueryStringBehavior": "whitelist", "QueryStrings": { "Quantity": 1, "Items": ["page"] } }
      }
    }
  }
]
`;
const ORPS = `[
  {
    "Id": "orp-1",
    "OriginRequestPolicyConfig": {
      "Name": "session-only",
      "HeadersConfig": { "HeaderBehavior": "none" },
      "CookiesConfig": { "CookieBehavior": "whitelist", "Cookies": { "Quantity": 1, "Items": ["session"] } },
      "QueryStringsConfig": { "QueryStringBehavior": "all" }
    }
  }
]
`;
const DIST = `{
  "ETag": "E2QWRUHAPOMQZL",
  "DistributionConfig": {
    "CallerReference": "ref",
    "Comment": "",
    "DefaultCacheBehavior": {
      "TargetOriginId": "app",
      "CachePolicyId": "${ID.optimized}",
      "OriginRequestPolicyId": "${ID.allViewer}",
      "FunctionAssociations": {
        "Quantity": 1,
        "Items": [{ "FunctionARN": "arn:aws:cloudfront::123456789012:function/canonical-host", "EventType": "viewer-request" }]
      },
      "LambdaFunctionAssociations": {
        "Quantity": 1,
        "Items": [{ "LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:headers:7", "EventType": "origin-response", "IncludeBody": false }]
      },
      "ResponseHeadersPolicyId": "67f7725c-6f97-4210-82d7-5512b31e9d03"
    },
    "CacheBehaviors": {
      "Quantity": 2,
      "Items": [
        {
          "PathPattern": "/pages/*",
          "TargetOriginId": "app",
          "CachePolicyId": "custom-1",
          "OriginRequestPolicyId": "orp-1"
        },
        {
          "PathPattern": "/legacy/*",
          "TargetOriginId": "app",
          "ForwardedValues": {
            "QueryString": false,
            "Cookies": { "Forward": "all" },
            "Headers": { "Quantity": 0 }
          },
          "MinTTL": 0,
          "DefaultTTL": 300
        }
      ]
    }
  }
}
`;

describe('cloudfront: custom and legacy policies, with provenance', () => {
  const d = cloudFrontFromSources([fromText(DIST, 'distribution.json'), fromText(POLICIES, 'cache-policies.json'), fromText(ORPS, 'origin-request-policies.json')]);
  it('a custom cache policy and origin request policy, each option pointing at its JSON line', () => {
    const e = only(d.evaluate(req('/pages/1', { cookie: 'session=abc; theme=dark; cart=3' }), PRIVATE));
    assert.deepEqual(e.handler, { label: 'cache behaviour /pages/*', at: { file: 'distribution.json', line: 24, column: 11, endLine: 24 } });
    assert.deepEqual(e.profile.options, {
      policy: { minTtl: 0, defaultTtl: 60, maxTtl: 600 },
      keyCookies: ['session', 'cart'],
      keyHeaders: ['x-tenant'],
      forwardCookies: ['session'],
    });
    assert.deepEqual(e.provenance.map((p) => `${p.option} ${p.at.file}:${p.at.line}:${p.at.column} ${p.text}`), [
      'policy distribution.json:26:11 CachePolicyId: custom-1 ("pages": MinTTL 0, DefaultTTL 60, MaxTTL 600)',
      'policy cache-policies.json:4:5 CachePolicyConfig "pages": MinTTL 0, DefaultTTL 60, MaxTTL 600',
      'keyCookies cache-policies.json:12:9 CookieBehavior allExcept [theme] (this request: session, cart)',
      'keyHeaders cache-policies.json:11:9 HeadersConfig: [X-Tenant]',
      'forwardCookies origin-request-policies.json:7:7 origin request policy "session-only": CookieBehavior whitelist [session]',
    ]);
    assert.deepEqual(e.unmodelled.map((u) => `${u.at.line} ${u.text}`), ['13 query strings in the key: {behavior: whitelist, names: [page]}']);
    assert.deepEqual(e.assumptions, []);
  });
  it('legacy ForwardedValues: forwarded cookies are keyed too; TTLs from the behaviour', () => {
    const e = only(d.evaluate(req('/legacy/a'), PRIVATE));
    assert.deepEqual(e.profile.options, { policy: { minTtl: 0, defaultTtl: 300, maxTtl: 31536000 }, keyCookies: ['session', 'theme'], forwardCookies: 'all' });
    assert.deepEqual(e.provenance.map((p) => `${p.option} ${p.at.line}:${p.at.column} ${p.text}`), [
      'policy 32:11 legacy cache settings: MinTTL 0, DefaultTTL 300, MaxTTL 31536000',
      'keyCookies 32:11 Cookies.Forward all (this request: session, theme)',
      'forwardCookies 32:11 Cookies.Forward all (this request: session, theme)',
    ]);
  });
  it('function associations become Assumptions; a response headers policy is unmodelled', () => {
    const e = only(d.evaluate(req('/'), PRIVATE));
    assert.deepEqual(e.profile.options, { policy: 'CachingOptimized', forwardCookies: 'all', forwardHeaders: 'all' });
    assert.deepEqual(e.assumptions, [
      { at: { file: 'distribution.json', line: 12, column: 19, endLine: 12 }, text: 'CloudFront Function arn:aws:cloudfront::123456789012:function/canonical-host on viewer-request not evaluated: assumed it changes neither the cache key nor the caching headers' },
      { at: { file: 'distribution.json', line: 16, column: 19, endLine: 16 }, text: 'Lambda@Edge arn:aws:lambda:us-east-1:123456789012:function:headers:7 on origin-response not evaluated: assumed it changes neither the cache key nor the caching headers' },
    ]);
    assert.deepEqual(e.unmodelled.map((u) => u.text), ['ResponseHeadersPolicyId: 67f7725c-6f97-4210-82d7-5512b31e9d03 (changes only what viewers receive)']);
  });
  it('a legacy behaviour forwarding all headers does not cache', () => {
    const e = evalWith(behaviour(undefined, { ForwardedValues: { QueryString: true, Cookies: { Forward: 'none' }, Headers: { Quantity: 1, Items: ['*'] } }, MinTTL: 0 }));
    assert.deepEqual([e.profile.options, e.caching], [{ policy: { minTtl: 0, defaultTtl: 0, maxTtl: 0 }, forwardHeaders: 'all' }, false]);
  });
});

describe('cloudfront: loading', () => {
  it('accepts {Distribution: {Id, DistributionConfig}}, a bare DistributionConfig and List…Policies output', () => {
    const wrapped = cloudFrontFromSources([dist([], behaviour(undefined, { CachePolicyId: ID.optimized }), (c) => ({ Distribution: { Id: 'E123', DistributionConfig: c } }))]);
    assert.deepEqual([wrapped.distributionId, wrapped.name], ['E123', 'cloudfront distribution E123']);
    const bare = cloudFrontFromSources([dist([], behaviour(undefined, { CachePolicyId: ID.optimized }), (c) => c)]);
    assert.equal(bare.name, 'cloudfront distribution test distribution');
    const listed = fromText(JSON.stringify({ CachePolicyList: { Quantity: 1, Items: [{ Type: 'custom', CachePolicy: { Id: 'c9', CachePolicyConfig: { Name: 'n', MinTTL: 5 } } }] } }), 'policies.json');
    const withList = cloudFrontFromSources([dist([], behaviour(undefined, { CachePolicyId: 'c9' })), listed]);
    assert.deepEqual(only(withList.evaluate(req('/'), PRIVATE)).profile.options, { policy: { minTtl: 5, defaultTtl: 86400, maxTtl: 31536000 } });
  });
  it('a policy id that is neither managed nor in the snapshot names the id and the behaviour', () => {
    assert.throws(() => cloudFrontFromSources([fromText(DIST, 'distribution.json'), fromText(ORPS, 'origin-request-policies.json')]), {
      name: 'ConfigParseError',
      message: 'distribution.json:26:11: cache behaviour /pages/*: cache policy "custom-1" is neither AWS-managed nor in cache-policies.json (expected a managed cache policy id or an Id listed in cache-policies.json)',
    });
    assert.throws(() => cloudFrontFromSources([fromText(DIST, 'distribution.json'), fromText(POLICIES, 'cache-policies.json')]), {
      message: 'distribution.json:27:11: cache behaviour /pages/*: origin request policy "orp-1" is neither AWS-managed nor in origin-request-policies.json (expected a managed origin request policy id or an Id listed in origin-request-policies.json)',
    });
    assert.throws(() => cloudFrontFromSources([dist([], behaviour(undefined, { CachePolicyId: 'nope' }))]), {
      message: 'distribution.json:10:7: default cache behaviour: cache policy "nope" is neither AWS-managed nor in the snapshot (no cache-policies.json given) (expected a managed cache policy id or an Id listed in cache-policies.json)',
    });
  });
  it('shape errors', () => {
    assert.throws(() => cloudFrontFromSources([fromText(POLICIES, 'cache-policies.json')]), { message: 'cache-policies.json:1:1: no CloudFront distribution among the files (expected distribution.json)' });
    assert.throws(() => cloudFrontFromSources([fromText('{"DistributionConfig": {"Comment": "x"}}', 'distribution.json')]), {
      message: 'distribution.json:1:2: the distribution has no DefaultCacheBehavior (expected a "DefaultCacheBehavior" object)',
    });
    assert.throws(() => cloudFrontFromSources([dist([], behaviour(undefined, { CachePolicyId: 'p' })), fromText(POLICIES.replace('"whitelist", "Headers"', '"allViewer", "Headers"'), 'cache-policies.json')]), {
      message: 'cache-policies.json:11:28: HeaderBehavior "allViewer" is not one CloudFront knows (expected "none", "whitelist")',
    });
  });
});
