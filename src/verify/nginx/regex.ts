/**
 * nginx regular expressions (PCRE) as JavaScript RegExps, for locations, `if`, `map`, `rewrite`
 * and `server_name`. The common PCRE forms are translated (`(?P<name>`, a leading `(?i)`, POSIX
 * classes, `\A` `\z` `\Z` `\h`); what JavaScript cannot express (possessive quantifiers, atomic
 * groups, `(?x)`...) comes back as an error, and callers treat the match as undecidable.
 */

export type CompiledRegex = { re: RegExp; error?: undefined } | { re?: undefined; error: string };

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
};

const cache = new Map<string, CompiledRegex>();

/** Compiles a PCRE pattern as nginx would use it; `caseless` for `~*`. Results are cached. */
export function compilePcre(pattern: string, caseless: boolean): CompiledRegex {
  const key = `${caseless ? 'i' : '-'}${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let src = pattern;
  let flags = caseless ? 'i' : '';
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    if (lead[1]!.includes('x')) return remember(key, { error: 'the (?x) flag is not supported' });
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  if (/\(\?>|[*+?}]\+/.test(src.replace(/\\./g, '').replace(/\[[^\]]*\]/g, ''))) return remember(key, { error: 'possessive quantifiers and atomic groups are not supported' });
  src = src
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\[:(\w+):\]/g, (m, name: string) => POSIX[name] ?? m)
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/\\h/g, '[ \\t]');
  try {
    return remember(key, { re: new RegExp(src, flags) });
  } catch (e) {
    return remember(key, { error: e instanceof Error ? e.message : String(e) });
  }
}

function remember(key: string, value: CompiledRegex): CompiledRegex {
  cache.set(key, value);
  return value;
}
