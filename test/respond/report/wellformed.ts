/**
 * A small well-formedness check for the HTML the report emits (not a general HTML parser):
 * every tag is one of the elements the renderer uses, every attribute value is double-quoted and
 * holds no `<` or `"`, void elements are never closed, SVG leaves may self-close, every other
 * element is closed in order, text holds no stray `<` or unescaped `&`, and `<style>` holds no
 * `<`. Returns the problems found, one line each (empty when well-formed).
 */

const VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input', 'source', 'wbr']);
const SELF_CLOSING = new Set(['rect', 'line', 'path', 'circle', 'polyline', 'polygon']);
const KNOWN = new Set([
  'html', 'head', 'body', 'meta', 'title', 'style', 'header', 'main', 'footer', 'section', 'h1', 'h2', 'h3', 'p', 'ul', 'li', 'span', 'strong',
  'figure', 'figcaption', 'details', 'summary', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'svg', 'desc', 'g', 'rect', 'line', 'text',
]);

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*(?:="[^"<]*")?)*)\s*(\/?)>/y;

export function wellFormedProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: Array<{ name: string; at: number }> = [];
  let i = 0;
  if (!html.startsWith('<!doctype html>')) problems.push('does not start with <!doctype html>');
  else i = '<!doctype html>'.length;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const text = html.slice(i, lt === -1 ? html.length : lt);
    const amp = /&(?!(?:amp|lt|gt|quot|#39);)/.exec(text);
    if (amp) problems.push(`unescaped & at ${i + amp.index}`);
    if (lt === -1) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (!m) {
      problems.push(`stray < at ${lt}: ${JSON.stringify(html.slice(lt, lt + 40))}`);
      i = lt + 1;
      continue;
    }
    const [, closing, rawName, , selfClose] = m;
    const name = (rawName ?? '').toLowerCase();
    if (!KNOWN.has(name)) problems.push(`unexpected element <${name}> at ${lt}`);
    i = TAG.lastIndex;
    if (closing) {
      if (VOID.has(name)) problems.push(`void element </${name}> closed at ${lt}`);
      const top = stack.pop();
      if (!top || top.name !== name) problems.push(`</${name}> at ${lt} closes ${top ? `<${top.name}> from ${top.at}` : 'nothing'}`);
    } else if (selfClose) {
      if (!SELF_CLOSING.has(name)) problems.push(`<${name}/> self-closed at ${lt}`);
    } else if (!VOID.has(name)) {
      stack.push({ name, at: lt });
      if (name === 'style' || name === 'title') {
        const end = html.indexOf(`</${name}>`, i);
        if (end === -1) {
          problems.push(`<${name}> at ${lt} never closed`);
          break;
        }
        if (html.slice(i, end).includes('<')) problems.push(`< inside <${name}> at ${lt}`);
        i = end;
      }
    }
  }
  for (const open of stack) problems.push(`<${open.name}> at ${open.at} never closed`);
  return problems;
}
