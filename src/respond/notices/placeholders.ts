/**
 * The placeholders notice templates may use, per status, and their values for one person.
 * Values come only from the person's own entry and the incident facts: never another person's id,
 * a viewer's hash, a URL or an edge.
 */
import type { IdentityHash } from '../../core/identity.ts';
import type { PersonEntry, ScopeReport, Status } from '../types.ts';
import type { Value } from './template.ts';
import { fieldsInline, fieldsPlural, formatDate, formatTime, orderFields, fieldWord, type Lang } from './words.ts';
import { localIncident } from '../incident.ts';

/** Every notice: the incident facts and the person's own activity. */
const COMMON = [
  'organisation',
  'title',
  'cause',
  'measures',
  'contact',
  'lookupUrl',
  'windowFrom',
  'windowTo',
  'activeFirst',
  'activeLast',
  'date',
] as const;

/** Notices of people whose data was exposed or at risk. */
const EXPOSED = ['fields', 'fieldsInline', 'fieldsPlural', 'first', 'last', 'sameTime', 'cardShown', 'bankShown'] as const;

/** Placeholders each status's templates may use, in the order error messages list them (templates/README.md explains each). */
export const PLACEHOLDERS: Readonly<Record<Status, readonly string[]>> = {
  shown: [...COMMON, ...EXPOSED, 'viewers', 'serves', 'sessionShown'],
  derived: [...COMMON, ...EXPOSED, 'serves'],
  possibly: [...COMMON, ...EXPOSED],
  'not-affected': COMMON,
};

const SET = 'yes';

/**
 * The values for one person's notice. `sessionOwners` holds the people whose login session a
 * cached Set-Cookie handed to someone else (pairs with rule `watch/cached-set-cookie`).
 */
export function valuesFor(report: ScopeReport, person: PersonEntry, lang: Lang, nowMs: number, sessionOwners: ReadonlySet<IdentityHash>): Record<string, Value> {
  const inc = localIncident(report.incident, lang);
  const lookupUrl = typeof inc.lookupUrl === 'string' && /^https?:\/\/[^\s]+$/i.test(inc.lookupUrl) ? inc.lookupUrl : '';
  const values: Record<string, Value> = {
    organisation: inc.organisation,
    title: inc.title,
    cause: inc.cause,
    measures: inc.measures,
    contact: inc.contact,
    lookupUrl,
    windowFrom: formatTime(report.window.from, lang),
    windowTo: formatTime(report.window.to, lang),
    activeFirst: formatTime(person.active.first, lang),
    activeLast: formatTime(person.active.last, lang),
    date: formatDate(nowMs, lang),
  };
  if (person.status === 'not-affected') return values;

  const detail = person.status === 'shown' ? person.shown : person.status === 'derived' ? person.derived : person.possibly;
  const fields = orderFields(person.fields);
  Object.assign(values, {
    fields: fields.map((f) => fieldWord(f, lang)),
    fieldsInline: fieldsInline(fields, lang),
    fieldsPlural: fieldsPlural(fields) ? SET : '',
    first: detail !== undefined ? formatTime(detail.first, lang) : '',
    last: detail !== undefined ? formatTime(detail.last, lang) : '',
    sameTime: detail !== undefined && formatTime(detail.first, lang) === formatTime(detail.last, lang) ? SET : '',
    cardShown: fields.includes('card') ? SET : '',
    bankShown: fields.includes('bank') ? SET : '',
  });
  if (person.status === 'shown') {
    values.viewers = String(person.shown?.viewers ?? 0);
    values.serves = String(person.shown?.serves ?? 0);
    values.sessionShown = sessionOwners.has(person.id) ? SET : '';
  } else if (person.status === 'derived') {
    values.serves = String(person.derived?.serves ?? 0);
  }
  return values;
}
