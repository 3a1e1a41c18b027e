/**
 * The origin target: declared origin headers judged under the CDN in front. The 2017 header pair
 * behind the fastly profile is flagged with the reason; private, no-store is not; a generic profile
 * names every vendor that would share.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runVerify } from '../../src/verify/engine.ts';
import { originModel } from '../../src/verify/origin.ts';
import { VERIFY_RULES } from '../../src/verify/rules/index.ts';
import { makeSettings } from '../../src/verify/settings.ts';
import type { ProfileSpec } from '../../src/semantics/types.ts';

const PAIR = { 'Cache-Control': 'no-cache', Expires: 'Thu, 01 Jan 1970 00:00:01 GMT' };

function verifyOrigin(headers: Record<string, string>, profile: ProfileSpec) {
  const settings = makeSettings({
    personalized: ['/mypage*', '/orders*'],
    identity: { cookies: ['sid'] },
    profile,
    origin: { '/mypage*': headers },
    locateOrigin: () => ({ file: 'cachewarden.yaml', line: 7, column: 5 }),
  });
  return runVerify([originModel(settings)], settings, { rules: VERIFY_RULES, now: Date.parse('2026-11-21T12:00:00Z') });
}

describe('verify origin.headers', () => {
  it('flags the 2017 header pair behind the fastly profile, citing the collapsing rule, at the declaration', () => {
    const r = verifyOrigin(PAIR, { id: 'fastly' });
    assert.deepEqual(r.findings.map((f) => [f.rule, f.severity, f.messageId, `${f.file}:${f.line}`]), [
      ['verify/origin/zero-ttl-is-not-private', 'critical', 'zeroTtl', 'cachewarden.yaml:7'],
    ]);
    const f = r.findings[0]!;
    assert.match(f.message, /Under fastly a shared cache stores it/);
    assert.match(f.message, /handed to every request queued behind this fetch/);
    assert.deepEqual(f.routes, ['/mypage'], 'only the route the declaration covers');
  });

  it('does not flag private, no-store', () => {
    assert.deepEqual(verifyOrigin({ 'Cache-Control': 'private, no-store' }, { id: 'fastly' }).findings, []);
  });

  it('under the generic rfc9111 profile it names every vendor profile that would share', () => {
    const r = verifyOrigin(PAIR, { id: 'rfc9111' });
    assert.equal(r.findings.length, 1);
    const profiles = /Under ([a-z0-9, ]+) a shared cache/.exec(r.findings[0]!.message)?.[1]?.split(', ') ?? [];
    assert.ok(profiles.includes('fastly') && profiles.includes('cloudfront'), r.findings[0]!.message);
    assert.ok(!profiles.includes('nginx') && !profiles.includes('varnish7'), 'nginx and Varnish 7 builtin never share that pair');
  });

  it('flags public + Vary: Cookie as protected only by Vary', () => {
    const r = verifyOrigin({ 'Cache-Control': 'public, max-age=60', Vary: 'Cookie' }, { id: 'nginx' });
    assert.deepEqual(r.findings.map((f) => f.rule), ['verify/origin/vary-cookie-only']);
  });
});
