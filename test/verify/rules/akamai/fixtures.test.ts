/**
 * The akamai rules on their fixture cases (test/verify/fixtures/rules/cloud/akamai/<rule>/<case>/):
 * see describeCloudFixtures for what each case must show.
 */
import { AKAMAI_RULES } from '../../../../src/verify/rules/akamai/index.ts';
import { describeCloudFixtures } from '../cloudflare/cloud-fixtures.ts';

describeCloudFixtures('akamai', AKAMAI_RULES);
