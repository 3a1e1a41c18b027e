/**
 * What verify needs to know about the site, from cachewarden.yaml (or flags, or a rule example):
 * the personalized routes, how identities travel, the Host of requests, the CDN profile in front,
 * and the origin's declared headers with where they are declared.
 */
import { compileRoutes } from '../core/glob.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { CachewardenConfig } from '../config/schema.ts';
import type { ProfileSpec } from '../semantics/types.ts';
import type { VerifySettings } from './rules/define.ts';

export interface SettingsInput {
  personalized: readonly string[];
  identity?: { cookies?: readonly string[]; headers?: readonly string[] };
  host?: string | undefined;
  profile?: ProfileSpec;
  origin?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Public pages to ask about (default `/`). */
  publicPaths?: readonly string[];
  /** Where each origin.headers glob is declared (file, line, column). */
  locateOrigin?: (glob: string) => { file: string; line: number; column: number } | undefined;
}

export function makeSettings(input: SettingsInput): VerifySettings {
  const cookies = [...(input.identity?.cookies ?? ['sid', 'session', 'sessionid'])];
  const headers = [...(input.identity?.headers ?? ['authorization'])];
  return {
    personalized: [...input.personalized],
    matcher: compileRoutes(input.personalized),
    identity: { cookies, headers },
    sessionCookie: cookies[0] ?? 'sid',
    host: input.host,
    profile: input.profile ?? { id: 'rfc9111' },
    publicPaths: [...(input.publicPaths ?? ['/'])],
    originHeaders: Object.entries(input.origin ?? {}).map(([glob, h]) => {
      const at = input.locateOrigin?.(glob);
      return at ? { glob, headers: h, at } : { glob, headers: h };
    }),
  };
}

/** The host of probe.target, if any. */
function probeHost(config: CachewardenConfig): string | undefined {
  if (!config.probe) return undefined;
  try {
    return new URL(config.probe.target).host;
  } catch {
    return undefined;
  }
}

/** Settings from a loaded cachewarden.yaml, with `extraPersonalized` (from --personalized) added. */
export function settingsFromConfig(loaded: LoadedConfig, extraPersonalized: readonly string[] = []): VerifySettings {
  const c = loaded.config;
  return makeSettings({
    personalized: [...c.personalized, ...extraPersonalized.filter((g) => !c.personalized.includes(g))],
    identity: c.identity,
    host: c.verify.host ?? probeHost(c),
    profile: { id: c.profile } as ProfileSpec,
    origin: c.origin.headers,
    publicPaths: c.probe?.publicPaths ?? ['/'],
    locateOrigin: (glob) => {
      const at = loaded.locate(['origin', 'headers', glob]);
      return at ? { file: loaded.file, ...at } : undefined;
    },
  });
}
