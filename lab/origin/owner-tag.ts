/**
 * The owner tag: the demo origin adds `X-Cachewarden-Owner: <keyed hash of the user id>` to
 * every response whose body was rendered for a logged-in user. A cache that hands that
 * response to someone else carries the tag along, so an access log line where the tag does
 * not belong to the requester is a confirmed exposure with both parties known.
 */
import { IdentityHasher } from '../../src/core/identity.ts';
import type { IdentityHash } from '../../src/core/identity.ts';

export const OWNER_TAG_HEADER = 'x-cachewarden-owner';

/** The lab's fixed HMAC key for owner tags. Lab only: real deployments use their own secret. */
export const LAB_OWNER_TAG_KEY = 'cachewarden-lab-owner-tag-key-v1';

/** Resolves owner tags back to user ids for a known set of users. */
export interface OwnerTags {
  readonly hasher: IdentityHasher;
  tagFor(userId: string): IdentityHash;
  userFor(tag: string | undefined | null): string | undefined;
}

export function ownerTags(userIds: Iterable<string>, key: string = LAB_OWNER_TAG_KEY): OwnerTags {
  const hasher = new IdentityHasher(key);
  const byUser = new Map<string, IdentityHash>();
  const byTag = new Map<string, string>();
  for (const id of userIds) {
    const tag = hasher.hash(id) as IdentityHash;
    byUser.set(id, tag);
    byTag.set(tag, id);
  }
  return {
    hasher,
    tagFor(userId: string): IdentityHash {
      const known = byUser.get(userId);
      if (known !== undefined) return known;
      return hasher.hash(userId) as IdentityHash;
    },
    userFor(tag) {
      if (tag === undefined || tag === null || tag === '') return undefined;
      return byTag.get(tag);
    },
  };
}
