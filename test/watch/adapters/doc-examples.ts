/**
 * The parsed-event examples in docs/log-recipes.md: each `<!-- example: <format> [field=source…] -->`
 * marker is followed by a code block of log lines and, after `<!-- parsed -->`, a JSON block with
 * the events those lines parse to. The docs test checks every block against the adapters.
 */
import { IdentityHasher } from '../../../src/core/identity.ts';
import { ADAPTERS, createAdapter, parseFieldOverrides } from '../../../src/watch/adapters/index.ts';
import { CANONICAL_FIELDS, FORMAT_IDS } from '../../../src/watch/adapters/types.ts';
import type { FormatId } from '../../../src/watch/adapters/types.ts';

/** The key the docs' hashes are made with (stated in the docs). */
export const DOCS_KEY = 'docs-example-identity-key';

export interface DocExample {
  format: FormatId;
  fields: string[];
  lines: string[];
  /** The JSON text of the parsed block, and where it sits in the document. */
  parsed: string;
  parsedStart: number;
  parsedEnd: number;
}

function codeBlockAfter(md: string, from: number): { body: string; start: number; end: number } {
  const open = md.indexOf('```', from);
  const bodyStart = md.indexOf('\n', open) + 1;
  const close = md.indexOf('\n```', bodyStart - 1);
  if (open < 0 || close < 0) throw new Error(`unclosed code block after offset ${from}`);
  return { body: md.slice(bodyStart, close), start: bodyStart, end: close };
}

export function extractExamples(md: string): DocExample[] {
  const out: DocExample[] = [];
  const re = /<!-- example: ([a-z0-9-]+)((?: [^\s]+)*) -->/g;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    const format = m[1] as FormatId;
    if (!(FORMAT_IDS as readonly string[]).includes(format)) throw new Error(`docs example names unknown format ${format}`);
    const input = codeBlockAfter(md, m.index + m[0].length);
    const marker = md.indexOf('<!-- parsed -->', input.end);
    if (marker < 0) throw new Error(`example for ${format} has no <!-- parsed --> block`);
    const parsed = codeBlockAfter(md, marker);
    out.push({
      format,
      fields: m[2]!.trim() === '' ? [] : m[2]!.trim().split(' '),
      lines: input.body.split('\n'),
      parsed: parsed.body,
      parsedStart: parsed.start,
      parsedEnd: parsed.end,
    });
  }
  return out;
}

/** What the adapter makes of an example's lines: the events, pretty-printed as the docs show them. */
export function renderExample(ex: DocExample): string {
  const adapter = createAdapter(ex.format, { hasher: new IdentityHasher(DOCS_KEY), fields: parseFieldOverrides(ex.fields) });
  const events = [];
  for (const line of ex.lines) {
    const r = adapter.parse(line);
    if (r.ok) events.push(r.event);
    else if (r.reason !== 'empty') throw new Error(`docs example for ${ex.format}: ${r.reason} ${r.detail ?? ''}: ${line.slice(0, 120)}`);
  }
  return JSON.stringify(events, null, 2);
}

/** Rewrites every parsed block with the adapters' current output. */
export function refreshExamples(md: string): string {
  let out = md;
  for (const ex of extractExamples(md).reverse()) out = out.slice(0, ex.parsedStart) + renderExample(ex) + out.slice(ex.parsedEnd);
  return out;
}

const DEFAULTS_START = '<!-- defaults -->';
const DEFAULTS_END = '<!-- /defaults -->';

/** The default-field-map table of docs/log-recipes.md §9, from the registry. */
export function renderDefaults(): string {
  const ids = ['nginx-json', 'varnishncsa', 'fastly-json', 'cloudflare', 'cloudfront', 'cloudfront-realtime', 'akamai-ds2'] as const satisfies readonly FormatId[];
  const rows = [`| canonical | ${ids.join(' | ')} |`, `|---|${ids.map(() => '---').join('|')}|`];
  for (const f of CANONICAL_FIELDS) {
    const cells = ids.map((id) => {
      const v = ADAPTERS[id].defaultFields[f];
      return v === undefined ? '—' : `\`${v.replace(/\|/g, '\\|')}\``;
    });
    rows.push(`| \`${f}\` | ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}

/** The defaults table as it stands in the document. */
export function documentedDefaults(md: string): string {
  const start = md.indexOf(DEFAULTS_START);
  const end = md.indexOf(DEFAULTS_END);
  if (start < 0 || end < start) throw new Error('docs/log-recipes.md has no <!-- defaults --> table');
  return md.slice(start + DEFAULTS_START.length, end).trim();
}

/** Rewrites the parsed blocks and the defaults table from the code. */
export function refreshDoc(md: string): string {
  const out = refreshExamples(md);
  const start = out.indexOf(DEFAULTS_START) + DEFAULTS_START.length;
  const end = out.indexOf(DEFAULTS_END);
  return `${out.slice(0, start)}\n${renderDefaults()}\n${out.slice(end)}`;
}
