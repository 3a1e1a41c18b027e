/**
 * The registry of scrub detector rules, sorted by id (a meta-test checks it against
 * src/scrub/detectors/). Each rule carries its id, finding type, docs (title, description, fix,
 * references) and bad/good examples; the engine in engine.ts calls the detection code.
 */
import { rule as bankAccount } from './detectors/bank-account.ts';
import { rule as cardCvv } from './detectors/card-cvv.ts';
import { rule as cardExpiry } from './detectors/card-expiry.ts';
import { rule as cardNumber } from './detectors/card-number.ts';
import { rule as credential } from './detectors/credential.ts';
import type { ScrubRule } from './detectors/define.ts';
import { rule as email } from './detectors/email.ts';
import { rule as myNumber } from './detectors/my-number.ts';
import { rule as phone } from './detectors/phone.ts';
import { rule as postalCodeJp } from './detectors/postal-code-jp.ts';
import { rule as trackData } from './detectors/track-data.ts';
import type { FindingType } from './types.ts';

export type { ScrubExample, ScrubRule } from './detectors/define.ts';

export const SCRUB_RULES: readonly ScrubRule[] = [
  bankAccount,
  cardCvv,
  cardExpiry,
  cardNumber,
  credential,
  email,
  myNumber,
  phone,
  postalCodeJp,
  trackData,
];

/** The rule id of each finding type (`scrub/<type>`). */
export const RULE_OF_TYPE: Readonly<Record<FindingType, string>> = Object.fromEntries(SCRUB_RULES.map((r) => [r.type, r.id])) as Record<FindingType, string>;

export function ruleById(id: string): ScrubRule | undefined {
  return SCRUB_RULES.find((r) => r.id === id);
}
