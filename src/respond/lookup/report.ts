/**
 * Reading a scope report for `lookup`: the version and shape are checked with zod against the
 * contract in src/respond/types.ts, and any problem becomes one line naming the file and what is
 * wrong. Also the identity key fingerprint (`identity.keyId`) lookup compares its key with.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CwError } from '../../core/errors.ts';
import { isIdentityHash, type IdentityHash } from '../../core/identity.ts';
import { REPORT_VERSION, STATUSES, type ScopeReport } from '../types.ts';

/** `identity.keyId` of a report: HMAC-SHA-256(key, "cachewarden key id"), first 8 hex digits. */
export { identityKeyId } from '../../core/identity.ts';

const idHash = z.custom<IdentityHash>((v) => typeof v === 'string' && isIdentityHash(v), {
  message: 'expected an identity hash (h: and 22 base64url characters)',
});
const viewer = z.union([idHash, z.literal('anonymous')]);
const isoTime = z.iso.datetime({ offset: false, precision: 3, message: 'expected an ISO 8601 UTC time such as 2026-11-21T09:41:00.250Z' });
const count = z.number().int().min(0);
const strings = z.array(z.string());
const range = { first: isoTime, last: isoTime };

const CategorySchema = z.object({ name: z.string().min(1), fields: strings, direct: z.boolean() });
const ShownSchema = z.object({ ...range, urls: strings, routes: strings, viewers: count, anonymousServes: count, serves: count, edges: strings });
const DerivedSchema = z.object({ ...range, via: z.array(idHash), routes: strings, fields: strings, serves: count });
const PossiblySchema = z.object({
  ...range,
  urls: strings,
  routes: strings,
  edges: strings,
  reasons: z.array(z.enum(['stored', 'collapsed', 'unknown-viewer'])),
});
const PersonSchema = z.object({
  id: idHash,
  status: z.enum(STATUSES),
  fields: strings,
  categories: strings,
  active: z.object({ ...range, requests: count }),
  shown: ShownSchema.optional(),
  derived: DerivedSchema.optional(),
  possibly: PossiblySchema.optional(),
});
const PairSchema = z.object({
  ...range,
  owner: idHash,
  viewer,
  url: z.string(),
  route: z.string(),
  edge: z.string(),
  count,
  outcomes: strings,
  rule: z.string(),
  fields: strings,
});
const DerivedPairSchema = z.object({ ...range, person: idHash, owner: idHash, viewer, url: z.string(), route: z.string(), fields: strings, count });
const CountByKeySchema = z.object({ key: z.string(), exposures: count, people: count });
const SummarySchema = z.object({
  active: count,
  shown: count,
  derived: count,
  possibly: count,
  notAffected: count,
  anyData: count,
  directlyIdentifying: count,
  upperBound: count,
  perCategory: z.record(z.string(), count),
  viewers: count,
  pairs: count,
  derivedPairs: count,
  exposures: count,
  unattributed: count,
  firstExposure: isoTime.nullable(),
  lastExposure: isoTime.nullable(),
});
const IncidentSchema = z.object({
  organisation: z.string(),
  title: z.string(),
  cause: z.string(),
  measures: strings,
  contact: z.string(),
  lookupUrl: z.string().optional(),
  translations: z
    .object({
      en: z.object({ organisation: z.string().optional(), title: z.string().optional(), cause: z.string().optional(), measures: strings.optional(), contact: z.string().optional() }).optional(),
      ja: z.object({ organisation: z.string().optional(), title: z.string().optional(), cause: z.string().optional(), measures: strings.optional(), contact: z.string().optional() }).optional(),
    })
    .optional(),
});
const InputsSchema = z.object({
  files: strings,
  format: z.string(),
  lines: count,
  events: count,
  rejected: z.record(z.string(), count),
  outsideWindow: count,
  sessions: z.object({ file: z.string(), rows: count }).optional(),
  relations: z.object({ file: z.string(), rows: count }).optional(),
});

export const ScopeReportSchema = z.object({
  version: z.literal(REPORT_VERSION),
  generatedAt: isoTime,
  window: z.object({ from: isoTime, to: isoTime }),
  observed: z.object({ from: isoTime, to: isoTime }).nullable(),
  identity: z.object({ kind: z.enum(['user', 'session']), keyId: z.string().regex(/^[0-9a-f]{8}$/, { message: 'expected 8 lower-case hex digits' }) }),
  inputs: InputsSchema,
  incident: IncidentSchema,
  categories: z.array(CategorySchema),
  summary: SummarySchema,
  timeline: z.object({ bucketMs: z.number().int().positive(), buckets: z.array(z.object({ start: isoTime, exposures: count, people: count })) }),
  byRoute: z.array(CountByKeySchema),
  byEdge: z.array(CountByKeySchema),
  people: z.array(PersonSchema),
  pairs: z.array(PairSchema),
  derivedPairs: z.array(DerivedPairSchema),
});

/** Compile-time check that the schema and the contract agree in both directions. */
type Assert<T extends true> = T;
type Parsed = z.output<typeof ScopeReportSchema>;
export type ReportSchemaMatchesContract = Assert<[Parsed] extends [ScopeReport] ? ([ScopeReport] extends [Parsed] ? true : false) : false>;

function where(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out === '' ? '(top level)' : out;
}

/** Validate an already parsed JSON value; `source` names it in errors (a file path). */
export function parseReport(value: unknown, source: string): ScopeReport {
  const fix = 'write it with `cachewarden scope -o <file>`';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CwError('CW_INPUT_UNREADABLE', `${source}: not a scope report (expected a JSON object); ${fix}`);
  }
  const version = (value as { version?: unknown }).version;
  if (version !== REPORT_VERSION) {
    const seen = version === undefined ? 'has no version' : `is version ${JSON.stringify(version)}`;
    throw new CwError('CW_INPUT_UNREADABLE', `${source}: the report ${seen}; this cachewarden reads scope report version ${REPORT_VERSION}; ${fix}`);
  }
  const r = ScopeReportSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const n = r.error.issues.length - 1;
    const more = n > 0 ? ` (and ${n} more ${n === 1 ? 'problem' : 'problems'})` : '';
    const what = first ? `${where(first.path)}: ${first.message}` : 'invalid';
    throw new CwError('CW_INPUT_UNREADABLE', `${source}: not a valid scope report: ${what}${more}; ${fix}`);
  }
  const seen = new Set<string>();
  for (const [i, p] of r.data.people.entries()) {
    if (seen.has(p.id)) throw new CwError('CW_INPUT_UNREADABLE', `${source}: not a valid scope report: people[${i}].id: ${p.id} is listed twice; ${fix}`);
    seen.add(p.id);
  }
  return r.data;
}

/** Read and validate a scope report (JSON, version 1). Errors are one line naming the file. */
export function loadReport(path: string): ScopeReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? (e as Error).message})`;
    throw new CwError('CW_INPUT_UNREADABLE', `${path}: report ${why}; pass the JSON file written by \`cachewarden scope -o\``);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CwError('CW_INPUT_UNREADABLE', `${path}: the report is not valid JSON (${(e as Error).message}); pass the JSON file written by \`cachewarden scope -o\``);
  }
  return parseReport(value, path);
}
