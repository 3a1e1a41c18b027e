/**
 * Which edges the probe talks to, and how a connection is pinned to one.
 *
 * An edge is an IP address. Requests to it keep the target's `Host` header and, for https, the
 * target host name as TLS SNI and as the name the certificate is verified against (what curl's
 * `--connect-to` does). Edges come from `probe.edges`, else from every address the target's name
 * resolves to, else from the target itself when it is an IP literal. DNS-steered CDNs answer by
 * resolver location, and anycast CDNs pick the POP by network path: pinning an address changes
 * the edge only in the first case (docs: research appendix, P06).
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { buildConnector } from 'undici';
import { CwError } from '../core/errors.ts';
import type { Edge, ProbeSettings } from './types.ts';

/** The probe target, parsed once. */
export interface Target {
  /** `http:` or `https:`. */
  protocol: 'http:' | 'https:';
  /** Host name or IP, without IPv6 brackets (`shop.example.com`, `127.0.0.1`, `::1`). */
  hostname: string;
  port: number;
  /** The `Host` header value (the name, plus the port when it is not the scheme's default). */
  hostHeader: string;
  /** Scheme, host and port, for messages (`https://shop.example.com`). */
  origin: string;
}

/** Extra TLS trust for the probe (tests and private CAs). Certificates are always verified. */
export interface ProbeTls {
  /** PEM certificate(s) trusted instead of Node's built-in CA store (Node's `tls` `ca` option). */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

export function parseTarget(target: string): Target {
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    throw new CwError('CW_CONFIG_INVALID_VALUE', `probe.target: "${target}" is not a URL; write a base URL such as https://www.example.com`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CwError('CW_CONFIG_INVALID_VALUE', `probe.target: ${u.protocol} is not supported; write an http:// or https:// URL`);
  }
  if (u.username !== '' || u.password !== '') {
    // Never echo the URL: it carries credentials.
    throw new CwError('CW_CONFIG_INVALID_VALUE', 'probe.target: credentials in the URL are not supported; give account credentials under probe.accounts');
  }
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  return { protocol: u.protocol, hostname, port, hostHeader: u.host, origin: `${u.protocol}//${u.host}` };
}

/** `https://127.0.0.1:8443`, `http://[::1]:80`: the URL undici connects to for an edge. */
export function edgeOrigin(target: Target, address: string): string {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return `${target.protocol}//${host}:${target.port}`;
}

function edgeFor(target: Target, address: string): Edge {
  const byName = isIP(target.hostname) === 0;
  return { address, label: byName ? `${target.hostname} (${address})` : address };
}

export interface ResolveDeps {
  /** DNS look-up (default `dns.promises.lookup(host, { all: true })`). */
  lookup?: (host: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;
}

/**
 * The edges to probe: `settings.edges` (IP addresses), else every address the target's name
 * resolves to, else the target's IP literal. A name that does not resolve is a one-line CwError.
 */
export async function resolveEdges(settings: Pick<ProbeSettings, 'target' | 'edges'>, deps: ResolveDeps = {}): Promise<Edge[]> {
  const target = parseTarget(settings.target);
  const seen = new Set<string>();
  const out: Edge[] = [];
  const add = (address: string) => {
    if (seen.has(address)) return;
    seen.add(address);
    out.push(edgeFor(target, address));
  };
  if (settings.edges !== undefined && settings.edges.length > 0) {
    for (const raw of settings.edges) {
      const address = raw.trim().replace(/^\[(.*)\]$/, '$1');
      if (isIP(address) === 0) {
        throw new CwError(
          'CW_CONFIG_INVALID_VALUE',
          `probe.edges: "${raw}" is not an IP address; list edge IP addresses (the target's Host and TLS name are kept), or leave probe.edges out to use what ${target.hostname} resolves to`,
        );
      }
      add(address);
    }
    return out;
  }
  if (isIP(target.hostname) !== 0) {
    add(target.hostname);
    return out;
  }
  const lookup = deps.lookup ?? ((host: string) => dns.lookup(host, { all: true }));
  let found: ReadonlyArray<{ address: string; family: number }>;
  try {
    found = await lookup(target.hostname);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'lookup failed';
    throw new CwError(
      'CW_PROBE_UNREACHABLE',
      `probe.target host ${target.hostname} does not resolve (${code}); check the name in probe.target, or list the edge addresses in probe.edges`,
      { cause: e },
    );
  }
  for (const r of found) add(r.address);
  if (out.length === 0) {
    throw new CwError('CW_PROBE_UNREACHABLE', `probe.target host ${target.hostname} resolves to no address; check the name in probe.target, or list the edge addresses in probe.edges`);
  }
  return out;
}

/**
 * undici `connect` options that pin a connection: the socket goes to the edge address the
 * Client/Pool was created for, while TLS sends and verifies the target's name.
 */
export function pinnedConnectOptions(target: Target, tls: ProbeTls | undefined, timeout: number): buildConnector.BuildOptions {
  const opts: ConnectionOptions & { timeout: number } = { timeout, rejectUnauthorized: true };
  if (target.protocol === 'https:' && isIP(target.hostname) === 0) opts.servername = target.hostname;
  if (tls?.ca !== undefined) opts.ca = tls.ca as ConnectionOptions['ca'];
  return opts;
}

/** Opens one pinned socket now (TCP connect and, for https, the TLS handshake), for a later request. */
export function openPinnedSocket(
  target: Target,
  address: string,
  tls: ProbeTls | undefined,
  timeout: number,
): Promise<import('node:net').Socket> {
  const connector = buildConnector({ ...pinnedConnectOptions(target, tls, timeout), allowH2: false });
  const servername = target.protocol === 'https:' && isIP(target.hostname) === 0 ? target.hostname : undefined;
  return new Promise((resolve, reject) => {
    connector(
      { hostname: address, host: target.hostHeader, protocol: target.protocol, port: String(target.port), ...(servername ? { servername } : {}) },
      (err, socket) => (err ? reject(err) : resolve(socket!)),
    );
  });
}

/* ------------------------------------------------------------------ connection errors */

const UNREACHABLE_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ENOTFOUND: 'name not found',
  EAI_AGAIN: 'name look-up failed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  ETIMEDOUT: 'connect timeout',
};

/** Errors that mean "no usable connection to this edge" (as opposed to a failed request on one). */
export function connectFailure(e: unknown): { code: string; text: string; tls: boolean } | undefined {
  const err = e as { code?: string; message?: string; cause?: unknown } | undefined;
  const code = err?.code;
  if (code === undefined) return err?.cause !== undefined ? connectFailure(err.cause) : undefined;
  const known = UNREACHABLE_CODES[code];
  if (known) return { code, text: known, tls: false };
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/.test(code)) {
    const text = (err?.message ?? code).split('\n')[0]!.replace(/\.$/, '');
    return { code, text, tls: true };
  }
  return err?.cause !== undefined ? connectFailure(err.cause) : undefined;
}

/** The one-line CwError for a connection failure to an edge. */
export function unreachableError(target: Target, edge: Edge, e: unknown): CwError | undefined {
  const f = connectFailure(e);
  if (!f) return undefined;
  const where = `${edgeOrigin(target, edge.address).replace(/^https?:\/\//, '')}`;
  if (f.tls) {
    return new CwError(
      'CW_PROBE_UNREACHABLE',
      `${target.origin}: the TLS certificate at edge ${where} is not valid for ${target.hostname}: ${f.text} (${f.code}); the edge must serve a certificate for the probe.target name`,
      { cause: e },
    );
  }
  return new CwError(
    'CW_PROBE_UNREACHABLE',
    `cannot reach ${target.origin} at edge ${where}: ${f.text} (${f.code}); check probe.target and probe.edges, and that the site is up`,
    { cause: e },
  );
}
