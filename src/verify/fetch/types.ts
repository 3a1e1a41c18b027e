/**
 * Types shared by the live-configuration fetchers (`cachewarden verify --fetch`): which
 * providers there are, the options every fetcher takes, and the environment they read
 * credentials from.
 */

export const PROVIDERS = ['fastly', 'cloudflare', 'cloudfront', 'akamai'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Where credentials come from (`process.env` unless a caller passes its own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Options every fetcher takes. */
export interface FetchCommonOptions {
  /** API base URL instead of the provider's public one (tests, proxies). */
  endpoint?: string;
  /** Limit for each API request (connect, headers and body), in ms. Default 30000. */
  timeoutMs?: number;
  /** Clock for the snapshot's `fetchedAt` (tests). */
  now?: () => Date;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface FastlyFetchOptions extends FetchCommonOptions {
  serviceId: string;
  /** A version number to fetch instead of the active version. */
  version?: number;
}

export interface CloudflareFetchOptions extends FetchCommonOptions {
  zoneId: string;
}

export interface CloudFrontFetchOptions extends FetchCommonOptions {
  distributionId: string;
}

export interface AkamaiFetchOptions extends FetchCommonOptions {
  propertyId: string;
  contractId: string;
  groupId: string;
  /** Which property version: the one live on production (default), on staging, or a number. */
  version?: 'production' | 'staging' | number;
}

/** The options of each provider's fetcher. */
export interface FetchOptionsByProvider {
  fastly: FastlyFetchOptions;
  cloudflare: CloudflareFetchOptions;
  cloudfront: CloudFrontFetchOptions;
  akamai: AkamaiFetchOptions;
}
