import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SEED, labPassword, makePopulation, personalMarkers } from '../../lab/people.ts';

test('population is deterministic from the seed', () => {
  const a = makePopulation({ seed: 5 });
  const b = makePopulation({ seed: 5 });
  assert.deepEqual([a.people, a.items, a.transactions], [b.people, b.items, b.transactions]);
  assert.notDeepEqual(makePopulation({ seed: 5 }).people, makePopulation({ seed: 6 }).people);
  const pop = makePopulation();
  assert.equal(pop.seed, DEFAULT_SEED);
  assert.equal(pop.people.length, 40);
  assert.deepEqual(
    pop.people.map((p) => p.id),
    Array.from({ length: 40 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`),
  );
});

test('people are clearly synthetic', () => {
  for (const p of makePopulation().people) {
    assert.match(p.email, /@example\.test$/);
    assert.match(p.phone, /^555-01\d\d-\d{4}$/);
    assert.match(p.address.line, /, Labtown$/);
    assert.match(p.address.postalCode, /^000-\d{4}$/);
    assert.equal(p.bank.bank, 'Example Lab Bank');
    assert.match(p.card.last4, /^\d{4}$/);
    assert.match(p.card.expiry, /^(0[1-9]|1[0-2])\/\d\d$/);
    assert.ok(p.orders.length >= 1);
  }
});

test('every personal marker identifies exactly one person', () => {
  const pop = makePopulation();
  for (const field of ['name', 'email', 'phone', 'address', 'bank'] as const) {
    const values = pop.people.map((p) => personalMarkers(p)[field]);
    assert.equal(new Set(values).size, values.length, `${field} values are unique`);
    // No marker is contained in another person's marker of the same kind.
    for (const a of values) for (const b of values) if (a !== b) assert.ok(!b.includes(a), `${field}: ${a} inside ${b}`);
  }
});

test('transactions: seller and buyer differ, everyone sells, both shipping kinds exist', () => {
  const pop = makePopulation();
  assert.equal(pop.transactions.length, 60);
  for (const tx of pop.transactions) {
    assert.notEqual(tx.sellerId, tx.buyerId);
    assert.ok(pop.person(tx.sellerId));
    assert.ok(pop.person(tx.buyerId));
    assert.ok(pop.item(tx.itemId));
  }
  for (const p of pop.people) assert.ok(pop.transactions.some((tx) => tx.sellerId === p.id), `${p.id} sells`);
  assert.ok(pop.transactions.some((tx) => tx.anonymousShipping));
  assert.ok(pop.transactions.some((tx) => !tx.anonymousShipping));
  assert.deepEqual(
    pop.transactionsOf('u01').map((t) => t.id),
    pop.transactions.filter((t) => t.sellerId === 'u01' || t.buyerId === 'u01').map((t) => t.id),
  );
});

test('credentials are derivable in the lab API', () => {
  const pop = makePopulation({ seed: 9 });
  const p = pop.people[2]!;
  assert.deepEqual(pop.credentialsFor(p.id), { user: p.id, email: p.email, password: labPassword(9, p.id) });
  assert.equal(pop.userForEmail(p.email.toUpperCase()), p);
  assert.throws(() => pop.credentialsFor('u99'), /no such lab user/);
  assert.throws(() => makePopulation({ people: 0 }), RangeError);
});
