/**
 * Every cell of the migration matrix (config-semantics.md §1.8) for every engine it names, plus
 * the RFC 9111 baseline and Akamai. A cell is [store, ttl, collapse, reuse, sharedAcrossIdentities];
 * ttl `null` means "not asserted" (markers and unstored responses).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, type CollapseValue, type ReuseValue, type StoreValue, type Verdict } from '../../src/semantics/index.ts';
import { answersOf, assertReasoned } from './helpers.ts';
import { MATRIX_COLUMNS, MATRIX_NOW, MATRIX_ROWS, matrixRequest, matrixResponse } from '../../src/semantics/matrix.ts';

type Shared = Verdict['sharedAcrossIdentities']['value'];
type Cell = readonly [StoreValue, number | null, CollapseValue, ReuseValue, Shared];

// Column ids: see src/semantics/matrix.ts.
const EXPECTED: Record<string, Record<string, Cell>> = {
  'no-cache': {
    rfc9111: ['store', 0, 'forward', 'after-validation', 'no'],
    fastly: ['store', 3600, 'share', 'yes', 'yes'],
    varnish7: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    varnish8: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudflare-everything': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudfront-min0': ['no-store', 0, 'share', 'no', 'collapsing-only'],
    'cloudfront-optimized': ['store', 1, 'share', 'yes', 'yes'],
    akamai: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
  },
  mercari: {
    rfc9111: ['store', 0, 'forward', 'after-validation', 'no'],
    fastly: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    varnish7: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    varnish8: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudflare-everything': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudfront-min0': ['no-store', 0, 'share', 'no', 'collapsing-only'],
    'cloudfront-optimized': ['store', 1, 'share', 'yes', 'yes'],
    akamai: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
  },
  'max-age-0': {
    rfc9111: ['store', 0, 'forward', 'after-validation', 'no'],
    fastly: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    varnish7: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    varnish8: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudflare-everything': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudfront-min0': ['store', 0, 'share', 'after-validation', 'collapsing-only'],
    'cloudfront-optimized': ['store', 1, 'share', 'yes', 'yes'],
    akamai: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
  },
  private: {
    rfc9111: ['no-store', 0, 'forward', 'no', 'no'],
    fastly: ['hit-for-pass', null, 'forward', 'no', 'no'],
    varnish7: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    varnish8: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudflare-everything': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudfront-min0': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudfront-optimized': ['store', 1, 'share', 'yes', 'yes'],
    akamai: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
  },
  'no-store': {
    rfc9111: ['no-store', 0, 'forward', 'no', 'no'],
    fastly: ['hit-for-pass', null, 'forward', 'no', 'no'],
    varnish7: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    varnish8: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudflare-everything': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudfront-min0': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudfront-optimized': ['store', 1, 'share', 'yes', 'yes'],
    akamai: ['no-store', 0, 'forward', 'no', 'no'],
  },
  'none-cookie': {
    rfc9111: ['store', 0, 'forward', 'after-validation', 'no'],
    fastly: ['store', 3600, 'share', 'yes', 'yes'],
    varnish7: ['no-store', 0, 'none', 'no', 'no'],
    varnish8: ['no-store', 0, 'none', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['store', 7200, 'share', 'yes', 'yes'],
    'cloudflare-everything': ['store', 7200, 'share', 'yes', 'yes'],
    'cloudfront-min0': ['store', 86400, 'share', 'yes', 'yes'],
    'cloudfront-optimized': ['store', 86400, 'share', 'yes', 'yes'],
    akamai: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
  },
  'none-anonymous': {
    rfc9111: ['store', 0, 'forward', 'after-validation', 'no'],
    fastly: ['store', 3600, 'share', 'yes', 'yes'],
    varnish7: ['store', 120, 'share', 'yes', 'yes'],
    varnish8: ['store', 120, 'share', 'yes', 'yes'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['store', 7200, 'share', 'yes', 'yes'],
    'cloudflare-everything': ['store', 7200, 'share', 'yes', 'yes'],
    'cloudfront-min0': ['store', 86400, 'share', 'yes', 'yes'],
    'cloudfront-optimized': ['store', 86400, 'share', 'yes', 'yes'],
    akamai: ['store', 0, 'share', 'after-validation', 'collapsing-only'],
  },
  'set-cookie': {
    rfc9111: ['store', 60, 'share', 'yes', 'yes'],
    fastly: ['hit-for-pass', 60, 'forward', 'no', 'no'],
    varnish7: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    varnish8: ['hit-for-miss', 120, 'forward', 'no', 'no'],
    nginx: ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-default': ['no-store', 0, 'none', 'no', 'no'],
    'cloudflare-static': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudflare-everything': ['no-store', 0, 'forward', 'no', 'no'],
    'cloudfront-min0': ['store', 60, 'share', 'yes', 'yes'],
    'cloudfront-optimized': ['store', 60, 'share', 'yes', 'yes'],
    akamai: ['store', 60, 'share', 'yes', 'yes'],
  },
};

describe('migration matrix (config-semantics.md §1.8)', () => {
  it('covers every row and column', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), MATRIX_ROWS.map((r) => r.id).sort());
    for (const row of Object.values(EXPECTED)) assert.deepEqual(Object.keys(row).sort(), MATRIX_COLUMNS.map((c) => c.id).sort());
  });

  for (const row of MATRIX_ROWS) {
    describe(row.label, () => {
      for (const col of MATRIX_COLUMNS) {
        it(col.label, () => {
          const v = explain(matrixRequest(row, col), matrixResponse(row), col.spec, MATRIX_NOW);
          const [store, ttl, collapse, reuse, shared] = EXPECTED[row.id]![col.id]!;
          const got = [v.response.store.value, ttl === null ? null : v.response.ttl.value, v.response.collapse.value, v.response.reuse.value, v.sharedAcrossIdentities.value];
          assert.deepEqual(got, [store, ttl, collapse, reuse, shared]);
          assertReasoned(v);
        });
      }
    });
  }
});

describe('the Mercari pair under Fastly', () => {
  const row = MATRIX_ROWS.find((r) => r.id === 'mercari')!;
  const col = MATRIX_COLUMNS.find((c) => c.id === 'fastly')!;
  const v = explain(matrixRequest(row, col), matrixResponse(row), col.spec, MATRIX_NOW);
  const all = answersOf(v).flatMap(([, a]) => a.reasons);

  it('is a stored TTL-0 object that collapsed waiters share', () => {
    assert.equal(v.response.store.value, 'store');
    assert.equal(v.response.ttl.value, 0);
    assert.equal(v.response.collapse.value, 'share');
    assert.equal(v.sharedAcrossIdentities.value, 'collapsing-only');
    assert.equal(v.response.rfcClass.value, 'STORABLE_REVALIDATE');
  });

  it('cites RFC 9111 §3 (Expires makes it storable), §5.2.2.4 (no-cache), §4 (collapsing needs reuse) and the Fastly rule', () => {
    const expires = all.find((r) => r.rule === 'rfc9111/storable-expires');
    assert.ok(expires && /§3\b/.test(expires.source));
    assert.ok(all.some((r) => r.rule === 'rfc9111/no-cache' && r.source.includes('§5.2.2.4')));
    const collapseRfc = v.response.collapse.reasons.find((r) => r.rule === 'rfc9111/collapse-needs-reuse');
    assert.ok(collapseRfc && /§4$/.test(collapseRfc.source));
    assert.ok(v.response.collapse.reasons.some((r) => r.rule === 'fastly/collapse-share'));
    assert.ok(v.response.ttl.reasons.some((r) => r.rule === 'fastly/ttl-expires'));
    assert.ok(v.response.rfcClass.reasons.some((r) => r.rule === 'rfc9111/storable-expires'));
  });
});

describe('private under Fastly', () => {
  const row = MATRIX_ROWS.find((r) => r.id === 'private')!;
  const col = MATRIX_COLUMNS.find((c) => c.id === 'fastly')!;
  const v = explain(matrixRequest(row, col), matrixResponse(row), col.spec, MATRIX_NOW);

  it('is not stored: the boilerplate passes, leaving a hit-for-pass marker, and waiters go forward', () => {
    assert.equal(v.response.store.value, 'hit-for-pass');
    assert.equal(v.response.collapse.value, 'forward');
    assert.equal(v.sharedAcrossIdentities.value, 'no');
    const pass = v.response.store.reasons[0]!;
    assert.equal(pass.rule, 'fastly/boilerplate-pass-private');
    assert.match(pass.source, /boilerplate/);
  });
});
