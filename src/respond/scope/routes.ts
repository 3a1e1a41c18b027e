/**
 * What a URL means to the report: which `respond.routes` glob it falls under (and so which of the
 * owner's fields it shows), which `personalized:` glob (the unit of "the cache was storing this
 * route"), and which categories a field belongs to. Answers are memoized (bounded), since the same
 * URLs repeat across millions of lines.
 */
import { globToRegExp, routePath } from '../../core/glob.ts';

/** The field a personalized route not listed in `respond.routes` shows. */
export const PAGE_FIELD = 'page';
/** The field a cached Set-Cookie hands over: the login session itself. */
export const SESSION_FIELD = 'session';

const MEMO_MAX = 16_384;

function memoized<T>(fn: (url: string) => T): (url: string) => T {
  const memo = new Map<string, T>();
  return (url) => {
    if (memo.has(url)) return memo.get(url)!;
    const v = fn(url);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(url, v);
    return v;
  };
}

function firstMatch(globs: readonly string[]): (url: string) => string | undefined {
  const res = globs.map((g) => [g, globToRegExp(g)] as const);
  return memoized((url) => {
    const p = routePath(url);
    for (const [g, re] of res) if (re.test(p)) return g;
    return undefined;
  });
}

export interface RouteBook {
  /** The `respond.routes` glob of a URL, else `personalized` or `other`. */
  route(url: string): string;
  /** The owner's fields a URL shows (`page` when its route is not listed). */
  fields(url: string): readonly string[];
  /** The first `personalized:` glob a URL falls under. */
  personalized(url: string): string | undefined;
  /** Categories of a set of fields, sorted. */
  categories(fields: Iterable<string>): string[];
}

export function routeBook(routes: Readonly<Record<string, readonly string[]>>, personalized: readonly string[], categories: Readonly<Record<string, { fields: readonly string[] }>>): RouteBook {
  const respondGlob = firstMatch(Object.keys(routes));
  const personalizedGlob = firstMatch(personalized);
  const categoryOf = new Map<string, string[]>();
  for (const [name, c] of Object.entries(categories)) {
    for (const f of c.fields) categoryOf.set(f, [...(categoryOf.get(f) ?? []), name]);
  }
  return {
    route: (url) => respondGlob(url) ?? (personalizedGlob(url) !== undefined ? 'personalized' : 'other'),
    fields: (url) => {
      const g = respondGlob(url);
      return g === undefined ? [PAGE_FIELD] : [...routes[g]!].sort();
    },
    personalized: personalizedGlob,
    categories(fields) {
      const out = new Set<string>();
      for (const f of fields) for (const c of categoryOf.get(f) ?? []) out.add(c);
      return [...out].sort();
    },
  };
}
