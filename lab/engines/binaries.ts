/**
 * Where the engine binaries are. Override with `CACHEWARDEN_NGINX`, `CACHEWARDEN_VARNISHD`,
 * `CACHEWARDEN_VARNISHNCSA`; otherwise `PATH`, then `/usr/sbin`, `/usr/local/sbin`, `/usr/bin`,
 * `/usr/local/bin`.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const ENGINE_BINARIES = ['nginx', 'varnishd', 'varnishncsa'] as const;
export type EngineBinary = (typeof ENGINE_BINARIES)[number];

const ENV: Record<EngineBinary, string> = {
  nginx: 'CACHEWARDEN_NGINX',
  varnishd: 'CACHEWARDEN_VARNISHD',
  varnishncsa: 'CACHEWARDEN_VARNISHNCSA',
};

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the binary, or `undefined` when it is not installed. */
export function findBinary(name: EngineBinary): string | undefined {
  const override = process.env[ENV[name]];
  if (override) return executable(override) ? override : undefined;
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/bin',
    '/usr/local/bin',
  ];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

export function requireBinary(name: EngineBinary): string {
  const path = findBinary(name);
  if (!path) {
    throw new Error(
      `${name} is not installed (looked in PATH, /usr/sbin, /usr/local/sbin; set ${ENV[name]} to override)`,
    );
  }
  return path;
}
