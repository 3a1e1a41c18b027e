/**
 * Renders docs/config.md from the schema: one table row per key with its type, default,
 * description and example. A test checks the committed page matches.
 */
import { ConfigSchema } from './schema.ts';

interface Def {
  type: string;
  options?: Node[];
  valueType?: Node;
  keyType?: Node;
  values?: unknown[];
  shape?: Record<string, Node>;
  innerType?: Node;
  element?: Node;
  entries?: Record<string, string>;
  defaultValue?: unknown;
  in?: Node;
}
interface Node {
  _zod: { def: Def };
  meta?: () => Record<string, unknown> | undefined;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
  example: string;
}

function describeType(n: Node): string {
  const typeName = n.meta?.()?.['typeName'];
  if (typeof typeName === 'string') return typeName;
  const d = n._zod.def;
  switch (d.type) {
    case 'union': {
      const disc = (d as Def & { discriminator?: string }).discriminator;
      if (disc) return `mapping chosen by \`${disc}\` (one block of keys per ${disc} below)`;
      return (d.options ?? []).map(describeType).join(' or ');
    }
    case 'literal':
      return (d.values ?? []).map((v) => `\`${String(v)}\``).join(', ');
    case 'record':
      return `mapping of ${describeType(d.keyType!)} to ${describeType(d.valueType!)}`;
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
    case 'readonly':
      return describeType(d.innerType!);
    case 'pipe':
      return describeType(d.in!);
    case 'array':
      return `list of ${describeType(d.element!)}`;
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).map((v) => `\`${v}\``).join(', ')}`;
    case 'object':
      return 'mapping';
    default:
      return d.type;
  }
}

function defaultOf(n: Node): unknown {
  let cur: Node | undefined = n;
  while (cur) {
    const d: Def = cur._zod.def;
    if (d.type === 'default') return typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
    if (d.type === 'optional') return undefined;
    cur = d.innerType;
  }
  return undefined;
}

/** Metadata may sit on the wrapper (`.default().meta()`) or on the inner schema (`.meta().default()`). */
function metaOf(n: Node): Record<string, unknown> {
  let cur: Node | undefined = n;
  while (cur) {
    const m = cur.meta?.();
    if (m && Object.keys(m).length > 0) return m;
    cur = cur._zod.def.innerType ?? cur._zod.def.in;
  }
  return {};
}

function isRequired(n: Node): boolean {
  const t = n._zod.def.type;
  return t !== 'optional' && t !== 'default' && t !== 'prefault';
}

function objectShape(n: Node): Record<string, Node> | undefined {
  let cur: Node | undefined = n;
  while (cur) {
    const d: Def = cur._zod.def;
    if (d.type === 'object') return d.shape;
    cur = d.innerType ?? d.in;
  }
  return undefined;
}

/** Strip wrappers (optional, default, pipe, superRefine...) down to the schema that shapes values. */
function core(n: Node): Node {
  let cur = n;
  for (;;) {
    const d: Def = cur._zod.def;
    const next = d.innerType ?? d.in;
    if (!next || d.type === 'object' || d.type === 'array' || d.type === 'union') return cur;
    cur = next;
  }
}

function collect(n: Node, prefix: string, rows: Row[]): void {
  const c = core(n);
  const d = c._zod.def;
  // Lists of mappings: document the element's keys as `list[].key`.
  if (d.type === 'array' && d.element) return collect(d.element, `${prefix}[]`, rows);
  // Discriminated unions (the sinks): one block of keys per variant, `list[type=slack].key`.
  if (d.type === 'union' && d.options) {
    const disc = (d as Def & { discriminator?: string }).discriminator;
    for (const option of d.options) {
      const shape = objectShape(option);
      const tag = disc ? (shape?.[disc]?._zod.def.values ?? [])[0] : undefined;
      const base = prefix.endsWith('[]') && tag !== undefined ? `${prefix.slice(0, -2)}[${disc}=${String(tag)}]` : prefix;
      collect(option, base, rows);
    }
    return;
  }
  const shape = objectShape(c);
  if (!shape) return;
  for (const [k, child] of Object.entries(shape)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const meta = metaOf(child);
    const dflt = defaultOf(child);
    const type = describeType(child);
    rows.push({
      key,
      type,
      default: isRequired(child) ? '**required**' : showDefault(dflt, type),
      description: String(meta['description'] ?? ''),
      example: meta['example'] === undefined ? '' : `\`${JSON.stringify(meta['example'])}\``,
    });
    collect(child, key, rows);
  }
}

/** Milliseconds as the shortest duration literal (`1s`, `10m`). */
function durationLiteral(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function showDefault(dflt: unknown, type: string): string {
  if (dflt === undefined) return '—';
  if (type === 'duration' && typeof dflt === 'number') return `\`${durationLiteral(dflt)}\``;
  if (type === 'list of duration' && Array.isArray(dflt)) return `\`${JSON.stringify(dflt.map((v) => durationLiteral(v as number)))}\``;
  if (type === 'mapping' && dflt !== null && typeof dflt === 'object') return 'see below';
  return `\`${JSON.stringify(dflt)}\``;
}

export function configRows(): Row[] {
  const rows: Row[] = [];
  collect(ConfigSchema as unknown as Node, '', rows);
  return rows;
}

export function renderConfigReference(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Configuration reference: cachewarden.yaml',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'One file configures every job. Commands read `./cachewarden.yaml` unless `--config <file>` names another.',
    'The schema is strict: an unknown or misspelt key is an error that names the nearest valid key.',
    'Every problem is reported on one line as `file:line:column key: what is wrong; the fix (CODE)`;',
    'the codes are listed in [errors.md](errors.md).',
    '',
    'String values may reference the environment: `${NAME}` (an error when unset) or `${NAME:-default}`;',
    'write `$${` for a literal `${`. Values that came from the environment are masked when printed.',
    '',
    '| Key | Type | Default | Description | Example |',
    '| --- | --- | --- | --- | --- |',
    ...configRows().map((r) => `| \`${r.key}\` | ${esc(r.type)} | ${r.default} | ${esc(r.description)} | ${esc(r.example)} |`),
    '',
    '## Example',
    '',
    '```yaml',
    'personalized: ["/mypage*", "/orders*", "/transactions/*", "/api/me"]',
    'profile: fastly',
    'identity:',
    '  key: ${CACHEWARDEN_IDENTITY_KEY}',
    '  cookies: [sid]',
    '```',
    '',
  ];
  return lines.join('\n');
}
