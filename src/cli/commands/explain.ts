/**
 * `cachewarden explain`: ask the cache-semantics core what a cache does with one exchange,
 * and why. With `--profile all`, compare every profile (the "what if we switch CDN?" view).
 */
import { readFileSync } from 'node:fs';
import { CwError } from '../../core/errors.ts';
import { explain as explainExchange } from '../../semantics/index.ts';
import { PROFILE_IDS, type Answer, type HttpRequestInfo, type HttpResponseInfo, type ProfileId, type Verdict } from '../../semantics/types.ts';
import { defineCommand } from '../command.ts';

type Headers = Record<string, string>;

function addHeader(into: Headers, line: string, flag: string): void {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new CwError('CW_USAGE_BAD_FLAG', `explain: ${flag} "${line}" is not of the form "Name: value"`);
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  into[name] = into[name] === undefined ? value : `${into[name]}, ${value}`;
}

/** Parse `HTTP/1.1 200 OK` + header lines (as `curl -sI` prints them). */
export function parseResponseHead(text: string): { status: number; headers: Headers } {
  const lines = text.replace(/\r/g, '').split('\n');
  // curl -sIL prints one block per redirect hop; use the last block.
  let start = 0;
  lines.forEach((l, i) => {
    if (/^HTTP\/[\d.]+ \d{3}/.test(l)) start = i;
  });
  const statusLine = lines[start] ?? '';
  const m = /^HTTP\/[\d.]+ (\d{3})/.exec(statusLine);
  if (!m) throw new CwError('CW_INPUT_UNREADABLE', 'explain: --response input does not start with an HTTP status line such as "HTTP/1.1 200 OK"');
  const headers: Headers = {};
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '') break;
    addHeader(headers, l, '--response');
  }
  return { status: Number(m[1]), headers };
}

const SHARED_WORDS: Record<Verdict['sharedAcrossIdentities']['value'], string> = {
  yes: 'SHARED: another requester can receive this response',
  'collapsing-only': 'SHARED WITH CONCURRENT REQUESTS: requests that arrive while it is fetched receive it',
  no: 'not shared: no other requester receives this response',
};

function reasonLines(a: Answer<unknown>, indent: string): string[] {
  return a.reasons.map((r) => `${indent}- ${r.text} [${r.source}${r.certainty === 'unverified' ? '; unverified' : ''}]`);
}

function fmtValue(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function renderVerdict(v: Verdict, req: HttpRequestInfo, res: HttpResponseInfo): string {
  const out: string[] = [];
  const shown = (h: Record<string, unknown>) =>
    Object.entries(h)
      .map(([k, x]) => `${k}: ${k === 'cookie' || k === 'authorization' ? '(present)' : String(x)}`)
      .join('; ') || '(no headers)';
  out.push(`Profile:  ${v.profile}`);
  out.push(`Request:  ${req.method} ${req.url}  ${shown(req.headers as Record<string, unknown>)}`);
  out.push(`Response: ${res.status}  ${shown(res.headers as Record<string, unknown>)}`);
  out.push('');
  out.push(SHARED_WORDS[v.sharedAcrossIdentities.value]);
  out.push(...reasonLines(v.sharedAcrossIdentities, '  '));
  const rows: Array<[string, Answer<unknown>]> = [
    ['action', v.request.action],
    ['cache key', { value: v.request.key.value.value, reasons: v.request.key.reasons }],
    ['store', v.response.store],
    ['ttl (s)', v.response.ttl],
    ['stale', v.response.stale],
    ['rfc class', v.response.rfcClass],
    ['collapse', v.response.collapse],
    ['reuse', v.response.reuse],
    ['vary on', v.response.varyOn],
  ];
  for (const [label, a] of rows) {
    out.push('');
    out.push(`${label.padEnd(10)} ${fmtValue(a.value)}`);
    out.push(...reasonLines(a, '  '));
  }
  return `${out.join('\n')}\n`;
}

function renderComparison(verdicts: Verdict[]): string {
  const header = ['profile', 'action', 'store', 'ttl', 'collapse', 'reuse', 'shared'];
  const rows = verdicts.map((v) => [
    v.profile,
    v.request.action.value,
    v.response.store.value,
    String(v.response.ttl.value),
    v.response.collapse.value,
    v.response.reuse.value,
    v.sharedAcrossIdentities.value,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''];
  for (const v of verdicts) {
    // The first reason is the derivation sentence; the next one names the rule that decided.
    const reasons = v.sharedAcrossIdentities.reasons;
    const first = reasons.find((r) => !r.source.startsWith('cachewarden derivation')) ?? reasons[0];
    if (first) out.push(`${v.profile}: ${first.text} [${first.source}]`);
  }
  return `${out.join('\n')}\n`;
}

export default defineCommand({
  name: 'explain',
  summary: 'say whether a cache may store, collapse or share a response, and why (RFC 9111 and vendor rules)',
  usage: 'explain [--profile <id>|all] [--status N] [-H "Name: value"]... [--response <file>|-] [--method M] [--url U] [-R "Name: value"]...',
  description: `
Asks the cache-semantics core what a shared cache does with one request/response exchange:
whether it looks the request up, the cache key, whether and how long it stores the response,
whether concurrent waiting requests receive it (collapsing), and whether a different requester
can receive it. Every answer cites the RFC 9111 section or the vendor rule behind it.

Give the response as -H flags, or as a header block (\`curl -sI <url> | cachewarden explain --response -\`).
The request defaults to a logged-in GET (a session Cookie) for --url.
--profile all compares every profile: the view to take before switching CDN.
Exit code 1 means a different requester can receive the response.`,
  flags: {
    profile: { type: 'string', short: 'p', value: '<id|all>', description: `cache profile: ${PROFILE_IDS.join(', ')}, or all (default: the config's profile, else rfc9111)` },
    status: { type: 'string', short: 's', value: '<code>', description: 'response status (default 200)' },
    header: { type: 'string', short: 'H', multiple: true, value: '"Name: value"', description: 'a response header' },
    response: { type: 'string', value: '<file|->', description: 'read the status line and response headers from a file or stdin' },
    method: { type: 'string', value: '<method>', description: 'request method (default GET)' },
    url: { type: 'string', value: '<path>', description: 'request path and query (default /mypage)' },
    'request-header': { type: 'string', short: 'R', multiple: true, value: '"Name: value"', description: 'a request header (default: Cookie: sid=<session>)' },
    anonymous: { type: 'boolean', description: 'send the request without Cookie or Authorization' },
  },
  config: 'optional',
  exitCodes: { 0: 'no other requester can receive the response', 1: 'another requester can receive it (shared or collapsed)', 2: 'usage or input error' },
  examples: [
    `cachewarden explain --profile fastly -H 'Cache-Control: no-cache' -H 'Expires: Thu, 01 Jan 1970 00:00:01 GMT'`,
    `cachewarden explain --profile all -H 'Cache-Control: no-cache'`,
    `curl -sI https://shop.example/mypage -b sid=... | cachewarden explain --profile cloudfront --response -`,
  ],
  async run({ flags, config, out }) {
    const profileArg = flags.profile ?? config?.config.profile ?? 'rfc9111';
    const profiles: ProfileId[] = profileArg === 'all' ? [...PROFILE_IDS] : [profileArg as ProfileId];
    if (profileArg !== 'all' && !(PROFILE_IDS as readonly string[]).includes(profileArg)) {
      throw new CwError('CW_USAGE_BAD_FLAG', `explain: unknown profile "${profileArg}"; use one of ${PROFILE_IDS.join(', ')}, all`);
    }
    let status = 200;
    const resHeaders: Headers = {};
    if (flags.response !== undefined) {
      let text: string;
      try {
        text = readFileSync(flags.response === '-' ? 0 : flags.response, 'utf8');
      } catch (e) {
        throw new CwError('CW_INPUT_UNREADABLE', `explain: cannot read --response ${flags.response}: ${(e as Error).message}`);
      }
      const head = parseResponseHead(text);
      status = head.status;
      Object.assign(resHeaders, head.headers);
    }
    for (const h of flags.header ?? []) addHeader(resHeaders, h, '--header');
    if (flags.status !== undefined) {
      status = Number(flags.status);
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new CwError('CW_USAGE_BAD_FLAG', `explain: --status "${flags.status}" is not an HTTP status code`);
    }
    const reqHeaders: Headers = {};
    for (const h of flags['request-header'] ?? []) addHeader(reqHeaders, h, '--request-header');
    if (!flags.anonymous && reqHeaders['cookie'] === undefined && reqHeaders['authorization'] === undefined) {
      const cookieName = config?.config.identity.cookies[0] ?? 'sid';
      reqHeaders['cookie'] = `${cookieName}=example-session`;
    }
    const req: HttpRequestInfo = { method: (flags.method ?? 'GET').toUpperCase(), url: flags.url ?? '/mypage', headers: reqHeaders };
    const res: HttpResponseInfo = { status, headers: resHeaders };
    const identity = config ? { cookies: [...config.config.identity.cookies], headers: [...config.config.identity.headers] } : undefined;
    const verdicts = profiles.map((id) => explainExchange(req, res, { id, ...(identity ? { identity } : {}) } as never));
    if (flags.json) out.stdout(`${JSON.stringify(profileArg === 'all' ? verdicts : verdicts[0], null, 2)}\n`);
    else out.stdout(profileArg === 'all' ? renderComparison(verdicts) : renderVerdict(verdicts[0]!, req, res));
    return verdicts.some((v) => v.sharedAcrossIdentities.value !== 'no') ? 1 : 0;
  },
});
