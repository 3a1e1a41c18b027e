/**
 * The owner tag: the demo origin adds `X-Cachewarden-Owner: <keyed hash>` to every response whose
 * body was rendered for a logged-in user. The hash is of the **credential that request carried**
 * (the session cookie value, or the bearer token), made with the same key cachewarden hashes the
 * viewer identity with: owner and viewer then live in one hash space, and an access-log line
 * whose tag differs from the hash of its own viewer identity is a confirmed exposure with both
 * parties known (watch rule `watch/owner-mismatch`). docs/log-recipes.md shows how a real origin
 * computes it.
 */
import { IdentityHasher } from '../../src/core/identity.ts';
import type { IdentityHash } from '../../src/core/identity.ts';

export const OWNER_TAG_HEADER = 'x-cachewarden-owner';

/**
 * The lab's identity key: the origin's owner tags and cachewarden's viewer hashes both use it
 * (`identity.key` in the repository's cachewarden.yaml defaults to it). Lab only: real
 * deployments keep their own secret in the environment.
 */
export const LAB_IDENTITY_KEY = 'cachewarden-lab-identity-key-v1';

/** Makes owner tags and resolves them back to the users whose credentials they hash. */
export interface OwnerTags {
  readonly hasher: IdentityHasher;
  /** The tag for a response rendered for `credential` (session id or token) of `userId`; remembered. */
  tag(credential: string, userId: string): IdentityHash;
  /** Whose credential a tag hashes, if known. */
  userFor(tag: string | undefined | null): string | undefined;
  /** The tag of the user's most recent credential, if the user has one. */
  latestFor(userId: string): IdentityHash | undefined;
}

export function ownerTags(key: string = LAB_IDENTITY_KEY): OwnerTags {
  const hasher = new IdentityHasher(key);
  const byTag = new Map<string, string>();
  const latest = new Map<string, IdentityHash>();
  return {
    hasher,
    tag(credential, userId) {
      const t = hasher.hash(credential) as IdentityHash;
      byTag.set(t, userId);
      latest.set(userId, t);
      return t;
    },
    userFor(tag) {
      if (tag === undefined || tag === null || tag === '') return undefined;
      return byTag.get(tag);
    },
    latestFor: (userId) => latest.get(userId),
  };
}
