/**
 * Route globs, as used by the top-level `personalized:` list.
 *
 * - `*` matches any run of characters, `/` included (`/mypage*` covers `/mypage/x.css`);
 * - `?` matches one character;
 * - a glob without a wildcard matches that path exactly or any path below it
 *   (`/api/me` covers `/api/me` and `/api/me/settings`, not `/api/meter`);
 * - matching is on the path only: the query string is ignored, and the path is
 *   percent-decoded once so `/%6Dypage` cannot dodge `/mypage*`.
 */
export type RouteMatcher = (pathOrUrl: string) => boolean;

function escapeRegExp(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export function globToRegExp(glob: string): RegExp {
  let src = '';
  for (const ch of glob) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += escapeRegExp(ch);
  }
  const exactOrBelow = !/[*?]/.test(glob);
  return new RegExp(exactOrBelow ? `^${src.replace(/\/$/, '')}(?:/.*)?$` : `^${src}$`);
}

/** The path part of a URL or path, without query or fragment, decoded once. */
export function routePath(pathOrUrl: string): string {
  let p = pathOrUrl;
  const scheme = p.indexOf('://');
  if (scheme !== -1) {
    const slash = p.indexOf('/', scheme + 3);
    p = slash === -1 ? '/' : p.slice(slash);
  }
  const cut = p.search(/[?#]/);
  if (cut !== -1) p = p.slice(0, cut);
  try {
    p = decodeURIComponent(p);
  } catch {
    // malformed escapes: match on the raw path
  }
  return p === '' ? '/' : p;
}

export function compileRoutes(globs: readonly string[]): RouteMatcher {
  if (globs.length === 0) return () => false;
  const res = globs.map(globToRegExp);
  // Detectors ask about the same URLs over and over: remember recent answers (bounded).
  const memo = new Map<string, boolean>();
  return (pathOrUrl: string) => {
    const known = memo.get(pathOrUrl);
    if (known !== undefined) return known;
    const p = routePath(pathOrUrl);
    const answer = res.some((re) => re.test(p));
    if (memo.size >= 16_384) memo.clear();
    memo.set(pathOrUrl, answer);
    return answer;
  };
}
