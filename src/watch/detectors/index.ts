/** The watch detectors: an explicit, sorted registry (a meta-test checks it against the folder and the docs). */
import type { DetectorDefinition } from './define.ts';
import cachedSetCookie from './cached-set-cookie.ts';
import crossIdentityInferred from './cross-identity-inferred.ts';
import drift from './drift.ts';
import ownerMismatch from './owner-mismatch.ts';
import personalizedShared from './personalized-shared.ts';

export const DETECTORS: ReadonlyArray<DetectorDefinition> = [
  cachedSetCookie,
  crossIdentityInferred,
  drift,
  ownerMismatch,
  personalizedShared,
] as ReadonlyArray<DetectorDefinition>;

export function detectorById(id: string): DetectorDefinition | undefined {
  return DETECTORS.find((d) => d.id === id);
}
