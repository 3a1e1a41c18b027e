/**
 * Downloads a CloudFront distribution's configuration and the custom cache and origin request
 * policies its behaviours use, through the AWS SDK for JavaScript v3 (REST-XML API 2020-05-31,
 * SigV4; CloudFront is global, so the client always uses region us-east-1).
 *
 * - `GetDistributionConfig` → `distribution.json` (`{ DistributionConfig, ETag }`; the ETag is
 *   the snapshot's version);
 * - the `CachePolicyId` / `OriginRequestPolicyId` of the default and every other cache behaviour;
 *   AWS-managed policies (found with `ListCachePolicies` / `ListOriginRequestPolicies`, Type
 *   `managed`, following `NextMarker`) are left out, each custom one is read with
 *   `GetCachePolicy` / `GetOriginRequestPolicy` → `cache-policies.json` /
 *   `origin-request-policies.json` (arrays of `{ Id, CachePolicyConfig }` /
 *   `{ Id, OriginRequestPolicyConfig }`, sorted by Id).
 * IAM actions needed: cloudfront:GetDistributionConfig, ListCachePolicies, GetCachePolicy,
 * ListOriginRequestPolicies, GetOriginRequestPolicy.
 *
 * Credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) from `env`;
 * without them, the SDK's default provider chain (profiles, SSO, web identity, container and
 * instance credentials), which reads the process environment. The SDK retries throttling and
 * 5xx answers (3 attempts); each call, retries included, is bounded by `timeoutMs`.
 * The SDK is loaded on first use, so other providers do not pay for it.
 */
import type { CloudFrontClient, DistributionConfig } from '@aws-sdk/client-cloudfront';
import { jsonFile, type Snapshot } from './snapshot.ts';
import { allInOrder, checkEndpoint, fetchError, missingEnvError, requireId, transportWhy } from './http.ts';
import { redactCredentials, redactFiles } from './redact.ts';
import { DEFAULT_TIMEOUT_MS, type CloudFrontFetchOptions, type Env } from './types.ts';

const API_HOST = 'cloudfront.amazonaws.com';
const MAX_LIST_PAGES = 50;

type Sdk = typeof import('@aws-sdk/client-cloudfront');

interface AwsStatic {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function staticCredentials(env: Env, what: string): AwsStatic | undefined {
  const id = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (id && secret) return env.AWS_SESSION_TOKEN ? { accessKeyId: id, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN } : { accessKeyId: id, secretAccessKey: secret };
  if (id || secret) throw missingEnvError('cloudfront', what, [id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID']);
  return undefined;
}

/** Why an SDK call failed, in one line. */
function sdkWhy(e: unknown, host: string, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (err?.name === 'CredentialsProviderError' || /could not load credentials/i.test(err?.message ?? '')) {
    return 'no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set and the SDK default chain (AWS_PROFILE, SSO, web identity, container, instance) found none';
  }
  const status = err?.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    const code = err?.name && err.name !== 'Error' && err.name !== 'Unknown' ? ` ${err.name}` : '';
    const msg = err?.message && err.message !== err.name && err.message !== 'UnknownError' ? `: ${err.message}` : '';
    return `HTTP ${status}${code}${msg}`;
  }
  return transportWhy(e, host, timeoutMs);
}

/** Ids of the policies the distribution's cache behaviours reference, in first-use order. */
export function referencedPolicyIds(cfg: DistributionConfig | undefined): { cache: string[]; originRequest: string[] } {
  const behaviours = [cfg?.DefaultCacheBehavior, ...(cfg?.CacheBehaviors?.Items ?? [])];
  const cache = new Set<string>();
  const originRequest = new Set<string>();
  for (const b of behaviours) {
    if (b?.CachePolicyId) cache.add(b.CachePolicyId);
    if (b?.OriginRequestPolicyId) originRequest.add(b.OriginRequestPolicyId);
  }
  return { cache: [...cache], originRequest: [...originRequest] };
}

const byId = (a: { Id: string }, b: { Id: string }) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0);

export async function fetchCloudFront(options: CloudFrontFetchOptions, env: Env = process.env): Promise<Snapshot> {
  const id = requireId('cloudfront', 'distribution', 'distribution id', options.distributionId);
  const what = `distribution ${id}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credentials = staticCredentials(env, what);
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter((s): s is string => !!s);
  const host = options.endpoint ? checkEndpoint('cloudfront', what, options.endpoint).host : API_HOST;

  const sdk: Sdk = await import('@aws-sdk/client-cloudfront');
  const client: CloudFrontClient = new sdk.CloudFrontClient({
    region: 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  const call = async <T>(whatNow: string, path: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await run(AbortSignal.timeout(timeoutMs));
    } catch (e) {
      throw fetchError('cloudfront', whatNow, sdkWhy(e, host, timeoutMs), secrets, path, e);
    }
  };

  try {
    const fetchedAt = (options.now?.() ?? new Date()).toISOString();
    const dist = await call(`distribution config of ${id}`, `/2020-05-31/distribution/${id}/config`, (abortSignal) =>
      client.send(new sdk.GetDistributionConfigCommand({ Id: id }), { abortSignal }),
    );
    if (!dist.DistributionConfig) throw fetchError('cloudfront', `distribution config of ${id}`, 'the answer has no DistributionConfig', secrets);
    const refs = referencedPolicyIds(dist.DistributionConfig);

    const managedCache = async (): Promise<Set<string>> => {
      const ids = new Set<string>();
      let marker: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const out = await call('the list of managed cache policies', '/2020-05-31/cache-policy?Type=managed', (abortSignal) =>
          client.send(new sdk.ListCachePoliciesCommand({ Type: 'managed', ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
        );
        for (const s of out.CachePolicyList?.Items ?? []) if (s.CachePolicy?.Id) ids.add(s.CachePolicy.Id);
        marker = out.CachePolicyList?.NextMarker;
        if (!marker) break;
      }
      return ids;
    };
    const managedOriginRequest = async (): Promise<Set<string>> => {
      const ids = new Set<string>();
      let marker: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const out = await call('the list of managed origin request policies', '/2020-05-31/origin-request-policy?Type=managed', (abortSignal) =>
          client.send(new sdk.ListOriginRequestPoliciesCommand({ Type: 'managed', ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
        );
        for (const s of out.OriginRequestPolicyList?.Items ?? []) if (s.OriginRequestPolicy?.Id) ids.add(s.OriginRequestPolicy.Id);
        marker = out.OriginRequestPolicyList?.NextMarker;
        if (!marker) break;
      }
      return ids;
    };

    const cachePolicies = async () => {
      if (refs.cache.length === 0) return [];
      const managed = await managedCache();
      const got = await allInOrder(
        refs.cache
          .filter((p) => !managed.has(p))
          .map(async (pid) => {
            const out = await call(`cache policy ${pid} of ${what}`, `/2020-05-31/cache-policy/${pid}`, (abortSignal) =>
              client.send(new sdk.GetCachePolicyCommand({ Id: pid }), { abortSignal }),
            );
            return { Id: out.CachePolicy?.Id ?? pid, CachePolicyConfig: out.CachePolicy?.CachePolicyConfig };
          }),
      );
      return got.sort(byId);
    };
    const originRequestPolicies = async () => {
      if (refs.originRequest.length === 0) return [];
      const managed = await managedOriginRequest();
      const got = await allInOrder(
        refs.originRequest
          .filter((p) => !managed.has(p))
          .map(async (pid) => {
            const out = await call(`origin request policy ${pid} of ${what}`, `/2020-05-31/origin-request-policy/${pid}`, (abortSignal) =>
              client.send(new sdk.GetOriginRequestPolicyCommand({ Id: pid }), { abortSignal }),
            );
            return { Id: out.OriginRequestPolicy?.Id ?? pid, OriginRequestPolicyConfig: out.OriginRequestPolicy?.OriginRequestPolicyConfig };
          }),
      );
      return got.sort(byId);
    };

    const [cps, orps] = await allInOrder([cachePolicies(), originRequestPolicies()] as const);
    const snapshot: Snapshot = {
      provider: 'cloudfront',
      target: id,
      fetchedAt,
      files: redactFiles({
        'distribution.json': jsonFile(redactCredentials('cloudfront', { DistributionConfig: dist.DistributionConfig, ETag: dist.ETag })),
        'cache-policies.json': jsonFile(redactCredentials('cloudfront', cps)),
        'origin-request-policies.json': jsonFile(redactCredentials('cloudfront', orps)),
      }),
    };
    if (dist.ETag) snapshot.version = dist.ETag;
    return snapshot;
  } finally {
    client.destroy();
  }
}
