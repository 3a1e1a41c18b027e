/**
 * The per-person CSV of a scope report (`scope --csv`): one row per person, a header row, RFC 4180
 * quoting, CRLF line ends. Lists inside a cell are joined with `;`. People appear only as hashes.
 */
import type { ScopeReport } from '../types.ts';
import { formatCsv } from './csv.ts';

export const PEOPLE_CSV_COLUMNS = [
  'id',
  'status',
  'fields',
  'categories',
  'active_first',
  'active_last',
  'requests',
  'shown_first',
  'shown_last',
  'shown_serves',
  'viewers',
  'anonymous_serves',
  'shown_urls',
  'shown_edges',
  'derived_first',
  'derived_last',
  'derived_via',
  'derived_fields',
  'derived_serves',
  'possibly_first',
  'possibly_last',
  'possibly_reasons',
  'possibly_urls',
] as const;

const list = (xs: readonly string[] | undefined): string => (xs ?? []).join(';');

export function peopleCsv(report: ScopeReport): string {
  const rows: Array<Array<string | number>> = [[...PEOPLE_CSV_COLUMNS]];
  for (const p of report.people) {
    const s = p.shown;
    const d = p.derived;
    const q = p.possibly;
    rows.push([
      p.id,
      p.status,
      list(p.fields),
      list(p.categories),
      p.active.first,
      p.active.last,
      p.active.requests,
      s?.first ?? '',
      s?.last ?? '',
      s?.serves ?? '',
      s?.viewers ?? '',
      s?.anonymousServes ?? '',
      list(s?.urls),
      list(s?.edges),
      d?.first ?? '',
      d?.last ?? '',
      list(d?.via),
      list(d?.fields),
      d?.serves ?? '',
      q?.first ?? '',
      q?.last ?? '',
      list(q?.reasons),
      list(q?.urls),
    ]);
  }
  return formatCsv(rows);
}
