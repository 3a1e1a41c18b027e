/** `npm run demo` in miniature: the 2017 leak shows up, and the demo says who saw whose page. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDemo } from '../../lab/demo.ts';

test('the demo reproduces the 2017 collapsing leak and names viewer and owner', async () => {
  let text = '';
  const result = await runDemo({ durationMs: 2500, users: 8, delayMs: 300, write: (l) => void (text += l) });
  assert.ok(result.stats.leakResponses > 0, 'some user was shown another user\'s page');
  assert.ok(result.leaks.every((l) => l.viewer !== l.owner));
  // TTL 0: nothing is reused later, so every leak is a request that waited on another's fetch.
  assert.ok(result.leaks.length > 0 && result.leaks.every((l) => l.outcomes.every((o) => o === 'COLLAPSED')), JSON.stringify(result.leaks.map((l) => l.outcomes)));
  assert.match(text, /^t= ?\d+s +\d+ responses: +\d+ cache hits, +\d+ collapsed;/m);
  assert.match(text, /(user u\d+|an anonymous visitor) was shown user u\d+'s \/\S+ \[.+\]: waited behind their request and got its response \(collapsed\)/);
  assert.match(text, new RegExp(`${result.stats.leakResponses} of them showed someone else's personal data`));
});
