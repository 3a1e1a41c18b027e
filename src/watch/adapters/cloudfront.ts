/**
 * Amazon CloudFront standard access logs (legacy S3 delivery, and standard logging v2 in W3C
 * output): tab-separated, `#Version`/`#Fields` header lines, UTC `date` + `time` (second precision,
 * when the edge finished the response). Without a `#Fields` line the legacy 33-column order applies.
 * CloudFront cannot log response headers (no owner tag, no Set-Cookie) and logs collapsed waiters
 * as `Hit`; `cs(Cookie)` carries the raw Cookie header when cookie logging is on.
 */
import { createCloudFrontAdapter, sniffTsv } from './cloudfront-tsv.ts';
import type { TsvAdapterOptions, TsvFormatSpec } from './cloudfront-tsv.ts';
import type { AdapterDefinition, FieldMap } from './types.ts';

/** The legacy standard log's columns, in order. */
export const CLOUDFRONT_STANDARD_COLUMNS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

const defaultFields: FieldMap = {
  time: 'time|timestamp',
  host: 'x-host-header|cs(Host)',
  uri: 'cs-uri-stem',
  method: 'cs-method',
  status: 'sc-status',
  cache: 'x-edge-result-type',
  edge: 'x-edge-location',
  identity: 'cs(Cookie)|cs-cookie',
  duration: 'time-taken',
  requestId: 'x-edge-request-id',
};

const spec: TsvFormatSpec = { id: 'cloudfront', defaults: defaultFields, defaultColumns: CLOUDFRONT_STANDARD_COLUMNS, exactColumns: false, positionalWhenNumbered: false };

export const cloudfront: AdapterDefinition = {
  id: 'cloudfront',
  title: 'Amazon CloudFront standard logs',
  description:
    'CloudFront standard (access) logs: W3C, tab-separated, with `#Version`/`#Fields` header lines (the `#Fields` line names the columns; without it the legacy 33-column order applies). `date` + `time` (UTC, seconds) as the time, `time-taken` (seconds), `x-edge-result-type` (with `x-edge-response-result-type` when a hang-up turned it into Error, and `x-edge-detailed-result-type`), `x-edge-location` as the edge, `cs-uri-stem` + `cs-uri-query`, `x-host-header`, `x-edge-request-id`, and the session cookie out of `cs(Cookie)` (cookie logging on). No owner or Set-Cookie: CloudFront cannot log response headers. Delivered minutes to hours late: replay and forensics.',
  json: false,
  defaultFields,
  sniff: (lines) => sniffTsv(lines, (cols) => (cols.length >= 20 && /^\d{4}-\d{2}-\d{2}$/.test(cols[0]!) && /^\d{2}:\d{2}:\d{2}$/.test(cols[1] ?? '') ? 1 : 0), true),
  create: (opts: TsvAdapterOptions) => createCloudFrontAdapter(spec, opts),
};
