/**
 * The cloudfront rules on their fixture cases (test/verify/fixtures/rules/cloud/cloudfront/<rule>/<case>/):
 * see describeCloudFixtures for what each case must show.
 */
import { CLOUDFRONT_RULES } from '../../../../src/verify/rules/cloudfront/index.ts';
import { describeCloudFixtures } from '../cloudflare/cloud-fixtures.ts';

describeCloudFixtures('cloudfront', CLOUDFRONT_RULES);
