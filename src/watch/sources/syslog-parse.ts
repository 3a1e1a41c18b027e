/**
 * Syslog frame parsing (pure, no I/O): RFC 5424 and RFC 3164 headers, and RFC 6587 TCP framing
 * (octet counting and newline-delimited non-transparent framing). The line a syslog source
 * delivers is the MSG part of each message.
 */

export type SyslogParse =
  | { ok: true; format: 'rfc5424' | 'rfc3164'; pri: number; hostname: string | undefined; app: string | undefined; msg: string }
  | { ok: false; reason: 'no_pri' | 'bad_header' | 'bad_structured_data' };

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
/** RFC 3164 timestamp (`Nov  5 09:41:00`, day space-padded or not) or an RFC 3339 one some relays send instead. */
const TS_3164 = new RegExp(`^(?:(?:${MONTHS}) {1,2}\\d{1,2} \\d{2}:\\d{2}:\\d{2}|\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2}))(?: |$)`);
const TS_5424 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;
/** `tag:` or `tag[pid]:` with no hostname before it (nginx `nohostname`). */
const TAG_ONLY = /^([\w.\-/]{1,48})(?:\[[^\]\s]*\])?: ?/;
/** `hostname tag:` / `hostname tag[pid]:` (nginx's default). */
const HOST_TAG = /^(\S+) ([\w.\-/]{1,48})(?:\[[^\]\s]*\])?: ?/;
const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

/**
 * Parses one syslog message (without framing). Trailing CR, LF and NUL are ignored. The UTF-8
 * BOM that RFC 5424 allows before MSG is removed.
 */
export function parseSyslog(frame: string): SyslogParse {
  let end = frame.length;
  while (end > 0) {
    const c = frame.charCodeAt(end - 1);
    if (c !== 0x0a && c !== 0x0d && c !== 0) break;
    end -= 1;
  }
  const s = end === frame.length ? frame : frame.slice(0, end);

  // <PRI>: 1-3 digits, 0..191
  if (s.charCodeAt(0) !== 0x3c) return { ok: false, reason: 'no_pri' };
  const close = s.indexOf('>', 1);
  if (close < 2 || close > 4) return { ok: false, reason: 'no_pri' };
  const priText = s.slice(1, close);
  if (!/^\d+$/.test(priText)) return { ok: false, reason: 'no_pri' };
  const pri = Number(priText);
  if (pri > 191) return { ok: false, reason: 'no_pri' };
  const rest = s.slice(close + 1);

  if (/^[1-9]\d{0,2} /.test(rest)) return parse5424(rest.slice(rest.indexOf(' ') + 1), pri);
  return parse3164(rest, pri);
}

function parse5424(s: string, pri: number): SyslogParse {
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each a token or "-"
  const fields: string[] = [];
  let i = 0;
  for (let f = 0; f < 5; f++) {
    const sp = s.indexOf(' ', i);
    if (sp === -1) return { ok: false, reason: 'bad_header' };
    const tok = s.slice(i, sp);
    if (tok === '' || !PRINTABLE_TOKEN.test(tok)) return { ok: false, reason: 'bad_header' };
    fields.push(tok);
    i = sp + 1;
  }
  const [timestamp, hostname, app] = fields as [string, string, string, string, string];
  if (timestamp !== '-' && !TS_5424.test(timestamp)) return { ok: false, reason: 'bad_header' };

  // STRUCTURED-DATA: "-" or one or more [id param="value" ...]
  if (s[i] === '-') {
    i += 1;
  } else if (s[i] === '[') {
    const after = skipStructuredData(s, i);
    if (after === -1) return { ok: false, reason: 'bad_structured_data' };
    i = after;
  } else {
    return { ok: false, reason: 'bad_structured_data' };
  }
  let msg = '';
  if (i < s.length) {
    if (s[i] !== ' ') return { ok: false, reason: 'bad_structured_data' };
    msg = s.slice(i + 1);
    if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
  }
  return { ok: true, format: 'rfc5424', pri, hostname: nil(hostname), app: nil(app), msg };
}

/** Index just past the structured data starting at `i` (a `[`), or -1 when it is malformed. */
function skipStructuredData(s: string, start: number): number {
  let i = start;
  while (s[i] === '[') {
    i += 1;
    const idStart = i;
    while (i < s.length && s[i] !== ' ' && s[i] !== ']' && s[i] !== '=' && s[i] !== '"') i += 1;
    if (i === idStart) return -1;
    while (s[i] === ' ') {
      i += 1;
      const nameStart = i;
      while (i < s.length && s[i] !== '=' && s[i] !== ' ' && s[i] !== ']' && s[i] !== '"') i += 1;
      if (i === nameStart || s[i] !== '=' || s[i + 1] !== '"') return -1;
      i += 2;
      for (;;) {
        if (i >= s.length) return -1;
        const c = s[i];
        if (c === '\\') i += 2;
        else if (c === '"') break;
        else i += 1;
      }
      i += 1; // closing quote
    }
    if (s[i] !== ']') return -1;
    i += 1;
  }
  return i;
}

function parse3164(s: string, pri: number): SyslogParse {
  const ts = TS_3164.exec(s);
  if (!ts) return { ok: false, reason: 'bad_header' };
  const rest = s.slice(ts[0].length);
  const tagOnly = TAG_ONLY.exec(rest);
  if (tagOnly) return { ok: true, format: 'rfc3164', pri, hostname: undefined, app: tagOnly[1], msg: rest.slice(tagOnly[0].length) };
  const hostTag = HOST_TAG.exec(rest);
  if (hostTag) return { ok: true, format: 'rfc3164', pri, hostname: hostTag[1], app: hostTag[2], msg: rest.slice(hostTag[0].length) };
  // HOSTNAME then content without a tag.
  const sp = rest.indexOf(' ');
  if (sp > 0) return { ok: true, format: 'rfc3164', pri, hostname: rest.slice(0, sp), app: undefined, msg: rest.slice(sp + 1) };
  return { ok: true, format: 'rfc3164', pri, hostname: rest === '' ? undefined : rest, app: undefined, msg: '' };
}

function nil(v: string): string | undefined {
  return v === '-' ? undefined : v;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;

/**
 * RFC 6587 framing for a syslog TCP stream. Each frame is detected by its first byte: a digit
 * starts an octet-counted frame (`LEN SP MSG`), anything else a newline-terminated one. Frames
 * longer than `maxFrameBytes` are cut (their head is kept, the rest skipped without buffering).
 */
export class SyslogTcpFramer {
  readonly #max: number;
  readonly #onFrame: (frame: Buffer, cut: boolean) => void;
  #mode: 'start' | 'count' | 'octets' | 'line' = 'start';
  #digits = 0;
  #count = 0;
  #remaining = 0;
  #parts: Buffer[] = [];
  #len = 0;
  #cut = false;

  constructor(maxFrameBytes: number, onFrame: (frame: Buffer, cut: boolean) => void) {
    this.#max = maxFrameBytes;
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.#mode) {
        case 'start': {
          const c = chunk[i]!;
          if (c === LF || c === CR || c === SP || c === 0) {
            i += 1; // stray separators between frames
          } else if (c >= 0x30 && c <= 0x39) {
            this.#mode = 'count';
            this.#digits = 0;
            this.#count = 0;
          } else {
            this.#mode = 'line';
          }
          break;
        }
        case 'count': {
          const c = chunk[i]!;
          if (c >= 0x30 && c <= 0x39 && this.#digits < 9) {
            this.#count = this.#count * 10 + (c - 0x30);
            this.#digits += 1;
            i += 1;
          } else if (c === SP && this.#digits > 0) {
            i += 1;
            this.#remaining = this.#count;
            this.#mode = this.#count === 0 ? 'start' : 'octets';
          } else {
            // Not a length prefix after all: treat the digits as the start of a newline-terminated frame.
            this.#hold(Buffer.from(String(this.#count).padStart(this.#digits, '0')));
            this.#mode = 'line';
          }
          break;
        }
        case 'octets': {
          const take = Math.min(this.#remaining, n - i);
          this.#hold(chunk.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#emit();
          break;
        }
        case 'line': {
          const nl = chunk.indexOf(LF, i);
          const stop = nl === -1 ? n : nl;
          this.#hold(chunk.subarray(i, stop));
          if (nl === -1) {
            i = n;
          } else {
            i = nl + 1;
            this.#emit();
          }
          break;
        }
      }
    }
  }

  /**
   * The connection ended. A pending newline-terminated frame without its newline is delivered;
   * returns false when an octet-counted frame was cut short (the caller counts it).
   */
  end(): boolean {
    const mode = this.#mode;
    if (mode === 'line' && this.#len > 0) this.#emit();
    const complete = mode === 'start' || mode === 'line';
    this.#reset();
    return complete;
  }

  #hold(bytes: Buffer): void {
    const room = this.#max - this.#len;
    if (bytes.length > room) this.#cut = true;
    const take = Math.min(room, bytes.length);
    if (take > 0) {
      this.#parts.push(Buffer.from(bytes.subarray(0, take)));
      this.#len += take;
    }
  }

  #emit(): void {
    const frame = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#len);
    const cut = this.#cut;
    this.#reset();
    if (frame.length > 0) this.#onFrame(frame, cut);
  }

  #reset(): void {
    this.#mode = 'start';
    this.#parts = [];
    this.#len = 0;
    this.#cut = false;
  }
}
