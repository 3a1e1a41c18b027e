/**
 * Vendor rules as data. Each profile keeps a table of `RuleEntry` values: the citation, how sure we
 * are, and the sentence that ends up in a `Reason`. Decision code never writes a citation inline; it
 * stamps a Reason from a table entry. Ordered `Step` lists say which rule fires first.
 */
import type { Answer, ProfileId, Reason } from './types.ts';

export type Certainty = Reason['certainty'];

export interface RuleEntry {
  /** `<profile>/<kebab-case>`; stable, used by tests and by anyone who filters reasons. */
  readonly id: string;
  /** Human citation (RFC section, vendor page, file in the vendor's source). */
  readonly source: string;
  readonly url?: string;
  /** `unverified` when the research marks the fact [verify]/[weak] or it is our own reading. */
  readonly certainty: Certainty;
  /** What the rule does to an exchange, as one sentence; `{name}` placeholders are filled per exchange. */
  readonly text: string;
}

/** Values for `{name}` placeholders. */
export type Vars = Readonly<Record<string, string | number | undefined>>;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Checks a profile's table (prefix, kebab-case, non-empty citation and text) and freezes it. */
export function defineRules<K extends string>(profile: ProfileId, table: Record<K, RuleEntry>): Readonly<Record<K, RuleEntry>> {
  const seen = new Set<string>();
  for (const rule of Object.values<RuleEntry>(table)) {
    const [prefix, name, ...rest] = rule.id.split('/');
    if (prefix !== profile || name === undefined || rest.length > 0 || !KEBAB.test(name)) {
      throw new Error(`rule id ${rule.id} must be ${profile}/<kebab-case>`);
    }
    if (seen.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`);
    seen.add(rule.id);
    if (rule.source.trim() === '' || rule.text.trim() === '') throw new Error(`rule ${rule.id} needs a source and a text`);
  }
  return Object.freeze(table);
}

/** Rule texts split once into literal parts and `{placeholder}` names (odd indexes). */
const compiled = new WeakMap<RuleEntry, string[]>();

function fill(rule: RuleEntry, vars: Vars): string {
  let parts = compiled.get(rule);
  if (!parts) {
    parts = rule.text.split(/\{(\w+)\}/);
    compiled.set(rule, parts);
  }
  if (parts.length === 1) return parts[0]!;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const v = vars[parts[i]!];
    if (v === undefined) throw new Error(`rule ${rule.id}: no value for {${parts[i]}}`);
    out += String(v) + parts[i + 1]!;
  }
  return out;
}

/** Makes the Reason a rule gives for one exchange. */
export function stamp(rule: RuleEntry, vars: Vars = {}, certainty?: Certainty): Reason {
  const reason: Reason = { rule: rule.id, source: rule.source, text: fill(rule, vars), certainty: certainty ?? rule.certainty };
  if (rule.url !== undefined) reason.url = rule.url;
  return reason;
}

/** An Answer; refuses to exist without a reason. */
export function answer<T>(value: T, reasons: readonly Reason[]): Answer<T> {
  if (reasons.length === 0) throw new Error('an Answer needs at least one Reason');
  return { value, reasons: dedupe(reasons) };
}

/** Drops repeated reasons (same rule and text), keeping the first. Answers carry a handful of reasons, so a scan beats hashing. */
export function dedupe(reasons: readonly Reason[]): Reason[] {
  const out: Reason[] = [];
  for (const r of reasons) {
    if (!out.some((o) => o.rule === r.rule && o.text === r.text)) out.push(r);
  }
  return out;
}

/** `unverified` when any of the reasons is. */
export function weakest(reasons: readonly Reason[]): Certainty {
  return reasons.some((r) => r.certainty === 'unverified') ? 'unverified' : 'documented';
}

/**
 * One row of an ordered decision table: when `when` holds, `rule` decides and the outcome is `then`.
 * The last step of a table should match everything.
 */
export interface Step<C, V> {
  rule: RuleEntry;
  when: (c: C) => boolean;
  then: V | ((c: C) => V);
  vars?: (c: C) => Vars;
}

export interface Decided<V> {
  value: V;
  reason: Reason;
}

function isFn<C, V>(then: V | ((c: C) => V)): then is (c: C) => V {
  return typeof then === 'function';
}

/** Walks a decision table and returns the first matching step's outcome with its Reason. */
export function firstMatch<C, V>(steps: ReadonlyArray<Step<C, V>>, c: C, base: Vars = {}): Decided<V> {
  for (const step of steps) {
    if (!step.when(c)) continue;
    const value = isFn(step.then) ? step.then(c) : step.then;
    return { value, reason: stamp(step.rule, { ...base, ...(step.vars?.(c) ?? {}) }) };
  }
  throw new Error('decision table has no matching step (the last step should match everything)');
}
