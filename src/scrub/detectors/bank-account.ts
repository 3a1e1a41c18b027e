/**
 * scrub/bank-account: bank account numbers under an account key (`account_number`, `acct_no`,
 * `bank_account`, `口座番号`): 6 to 14 digits. Without the key a number of that length is
 * anything, so it is reported only in context.
 */
import { SEP_DASH, SEPK, run, digitsOf } from '../normalize.ts';
import { defineScrubRule, emit } from './define.ts';

export const rule = defineScrubRule({
  id: 'scrub/bank-account',
  type: 'bank-account',
  docs: {
    title: 'Bank account number in a log',
    description: 'Six to fourteen digits under an account key (`account_number`, `acct_no`, `bank_account`, `口座番号`); Japanese accounts have seven.',
    fix: 'Do not log account numbers; redact them (`cachewarden redact` writes `*` for each digit).',
    references: ['APPI Art. 2', 'Google DLP JAPAN_BANK_ACCOUNT'],
  },
  examples: {
    bad: [
      { text: '口座番号：1234567', expect: [{ type: 'bank-account', confidence: 'high', masked: '*******' }] },
      { text: '{"account_number":"00123456789"}', expect: [{ type: 'bank-account', confidence: 'high' }] },
    ],
    good: [{ text: 'account=premium bytes=1234567' }, { text: '{"account_id":1234567}' }],
  },
});

/** The current run is the value of an account key. */
export function bankFromKey(): boolean {
  if (run.n < 6 || run.n > 14 || run.overflow) return false;
  for (let k = 1; k < run.n; k++) if (SEPK[k] !== 0 && SEPK[k] !== SEP_DASH) return false;
  emit({ type: 'bank-account', confidence: 'high', start: run.start, end: run.end, value: digitsOf(0, run.n), reason: 'digits under an account key' });
  return true;
}
