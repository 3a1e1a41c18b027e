/**
 * Akamai EdgeGrid request signing (EG1-HMAC-SHA256) and `.edgerc` parsing, written from
 * Akamai's published description of the scheme rather than taken from the `akamai-edgegrid`
 * package (which brings axios and pino and sends the requests itself; we only need the header).
 *
 * The scheme, for a request without a body (every PAPI read is a GET):
 * 1. timestamp = UTC time as `yyyyMMddTHH:mm:ss+0000`; nonce = a fresh random UUID;
 * 2. prefix = `EG1-HMAC-SHA256 client_token=<ct>;access_token=<at>;timestamp=<ts>;nonce=<n>;`
 * 3. signing key = base64(HMAC-SHA256(key = client secret, message = timestamp));
 * 4. data to sign = method, scheme, host (with a non-default port), path with query,
 *    the signed headers (none here), the body hash (empty for GET) and the prefix, joined by tabs;
 * 5. signature = base64(HMAC-SHA256(key = the signing key as text, message = data to sign));
 * 6. `Authorization: <prefix>signature=<signature>`.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface EdgeGridCredentials {
  /** API host, e.g. `akab-xxxx.luna.akamaiapis.net` (no scheme). */
  host: string;
  clientToken: string;
  clientSecret: string;
  accessToken: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyyMMddTHH:mm:ss+0000` in UTC. */
export function edgeGridTimestamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+0000`;
}

const hmacBase64 = (key: string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest('base64');

/** The `Authorization` header value for a body-less request to `url`. */
export function edgeGridAuthorization(
  method: string,
  url: URL,
  c: Pick<EdgeGridCredentials, 'clientToken' | 'clientSecret' | 'accessToken'>,
  timestamp: string,
  nonce: string,
): string {
  const prefix = `EG1-HMAC-SHA256 client_token=${c.clientToken};access_token=${c.accessToken};timestamp=${timestamp};nonce=${nonce};`;
  const data = [method.toUpperCase(), url.protocol.replace(/:$/, '').toLowerCase(), url.host.toLowerCase(), url.pathname + url.search, '', '', prefix].join('\t');
  const signingKey = hmacBase64(c.clientSecret, timestamp);
  return `${prefix}signature=${hmacBase64(signingKey, data)}`;
}

/** Signs a GET to `url` now, with a fresh nonce. */
export function signGet(url: URL, c: EdgeGridCredentials, now: Date = new Date()): string {
  return edgeGridAuthorization('GET', url, c, edgeGridTimestamp(now), randomUUID());
}

/** Sections of an `.edgerc` file (INI: `[section]`, `key = value`, `;`/`#` comments). */
export function parseEdgerc(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      current = {};
      sections.set(head[1]!.trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1 || !current) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    current[line.slice(0, eq).trim()] = value;
  }
  return sections;
}

/** `akab-x.luna.akamaiapis.net` from `https://akab-x.luna.akamaiapis.net/` and the like. */
export function normalizeHost(host: string): string {
  return host.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
}
