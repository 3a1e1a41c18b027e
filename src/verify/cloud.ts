/**
 * The three CDN readers behind one door: which kind a parsed provider document is, and loading
 * a kind from its snapshot files.
 */
import { isAkamaiDocument, loadAkamai, type AkamaiModel } from './akamai/index.ts';
import { isCloudFrontDocument, loadCloudFront, type CloudFrontModel } from './cloudfront/index.ts';
import { loadCloudflare, type CloudflareModel } from './cloudflare/model.ts';
import { isCloudflareDocument } from './cloudflare/load.ts';

export const CLOUD_KINDS = ['cloudflare', 'cloudfront', 'akamai'] as const;
export type CloudKind = (typeof CLOUD_KINDS)[number];
export type CloudModel = CloudflareModel | CloudFrontModel | AkamaiModel;

/** Which provider a parsed JSON document comes from, if it looks like one of ours. */
export function detectCloudKind(json: unknown): CloudKind | undefined {
  if (isCloudFrontDocument(json)) return 'cloudfront';
  if (isAkamaiDocument(json)) return 'akamai';
  if (isCloudflareDocument(json)) return 'cloudflare';
  return undefined;
}

/** Loads a provider's snapshot: `files` maps contract names (`cache_rules.json`, …) to paths. */
export function loadCloud(kind: CloudKind, files: Readonly<Record<string, string>>): CloudModel {
  switch (kind) {
    case 'cloudflare':
      return loadCloudflare(files);
    case 'cloudfront':
      return loadCloudFront(files);
    case 'akamai':
      return loadAkamai(files);
  }
}
