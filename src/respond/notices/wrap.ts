/**
 * Plain-text wrapping for English notices: lines longer than the width break at spaces, keeping
 * the line's indent, and a `- ` bullet gets a hanging indent. A word longer than the width (a
 * URL) stays whole on its own line. Japanese notices are not wrapped: they have no spaces to
 * break at, and mail programs wrap them.
 */

export const WRAP_WIDTH = 72;

export function wrapText(text: string, width = WRAP_WIDTH): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  if (line.length <= width) return line;
  const indent = /^[ \t]*/.exec(line)![0];
  const body = line.slice(indent.length);
  const hanging = indent + (body.startsWith('- ') ? '  ' : '');
  const words = body.split(/ +/).filter((w) => w !== '');
  const out: string[] = [];
  let current = indent;
  let empty = true;
  for (const w of words) {
    if (!empty && current.length + 1 + w.length > width) {
      out.push(current);
      current = hanging + w;
    } else {
      current = empty ? current + w : `${current} ${w}`;
    }
    empty = false;
  }
  out.push(current);
  return out.join('\n');
}
