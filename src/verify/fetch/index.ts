/**
 * `cachewarden verify --fetch`: download a provider's live cache configuration as a snapshot,
 * store snapshots, and diff them. One fetcher per provider; credentials come from environment
 * variables only:
 * - fastly: `FASTLY_API_TOKEN`
 * - cloudflare: `CLOUDFLARE_API_TOKEN`
 * - cloudfront: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`), or the
 *   AWS SDK's default provider chain
 * - akamai: `AKAMAI_HOST`, `AKAMAI_CLIENT_TOKEN`, `AKAMAI_CLIENT_SECRET`, `AKAMAI_ACCESS_TOKEN`,
 *   or an `.edgerc` named by `AKAMAI_EDGERC` (section `AKAMAI_EDGERC_SECTION`, default `default`)
 * Every failure is a one-line `CwError('CW_VERIFY_FETCH')` without secrets in it.
 */
import { fetchAkamai } from './akamai.ts';
import { fetchCloudflare } from './cloudflare.ts';
import { fetchCloudFront } from './cloudfront.ts';
import { fetchFastly } from './fastly.ts';
import type { Snapshot } from './snapshot.ts';
import type { Env, FetchOptionsByProvider, Provider } from './types.ts';

export { fetchAkamai, fetchCloudflare, fetchCloudFront, fetchFastly };
/** Fastly: the snapshot file a custom VCL is stored in (`vcl/<name>.vcl`, name percent-encoded where needed). */
export { vclFileName } from './fastly.ts';
export { diffSnapshots, type FileDiff, type SnapshotDiff } from './diff.ts';
export { jsonFile, latestSnapshot, listSnapshots, loadSnapshot, MANIFEST, saveSnapshot, snapshotDir, type Snapshot, type SnapshotRef } from './snapshot.ts';
export { CREDENTIAL_FIELDS, REDACTED } from './redact.ts';
export {
  DEFAULT_TIMEOUT_MS,
  PROVIDERS,
  type AkamaiFetchOptions,
  type CloudflareFetchOptions,
  type CloudFrontFetchOptions,
  type Env,
  type FastlyFetchOptions,
  type FetchCommonOptions,
  type FetchOptionsByProvider,
  type Provider,
} from './types.ts';

/** Fetches a snapshot from `provider` with that provider's options. */
export function fetchSnapshot<P extends Provider>(provider: P, options: FetchOptionsByProvider[P], env: Env = process.env): Promise<Snapshot> {
  switch (provider) {
    case 'fastly':
      return fetchFastly(options as FetchOptionsByProvider['fastly'], env);
    case 'cloudflare':
      return fetchCloudflare(options as FetchOptionsByProvider['cloudflare'], env);
    case 'cloudfront':
      return fetchCloudFront(options as FetchOptionsByProvider['cloudfront'], env);
    case 'akamai':
      return fetchAkamai(options as FetchOptionsByProvider['akamai'], env);
    default:
      throw new RangeError(`unknown provider ${JSON.stringify(provider)}`);
  }
}
