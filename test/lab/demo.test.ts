/** `npm run demo` in miniature: the 2017 leak shows up, and the demo says who saw whose page. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDemo } from '../../lab/demo.ts';

test('the demo reproduces the 2017 collapsing leak, names viewer and owner, and watch catches it', async () => {
  let text = '';
  const { traffic: result, alerts, firstDetectionSec, probe } = await runDemo({ durationMs: 2500, users: 8, delayMs: 300, write: (l) => void (text += l) });
  assert.ok(result.stats.leakResponses > 0, 'some user was shown another user\'s page');
  assert.ok(result.leaks.every((l) => l.viewer !== l.owner));
  // TTL 0: nothing is reused later, so every leak is a request that waited on another's fetch.
  assert.ok(result.leaks.length > 0 && result.leaks.every((l) => l.outcomes.every((o) => o === 'COLLAPSED')), JSON.stringify(result.leaks.map((l) => l.outcomes)));
  assert.match(text, /^t= ?\d+s +\d+ responses: +\d+ cache hits, +\d+ collapsed;/m);
  assert.match(text, /(user u\d+|an anonymous visitor) was shown user u\d+'s \/\S+ \[.+\]: waited behind their request and got its response \(collapsed\)/);
  assert.match(text, new RegExp(`${result.stats.leakResponses} of them showed someone else's personal data`));
  // watch followed the edge's live log and opened incidents for the leaked pages.
  assert.ok(alerts.some((a) => a.incident.rule === 'watch/owner-mismatch'), 'an owner-mismatch incident opened');
  const leakedUrls = new Set(result.leaks.map((l) => l.url));
  assert.ok([...leakedUrls].every((u) => alerts.some((a) => a.incident.url === u)), 'every leaked URL has an incident');
  assert.ok(firstDetectionSec !== undefined && firstDetectionSec >= 0);
  assert.match(text, /ALERT critical watch\/owner-mismatch: /);
  assert.match(text, /its alert followed \d+\.\d{3} s later/);
  // The probe's canaries: the sequential replay sees nothing (TTL 0), the race catches it.
  const verdict = (t: string) => probe.filter((f) => f.technique === t).map((f) => f.verdict);
  assert.deepEqual(verdict('probe/cross-identity-replay'), ['ok', 'ok']);
  assert.ok(verdict('probe/concurrent-race').includes('leak'));
  assert.match(text, /LEAK probe\/concurrent-race +\/(mypage|orders)/);
});

