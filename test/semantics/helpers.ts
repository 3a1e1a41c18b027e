/** Shared test helpers: compact requests/responses and the "every answer is reasoned" check. */
import assert from 'node:assert/strict';
import type { Answer, HttpRequestInfo, HttpResponseInfo, Verdict } from '../../src/semantics/index.ts';

export const DATE = 'Thu, 22 Jun 2017 05:00:00 GMT';
export const NOW = Date.parse('2017-06-22T05:00:00Z');
export const PAST = 'Thu, 01 Jan 1970 00:00:01 GMT';
export const HOUR_LATER = 'Thu, 22 Jun 2017 06:00:00 GMT';

export function get(url = '/mypage', headers: Record<string, string> = {}, method = 'GET'): HttpRequestInfo {
  return { method, url, host: 'shop.test', scheme: 'https', headers: { host: 'shop.test', ...headers } };
}

export function res(headers: Record<string, string | string[]> = {}, status = 200): HttpResponseInfo {
  return { status, headers: { date: DATE, ...headers } };
}

export function answersOf(v: Verdict): Array<[string, Answer<unknown>]> {
  return [
    ['action', v.request.action],
    ['key', v.request.key],
    ['store', v.response.store],
    ['rfcClass', v.response.rfcClass],
    ['ttl', v.response.ttl],
    ['stale', v.response.stale],
    ['collapse', v.response.collapse],
    ['reuse', v.response.reuse],
    ['varyOn', v.response.varyOn],
    ['sharedAcrossIdentities', v.sharedAcrossIdentities],
  ];
}

/** Every Answer carries ≥1 reason with a stable rule id, a source and a text. */
export function assertReasoned(v: Verdict): void {
  for (const [name, a] of answersOf(v)) {
    assert.ok(a.reasons.length >= 1, `${v.profile} ${name} has no reason`);
    for (const r of a.reasons) {
      assert.match(r.rule, /^[a-z0-9]+\/[a-z0-9]+(?:-[a-z0-9]+)*$/, `rule id ${r.rule}`);
      assert.ok(r.source.trim() !== '', `${v.profile} ${name}: ${r.rule} has an empty source`);
      assert.ok(r.text.trim() !== '', `${v.profile} ${name}: ${r.rule} has an empty text`);
      assert.ok(!/\{\w+\}/.test(r.text), `${r.rule}: unfilled placeholder in "${r.text}"`);
    }
  }
}

/** The rule ids cited anywhere in a verdict. */
export function cited(v: Verdict): string[] {
  return answersOf(v).flatMap(([, a]) => a.reasons.map((r) => r.rule));
}
