/**
 * PCRE (as Varnish and Fastly use it) to JavaScript RegExp. Handles the constructs VCL authors
 * use: a leading `(?i)` (and inline flags anywhere, turned into scoped `(?i:…)` groups), POSIX
 * classes (`[[:upper:]]`), `\A` `\z` `\Z` `\h` `\Q…\E`, named groups `(?P<n>…)`, atomic groups
 * and possessive quantifiers (approximated by their greedy forms). Compiled patterns are cached.
 */

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: 'A-Za-z0-9_',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
};

const escapeLiteral = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export interface Translated {
  source: string;
  flags: string;
}

/** Translates a PCRE pattern; throws Error with a reason when it uses something JS cannot express. */
export function translatePcre(pattern: string): Translated {
  let out = '';
  let flags = '';
  /** Extra `)` to emit when each open group closes (for scoped inline flags). */
  const groups: number[] = [];
  let topExtra = 0;
  let quantifiable = false;
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i]!;
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d === undefined) throw new Error('pattern ends with a backslash');
      i += 2;
      quantifiable = true;
      switch (d) {
        case 'A': out += '^'; quantifiable = false; break;
        case 'z': out += '$'; quantifiable = false; break;
        case 'Z': out += '(?=\\n?$)'; quantifiable = false; break;
        case 'h': out += '[ \\t]'; break;
        case 'H': out += '[^ \\t]'; break;
        case 'e': out += '\\x1b'; break;
        case 'a': out += '\\x07'; break;
        case 'Q': {
          const end = pattern.indexOf('\\E', i);
          const lit = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
          out += escapeLiteral(lit);
          i = end < 0 ? n : end + 2;
          break;
        }
        case 'E': break;
        case 'G': case 'K': case 'R': case 'X': case 'C':
          throw new Error(`\\${d} has no JavaScript equivalent`);
        default: out += `\\${d}`;
      }
      continue;
    }
    if (c === '[') {
      const r = readClass(pattern, i);
      out += r.text;
      i = r.end;
      quantifiable = true;
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] !== '?') {
        groups.push(0);
        out += '(';
        i++;
        quantifiable = false;
        continue;
      }
      const rest = pattern.slice(i + 2);
      const inline = /^([imsx]*)(?:-([imsx]+))?\)/.exec(rest);
      if (inline && (inline[1] || inline[2])) {
        const on = inline[1] ?? '';
        const off = inline[2] ?? '';
        if ((on + off).includes('x')) throw new Error('(?x) extended mode is not supported');
        i += 2 + inline[0].length;
        if (out === '' && groups.length === 0 && off === '') {
          for (const f of on) if (!flags.includes(f)) flags += f;
        } else {
          out += `(?${on}${off ? `-${off}` : ''}:`;
          if (groups.length > 0) groups[groups.length - 1]!++;
          else topExtra++;
        }
        quantifiable = false;
        continue;
      }
      let m: RegExpExecArray | null;
      if ((m = /^P<([A-Za-z_]\w*)>/.exec(rest)) || (m = /^'([A-Za-z_]\w*)'/.exec(rest))) {
        out += `(?<${m[1]}>`;
        groups.push(0);
        i += 2 + m[0].length;
      } else if ((m = /^P=([A-Za-z_]\w*)\)/.exec(rest))) {
        out += `\\k<${m[1]}>`;
        i += 2 + m[0].length;
        quantifiable = true;
        continue;
      } else if (rest.startsWith('#')) {
        const end = pattern.indexOf(')', i);
        i = end < 0 ? n : end + 1;
        continue;
      } else if (rest.startsWith('>')) {
        out += '(?:';
        groups.push(0);
        i += 3;
      } else if (/^(?::|=|!|<=|<!|<[A-Za-z_]|[imsx-]*:)/.test(rest)) {
        out += '(?';
        groups.push(0);
        i += 2;
      } else {
        throw new Error(`unsupported group "(?${rest.slice(0, 3)}"`);
      }
      quantifiable = false;
      continue;
    }
    if (c === ')') {
      const extra = groups.pop() ?? 0;
      out += ')'.repeat(extra + 1);
      i++;
      quantifiable = true;
      continue;
    }
    if ((c === '*' || c === '+' || c === '?') && quantifiable) {
      out += c;
      i++;
      if (pattern[i] === '+') i++; // possessive → greedy
      else if (pattern[i] === '?') out += pattern[i++];
      quantifiable = false;
      continue;
    }
    if (c === '{') {
      const q = /^\{\d+(?:,\d*)?\}/.exec(pattern.slice(i));
      if (q && quantifiable) {
        out += q[0];
        i += q[0].length;
        if (pattern[i] === '+') i++;
        else if (pattern[i] === '?') out += pattern[i++];
        quantifiable = false;
        continue;
      }
      out += '\\{';
      i++;
      quantifiable = true;
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      quantifiable = true;
      continue;
    }
    if (c === '/') {
      out += '\\/';
      i++;
      quantifiable = true;
      continue;
    }
    out += c;
    i++;
    quantifiable = c !== '|' && c !== '^' && c !== '$';
  }
  out += ')'.repeat(topExtra);
  return { source: out, flags };
}

/** A character class from `[` at `start`; POSIX classes become ranges. */
function readClass(p: string, start: number): { text: string; end: number } {
  let i = start + 1;
  let text = '[';
  if (p[i] === '^') {
    text += '^';
    i++;
  }
  if (p[i] === ']') {
    text += '\\]';
    i++;
  }
  while (i < p.length && p[i] !== ']') {
    if (p[i] === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      const name = close < 0 ? '' : p.slice(i + 2, close);
      const neg = name.startsWith('^');
      const range = POSIX[neg ? name.slice(1) : name];
      if (range === undefined) throw new Error(`unknown POSIX class [:${name}:]`);
      if (neg) throw new Error(`negated POSIX class [:${name}:] is not supported`);
      text += range;
      i = close + 2;
      continue;
    }
    if (p[i] === '\\') {
      const d = p[i + 1] ?? '';
      text += d === 'h' ? ' \\t' : `\\${d}`;
      i += 2;
      continue;
    }
    if (p[i] === '[') {
      text += '\\[';
      i++;
      continue;
    }
    text += p[i];
    i++;
  }
  if (i >= p.length) throw new Error('unterminated character class');
  return { text: `${text}]`, end: i + 1 };
}

const cache = new Map<string, RegExp | Error>();

/** The compiled RegExp for a PCRE pattern, or the Error explaining why it cannot be translated. */
export function compilePcre(pattern: string): RegExp | Error {
  let r = cache.get(pattern);
  if (r === undefined) {
    try {
      const t = translatePcre(pattern);
      r = new RegExp(t.source, t.flags);
    } catch (e) {
      r = e instanceof Error ? e : new Error(String(e));
    }
    if (cache.size > 5000) cache.clear();
    cache.set(pattern, r);
  }
  return r;
}

/** A global copy of a compiled pattern (for regsuball). */
export function globalOf(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
}

/**
 * Applies a VCL substitution (`\1`…`\9`, `\0` or `&`-free, as Varnish and Fastly write it) to
 * one match.
 */
export function expandSub(sub: string, match: RegExpExecArray | string[]): string {
  return sub.replace(/\\(\d)/g, (_, d: string) => match[Number(d)] ?? '');
}
