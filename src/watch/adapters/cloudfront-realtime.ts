/**
 * Amazon CloudFront real-time logs (Kinesis Data Streams): one tab-separated record per request
 * holding only the fields selected in the real-time log configuration, always in CloudFront's
 * canonical order, no header. The adapter needs that selection: `columns` (any order; it is sorted
 * into CloudFront's), else the recommended selection below (docs/log-recipes.md).
 */
import { createCloudFrontAdapter, isResultWord, sniffTsv } from './cloudfront-tsv.ts';
import type { TsvAdapterOptions, TsvFormatSpec } from './cloudfront-tsv.ts';
import type { AdapterDefinition, FieldMap } from './types.ts';

/**
 * Every real-time log field in the order CloudFront writes them. The first 40 follow the CloudFront
 * developer guide's field list; the last five (newer fields) follow configurations seen in public
 * repositories and are unverified against AWS's own text.
 */
export const CLOUDFRONT_REALTIME_ORDER = [
  'timestamp',
  'c-ip',
  'time-to-first-byte',
  'sc-status',
  'sc-bytes',
  'cs-method',
  'cs-protocol',
  'cs-host',
  'cs-uri-stem',
  'cs-bytes',
  'x-edge-location',
  'x-edge-request-id',
  'x-host-header',
  'time-taken',
  'cs-protocol-version',
  'c-ip-version',
  'cs-user-agent',
  'cs-referer',
  'cs-cookie',
  'cs-uri-query',
  'x-edge-response-result-type',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-result-type',
  'fle-encrypted-fields',
  'fle-status',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  'c-port',
  'x-edge-detailed-result-type',
  'c-country',
  'cs-accept-encoding',
  'cs-accept',
  'cache-behavior-path-pattern',
  'cs-headers',
  'cs-header-names',
  'cs-headers-count',
  'primary-distribution-id',
  'primary-distribution-dns-name',
  'origin-fbl',
  'origin-lbl',
  'asn',
] as const;

/** The recommended selection (docs/log-recipes.md), assumed when no `columns` are given. */
export const CLOUDFRONT_REALTIME_COLUMNS = [
  'timestamp',
  'sc-status',
  'cs-method',
  'cs-uri-stem',
  'x-edge-location',
  'x-edge-request-id',
  'x-host-header',
  'time-taken',
  'cs-cookie',
  'cs-uri-query',
  'x-edge-response-result-type',
  'x-edge-result-type',
  'x-edge-detailed-result-type',
] as const;

const defaultFields: FieldMap = {
  time: 'timestamp',
  host: 'x-host-header|cs-host',
  uri: 'cs-uri-stem',
  method: 'cs-method',
  status: 'sc-status',
  cache: 'x-edge-result-type|x-edge-response-result-type',
  edge: 'x-edge-location',
  identity: 'cs-cookie',
  duration: 'time-taken',
  requestId: 'x-edge-request-id',
};

const spec: TsvFormatSpec = {
  id: 'cloudfront-realtime',
  defaults: defaultFields,
  defaultColumns: CLOUDFRONT_REALTIME_COLUMNS,
  canonicalOrder: CLOUDFRONT_REALTIME_ORDER,
  exactColumns: true,
  positionalWhenNumbered: true,
};

const EPOCH_MS_RE = /^\d{9,10}\.\d{1,6}$/;

export const cloudfrontRealtime: AdapterDefinition = {
  id: 'cloudfront-realtime',
  title: 'Amazon CloudFront real-time logs',
  description:
    'CloudFront real-time log records (from the Kinesis data stream): tab-separated, only the fields selected in the real-time log configuration, in CloudFront\'s fixed order, no header. Give the selection as `columns` (any order) or use the recommended one (docs/log-recipes.md): `timestamp` (epoch seconds with ms, when the edge finished), `sc-status`, `cs-method`, `cs-uri-stem` + `cs-uri-query`, `x-edge-location` (edge), `x-edge-request-id`, `x-host-header`, `time-taken`, `cs-cookie` (raw, cut at 800 bytes: the session cookie is read out of it and hashed), the three result types. No response headers: no owner, no Set-Cookie; collapsed waiters are logged as Hit.',
  json: false,
  defaultFields,
  sniff: (lines) =>
    sniffTsv(
      lines,
      (cols) => {
        if (!EPOCH_MS_RE.test(cols[0]!)) return 0;
        return cols.some((c) => isResultWord(c)) ? 1 : 0.6;
      },
      false,
    ),
  create: (opts: TsvAdapterOptions) => createCloudFrontAdapter(spec, opts),
};
