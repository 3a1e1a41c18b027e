/**
 * The cachewarden.yaml schema. Strict at every level: an unknown key is an error that
 * names the nearest valid key. Each key carries a description and an example; docs/config.md
 * is generated from this file (`npm run docs`).
 */
import { z } from 'zod';
import { PROFILE_IDS } from '../semantics/types.ts';

const routeGlob = z
  .string()
  .min(1)
  .refine((s) => s.startsWith('/'), { message: 'a route glob starts with "/", e.g. "/mypage*"' });

export const IdentitySchema = z
  .strictObject({
    key: z
      .string()
      .min(16, { message: 'the identity key must be at least 16 characters of secret material' })
      .optional()
      .meta({
        description:
          'HMAC-SHA-256 key that turns raw identities (session cookies, user ids, tokens) into keyed hashes the moment they are read. Give it through the environment. Without it, a random per-run key is used (hashes then do not join across runs).',
        example: '${CACHEWARDEN_IDENTITY_KEY}',
      }),
    cookies: z
      .array(z.string().min(1))
      .default(['sid', 'session', 'sessionid'])
      .meta({ description: 'Cookie names that carry the session identity.', example: ['sid'] }),
    headers: z
      .array(z.string().min(1))
      .default(['authorization'])
      .meta({ description: 'Request headers that carry identity.', example: ['authorization'] }),
  })
  .meta({ description: 'How requesters are identified and how their identities are hashed.' });

export const ConfigSchema = z
  .strictObject({
    personalized: z
      .array(routeGlob)
      .min(1, { message: 'list at least one route that serves personal data, e.g. ["/mypage*", "/api/me"]' })
      .meta({
        description:
          'Route globs that serve personal data. Shared by every job: verify checks these routes, probe races accounts on them, watch treats any shared outcome on them as a leak. `*` matches any characters (also `/`); a glob without a wildcard also covers the paths below it.',
        example: ['/mypage*', '/orders*', '/transactions/*', '/api/me'],
      }),
    profile: z
      .enum(PROFILE_IDS)
      .default('rfc9111')
      .meta({
        description:
          'The cache or CDN in front of the site, as a cache-semantics profile. Decides how responses are judged (what is stored, for how long, what collapsing hands out).',
        example: 'fastly',
      }),
    identity: IdentitySchema.default({ cookies: ['sid', 'session', 'sessionid'], headers: ['authorization'] }),
  })
  .meta({ description: 'cachewarden.yaml' });

export type CachewardenConfig = z.output<typeof ConfigSchema>;
export type CachewardenConfigInput = z.input<typeof ConfigSchema>;
