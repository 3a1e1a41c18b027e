import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../../src/core/incident.ts';
import { IncidentTracker, incidentId, type IncidentInput } from '../../src/core/incidents.ts';
import { exampleIdentity } from '../../src/watch/detectors/define.ts';

const A = exampleIdentity('A');
const B = exampleIdentity('B');
const C = exampleIdentity('C');

function finding(over: Partial<IncidentInput> = {}): IncidentInput {
  return {
    rule: 'watch/owner-mismatch',
    severity: 'critical',
    crossIdentity: true,
    message: '/mypage served across identities',
    time: 1_000,
    target: '/mypage',
    edge: 'e1',
    owner: A,
    viewer: B,
    evidence: [{ time: over.time ?? 1_000, edge: 'e1', method: 'GET', url: '/mypage', status: 200, outcome: 'HIT', note: 'n' }],
    ...over,
  };
}

function tracker(policy = {}) {
  let clock = 0;
  const alerts: Alert[] = [];
  const t = new IncidentTracker({
    job: 'watch',
    policy: { quietMs: 10_000, backoffMs: [1_000, 5_000], ...policy },
    emit: (a) => alerts.push(a),
    clock: () => clock,
    wall: () => 5_000,
    describe: () => ({ title: 't', fix: 'fix it', docs: 'docs/rules/x.md' }),
  });
  return { t, alerts, advance: (ms: number) => (clock += ms) };
}

describe('incident tracker', () => {
  it('opens once, folds repeats, and counts distinct owners, viewers and pairs', () => {
    const { t, alerts } = tracker();
    t.add(finding());
    t.add(finding({ viewer: C, time: 1_500 }));
    t.add(finding({ viewer: 'anonymous', time: 2_000 }));
    t.add(finding({ time: 2_500 }));
    assert.deepEqual(alerts.map((a) => a.kind), ['opened']);
    const [inc] = t.all();
    assert.equal(inc!.id, incidentId('watch/owner-mismatch', '/mypage', 'e1'));
    assert.equal(inc!.count, 4);
    assert.equal(inc!.firstSeen, 1_000);
    assert.equal(inc!.lastSeen, 2_500);
    assert.deepEqual(inc!.owners, [A]);
    assert.deepEqual(inc!.viewers, [B, C]);
    assert.deepEqual(inc!.pairs, [{ owner: A, viewer: B }, { owner: A, viewer: C }, { owner: A, viewer: 'anonymous' }]);
    assert.equal(inc!.pairsTotal, 3);
    assert.equal(alerts[0]!.incident.detectionDelaySec, 4);
  });

  it('sends updates on the back-off schedule only while the incident changes', () => {
    const { t, alerts, advance } = tracker();
    t.add(finding());
    t.add(finding());
    advance(500);
    t.tick();
    assert.equal(alerts.length, 1, 'not before the first back-off step');
    advance(600);
    t.tick();
    assert.deepEqual(alerts.map((a) => a.kind), ['opened', 'updated']);
    advance(1_000);
    t.tick();
    assert.equal(alerts.length, 2, 'nothing changed: no update');
    t.add(finding());
    advance(1_000);
    t.tick();
    assert.equal(alerts.length, 2, 'second step is 5 s');
    advance(4_000);
    t.tick();
    assert.deepEqual(alerts.map((a) => a.kind), ['opened', 'updated', 'updated']);
    assert.equal(alerts[2]!.incident.count, 3);
  });

  it('resolves after the quiet period, and a new finding opens it again', () => {
    const { t, alerts, advance } = tracker();
    t.add(finding());
    advance(10_000);
    t.tick();
    assert.deepEqual(alerts.map((a) => [a.kind, a.incident.state]), [['opened', 'open'], ['resolved', 'resolved']]);
    t.add(finding({ time: 50_000 }));
    assert.equal(alerts.at(-1)!.kind, 'opened');
    assert.equal(t.all().length, 2);
  });

  it('keeps incidents apart by rule, target and edge', () => {
    const { t } = tracker();
    t.add(finding());
    t.add(finding({ edge: 'e2' }));
    t.add(finding({ target: '/orders' }));
    t.add(finding({ rule: 'watch/personalized-shared', severity: 'high', crossIdentity: false }));
    assert.equal(t.openCount(), 4);
  });

  it('caps listed hashes and evidence but keeps exact totals', () => {
    const { t } = tracker({ maxListed: 2, samples: 4 });
    for (let i = 0; i < 10; i++) t.add(finding({ viewer: exampleIdentity(String.fromCharCode(68 + i)), time: 1_000 + i }));
    const [inc] = t.all();
    assert.equal(inc!.viewers.length, 2);
    assert.equal(inc!.viewersTotal, 10);
    assert.equal(inc!.pairsTotal, 10);
    assert.equal(inc!.samples.length, 4);
    assert.deepEqual(inc!.samples.map((s) => s.time), [1_000, 1_001, 1_008, 1_009]);
  });

  it('flush sends one last update for changed incidents (end of a replay)', () => {
    const { t, alerts } = tracker();
    t.add(finding());
    t.add(finding());
    t.flush();
    assert.deepEqual(alerts.map((a) => a.kind), ['opened', 'updated']);
  });
});
