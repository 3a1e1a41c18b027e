import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fetchCloudFront } from '../../../src/verify/fetch/cloudfront.ts';
import { jsonFile } from '../../../src/verify/fetch/snapshot.ts';
import { closedPortUrl, FIXED_NOW, localApi, rejectsWithFetchError, type LocalApi } from './helpers.ts';

// The SDK's default credential chain must not look beyond this test: no instance metadata,
// no shared files.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/cachewarden-test/credentials';
process.env.AWS_CONFIG_FILE = '/nonexistent/cachewarden-test/config';
for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
  delete process.env[k];
}

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DIST = 'E2QWRUHAPOMQZL';
const ETAG = 'E2QWRUHAPOMQZL-3';
const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const ORIGIN_SECRET = '9c1f2e7a-6b3d-4f00-origin-verify';

// AWS-managed policies (ids as AWS publishes them) and two custom ones.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';
const PERSONAL_API = 'a1b2c3d4-5678-4e9f-8a7b-6c5d4e3f2a1b';
const FORWARD_SESSION = 'b7a1c0de-1111-4c2b-9a55-0f1e2d3c4b5a';

const behaviourXml = (cachePolicy: string, originRequestPolicy: string) => `
    <TargetOriginId>shop-origin</TargetOriginId>
    <TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>
    <ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>
    <AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items>
      <CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>
    <Compress>true</Compress>
    <CachePolicyId>${cachePolicy}</CachePolicyId>
    <OriginRequestPolicyId>${originRequestPolicy}</OriginRequestPolicyId>`;

const DISTRIBUTION_XML = `<?xml version="1.0" encoding="UTF-8"?>
<DistributionConfig xmlns="${NS}">
  <CallerReference>shop-2024-01-01</CallerReference>
  <Aliases><Quantity>1</Quantity><Items><CNAME>shop.example.com</CNAME></Items></Aliases>
  <DefaultRootObject></DefaultRootObject>
  <Origins><Quantity>1</Quantity><Items><Origin>
    <Id>shop-origin</Id>
    <DomainName>origin.shop.example</DomainName>
    <OriginPath></OriginPath>
    <CustomHeaders><Quantity>1</Quantity><Items><OriginCustomHeader><HeaderName>X-Origin-Verify</HeaderName><HeaderValue>${ORIGIN_SECRET}</HeaderValue></OriginCustomHeader></Items></CustomHeaders>
    <CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>https-only</OriginProtocolPolicy>
      <OriginSslProtocols><Quantity>1</Quantity><Items><SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols>
      <OriginReadTimeout>30</OriginReadTimeout><OriginKeepaliveTimeout>5</OriginKeepaliveTimeout></CustomOriginConfig>
    <ConnectionAttempts>3</ConnectionAttempts>
    <ConnectionTimeout>10</ConnectionTimeout>
  </Origin></Items></Origins>
  <DefaultCacheBehavior>${behaviourXml(CACHING_OPTIMIZED, ALL_VIEWER)}
  </DefaultCacheBehavior>
  <CacheBehaviors><Quantity>2</Quantity><Items>
    <CacheBehavior><PathPattern>/account/*</PathPattern>${behaviourXml(CACHING_DISABLED, FORWARD_SESSION)}
    </CacheBehavior>
    <CacheBehavior><PathPattern>/api/me*</PathPattern>${behaviourXml(PERSONAL_API, FORWARD_SESSION)}
    </CacheBehavior>
  </Items></CacheBehaviors>
  <Comment>shop</Comment>
  <PriceClass>PriceClass_100</PriceClass>
  <Enabled>true</Enabled>
  <HttpVersion>http2</HttpVersion>
  <IsIPV6Enabled>true</IsIPV6Enabled>
</DistributionConfig>`;

const behaviour = (CachePolicyId: string, OriginRequestPolicyId: string) => ({
  TargetOriginId: 'shop-origin',
  TrustedSigners: { Enabled: false, Quantity: 0 },
  ViewerProtocolPolicy: 'redirect-to-https',
  AllowedMethods: { Quantity: 2, Items: ['HEAD', 'GET'], CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
  Compress: true,
  CachePolicyId,
  OriginRequestPolicyId,
});

const DISTRIBUTION = {
  CallerReference: 'shop-2024-01-01',
  Aliases: { Quantity: 1, Items: ['shop.example.com'] },
  DefaultRootObject: '',
  Origins: {
    Quantity: 1,
    Items: [
      {
        Id: 'shop-origin',
        DomainName: 'origin.shop.example',
        OriginPath: '',
        CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'X-Origin-Verify', HeaderValue: '[redacted]' }] },
        CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only', OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] }, OriginReadTimeout: 30, OriginKeepaliveTimeout: 5 },
        ConnectionAttempts: 3,
        ConnectionTimeout: 10,
      },
    ],
  },
  DefaultCacheBehavior: behaviour(CACHING_OPTIMIZED, ALL_VIEWER),
  CacheBehaviors: { Quantity: 2, Items: [{ PathPattern: '/account/*', ...behaviour(CACHING_DISABLED, FORWARD_SESSION) }, { PathPattern: '/api/me*', ...behaviour(PERSONAL_API, FORWARD_SESSION) }] },
  Comment: 'shop',
  PriceClass: 'PriceClass_100',
  Enabled: true,
  HttpVersion: 'http2',
  IsIPV6Enabled: true,
};

const cachePolicyXml = (id: string, name: string, ttl: [number, number, number], key: string) =>
  `<CachePolicy><Id>${id}</Id><LastModifiedTime>2024-05-02T10:00:00.000Z</LastModifiedTime><CachePolicyConfig>
    <Comment>${name}</Comment><Name>${name}</Name><DefaultTTL>${ttl[1]}</DefaultTTL><MaxTTL>${ttl[2]}</MaxTTL><MinTTL>${ttl[0]}</MinTTL>
    <ParametersInCacheKeyAndForwardedToOrigin><EnableAcceptEncodingGzip>true</EnableAcceptEncodingGzip><EnableAcceptEncodingBrotli>true</EnableAcceptEncodingBrotli>${key}</ParametersInCacheKeyAndForwardedToOrigin>
  </CachePolicyConfig></CachePolicy>`;
const NO_KEY = '<HeadersConfig><HeaderBehavior>none</HeaderBehavior></HeadersConfig><CookiesConfig><CookieBehavior>none</CookieBehavior></CookiesConfig><QueryStringsConfig><QueryStringBehavior>none</QueryStringBehavior></QueryStringsConfig>';
const PERSONAL_KEY =
  '<HeadersConfig><HeaderBehavior>whitelist</HeaderBehavior><Headers><Quantity>1</Quantity><Items><Name>Authorization</Name></Items></Headers></HeadersConfig>' +
  '<CookiesConfig><CookieBehavior>whitelist</CookieBehavior><Cookies><Quantity>1</Quantity><Items><Name>session</Name></Items></Cookies></CookiesConfig>' +
  '<QueryStringsConfig><QueryStringBehavior>none</QueryStringBehavior></QueryStringsConfig>';

const PERSONAL_API_CONFIG = {
  Comment: 'personal-api',
  Name: 'personal-api',
  DefaultTTL: 0,
  MaxTTL: 1,
  MinTTL: 0,
  ParametersInCacheKeyAndForwardedToOrigin: {
    EnableAcceptEncodingGzip: true,
    EnableAcceptEncodingBrotli: true,
    HeadersConfig: { HeaderBehavior: 'whitelist', Headers: { Quantity: 1, Items: ['Authorization'] } },
    CookiesConfig: { CookieBehavior: 'whitelist', Cookies: { Quantity: 1, Items: ['session'] } },
    QueryStringsConfig: { QueryStringBehavior: 'none' },
  },
};

const ORP_XML = (id: string, name: string, headers: string, cookies: string) =>
  `<OriginRequestPolicy><Id>${id}</Id><LastModifiedTime>2024-05-02T10:00:00.000Z</LastModifiedTime><OriginRequestPolicyConfig>
    <Comment>${name}</Comment><Name>${name}</Name><HeadersConfig><HeaderBehavior>${headers}</HeaderBehavior></HeadersConfig>
    <CookiesConfig><CookieBehavior>${cookies}</CookieBehavior></CookiesConfig><QueryStringsConfig><QueryStringBehavior>all</QueryStringBehavior></QueryStringsConfig>
  </OriginRequestPolicyConfig></OriginRequestPolicy>`;

const FORWARD_SESSION_CONFIG = {
  Comment: 'forward-session',
  Name: 'forward-session',
  HeadersConfig: { HeaderBehavior: 'allViewer' },
  CookiesConfig: { CookieBehavior: 'all' },
  QueryStringsConfig: { QueryStringBehavior: 'all' },
};

const errorXml = (type: string, code: string, message: string) =>
  `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>2f0a3c9e-7d41-4b8e-9e52-1c0d3b7a6f55</RequestId></ErrorResponse>`;

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256hex = (data: string) => createHash('sha256').update(data).digest('hex');

/**
 * Checks the SigV4 signature as AWS does, recomputed here from the published algorithm
 * (independently of the SDK). Returns the error code and message AWS would answer with.
 */
function sigV4Refusal(req: FastifyRequest): [string, string] | undefined {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return ['MissingAuthenticationToken', 'Request is missing Authentication Token'];
  const [, keyId, date, region, service, signedHeaders, signature] = m;
  if (keyId !== KEY_ID) return ['InvalidClientTokenId', 'The security token included in the request is invalid.'];
  const [path, query = ''] = req.url.split('?') as [string, string?];
  const canonicalQuery = query === '' ? '' : query.split('&').sort().join('&');
  const canonicalHeaders = signedHeaders!
    .split(';')
    .map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = (req.headers['x-amz-content-sha256'] as string | undefined) ?? sha256hex('');
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', req.headers['x-amz-date'], scope, sha256hex(canonicalRequest)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date!), region!), service!), 'aws4_request');
  if (region !== 'us-east-1' || service !== 'cloudfront' || hmac(kSigning, toSign).toString('hex') !== signature) {
    return ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'];
  }
  return undefined;
}

let api: LocalApi;
const overrides = new Map<string, [number, string]>();
const hanging = new Set<string>();

const xml = (reply: FastifyReply, body: string, etag?: string) => {
  reply.header('content-type', 'text/xml');
  if (etag) reply.header('etag', etag);
  return reply.send(body);
};

before(async () => {
  api = await localApi((app) => {
    app.addHook('preHandler', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (hanging.has(path)) return new Promise(() => {});
      const refusal = sigV4Refusal(req);
      if (refusal) return xml(reply.code(403), errorXml('Sender', ...refusal));
      const o = overrides.get(path);
      if (o) return xml(reply.code(o[0]), o[1]);
      return undefined;
    });
    app.get<{ Params: { id: string } }>('/2020-05-31/distribution/:id/config', async (req, reply) => {
      if (req.params.id === 'EDENIED0000000') {
        return xml(reply.code(403), errorXml('Sender', 'AccessDenied', 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudfront:GetDistributionConfig on resource: arn:aws:cloudfront::123456789012:distribution/EDENIED0000000'));
      }
      if (req.params.id !== DIST) return xml(reply.code(404), errorXml('Sender', 'NoSuchDistribution', 'The specified distribution does not exist.'));
      return xml(reply, DISTRIBUTION_XML, ETAG);
    });
    app.get<{ Querystring: { Type?: string; Marker?: string } }>('/2020-05-31/cache-policy', async (req, reply) => {
      assert.equal(req.query.Type, 'managed');
      const page2 = req.query.Marker === 'page2';
      const item = page2 ? cachePolicyXml(CACHING_DISABLED, 'Managed-CachingDisabled', [0, 0, 0], NO_KEY) : cachePolicyXml(CACHING_OPTIMIZED, 'Managed-CachingOptimized', [1, 86400, 31536000], NO_KEY);
      return xml(reply, `<CachePolicyList xmlns="${NS}">${page2 ? '' : '<NextMarker>page2</NextMarker>'}<MaxItems>1</MaxItems><Quantity>1</Quantity><Items><CachePolicySummary><Type>managed</Type>${item}</CachePolicySummary></Items></CachePolicyList>`);
    });
    app.get<{ Params: { id: string } }>('/2020-05-31/cache-policy/:id', async (req, reply) => {
      if (req.params.id !== PERSONAL_API) return xml(reply.code(404), errorXml('Sender', 'NoSuchCachePolicy', 'The cache policy does not exist.'));
      return xml(reply, `<?xml version="1.0"?>\n${cachePolicyXml(PERSONAL_API, 'personal-api', [0, 0, 1], PERSONAL_KEY).replace('<CachePolicy>', `<CachePolicy xmlns="${NS}">`)}`, 'E1PERSONAL');
    });
    app.get<{ Querystring: { Type?: string } }>('/2020-05-31/origin-request-policy', async (req, reply) => {
      assert.equal(req.query.Type, 'managed');
      return xml(reply, `<OriginRequestPolicyList xmlns="${NS}"><MaxItems>100</MaxItems><Quantity>1</Quantity><Items><OriginRequestPolicySummary><Type>managed</Type>${ORP_XML(ALL_VIEWER, 'Managed-AllViewer', 'allViewer', 'all')}</OriginRequestPolicySummary></Items></OriginRequestPolicyList>`);
    });
    app.get<{ Params: { id: string } }>('/2020-05-31/origin-request-policy/:id', async (req, reply) => {
      if (req.params.id !== FORWARD_SESSION) return xml(reply.code(404), errorXml('Sender', 'NoSuchOriginRequestPolicy', 'The origin request policy does not exist.'));
      return xml(reply, ORP_XML(FORWARD_SESSION, 'forward-session', 'allViewer', 'all').replace('<OriginRequestPolicy>', `<OriginRequestPolicy xmlns="${NS}">`), 'E1FORWARD');
    });
  });
});
after(() => api.close());
afterEach(() => {
  overrides.clear();
  hanging.clear();
});

const env = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET };
const opts = (extra: Partial<Parameters<typeof fetchCloudFront>[0]> = {}) => ({ distributionId: DIST, endpoint: api.url, now: FIXED_NOW, ...extra });
const CONFIG_PATH = `/2020-05-31/distribution/${DIST}/config`;

describe('fetchCloudFront (real @aws-sdk/client-cloudfront against a local REST-XML API)', () => {
  it('downloads the distribution and the custom policies it uses into exactly the contract files', async () => {
    api.requests.length = 0;
    const s = await fetchCloudFront(opts(), env);
    assert.deepEqual(s, {
      provider: 'cloudfront',
      target: DIST,
      version: ETAG,
      fetchedAt: '2025-03-04T05:06:07.089Z',
      files: {
        'distribution.json': jsonFile({ DistributionConfig: DISTRIBUTION, ETag: ETAG }),
        'cache-policies.json': jsonFile([{ Id: PERSONAL_API, CachePolicyConfig: PERSONAL_API_CONFIG }]),
        'origin-request-policies.json': jsonFile([{ Id: FORWARD_SESSION, OriginRequestPolicyConfig: FORWARD_SESSION_CONFIG }]),
      },
    });
    assert.ok(!s.files['distribution.json']!.includes(ORIGIN_SECRET), 'the origin custom header value must not be stored');
    assert.deepEqual([...api.requests].sort(), [
      '/2020-05-31/cache-policy/a1b2c3d4-5678-4e9f-8a7b-6c5d4e3f2a1b',
      '/2020-05-31/cache-policy?Marker=page2&Type=managed',
      '/2020-05-31/cache-policy?Type=managed',
      CONFIG_PATH,
      '/2020-05-31/origin-request-policy/b7a1c0de-1111-4c2b-9a55-0f1e2d3c4b5a',
      '/2020-05-31/origin-request-policy?Type=managed',
    ].map((p) => `GET ${p}`).sort());
  });

  it('names the missing variable when only one of the key pair is set', async () => {
    await rejectsWithFetchError(fetchCloudFront(opts(), { AWS_ACCESS_KEY_ID: KEY_ID }), `cloudfront: cannot fetch distribution ${DIST}: AWS_SECRET_ACCESS_KEY is not set`);
  });

  it('says no credentials were found when neither the variables nor the default chain have any', async () => {
    api.requests.length = 0;
    await rejectsWithFetchError(
      fetchCloudFront(opts(), {}),
      `cloudfront: cannot fetch distribution config of ${DIST} (GET ${CONFIG_PATH}): no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set and the SDK default chain (AWS_PROFILE, SSO, web identity, container, instance) found none`,
    );
    assert.deepEqual(api.requests, []);
  });

  it('reports a wrong secret as AWS\'s 403 SignatureDoesNotMatch and never the secret', async () => {
    const wrong = 'WRONGXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    await rejectsWithFetchError(
      fetchCloudFront(opts(), { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: wrong }),
      `cloudfront: cannot fetch distribution config of ${DIST} (GET ${CONFIG_PATH}): HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.`,
      [wrong, SECRET],
    );
  });

  it('reports 403 AccessDenied with the IAM message', async () => {
    await rejectsWithFetchError(
      fetchCloudFront(opts({ distributionId: 'EDENIED0000000' }), env),
      'cloudfront: cannot fetch distribution config of EDENIED0000000 (GET /2020-05-31/distribution/EDENIED0000000/config): HTTP 403 AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudfront:GetDistributionConfig on resource: arn:aws:cloudfront::123456789012:distribution/EDENIED0000000',
      [SECRET],
    );
  });

  it('reports an unknown distribution as 404 NoSuchDistribution', async () => {
    await rejectsWithFetchError(
      fetchCloudFront(opts({ distributionId: 'E000000000000' }), env),
      'cloudfront: cannot fetch distribution config of E000000000000 (GET /2020-05-31/distribution/E000000000000/config): HTTP 404 NoSuchDistribution: The specified distribution does not exist.',
      [SECRET],
    );
  });

  it('reports a 500 after the SDK\'s three attempts', async () => {
    overrides.set(`/2020-05-31/cache-policy/${PERSONAL_API}`, [500, errorXml('Receiver', 'InternalError', 'We encountered an internal error. Please try again.')]);
    api.requests.length = 0;
    await rejectsWithFetchError(
      fetchCloudFront(opts(), env),
      `cloudfront: cannot fetch cache policy ${PERSONAL_API} of distribution ${DIST} (GET /2020-05-31/cache-policy/${PERSONAL_API}): HTTP 500 InternalError: We encountered an internal error. Please try again.`,
      [SECRET],
    );
    assert.equal(api.requests.filter((r) => r === `GET /2020-05-31/cache-policy/${PERSONAL_API}`).length, 3);
  });

  it('gives up after timeoutMs when the API does not answer', async () => {
    hanging.add(CONFIG_PATH);
    await rejectsWithFetchError(
      fetchCloudFront(opts({ timeoutMs: 300 }), env),
      `cloudfront: cannot fetch distribution config of ${DIST} (GET ${CONFIG_PATH}): no answer from ${new URL(api.url).host} within 300 ms`,
      [SECRET],
    );
  });

  it('refuses a plain-http endpoint that is not loopback', async () => {
    await rejectsWithFetchError(
      fetchCloudFront(opts({ endpoint: 'http://cloudfront.example' }), env),
      `cloudfront: cannot fetch distribution ${DIST}: the endpoint http://cloudfront.example must use https (plain http only to 127.0.0.1, [::1] or localhost)`,
      [SECRET],
    );
  });

  it('reports a refused connection', async () => {
    const url = await closedPortUrl();
    await rejectsWithFetchError(
      fetchCloudFront(opts({ endpoint: url }), env),
      `cloudfront: cannot fetch distribution config of ${DIST} (GET ${CONFIG_PATH}): connection refused by ${new URL(url).host}`,
      [SECRET],
    );
  });
});
