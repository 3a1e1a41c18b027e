/**
 * Scrubbing for structured log output: one serialized JSON log line in, the same line with card
 * numbers and personal data masked out, still valid JSON. Shared by the pino, Fastify and Express
 * integrations.
 *
 * The fast path is one engine pass over the whole line (the engine keeps JSON valid and sees the
 * key names as context). When that would break the line, for example a card number logged as a
 * JSON number (`"pan":5555555555554444`) whose mask is not a number, the number is turned into a
 * string first and the line is redacted again. If the line still does not parse, each value is
 * redacted on its own and the line is rebuilt. Nothing here ever returns or throws the raw value.
 */
import { redactText } from '../engine.ts';
import type { RedactOptions } from '../types.ts';

/** Options every integration takes: the engine's redact options plus header names to mask. */
export interface ScrubOptions extends RedactOptions {
  /**
   * More header or field names whose values are always masked, whatever they hold (lower case).
   * Added to {@link SENSITIVE_KEYS}.
   */
  sensitiveKeys?: readonly string[];
}

/** Replacement for a credential value (token, cookie value, API key): the engine's own credential mask. */
export const CREDENTIAL_MASK = '***';

/**
 * Header and field names whose values are credentials: masked by name, before the engine runs, so
 * a bearer token or session cookie never reaches a log even when it looks like nothing.
 */
export const SENSITIVE_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
] as const;

/**
 * A credential header value with the secret part masked: `Bearer ***`, cookie names kept
 * (`sid=***; theme=***`), Set-Cookie attributes kept, anything else fully masked.
 */
export function maskCredential(name: string, value: string): string {
  const key = name.toLowerCase();
  if (key === 'authorization' || key === 'proxy-authorization') {
    const scheme = /^([A-Za-z][\w.+-]*)\s+\S/.exec(value);
    return scheme ? `${scheme[1]} ${CREDENTIAL_MASK}` : CREDENTIAL_MASK;
  }
  if (key === 'cookie') {
    return value
      .split(';')
      .map((pair) => maskCookiePair(pair.trim()))
      .filter((pair) => pair !== '')
      .join('; ');
  }
  if (key === 'set-cookie') {
    const [first = '', ...attrs] = value.split(';');
    return [maskCookiePair(first.trim()), ...attrs.map((a) => a.trim())].join('; ');
  }
  return CREDENTIAL_MASK;
}

function maskCookiePair(pair: string): string {
  if (pair === '') return '';
  const eq = pair.indexOf('=');
  return eq > 0 ? `${pair.slice(0, eq).trim()}=${CREDENTIAL_MASK}` : CREDENTIAL_MASK;
}

/** The sensitive names in force for these options, lower case. */
export function sensitiveKeySet(opts?: ScrubOptions): ReadonlySet<string> {
  if (!opts?.sensitiveKeys?.length) return DEFAULT_KEY_SET;
  return new Set([...SENSITIVE_KEYS, ...opts.sensitiveKeys.map((k) => k.toLowerCase())]);
}
const DEFAULT_KEY_SET: ReadonlySet<string> = new Set(SENSITIVE_KEYS);

const JSON_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
/** `"name": "value"` or `"name": ["v1", "v2"]` in serialized JSON (name captured, value captured). */
const KEYED_VALUE = new RegExp(String.raw`"([A-Za-z][\w-]*)"(\s*:\s*)(${JSON_STRING}|\[\s*(?:${JSON_STRING}\s*,?\s*)*\])`, 'g');

/**
 * Masks the values of sensitive keys (see {@link SENSITIVE_KEYS}) wherever they occur in a
 * serialized JSON text. Keys are matched case-insensitively; string and string-array values are
 * masked, the JSON stays valid.
 */
export function maskSensitiveJson(json: string, keys: ReadonlySet<string> = DEFAULT_KEY_SET): string {
  if (!mayHoldSensitiveKey(json, keys)) return json;
  return json.replace(KEYED_VALUE, (whole, name: string, colon: string, value: string) => {
    const key = name.toLowerCase();
    if (!keys.has(key)) return whole;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return whole;
    }
    const masked = Array.isArray(parsed)
      ? parsed.map((v) => (typeof v === 'string' ? maskCredential(key, v) : v))
      : maskCredential(key, parsed as string);
    return `"${name}"${colon}${JSON.stringify(masked)}`;
  });
}

/** Cheap gate before the regex: most log lines carry no credential key at all. */
function mayHoldSensitiveKey(json: string, keys: ReadonlySet<string>): boolean {
  if (keys === DEFAULT_KEY_SET) return /authorization|cookie|-key|-token/i.test(json);
  const lower = json.toLowerCase();
  for (const k of keys) if (lower.includes(k)) return true;
  return false;
}

/**
 * One serialized JSON log line (a trailing newline is kept) with credentials and personal data
 * masked. Valid JSON in gives valid JSON out. Text that is not JSON is redacted as plain text.
 */
export function scrubJsonLine(line: string, opts?: ScrubOptions): string {
  const masked = maskSensitiveJson(line, sensitiveKeySet(opts));
  const first = redactText(masked, opts);
  if (first.findings.length === 0) return masked;
  if (parses(first.text)) return first.text;
  if (!parses(masked)) return first.text; // it was not JSON to begin with: plain-text result

  // A finding inside a bare JSON number: quote those numbers, then redact again.
  const quoted = quoteNumbersUnder(masked, first.findings);
  if (quoted !== masked) {
    const second = redactText(quoted, opts);
    if (parses(second.text)) return second.text;
  }
  // Last resort: redact value by value and rebuild the line.
  const end = /\s*$/.exec(masked)?.[0] ?? '';
  return JSON.stringify(scrubParsed(JSON.parse(masked), opts)) + end;
}

/**
 * A deep copy of `value` with credentials and personal data masked, for logging request bodies and
 * similar objects. Goes through JSON, so the engine sees key names as context; values JSON cannot
 * hold (functions, symbols) are dropped as JSON.stringify drops them. Circular values are walked
 * with each repeated object replaced by `"[Circular]"`.
 */
export function scrubValue(value: unknown, opts?: ScrubOptions): unknown {
  if (typeof value === 'string') return redactText(value, opts).text;
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' || typeof value === 'bigint') return scrubNumber(value, opts);
    return value;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = JSON.stringify(decycle(value, new WeakSet()));
  }
  if (json === undefined) return undefined;
  return JSON.parse(scrubJsonLine(json, opts));
}

/** A number whose digits form a finding comes back as its masked string; others unchanged. */
function scrubNumber(n: number | bigint, opts?: ScrubOptions): number | bigint | string {
  const text = String(n);
  if (text.length < 12) return n;
  const r = redactText(text, opts);
  return r.findings.length > 0 ? r.text : n;
}

function decycle(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return decycle(toJSON.call(value), seen);
  const out: unknown = Array.isArray(value)
    ? value.map((v) => decycle(v, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decycle(v, seen)]));
  seen.delete(value);
  return out;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `json` with every bare number token that overlaps one of `spans` turned into a JSON string, so
 * that a masked value in its place stays valid JSON. Strings are skipped by a small scanner that
 * tracks quotes and escapes.
 */
export function quoteNumbersUnder(json: string, spans: readonly { start: number; end: number }[]): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < json.length && /[0-9.eE+-]/.test(json[j]!)) j++;
      const start = i;
      if (spans.some((s) => s.start < j && s.end > start)) {
        out += json.slice(last, start) + '"' + json.slice(start, j) + '"';
        last = j;
      }
      i = j - 1;
    }
  }
  return last === 0 ? json : out + json.slice(last);
}

/** Value-by-value redaction of a parsed JSON value; numbers holding findings become strings. */
function scrubParsed(value: unknown, opts?: ScrubOptions, key?: string): unknown {
  if (typeof value === 'string') return scrubLeaf(key, value, opts);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) < 1e11) return value;
    const masked = scrubLeaf(key, String(value), opts);
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map((v) => scrubParsed(v, opts, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubKey(k, opts)] = scrubParsed(v, opts, k);
    return out;
  }
  return value;
}

function scrubKey(key: string, opts?: ScrubOptions): string {
  return key.length < 6 ? key : redactText(key, opts).text;
}

/**
 * One string value, redacted with its key as context (`{"card_number":"…"}`); if the engine's
 * output for that fragment does not parse, the bare value is redacted; if that finds nothing while
 * the fragment did, the whole value is replaced (fail closed).
 */
function scrubLeaf(key: string | undefined, value: string, opts?: ScrubOptions): string {
  const fragment = key === undefined ? JSON.stringify(value) : `{${JSON.stringify(key)}:${JSON.stringify(value)}}`;
  const r = redactText(fragment, opts);
  if (r.findings.length === 0) return value;
  try {
    const parsed: unknown = JSON.parse(r.text);
    const v = key === undefined ? parsed : (parsed as Record<string, unknown>)[key];
    if (typeof v === 'string') return v;
  } catch {
    // fall through
  }
  const bare = redactText(value, opts);
  return bare.findings.length > 0 ? bare.text : CREDENTIAL_MASK;
}
