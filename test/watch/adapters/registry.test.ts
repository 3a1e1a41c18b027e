/**
 * The adapter registry and what every adapter shares: the registry is sorted and complete (one
 * module per format id), each definition documents itself, sniffing picks the right format, the
 * common rejects behave the same everywhere, and `--field` flags parse with one-line errors.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ADAPTERS, SNIFF_THRESHOLD, createAdapter, parseFieldOverrides, sniffFormat } from '../../../src/watch/adapters/index.ts';
import { CANONICAL_FIELDS, FORMAT_IDS, REJECT_REASONS } from '../../../src/watch/adapters/types.ts';
import type { AdapterDefinition, FormatId } from '../../../src/watch/adapters/types.ts';
import { adapter, hasher, parseOk, rejectOf } from './helpers.ts';
import { SAMPLES } from './samples.ts';

const ADAPTER_DIR = fileURLToPath(new URL('../../../src/watch/adapters/', import.meta.url));
const SUPPORT_MODULES = ['common.ts', 'json.ts', 'cloudfront-tsv.ts', 'index.ts', 'types.ts'];

describe('adapter registry', () => {
  it('is sorted by id and has exactly the FORMAT_IDS', () => {
    const keys = Object.keys(ADAPTERS);
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual([...keys].sort(), [...FORMAT_IDS].sort());
  });

  for (const id of FORMAT_IDS) {
    it(`${id}: a module file named after it exports the registered definition`, async () => {
      const file = `${ADAPTER_DIR}${id}.ts`;
      assert.ok(existsSync(file), `missing src/watch/adapters/${id}.ts`);
      const mod = (await import(file)) as Record<string, unknown>;
      const defs = Object.values(mod).filter((v): v is AdapterDefinition => typeof v === 'object' && v !== null && 'create' in v && 'sniff' in v);
      assert.equal(defs.length, 1, `${id}.ts exports one AdapterDefinition`);
      assert.equal(defs[0], ADAPTERS[id]);
      assert.equal(ADAPTERS[id].id, id);
    });

    it(`${id}: title, one-paragraph description, default fields that name canonical fields`, () => {
      const def = ADAPTERS[id];
      assert.ok(def.title.trim().length > 5);
      assert.ok(def.description.trim().length > 80);
      assert.ok(!def.description.includes('\n'), 'one paragraph');
      for (const k of Object.keys(def.defaultFields)) assert.ok((CANONICAL_FIELDS as readonly string[]).includes(k), k);
      for (const required of ['time', 'uri', 'status', 'cache', 'edge', 'duration', 'requestId'] as const) assert.ok(def.defaultFields[required], `${id} maps ${required}`);
      assert.equal(def.json, !['cloudfront', 'cloudfront-realtime'].includes(id));
    });
  }

  it('every module in the folder is a format or a known support module', () => {
    const files = readdirSync(ADAPTER_DIR).filter((f) => f.endsWith('.ts'));
    for (const f of files) assert.ok(SUPPORT_MODULES.includes(f) || (FORMAT_IDS as readonly string[]).includes(f.slice(0, -3)), `unexpected module ${f}`);
  });

  it('createAdapter refuses a field map without uri, status or time (a set-up error, not a per-line one)', () => {
    assert.throws(() => createAdapter('nginx-json', { hasher, fields: { uri: '' } }), /nginx-json: the field map must name a source for "uri"/);
    assert.throws(() => createAdapter('cloudfront', { hasher, fields: { time: '' } }), /cloudfront: the field map must name a column for "time"/);
    assert.throws(() => createAdapter('nope' as FormatId, { hasher }), /unknown log format "nope"/);
  });

  it('fills follow the effective field map, and a default edge adds edge', () => {
    assert.equal(adapter('cloudfront', { fields: { edge: '' } }).fills.has('edge'), false);
    assert.equal(adapter('cloudfront', { fields: { edge: '' }, defaultEdge: 'cf-distribution-1' }).fills.has('edge'), true);
    assert.equal(adapter('cloudfront', { fields: { owner: 'x-cachewarden-owner' } }).fills.has('owner'), true);
  });
});

describe('every adapter', () => {
  for (const id of FORMAT_IDS) {
    it(`${id}: parses its samples, rejects the same bad input the same way`, () => {
      const a = adapter(id);
      let events = 0;
      for (const l of SAMPLES[id]) {
        const r = a.parse(l);
        if (r.ok) events++;
        else assert.equal(r.reason, 'empty', `${id}: ${r.reason} ${r.detail ?? ''}`);
      }
      assert.ok(events >= 2);
      assert.equal(rejectOf(a, ''), 'empty');
      assert.equal(rejectOf(a, ' \t '), 'empty');
      assert.equal(rejectOf(a, '\u0000\u0001binary\u0002'), 'binary');
      assert.equal(rejectOf(adapter(id, { maxLineLength: 64 }), SAMPLES[id].at(-1)!), 'too_long');
      const other: FormatId = a.id === 'cloudfront' || a.id === 'cloudfront-realtime' ? 'nginx-json' : 'cloudfront';
      assert.equal(rejectOf(a, SAMPLES[other].at(-1)!), 'wrong_format', `a ${other} line given to ${id}`);
      for (const bad of ['', 'x', '{', '\t', '#', '[]', 'null', '{}', '{"a":', '\uFEFF', '\r']) {
        const r = a.parse(bad);
        assert.equal(r.ok, false);
        if (!r.ok) assert.ok((REJECT_REASONS as readonly string[]).includes(r.reason));
      }
    });

    it(`${id}: never throws on arbitrary input`, () => {
      const a = adapter(id);
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let i = 0; i < 2000; i++) {
        const base = SAMPLES[id][i % SAMPLES[id].length]!;
        const cut = Math.floor(rnd() * base.length);
        const mutated = base.slice(0, cut) + String.fromCharCode(Math.floor(rnd() * 128)) + base.slice(cut + 1);
        assert.doesNotThrow(() => a.parse(mutated));
      }
    });
  }
});

describe('sniffFormat', () => {
  for (const id of FORMAT_IDS) {
    it(`picks ${id} from its lines, with a confidence and every format's score`, () => {
      const r = sniffFormat(SAMPLES[id]);
      assert.ok(r, `nothing chosen for ${id}`);
      assert.equal(r.format, id, JSON.stringify(r.scores));
      assert.ok(r.confidence >= SNIFF_THRESHOLD);
      assert.deepEqual(Object.keys(r.scores).sort(), [...FORMAT_IDS].sort());
      for (const other of FORMAT_IDS) if (other !== id) assert.ok(r.scores[other] < r.confidence, `${other} scored ${r.scores[other]}`);
    });
  }

  it('picks cloudfront from data lines without the header too', () => {
    assert.equal(sniffFormat(SAMPLES.cloudfront.slice(2))?.format, 'cloudfront');
  });

  it('names no format for garbage, empty input or unknown JSON', () => {
    assert.equal(sniffFormat([]), undefined);
    assert.equal(sniffFormat(['', '   ']), undefined);
    assert.equal(sniffFormat(['hello world', 'this is not a log', '\u0000\u0001']), undefined);
    assert.equal(sniffFormat(['{"level":"info","msg":"server started","port":8080}', '{"level":"warn","msg":"slow"}']), undefined);
    assert.equal(sniffFormat(['203.0.113.9 - - [21/Nov/2026:11:09:13 +0000] "GET / HTTP/1.1" 200 1401 "-" "curl/8.5.0"']), undefined);
  });

  it('a mixed sample is low confidence', () => {
    const mixed = [SAMPLES['nginx-json'][0]!, 'garbage', 'more garbage', 'x y', 'z'];
    const r = sniffFormat(mixed);
    assert.equal(r, undefined);
  });
});

describe('parseFieldOverrides', () => {
  it('parses repeated canonical=source flags; a later flag wins; an empty source removes the field', () => {
    assert.deepEqual(parseFieldOverrides(['identity=sid_hash', 'owner=resp.x-owner', 'cache=ucs', 'identity=viewer', 'age=']), { identity: 'viewer', owner: 'resp.x-owner', cache: 'ucs', age: '' });
    assert.deepEqual(parseFieldOverrides([]), {});
    assert.deepEqual(parseFieldOverrides(['uri=a=b']), { uri: 'a=b' }, 'only the first = splits');
  });

  it('an unknown canonical name is a one-line error naming it and the valid ones', () => {
    assert.throws(
      () => parseFieldOverrides(['identity=sid', 'cookie=sid']),
      (e: Error) => {
        assert.ok(!e.message.includes('\n'));
        assert.match(e.message, /unknown field "cookie"/);
        assert.ok(e.message.includes(`valid fields: ${CANONICAL_FIELDS.join(', ')}`));
        return true;
      },
    );
    assert.throws(() => parseFieldOverrides(['setcookie=x']), /did you mean setCookie\?/);
    assert.throws(() => parseFieldOverrides(['identity']), /write <canonical>=<source>/);
    assert.throws(() => parseFieldOverrides(['=x']), /write <canonical>=<source>/);
  });

  it('the parsed map drives an adapter', () => {
    const a = adapter('nginx-json', { fields: parseFieldOverrides(['uri=request_uri', 'cache=ucs']) });
    assert.equal(parseOk(a, '{"msec":1795259353.67,"request_uri":"/x","status":200,"ucs":"HIT"}').url, '/x');
  });
});
