import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertTitle, describeAlert, formatDuration, formatText, showIdentity, truncate, WITHHELD } from '../../src/sinks/format.ts';
import { alert, H } from './fixtures.ts';

describe('alert text format', () => {
  it('titles say severity, change and what happened', () => {
    assert.equal(alertTitle(alert('opened')), '[critical] opened: /mypage served across identities on edge-tyo-1');
    assert.equal(alertTitle(alert('updated', { severity: 'high' })), '[high] updated: /mypage served across identities on edge-tyo-1');
    assert.equal(alertTitle(alert('resolved')), '[critical] resolved: /mypage served across identities on edge-tyo-1');
  });

  it('the body covers what, where, when, counts, detection delay, fix, docs and evidence, in that order', () => {
    const { body } = formatText(alert('opened'));
    const order = ['Incident opened by watch', 'What:', 'Rule:', 'Where:', 'Cache key:', 'When:', 'Detected:', 'Counts:', 'Owners:', 'Viewers:', 'Pairs:', 'Fix:', 'Docs:', 'Evidence (identities are keyed hashes):', 'Incident inc_7Kq2mX9pT4vN1sB8'];
    let at = -1;
    for (const label of order) {
      const i = body.indexOf(label);
      assert.ok(i > at, `${label} comes after the previous item`);
      at = i;
    }
    assert.match(body, /Detected: +4\.2 s after the first leaking line/);
    assert.match(body, /Pairs: +h:A{22} -> h:B{22}, h:C{22} -> anonymous and 2 more/);
    assert.match(body, /Viewers: +h:B{22}, h:D{22} and 1 more/);
  });

  it('shortens hashes on request and never prints a value that is not a keyed hash', () => {
    assert.equal(showIdentity(H.a, false), 'h:AAAAAAAA…');
    assert.equal(showIdentity(H.a), H.a);
    assert.equal(showIdentity(undefined), 'anonymous');
    assert.equal(showIdentity('alice@example.com'), WITHHELD);
    const raw = 'session=0123456789abcdef' as never;
    const v = describeAlert(alert('opened', { owners: [raw], samples: [{ ...alert().incident.samples[0]!, owner: raw }] }), { fullHashes: false });
    const all = JSON.stringify(v);
    assert.ok(!all.includes('0123456789abcdef'));
    assert.ok(all.includes(WITHHELD));
  });

  it('handles incidents without cache key, delay or samples', () => {
    const { body } = formatText(alert('updated', { key: undefined, detectionDelaySec: undefined, samples: [], owners: [], viewers: [], ownersTotal: 0, viewersTotal: 0, pairs: [], pairsTotal: 0 }));
    assert.ok(!body.includes('Cache key:'));
    assert.ok(!body.includes('Detected:'));
    assert.ok(!body.includes('Evidence'));
    assert.match(body, /Owners: +none/);
  });

  it('durations and truncation', () => {
    assert.equal(formatDuration(4.25), '4.3 s');
    assert.equal(formatDuration(192), '3 min 12 s');
    assert.equal(formatDuration(3900), '1 h 5 min');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abc', 4), 'abc');
    assert.equal(truncate('ab😀cd', 4), 'ab…', 'no half surrogate pair');
  });
});
