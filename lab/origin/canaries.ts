/**
 * The lab shop's two canary accounts for `cachewarden probe`: alice is u01, bob is u02, each with a
 * login recipe and the markers only their own pages carry (name, and e-mail unless `nameOnly`).
 * Used by the demo, the probe benchmark and the probe tests.
 */
import type { AccountConfig, LoginRecipe } from '../../src/probe/types.ts';
import type { Origin } from './server.ts';

export const CANARY_USERS = { alice: 'u01', bob: 'u02' } as const;

export interface CanaryOptions {
  /** `cookie`: form login to /login (session cookie); `bearer`: JSON login to /api/login (token). */
  auth?: 'cookie' | 'bearer';
  /** Only the name as a marker (default: name and e-mail). */
  nameOnly?: boolean;
}

export function canaryAccounts(origin: Pick<Origin, 'credentialsFor' | 'person'>, opts: CanaryOptions = {}): AccountConfig[] {
  return Object.entries(CANARY_USERS).map(([name, id]) => {
    const c = origin.credentialsFor(id);
    const p = origin.person(id);
    if (!p) throw new Error(`the lab population has no ${id}`);
    const login: LoginRecipe =
      opts.auth === 'bearer'
        ? { url: '/api/login', json: { user: c.user, password: c.password }, session: 'token:token' }
        : { url: '/login', form: { user: c.user, password: c.password } };
    return { name, login, markers: opts.nameOnly ? [p.name] : [p.name, p.email] };
  });
}
