/**
 * Real engine output: the nginx-json and varnishncsa adapters read every line nginx and Varnish
 * write in the lab (probe lines included) with no reject, agree with the lab's own log parser on
 * every line, hash every identity, and show the scenario's leak (owner ≠ viewer, a collapsed hit,
 * a handed-over session). Also the CDN emulator's log, whose `cache_detail` marks collapsed requests.
 *
 * Engine tests skip without nginx/Varnish outside CI and fail in CI (test/lab/helpers.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import type { CacheEvent } from '../../../src/core/event.ts';
import { IdentityHasher } from '../../../src/core/identity.ts';
import { createAdapter } from '../../../src/watch/adapters/index.ts';
import type { FormatId } from '../../../src/watch/adapters/types.ts';
import { startEmulator } from '../../../lab/emulator/proxy.ts';
import { parseLogLine } from '../../../lab/engines/logs.ts';
import type { LabLogRecord } from '../../../lab/engines/logs.ts';
import type { EngineName } from '../../../lab/engines/types.ts';
import { startOrigin } from '../../../lab/origin/index.ts';
import { LAB_IDENTITY_KEY } from '../../../lab/origin/owner-tag.ts';
import type { ScenarioId } from '../../../lab/scenarios/registry.ts';
import { startScenario } from '../../../lab/scenarios/run.ts';
import { runTraffic } from '../../../lab/traffic/index.ts';
import { engineSkip, requireEngine } from '../../lab/helpers.ts';
import { assertNoRaw } from './helpers.ts';

/** The lab's key: the origin's owner tags and these viewer hashes share one hash space. */
const hasher = new IdentityHasher(LAB_IDENTITY_KEY);
const FORMAT: Record<EngineName, FormatId> = { nginx: 'nginx-json', varnish: 'varnishncsa' };

interface Parsed {
  lines: string[];
  records: LabLogRecord[];
  events: CacheEvent[];
}

/** Run a scenario on a real engine and parse every complete line of its access log with the adapter. */
async function runAndParse(id: ScenarioId, engine: EngineName): Promise<Parsed> {
  const lab = await startScenario(id, engine);
  let text: string;
  try {
    const result = await runTraffic(lab.trafficOptions({ durationMs: lab.scenario.traffic.durationMs ?? 2500, seed: 7 }));
    await lab.engine.syncLog({ minLines: result.observations.filter((o) => o.status > 0).length });
    text = readFileSync(lab.engine.accessLog, 'utf8');
  } finally {
    await lab.stop();
  }
  const lines = text.split('\n').slice(0, -1);
  const adapter = createAdapter(FORMAT[engine], { hasher });
  const events: CacheEvent[] = [];
  const rejects: string[] = [];
  for (const line of lines) {
    const r = adapter.parse(line);
    if (r.ok) events.push(r.event);
    else rejects.push(`${r.reason}: ${line.slice(0, 160)}`);
  }
  assert.deepEqual(rejects, [], `${engine}: every line of the engine's log parses`);
  const records = lines.map((l) => parseLogLine(l, engine === 'nginx' ? 'nginx-json' : 'varnishncsa-json')!);
  return { lines, records, events };
}

/** The adapter and the lab's parser agree on every line; no raw identity reaches an event. */
function assertAgrees({ records, events }: Parsed): void {
  assert.equal(events.length, records.length);
  assert.ok(events.length > 20, `only ${events.length} lines`);
  events.forEach((ev, i) => {
    const rec = records[i]!;
    const at = `line ${i + 1} (${rec.uri})`;
    assert.ok(Math.abs(ev.time - rec.time) < 0.002, `${at}: time ${ev.time} vs ${rec.time}`);
    assert.equal(ev.edge, rec.edge, at);
    assert.equal(ev.url, rec.uri, at);
    assert.equal(ev.method, rec.method, at);
    assert.equal(ev.status, rec.status, at);
    assert.equal(ev.outcome, rec.outcome, at);
    assert.equal(ev.viewer, hasher.hash(rec.identity), at);
    assert.equal(ev.owner, rec.owner === undefined ? undefined : hasher.hash(rec.owner), at);
    assert.equal(ev.setCookie, rec.setCookie !== undefined, at);
    assert.equal(ev.cacheControl, rec.cacheControl, at);
    assertNoRaw(ev, [rec.identity, rec.setCookie].filter((v): v is string => v !== undefined && v.length >= 8));
  });
}

/** Responses served to one person with another person's owner tag. */
const mismatches = (events: readonly CacheEvent[], outcomes: readonly string[]) =>
  events.filter((e) => outcomes.includes(e.outcome) && e.owner !== undefined && e.viewer !== undefined && e.owner !== e.viewer);

describe('adapters on real engine logs', () => {
  it('nginx, S1 (micro-TTL + proxy_cache_lock): every line parses; lock waiters show as HITs with another owner', { skip: engineSkip('nginx') }, async () => {
    requireEngine('nginx');
    const parsed = await runAndParse('S1', 'nginx');
    assertAgrees(parsed);
    assert.ok(mismatches(parsed.events, ['HIT']).length > 0, 'a HIT whose owner is not its viewer');
  });

  it('Varnish, S1: every line parses, probe lines included; waiting-list hits are COLLAPSED with another owner', { skip: engineSkip('varnish') }, async () => {
    requireEngine('varnish');
    const parsed = await runAndParse('S1', 'varnish');
    assertAgrees(parsed);
    assert.ok(parsed.events.some((e) => e.url.startsWith('/__lab/')), 'probe lines are in the file and parse');
    assert.ok(mismatches(parsed.events, ['COLLAPSED']).length > 0, 'a collapsed hit whose owner is not its viewer');
  });

  for (const engine of ['nginx', 'varnish'] as const) {
    it(`${engine}, S2b (cached Set-Cookie): the session handed out on a HIT is someone else's`, { skip: engineSkip(engine) }, async () => {
      requireEngine(engine);
      const parsed = await runAndParse('S2b', engine);
      assertAgrees(parsed);
      const handovers = parsed.events.filter((e) => e.outcome === 'HIT' && e.setCookieOwner !== undefined && e.setCookieOwner !== e.viewer);
      assert.ok(handovers.length > 0, 'a HIT carrying another visitor\'s session cookie');
    });
  }
});

describe('adapters on the CDN emulator log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-adapters-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('nginx-json reads the emulator\'s collapsed requests as COLLAPSED, each with the first user\'s owner tag', async () => {
    const origin = await startOrigin({ personalizedHeaders: 'incident2017', delayMs: 300 });
    const accessLog = join(dir, 'emulator.log');
    const edge = await startEmulator({ origin: origin.url, routes: [{ match: '/*', profile: { id: 'fastly' } }], accessLog });
    try {
      const sids: string[] = [];
      for (const user of ['u01', 'u02', 'u03', 'u04']) {
        const cred = origin.credentialsFor(user);
        const r = await request(`${origin.url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ user: cred.user, password: cred.password }).toString(),
        });
        await r.body.dump();
        const sid = ([] as string[]).concat(r.headers['set-cookie'] ?? []).map((c) => /^sid=([^;]+)/.exec(c)?.[1]).find(Boolean);
        assert.ok(sid);
        sids.push(sid);
      }
      await Promise.all(sids.map((sid) => request(`${edge.url}/mypage`, { headers: { cookie: `sid=${sid}` } }).then((r) => r.body.dump())));
      await edge.flushLog();
      const adapter = createAdapter('nginx-json', { hasher });
      const events = readFileSync(accessLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const r = adapter.parse(l);
          assert.ok(r.ok, l);
          return r.event;
        });
      assert.deepEqual(events.map((e) => e.outcome).sort(), ['COLLAPSED', 'COLLAPSED', 'COLLAPSED', 'MISS']);
      const fill = events.find((e) => e.outcome === 'MISS')!;
      assert.equal(fill.owner, fill.viewer);
      for (const e of events.filter((x) => x.outcome === 'COLLAPSED')) {
        assert.equal(e.owner, fill.owner, 'the collapsed request got the fill\'s page');
        assert.notEqual(e.viewer, e.owner);
      }
      assert.deepEqual(new Set(events.map((e) => e.viewer)), new Set(sids.map((s) => hasher.hash(s))));
      for (const e of events) assertNoRaw(e, sids);
    } finally {
      await edge.stop();
      await origin.close();
    }
  });
});
