/**
 * Parses a SourceSpec `input` into what it names: a file path, stdin (`-`), an HTTP receiver
 * (`http://host:port[/path][?options]`) or a syslog listener (`syslog+udp://host:port`,
 * `syslog+tcp://host:port`). Malformed inputs are a CW_INPUT_UNREADABLE error that names the
 * input and the fix.
 */
import { inputError } from './common.ts';
import type { SourceKind } from './types.ts';

export interface ListenAddress {
  /** Interface to bind, without IPv6 brackets. */
  host: string;
  port: number;
}

export type ParsedInput =
  | { kind: 'file'; path: string }
  | { kind: 'stdin' }
  | (ListenAddress & { kind: 'http'; path: string; fastlyServiceIds: string[]; maxBodyBytes: number })
  | (ListenAddress & { kind: 'syslog-udp' | 'syslog-tcp' });

/** Default HTTP body limit (after decompression): 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const LISTEN_URL = /^([a-z][a-z0-9+.-]*):\/\/(\[[0-9a-f:.]+\]|[^/:?#@[\]\s]+)(?::(\d{1,5}))?(\/[^?#\s]*)?(?:\?([^#\s]*))?$/i;
const HTTP_OPTIONS = ['fastly-service-id', 'max-body'] as const;

export function parseInput(input: string): ParsedInput {
  if (input === '-') return { kind: 'stdin' };
  if (input === '') throw inputError('""', 'empty input', 'give a file path, - for stdin, http://host:port, or syslog+udp://host:port');
  if (!URL_LIKE.test(input)) return { kind: 'file', path: input };

  const scheme = input.slice(0, input.indexOf(':')).toLowerCase();
  if (scheme === 'https') {
    throw inputError(input, 'the receiver speaks plain HTTP', 'listen on http://host:port and terminate TLS in front of it (docs/watch-sources.md shows how)');
  }
  if (scheme === 'syslog' || scheme === 'udp' || scheme === 'tcp') {
    throw inputError(input, 'the transport is missing', `say syslog+udp://… or syslog+tcp://…`);
  }
  if (scheme === 'file') {
    throw inputError(input, 'file URLs are not inputs', 'give the path itself, e.g. /var/log/nginx/access.log');
  }
  if (scheme !== 'http' && scheme !== 'syslog+udp' && scheme !== 'syslog+tcp') {
    throw inputError(input, `unknown scheme "${scheme}"`, 'use a file path, -, http://host:port[/path], syslog+udp://host:port or syslog+tcp://host:port');
  }
  const m = LISTEN_URL.exec(input);
  if (!m) throw inputError(input, 'not a valid listen address', `write it as ${scheme}://host:port${scheme === 'http' ? '[/path]' : ''}, e.g. ${example(scheme)}`);
  const rawHost = m[2]!;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (m[3] === undefined) throw inputError(input, 'the port is missing', `name it, e.g. ${example(scheme)} (0 picks a free port)`);
  const port = Number(m[3]);
  if (port > 65535) throw inputError(input, `port ${port} is out of range`, 'use a port from 0 to 65535');
  const path = m[4] ?? '';
  const query = m[5];

  if (scheme === 'http') {
    const fastlyServiceIds: string[] = [];
    let maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    if (query) {
      for (const [key, value] of new URLSearchParams(query)) {
        if (key === 'fastly-service-id') {
          for (const id of value.split(',')) if (id.trim() !== '') fastlyServiceIds.push(id.trim());
        } else if (key === 'max-body') {
          if (!/^\d+$/.test(value) || Number(value) < 1) throw inputError(input, `max-body must be a whole number of bytes, got "${value}"`, `e.g. max-body=${DEFAULT_MAX_BODY_BYTES}`);
          maxBodyBytes = Number(value);
        } else {
          throw inputError(input, `unknown receiver option "${key}"`, `the options are ${HTTP_OPTIONS.join(' and ')}`);
        }
      }
    }
    return { kind: 'http', host, port, path: path === '/' ? '' : path.replace(/\/+$/, ''), fastlyServiceIds, maxBodyBytes };
  }
  if (path !== '' || query !== undefined) {
    throw inputError(input, 'a syslog listener takes no path or options', `write it as ${scheme}://host:port, e.g. ${example(scheme)}`);
  }
  return { kind: scheme === 'syslog+udp' ? 'syslog-udp' : 'syslog-tcp', host, port };
}

function example(scheme: string): string {
  return scheme === 'http' ? 'http://0.0.0.0:8514/logs' : `${scheme}://0.0.0.0:5514`;
}

/** `host:port` with IPv6 hosts bracketed. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface InputDescription {
  kind: SourceKind;
  /** For people: "file /var/log/nginx/access.log", "HTTP receiver on http://0.0.0.0:8514/logs". */
  label: string;
}

/** The kind of an input and a human label for it. Throws CW_INPUT_UNREADABLE when malformed. */
export function describeInput(input: string): InputDescription {
  const p = parseInput(input);
  switch (p.kind) {
    case 'file':
      return { kind: 'file', label: `file ${p.path}` };
    case 'stdin':
      return { kind: 'stdin', label: 'standard input' };
    case 'http':
      return { kind: 'http', label: `HTTP receiver on http://${formatHostPort(p.host, p.port)}${p.path || '/'}` };
    case 'syslog-udp':
      return { kind: 'syslog-udp', label: `syslog over UDP on ${formatHostPort(p.host, p.port)}` };
    case 'syslog-tcp':
      return { kind: 'syslog-tcp', label: `syslog over TCP on ${formatHostPort(p.host, p.port)}` };
  }
}
