/**
 * The cloudflare rules on their fixture cases (test/verify/fixtures/rules/cloud/cloudflare/<rule>/<case>/):
 * see describeCloudFixtures for what each case must show.
 */
import { CLOUDFLARE_RULES } from '../../../../src/verify/rules/cloudflare/index.ts';
import { describeCloudFixtures } from './cloud-fixtures.ts';

describeCloudFixtures('cloudflare', CLOUDFLARE_RULES);
