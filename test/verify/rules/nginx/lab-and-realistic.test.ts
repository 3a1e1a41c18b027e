/**
 * The nginx rules on whole configurations: every lab scenario (exact findings, the same whether
 * the origin's headers are declared or not, SAFE silent) and the realistic fixture (silent on the
 * routes it serves safely; its deliberate mistakes reported, and nothing else).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LAB_PERSONALIZED_GLOBS, PERSONALIZED_HEADERS } from '../../../../lab/origin/index.ts';
import { SCENARIOS, type ScenarioId } from '../../../../lab/scenarios/registry.ts';
import { runVerify } from '../../../../src/verify/engine.ts';
import { loadTarget } from '../../../../src/verify/load.ts';
import { NGINX_RULES } from '../../../../src/verify/rules/nginx/index.ts';
import { makeSettings, type SettingsInput } from '../../../../src/verify/settings.ts';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const REALISTIC = fileURLToPath(new URL('../../fixtures/nginx/realistic/nginx.conf', import.meta.url));

/** `severity rule line messageId [routes]`, in report order. */
function verify(file: string, input: SettingsInput): string[] {
  const settings = makeSettings(input);
  const model = loadTarget(file, { identity: settings.identity });
  return runVerify([model], settings, { rules: NGINX_RULES, now: NOW }).findings.map(
    (f) => `${f.severity} ${f.rule.slice('verify/nginx/'.length)} ${f.file.split('/').slice(-2).join('/')}:${f.line} ${f.messageId} [${f.routes.join(' ')}]`,
  );
}

function lab(id: ScenarioId, declared: boolean): string[] {
  const s = SCENARIOS[id];
  const headers = PERSONALIZED_HEADERS[s.origin.personalizedHeaders ?? 'private'];
  return verify(s.engines.nginx.file!, {
    personalized: LAB_PERSONALIZED_GLOBS,
    identity: { cookies: ['sid'] },
    host: 'shop.example.test',
    origin: declared ? Object.fromEntries(LAB_PERSONALIZED_GLOBS.map((g) => [g, headers])) : {},
  });
}

const ALL = '/mypage /orders /transactions/cw-sample /api/me /api/orders /api/transactions/cw-sample';
const PAGES = '/mypage /orders /transactions/cw-sample';
const API = '/api/me /api/orders /api/transactions/cw-sample';

const LAB_EXPECTED: Record<ScenarioId, string[]> = {
  S1: [
    `critical ignore-cache-control nginx/S1.conf:52 ignored [${ALL}]`,
    `high session-not-excluded nginx/S1.conf:51 notExcluded [${ALL}]`,
    `high cache-valid-catches-headerless nginx/S1.conf:53 headerless [${ALL}]`,
  ],
  S2a: [
    `critical ignore-cache-control nginx/S2a.conf:41 ignored [${PAGES}]`,
    `high session-not-excluded nginx/S2a.conf:40 notExcluded [${PAGES}]`,
    `high cache-valid-catches-headerless nginx/S2a.conf:42 headerless [${PAGES}]`,
  ],
  // The catalogue location, reported structurally: no personalized route is cached here.
  S2b: ['critical ignore-set-cookie nginx/S2b.conf:44 replayed []'],
  S3: [
    `high session-not-excluded nginx/S3.conf:39 notExcluded [${API}]`,
    `high cache-valid-catches-headerless nginx/S3.conf:40 headerless [${API}]`,
    `high session-not-excluded nginx/S3.conf:45 notExcluded [${PAGES}]`,
  ],
  S4: [`high session-not-excluded nginx/S4.conf:40 notExcluded [${ALL}]`, `high ignore-vary nginx/S4.conf:41 ignored [${ALL}]`],
  // Web cache deception is the route rule's business (verify/route/deception); the plain routes are not cached.
  S5: [],
  S6: [
    'critical ignore-cache-control nginx/S6.conf:47 ignored [/mypage /orders]',
    'high session-not-excluded nginx/S6.conf:46 notExcluded [/mypage /orders]',
    'high cache-valid-catches-headerless nginx/S6.conf:48 headerless [/mypage /orders]',
    'high session-not-excluded nginx/S6.conf:57 notExcluded [/transactions/cw-sample]',
    `medium stale-on-personalized nginx/S6.conf:40 useStale [${PAGES}]`,
    `medium stale-on-personalized nginx/S6.conf:41 backgroundUpdate [${PAGES}]`,
  ],
  SAFE: [],
};

describe('nginx rules on the lab scenarios', () => {
  for (const [id, expected] of Object.entries(LAB_EXPECTED) as Array<[ScenarioId, string[]]>) {
    for (const declared of [true, false]) {
      it(`${id} (${declared ? 'origin headers declared' : 'nothing declared'}): exactly ${expected.length} findings`, () => {
        assert.deepEqual(lab(id, declared), expected);
      });
    }
  }
});

/** The realistic fixture's deliberate structural mistakes, reported whatever the personalized routes are. */
const REALISTIC_STRUCTURAL = [
  // media.conf: Set-Cookie ignored, never hidden.
  'critical ignore-set-cookie conf.d/media.conf:13 replayed []',
  // shop.conf: the "static files never change" extension rule ignores Set-Cookie without hiding it.
  'critical ignore-set-cookie conf.d/shop.conf:58 replayed []',
  // shop.conf: "somebody added a bypass but forgot proxy_no_cache" on /orders/.
  'critical bypass-without-no-cache conf.d/shop.conf:90 notMirrored []',
];

describe('nginx rules on the realistic fixture', () => {
  it('the shop\'s account and checkout areas and the app fallback (session cookie "session"): nothing beyond the structural mistakes', () => {
    const found = verify(REALISTIC, { personalized: ['/account/*', '/checkout/*', '/wishlist*'], identity: { cookies: ['session'] }, host: 'shop.example.test' });
    assert.deepEqual(found, REALISTIC_STRUCTURAL);
  });

  it('the API\'s per-user endpoint, keyed by the bearer token (a bearer-only API): nothing beyond the structural mistakes', () => {
    const found = verify(REALISTIC, { personalized: ['/v1/me*'], identity: { cookies: [], headers: ['authorization'] }, host: 'api.example.test' });
    assert.deepEqual(found, REALISTIC_STRUCTURAL);
  });

  it('the shop\'s deliberately broken routes (/mypage, /orders/, /promo/): each mistake at its line', () => {
    const found = verify(REALISTIC, { personalized: ['/mypage*', '/orders/*', '/promo/*'], identity: { cookies: ['session'] }, host: 'shop.example.test' });
    assert.deepEqual(found, [
      'critical ignore-set-cookie conf.d/media.conf:13 replayed []',
      'critical ignore-set-cookie conf.d/shop.conf:58 replayed []',
      // expires -1 turns the app's private, no-store into no-cache + a past Expires for the CDN in front.
      'critical expires-rewrites-cache-control conf.d/shop.conf:82 expires [/mypage]',
      'critical bypass-without-no-cache conf.d/shop.conf:90 notMirrored [/orders/cw-sample]',
      'high session-not-excluded conf.d/shop.conf:80 notExcluded [/mypage]',
      'high cache-valid-catches-headerless conf.d/shop.conf:81 headerless [/mypage]',
      // Bearer requests on /orders/: the bypass covers the cookie only (and stores it: bypass-without-no-cache).
      'high session-not-excluded conf.d/shop.conf:88 notExcluded [/orders/cw-sample]',
      'high cache-valid-catches-headerless conf.d/shop.conf:89 headerless [/orders/cw-sample]',
      'high session-not-excluded conf.d/shop.conf:121 notExcluded [/promo/cw-sample]',
      'high cache-valid-catches-headerless conf.d/shop.conf:122 headerless [/promo/cw-sample]',
      // The server-wide stale settings reach every cached personalized route.
      'medium stale-on-personalized conf.d/shop.conf:13 useStale [/mypage /orders/cw-sample /promo/cw-sample]',
    ]);
  });
});
