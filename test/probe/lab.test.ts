/**
 * probe against the lab's real nginx and Varnish: each leak scenario is reported as `leak` by the
 * technique that should catch it; SAFE yields no leak and no risk above low. The concurrent race
 * catches S1 in each of 20 consecutive cycles; behind the emulator's fastly profile (a true TTL-0
 * object) the race is the only technique that catches it. Drift reports the change after a
 * known-good baseline.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { ProbeSchema } from '../../src/config/schema.ts';
import { severityRank } from '../../src/core/severity.ts';
import { createProber, type Prober } from '../../src/probe/runner.ts';
import type { ProbeFinding } from '../../src/probe/types.ts';
import type { ProfileId } from '../../src/semantics/types.ts';
import { startEmulator } from '../../lab/emulator/proxy.ts';
import { FASTLY_DEFAULT } from '../../lab/emulator/scenarios.ts';
import type { EngineName } from '../../lab/engines/types.ts';
import { canaryAccounts, LAB_IDENTITY_KEY, LAB_PERSONALIZED_GLOBS, startOrigin, type Origin } from '../../lab/origin/index.ts';
import type { ScenarioId } from '../../lab/scenarios/registry.ts';
import { startScenario } from '../../lab/scenarios/run.ts';
import { engineSkip, requireEngine } from '../lab/helpers.ts';

type AuthKind = 'cookie' | 'bearer';

export async function labProber(target: string, origin: Origin, opts: { auth?: AuthKind; paths?: string[]; profile?: ProfileId; techniques?: string[]; edges?: string[]; state?: string } = {}): Promise<Prober> {
  const settings = ProbeSchema.parse({
    target,
    ...(opts.edges ? { edges: opts.edges } : {}),
    accounts: canaryAccounts(origin, opts.auth ? { auth: opts.auth } : {}),
    paths: opts.paths ?? (opts.auth === 'bearer' ? ['/api/me', '/api/orders'] : ['/mypage', '/orders']),
    publicPaths: ['/', '/items/i01'],
    state: opts.state ?? ':memory:',
  });
  return createProber({
    settings,
    personalized: LAB_PERSONALIZED_GLOBS,
    profile: opts.profile ?? 'rfc9111',
    identity: { key: LAB_IDENTITY_KEY, cookies: ['sid'] },
    ...(opts.techniques ? { techniques: opts.techniques } : {}),
  });
}

const CATCHES: Record<Exclude<ScenarioId, 'SAFE' | 'S6'>, { technique: string; auth?: AuthKind }> = {
  S1: { technique: 'probe/concurrent-race' },
  S2a: { technique: 'probe/cross-identity-replay' },
  S2b: { technique: 'probe/set-cookie-shared' },
  S3: { technique: 'probe/authorization-reuse', auth: 'bearer' },
  S4: { technique: 'probe/cross-identity-replay' },
  S5: { technique: 'probe/path-confusion' },
};

const leaksOf = (fs: readonly ProbeFinding[]) => fs.filter((f) => f.verdict === 'leak');

for (const engine of ['nginx', 'varnish'] as EngineName[]) {
  const skip = engineSkip(engine);
  describe(`probe on real ${engine}`, () => {
    for (const [id, want] of Object.entries(CATCHES) as Array<[keyof typeof CATCHES, (typeof CATCHES)[keyof typeof CATCHES]]>) {
      it(`${id}: ${want.technique} reports a leak with the evidence`, { skip }, async () => {
        requireEngine(engine);
        const lab = await startScenario(id, engine);
        const prober = await labProber(lab.engine.url, lab.origin, { ...(want.auth ? { auth: want.auth } : {}) });
        try {
          const { findings } = await prober.cycle();
          const hit = leaksOf(findings).filter((f) => f.technique === want.technique);
          assert.ok(hit.length > 0, `${id}/${engine}: ${want.technique} found no leak; leaks: ${leaksOf(findings).map((f) => `${f.technique} ${f.target}`).join(', ') || 'none'}`);
          for (const f of hit) {
            assert.equal(f.severity, 'critical');
            assert.ok(f.evidence.exposures && f.evidence.exposures.length > 0, 'a leak carries who-saw-whose evidence');
            assert.ok(f.evidence.exposures.every((x) => x.owner !== x.viewer));
            assert.equal(f.edge, lab.engine.address);
            assert.ok(f.pops.includes(lab.engine.edge), `the finding names the edge's POP (${f.pops.join(', ')})`);
          }
        } finally {
          await prober.close();
          await lab.stop();
        }
      });
    }

    it("a real user's page cached before the canaries come is a critical leak kept as hashes and field names only", { skip }, async () => {
      requireEngine(engine);
      const lab = await startScenario('S4', engine);
      const prober = await labProber(lab.engine.url, lab.origin, { paths: ['/mypage'], techniques: ['probe/cache-status'] });
      try {
        // u03 is no canary: they log in and open their page; S4's URL-only key keeps it for 60 s.
        const c = lab.origin.credentialsFor('u03');
        const login = await request(`${lab.engine.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: c.user, password: c.password }).toString() });
        await login.body.dump();
        const cookie = String(login.headers['set-cookie']).split(';')[0]!;
        const page = await request(`${lab.engine.url}/mypage`, { headers: { cookie } });
        const stranger = lab.origin.person('u03')!;
        assert.ok((await page.body.text()).includes(stranger.name), "u03's page is in the cache now");

        const { findings } = await prober.cycle();
        const leak = leaksOf(findings).find((f) => f.technique === 'probe/cache-status');
        assert.ok(leak, `cache-status reports the stranger's page as a leak: ${findings.map((f) => `${f.verdict} ${f.message}`).join(' | ')}`);
        assert.equal(leak.severity, 'critical');
        assert.ok(leak.evidence.exposures?.some((x) => x.owner === 'stranger' && x.viewer === 'alice'), 'names a stranger as the owner');
        const kept = JSON.stringify(findings);
        assert.match(kept, /"strangerFields":\[[^\]]*"email"/, 'keeps the field names');
        assert.match(kept, /"ownerTag":"h:/, "keeps the stranger's owner tag as a keyed hash");
        for (const raw of [stranger.name, stranger.email, stranger.phone, cookie.split('=')[1]!]) assert.ok(!kept.includes(raw), 'no raw personal value or credential is kept');
      } finally {
        await prober.close();
        await lab.stop();
      }
    });

    it('SAFE: no leak and no risk above low', { skip }, async () => {
      requireEngine(engine);
      const lab = await startScenario('SAFE', engine);
      const prober = await labProber(lab.engine.url, lab.origin, { profile: engine === 'nginx' ? 'nginx' : 'varnish7' });
      try {
        const { findings } = await prober.cycle();
        assert.deepEqual(leaksOf(findings).map((f) => `${f.technique} ${f.target}`), []);
        const risky = findings.filter((f) => f.verdict === 'risk' && severityRank(f.severity) > severityRank('low'));
        assert.deepEqual(risky.map((f) => `${f.technique} ${f.target}: ${f.message}`), []);
      } finally {
        await prober.close();
        await lab.stop();
      }
    });

    it('S1: the concurrent race reports the leak in each of 20 consecutive cycles', { skip }, async () => {
      requireEngine(engine);
      const lab = await startScenario('S1', engine);
      const prober = await labProber(lab.engine.url, lab.origin, { paths: ['/mypage'], techniques: ['probe/concurrent-race'] });
      try {
        for (let cycle = 1; cycle <= 20; cycle++) {
          const { findings } = await prober.cycle();
          assert.equal(leaksOf(findings).length, 1, `cycle ${cycle}: ${findings.map((f) => `${f.verdict} ${f.message}`).join(' | ')}`);
        }
      } finally {
        await prober.close();
        await lab.stop();
      }
    });
  });
}

describe('probe behind the emulator with the fastly profile (a true TTL-0 object, the 2017 mechanism)', () => {
  it('only the concurrent race catches it, in each of 20 consecutive cycles', async () => {
    const origin = await startOrigin({ personalizedHeaders: 'incident2017', delayMs: 300 });
    const edge = await startEmulator({ origin: origin.url, routes: FASTLY_DEFAULT });
    const prober = await labProber(edge.url, origin, { profile: 'fastly' });
    try {
      const first = await prober.cycle();
      assert.deepEqual([...new Set(leaksOf(first.findings).map((f) => f.technique))], ['probe/concurrent-race']);
      assert.deepEqual(leaksOf(first.findings).map((f) => f.target).sort(), ['/mypage', '/orders']);
      for (const f of first.findings.filter((x) => x.technique === 'probe/cross-identity-replay' || x.technique === 'probe/same-identity-repeat')) {
        assert.equal(f.verdict, 'ok', `${f.technique}: a TTL-0 object is never reused sequentially`);
      }
      for (let cycle = 2; cycle <= 20; cycle++) {
        const { findings } = await prober.cycle();
        const race = findings.filter((f) => f.technique === 'probe/concurrent-race' && f.target === '/mypage');
        assert.equal(race[0]?.verdict, 'leak', `cycle ${cycle}`);
      }
    } finally {
      await prober.close();
      await edge.stop();
      await origin.close();
    }
  });

  it('the storability lint explains with sections why the 2017 pair is stored and collapsed under fastly, and why private is not', async () => {
    for (const mode of ['incident2017', 'private'] as const) {
      const origin = await startOrigin({ personalizedHeaders: mode, delayMs: 5 });
      const prober = await labProber(origin.url, origin, { profile: 'fastly', paths: ['/mypage'], techniques: ['probe/storability'] });
      try {
        const [f] = (await prober.cycle()).findings;
        const reasons = (f!.evidence.reasons ?? []).map((r) => `${r.source}: ${r.text}`).join('\n');
        if (mode === 'incident2017') {
          assert.equal(f!.verdict, 'risk');
          assert.equal(f!.severity, 'high');
          assert.match(f!.message, /stored \(TTL 0 s\) and handed to every request that waits on its fetch/);
          assert.match(reasons, /RFC 9111 §3: Storable: the response has an Expires field/);
          assert.match(reasons, /RFC 9111 §5\.2\.2\.4/);
          assert.match(reasons, /RFC 9111 §4/);
          assert.match(reasons, /Fastly request collapsing guide/);
        } else {
          assert.equal(f!.verdict, 'ok');
          assert.match(reasons, /RFC 9111 §5\.2\.2\.7|private/);
        }
      } finally {
        await prober.close();
        await origin.close();
      }
    }
  });

  it('drift names what changed since the last known-good cycle', async () => {
    const origin = await startOrigin({ personalizedHeaders: 'private', delayMs: 200 });
    const edge = await startEmulator({ origin: origin.url, routes: FASTLY_DEFAULT });
    const prober = await labProber(edge.url, origin, { profile: 'fastly', paths: ['/mypage'], techniques: ['probe/storability', 'probe/concurrent-race', 'probe/drift'] });
    try {
      const before = await prober.cycle();
      assert.ok(before.findings.every((f) => f.verdict === 'ok'), before.findings.map((f) => `${f.technique} ${f.verdict} ${f.message}`).join(' | '));
      origin.setPersonalizedHeaders('incident2017'); // the app now sends the 2017 pair
      const after = await prober.cycle();
      const drift = after.findings.find((f) => f.technique === 'probe/drift')!;
      assert.equal(drift.verdict, 'risk');
      assert.equal(drift.severity, 'critical');
      assert.match(drift.message, /changed since the known-good baseline of .*: .*probe\/concurrent-race ok → leak/);
    } finally {
      await prober.close();
      await edge.stop();
      await origin.close();
    }
  });
});

describe('probe edge pinning', () => {
  const skip = engineSkip('nginx');
  it('two caches on different loopback addresses serve the same Host: the finding names the leaking edge only', { skip }, async () => {
    requireEngine('nginx');
    const { startNginx } = await import('../../lab/engines/nginx.ts');
    const { freePort } = await import('../../lab/engines/process.ts');
    const origin = await startOrigin({ personalizedHeaders: 'private' });
    const port = await freePort('127.0.0.2');
    const leaky = await startNginx({ origin: origin.url, scenario: 'S2a', address: '127.0.0.2', port, edge: 'edge-leaky' });
    const safe = await startNginx({ origin: origin.url, scenario: 'SAFE', address: '127.0.0.3', port, edge: 'edge-safe' });
    // The target is a name only the edges answer for: requests go to each address with Host kept.
    const prober = await labProber(`http://shop.example.test:${port}`, origin, { edges: ['127.0.0.2', '127.0.0.3'], techniques: ['probe/cross-identity-replay'] });
    try {
      assert.deepEqual(prober.edges.map((e) => e.address), ['127.0.0.2', '127.0.0.3']);
      const { findings } = await prober.cycle();
      const byEdge = (address: string) => findings.filter((f) => f.edge.includes(address));
      assert.ok(byEdge('127.0.0.2').some((f) => f.verdict === 'leak' && f.pops.includes('edge-leaky')), JSON.stringify(findings.map((f) => [f.edge, f.verdict, f.pops])));
      assert.ok(byEdge('127.0.0.3').every((f) => f.verdict === 'ok' && f.pops.includes('edge-safe')));
      // Both edges saw the target's Host, not the address.
      const hosts = new Set([...leaky.readLog(), ...safe.readLog()].map((l) => l.host));
      assert.deepEqual([...hosts], ['shop.example.test']);
    } finally {
      await prober.close();
      await leaky.stop();
      await safe.stop();
      await origin.close();
    }
  });
});
