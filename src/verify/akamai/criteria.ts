/**
 * Akamai rule criteria ("matches") for one concrete request (and, for `contentType`, its
 * response). Each criterion answers true, false, or unknown with a reason; the caller splits
 * on unknowns. Wildcards: `*` any run of characters, `?` one character.
 *
 * Defaults, as the criteria reference gives them: `path`, `fileExtension`, `hostname` compare
 * case-insensitively unless `matchCaseSensitive`; `requestHeader` values, `requestCookie` and
 * `queryStringParameter` names and values compare case-sensitively unless told otherwise.
 * A negative operator (`IS_NOT`, `IS_NOT_ONE_OF`, `DOES_NOT_MATCH_ONE_OF`) is true when the
 * header, cookie or parameter is absent.
 * Reference: https://techdocs.akamai.com/property-mgr/reference/criteria
 */
import { header, headerLines } from '../../semantics/headers.ts';
import type { RequestCtx } from '../../semantics/exchange.ts';
import type { HttpResponseInfo } from '../../semantics/types.ts';
import type { JsonObject } from '../json-source.ts';
import type { Feature } from './load.ts';

export type Decision = boolean | { unknown: string };

export const EVALUATED_CRITERIA = ['path', 'fileExtension', 'hostname', 'requestMethod', 'requestHeader', 'requestCookie', 'cookie', 'queryStringParameter', 'requestProtocol', 'contentType'] as const;

export function wildcard(pattern: string, caseSensitive: boolean): RegExp {
  const src = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${src}$`, caseSensitive ? 's' : 'is');
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const hasVariable = (values: readonly string[]): boolean => values.some((v) => v.includes('{{'));
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

/** Compares `subject` with `values` (exactly, or with wildcards). */
function anyOf(subject: string, values: readonly string[], opts: { wildcard: boolean; caseSensitive: boolean }): boolean {
  return values.some((v) => (opts.wildcard ? wildcard(v, opts.caseSensitive).test(subject) : opts.caseSensitive ? v === subject : v.toLowerCase() === subject.toLowerCase()));
}

function extension(path: string): string {
  const last = path.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot < 0 ? '' : last.slice(dot + 1);
}

function queryParams(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query.split('&').map((p) => {
    const eq = p.indexOf('=');
    const dec = (s: string): string => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    return eq < 0 ? [dec(p), ''] : [dec(p.slice(0, eq)), dec(p.slice(eq + 1))];
  });
}

/** Named-value criteria (header, cookie, query parameter) share one shape. */
function namedValue(
  o: JsonObject,
  present: ReadonlyArray<[string, string]>,
  nameKey: string,
  defaults: { nameCase: boolean; valueCase: boolean },
): Decision {
  const name = typeof o[nameKey] === 'string' ? (o[nameKey] as string) : '';
  const op = typeof o.matchOperator === 'string' ? o.matchOperator : 'IS_ONE_OF';
  const values = [...strings(o.values), ...strings(o.value)];
  if (name.includes('{{') || hasVariable(values)) return { unknown: 'uses a property variable' };
  const nameMatches = (n: string): boolean =>
    bool(o.matchWildcardName, false) ? wildcard(name, bool(o.matchCaseSensitiveName, defaults.nameCase)).test(n) : bool(o.matchCaseSensitiveName, defaults.nameCase) ? n === name : n.toLowerCase() === name.toLowerCase();
  const found = present.filter(([n]) => nameMatches(n)).map(([, v]) => v);
  const valueOpts = { wildcard: bool(o.matchWildcardValue, false), caseSensitive: bool(o.matchCaseSensitiveValue, defaults.valueCase) };
  const numeric = found.map(Number).filter((n) => Number.isFinite(n));
  const lower = typeof o.lowerBound === 'number' ? o.lowerBound : -Infinity;
  const upper = typeof o.upperBound === 'number' ? o.upperBound : Infinity;
  switch (op) {
    case 'EXISTS':
      return found.length > 0;
    case 'DOES_NOT_EXIST':
      return found.length === 0;
    case 'IS':
    case 'IS_ONE_OF':
      return found.some((v) => anyOf(v, values, valueOpts));
    case 'IS_NOT':
    case 'IS_NOT_ONE_OF':
      return !found.some((v) => anyOf(v, values, valueOpts));
    case 'IS_BETWEEN':
      return numeric.some((n) => n >= lower && n <= upper);
    case 'IS_LESS_THAN':
      return numeric.some((n) => n < upper);
    case 'IS_MORE_THAN':
      return numeric.some((n) => n > lower);
    default:
      return { unknown: `matchOperator ${op} is not evaluated by this checker` };
  }
}

/** Whether criterion `c` holds for the request `q` (and response `res`). */
export function criterionMatches(c: Feature, q: RequestCtx, res: HttpResponseInfo): Decision {
  const o = c.options;
  const values = strings(o.values);
  const op = typeof o.matchOperator === 'string' ? o.matchOperator : undefined;
  const negate = op === 'DOES_NOT_MATCH_ONE_OF' || op === 'MATCHES_NOT_ONE_OF' || op === 'IS_NOT_ONE_OF' || op === 'IS_NOT';
  const result = (hit: boolean): boolean => (negate ? !hit : hit);
  switch (c.name) {
    case 'path':
      if (hasVariable(values)) return { unknown: 'uses a property variable' };
      return result(anyOf(q.path, values, { wildcard: true, caseSensitive: bool(o.matchCaseSensitive, false) }));
    case 'fileExtension':
      return result(anyOf(extension(q.path), values, { wildcard: false, caseSensitive: bool(o.matchCaseSensitive, false) }));
    case 'hostname':
      return result(anyOf(q.host, values, { wildcard: true, caseSensitive: false }));
    case 'requestMethod': {
      const m = typeof o.value === 'string' ? o.value.replace(/^HTTP_/, '') : '';
      return result(m === q.method);
    }
    case 'requestProtocol':
      return result(typeof o.value === 'string' && o.value.toLowerCase() === q.scheme);
    case 'requestHeader': {
      const present: Array<[string, string]> = Object.keys(q.headers).flatMap((n) => headerLines(q.headers, n).map((v): [string, string] => [n.toLowerCase(), v]));
      return namedValue({ ...o, matchCaseSensitiveName: false }, present, 'headerName', { nameCase: false, valueCase: true });
    }
    case 'requestCookie':
    case 'cookie':
      return namedValue(o, [...q.cookies], 'cookieName', { nameCase: true, valueCase: true });
    case 'queryStringParameter':
      return namedValue(o, queryParams(q.query), 'parameterName', { nameCase: true, valueCase: true });
    case 'contentType': {
      const type = (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim();
      return result(anyOf(type, values, { wildcard: bool(o.matchWildcard, true), caseSensitive: bool(o.matchCaseSensitive, false) }));
    }
    default:
      return { unknown: `criterion ${c.name} is not evaluated by this checker` };
  }
}
