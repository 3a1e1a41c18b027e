/** The probe techniques: an explicit, sorted registry (a meta-test checks it against the folder and the docs). */
import type { TechniqueDefinition } from '../types.ts';
import authorizationReuse from './authorization-reuse.ts';
import cacheStatus from './cache-status.ts';
import concurrentRace from './concurrent-race.ts';
import crossIdentityReplay from './cross-identity-replay.ts';
import drift from './drift.ts';
import pathConfusion from './path-confusion.ts';
import sameIdentityRepeat from './same-identity-repeat.ts';
import setCookieShared from './set-cookie-shared.ts';
import storability from './storability.ts';
import unkeyedInput from './unkeyed-input.ts';

export const TECHNIQUES: readonly TechniqueDefinition[] = [
  authorizationReuse,
  cacheStatus,
  concurrentRace,
  crossIdentityReplay,
  drift,
  pathConfusion,
  sameIdentityRepeat,
  setCookieShared,
  storability,
  unkeyedInput,
];

export function techniqueById(id: string): TechniqueDefinition | undefined {
  return TECHNIQUES.find((t) => t.id === id);
}
