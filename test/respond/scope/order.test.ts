/**
 * scope's result does not depend on how the logs were cut into files or in which order the files
 * are named (one file, contiguous pieces shuffled, lines dealt to files at random, gzip, globs);
 * plus the per-person CSV and the unknown-viewer case.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseCsv } from '../../../src/respond/scope/csv.ts';
import { peopleCsv, runScope } from '../../../src/respond/scope/index.ts';
import { readRange } from '../../../src/respond/scope/read.ts';
import { T0, comparable, h, nginx, options, tempDir, writeLines } from './helpers.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A few thousand lines: 300 people, personalized pages leaking through a cache, public pages, slight disorder and equal times. */
function incidentLog(): string[] {
  const r = rng(42);
  const out: Array<{ t: number; line: string }> = [];
  const sids = Array.from({ length: 300 }, (_, i) => `s${i}`);
  const paths = ['/mypage', '/orders', '/transactions/t7', '/api/me', '/items/3', '/'];
  for (let i = 0; i < 3000; i++) {
    const t = T0 + Math.floor(i / 3) * 10; // three lines per timestamp: ties broken by the line itself
    const sid = r() < 0.85 ? sids[Math.floor(r() * sids.length)]! : undefined;
    const uri = paths[Math.floor(r() * paths.length)]!;
    const personal = !uri.startsWith('/items') && uri !== '/';
    const edge = r() < 0.5 ? 'edge-1' : 'edge-2';
    const cache = r() < 0.3 ? 'HIT' : r() < 0.5 ? 'MISS' : '-';
    // Owner tags on most personalized lines; on a leaking HIT the owner is someone else.
    const owner = personal && sid !== undefined ? (cache === 'HIT' && r() < 0.05 ? sids[Math.floor(r() * sids.length)] : sid) : undefined;
    const line = nginx({ t, uri, cache, edge, ...(sid ? { sid } : {}), ...(owner && r() < 0.8 ? { owner } : {}) });
    // Jitter: a line may be written up to 300 ms after its neighbours.
    out.push({ t: t + (r() < 0.1 ? Math.floor(r() * 300) : 0), line });
  }
  return out.sort((a, b) => a.t - b.t).map((x) => x.line);
}

test('the report is identical for one file, contiguous pieces named in shuffled order, lines dealt at random, gzip and globs', async () => {
  const dir = tempDir();
  const lines = incidentLog();
  const relations = join(dir, 'relations.csv');
  const rows = Array.from({ length: 300 }, (_, i) => `${h(`s${i}`)},${h(`s${(i * 7 + 1) % 300}`)},${i % 2 ? '/transactions/*' : '/mypage'},name|address`);
  writeFileSync(relations, `owner,person,route,fields\n${rows.join('\n')}\n`);
  const opts = (inputs: string[]) => options(inputs, { relations });
  const one = await runScope(opts([writeLines(dir, 'all.log', lines)]));
  assert.ok(one.summary.shown > 5 && one.summary.possibly > 0 && one.summary.notAffected > 0 && one.summary.unattributed > 0 && one.summary.derivedPairs > 0, JSON.stringify(one.summary));

  const third = Math.ceil(lines.length / 3);
  const a = writeLines(dir, 'p-a.log', lines.slice(0, third));
  const b = join(dir, 'p-b.log');
  writeFileSync(b, gzipSync(`${lines.slice(third, 2 * third).join('\n')}\n`)); // gzip, named without .gz
  const c = writeLines(dir, 'p-c.log', lines.slice(2 * third));
  const pieces = await runScope(opts([c, a, b]));
  assert.deepEqual(comparable(pieces), comparable(one));
  assert.equal(pieces.inputs.files.length, 3);

  const r = rng(7);
  const dealt: string[][] = [[], [], [], []];
  for (const l of lines) dealt[Math.floor(r() * 4)]!.push(l);
  const d = tempDir();
  dealt.forEach((ls, i) => (i === 2 ? writeFileSync(join(d, `deal-${i}.log.gz`), gzipSync(`${ls.join('\n')}\n`)) : writeLines(d, `deal-${i}.log`, ls)));
  const globbed = await runScope(opts([join(d, 'deal-*.log.gz'), join(d, 'deal-*.log')]));
  assert.equal(globbed.inputs.files.length, 4);
  assert.deepEqual(comparable(globbed), comparable(one));
  assert.deepEqual(JSON.stringify(comparable(globbed)), JSON.stringify(comparable(one)), 'byte-identical');
  // Parsed in the main thread instead of worker threads (and two workers for four inputs): the same.
  const inThread = await runScope({ ...opts([join(d, 'deal-*.log.gz'), join(d, 'deal-*.log')]), workers: 0 });
  assert.equal(JSON.stringify(comparable(inThread)), JSON.stringify(comparable(one)));
  const twoWorkers = await runScope({ ...opts([join(d, 'deal-*.log.gz'), join(d, 'deal-*.log')]), workers: 2 });
  assert.equal(JSON.stringify(comparable(twoWorkers)), JSON.stringify(comparable(one)));
  // One plain file cut into byte ranges parsed side by side by three workers: the same.
  const ranged = await runScope({ ...opts([join(dir, 'all.log')]), workers: 3, rangeBytes: 16_384 });
  assert.equal(JSON.stringify(comparable(ranged)), JSON.stringify(comparable(one)));
});

test('readRange: the ranges of a file hold each line exactly once, whatever the cut points', async () => {
  const dir = tempDir();
  const r = rng(3);
  const lines = Array.from({ length: 400 }, (_, i) => `${i} ${'é漢x'.repeat(Math.floor(r() * 30))}${r() < 0.05 ? 'y'.repeat(5000) : ''}`);
  const file = join(dir, 'lines.txt');
  writeFileSync(file, `${lines.join('\n')}\n\n`);
  const size = statSync(file).size;
  for (const step of [257, 1000, 4096, 5001, size]) {
    const got: string[] = [];
    for (let start = 0; start < size; start += step) got.push(...(await readRange(file, start, Math.min(size, start + step))));
    assert.deepEqual(got, lines, `step ${step}`);
  }
});

test('peopleCsv: a header and one RFC 4180 row per person', async () => {
  const dir = tempDir();
  const lines = [
    nginx({ t: T0, uri: '/mypage?tab=a,b', cache: 'MISS', sid: 'sa', owner: 'sa' }),
    nginx({ t: T0 + 100, uri: '/mypage?tab=a,b', cache: 'HIT', sid: 'sb', owner: 'sa' }),
    nginx({ t: T0 + 200, uri: '/mypage?tab="x"', cache: 'HIT', owner: 'sa' }),
  ];
  const r = await runScope(options([writeLines(dir, 'a.log', lines)]));
  const csv = peopleCsv(r);
  const rows = parseCsv(csv);
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0]!.fields.slice(0, 7), ['id', 'status', 'fields', 'categories', 'active_first', 'active_last', 'requests']);
  assert.ok(csv.endsWith('\r\n'));
  const alice = rows[1]!.fields;
  assert.deepEqual(alice.slice(0, 13), [h('sa'), 'shown', 'address;email;name;points', 'identifying;other', new Date(T0).toISOString(), new Date(T0).toISOString(), '1', new Date(T0 + 100).toISOString(), new Date(T0 + 200).toISOString(), '2', '2', '1', '/mypage?tab="x";/mypage?tab=a,b']);
  assert.ok(csv.includes('"/mypage?tab=""x"";/mypage?tab=a,b"'), 'quoted, quotes doubled');
  assert.deepEqual(rows[2]!.fields.slice(0, 3), [h('sb'), 'not-affected', '']);
  assert.equal(rows.every((row) => row.fields.length === rows[0]!.fields.length), true);
});

test('a log without an identity field: an owner-tagged page served from cache is "possibly: unknown-viewer", not shown', async () => {
  const dir = tempDir();
  const lines = [
    nginx({ t: T0, uri: '/orders', cache: 'MISS', owner: 'sa' }),
    nginx({ t: T0 + 100, uri: '/orders', cache: 'HIT', owner: 'sa' }),
  ];
  const notices: string[] = [];
  const r = await runScope(options([writeLines(dir, 'a.log', lines)], { fields: { identity: '' }, onNotice: (l) => notices.push(l) }));
  assert.deepEqual(r.pairs, []);
  assert.deepEqual(
    r.people.map((p) => [p.id, p.status, p.fields, p.possibly?.reasons, p.active.requests]),
    [[h('sa'), 'possibly', ['history', 'name'], ['stored', 'unknown-viewer'], 1]],
  );
  assert.ok(notices.some((n) => n.includes('fills no identity here')));
  assert.equal(readFileSync(join(dir, 'a.log'), 'utf8').split('\n').length, 3);
});
