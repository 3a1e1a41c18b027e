/**
 * Keeps credentials out of snapshots. Provider APIs return a few fields that hold secrets
 * next to the cache configuration; their values are replaced with `[redacted]` (the key stays,
 * so a reader still sees that, say, a backend presents a client certificate).
 *
 * Fields, by provider (matched by key name at any depth of the JSON):
 * - fastly: `ssl_client_key` (a backend's TLS client private key, in service details'
 *   `backends`); also `secret_key`, `access_key`, `password`, `token`, `private_key`, which
 *   logging endpoints carry, in case a future details answer embeds them.
 * - cloudfront: `HeaderValue` of origin custom headers (often the shared secret an origin checks
 *   to refuse traffic that bypassed CloudFront).
 * - akamai: `key` and `transitionKey` (token-authorization keys of `verifyTokenAuthorization` /
 *   `segmentedContentProtection`), `awsAccessKeyId`, `awsSecretAccessKey`, `gcsHmacKeyAccessId`,
 *   `gcsHmacKeySecret`, `mslkey` (origin credentials in `originCharacteristics`).
 * - cloudflare: cache rules, page rules and zone settings carry no credentials.
 *
 * Every file, VCL included, also loses any PEM private-key block (`-----BEGIN … PRIVATE KEY-----`).
 * Other free text is kept as it is: VCL, snippet content and header values set by rules are the
 * configuration itself, and a secret written into them lands in the snapshot too.
 */
import type { Provider } from './types.ts';

export const REDACTED = '[redacted]';

export const CREDENTIAL_FIELDS: Readonly<Record<Provider, readonly string[]>> = {
  fastly: ['ssl_client_key', 'secret_key', 'access_key', 'password', 'token', 'private_key'],
  cloudflare: [],
  cloudfront: ['HeaderValue'],
  akamai: ['key', 'transitionKey', 'awsAccessKeyId', 'awsSecretAccessKey', 'gcsHmacKeyAccessId', 'gcsHmacKeySecret', 'mslkey'],
};

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

/**
 * `text` with every PEM private-key block replaced by `[redacted]`, wherever it sits (a VCL
 * backend declaration, a JSON string). Applied to every snapshot file as a last line of defence.
 */
export function redactPrivateKeys(text: string): string {
  return text.replace(PEM_PRIVATE_KEY, REDACTED);
}

/** Every file of a snapshot through `redactPrivateKeys`. */
export function redactFiles(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([name, text]) => [name, redactPrivateKeys(text)]));
}

/** A copy of `value` with the provider's credential fields redacted (empty values are left alone). */
export function redactCredentials<T>(provider: Provider, value: T): T {
  const fields = new Set(CREDENTIAL_FIELDS[provider]);
  if (fields.size === 0) return value;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = fields.has(k) && x !== null && x !== undefined && x !== '' ? REDACTED : walk(x);
    }
    return out;
  };
  return walk(value) as T;
}
