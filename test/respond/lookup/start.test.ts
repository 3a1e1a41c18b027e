/**
 * What lookup refuses before it serves anything (a report made with another key, a per-session
 * report, a short token key), loadReport's one-line errors, and choosing the language.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CwError } from '../../../src/core/errors.ts';
import { identityKeyId, loadReport, negotiateLang, pickLang } from '../../../src/respond/lookup/index.ts';
import { FIXTURE, fixtureReport, IDENTITY_KEY, start } from './helpers.ts';

function refusal(code: string, message: string) {
  return (e: unknown) => {
    assert.ok(e instanceof CwError);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    assert.equal(e.line().includes('\n'), false);
    return true;
  };
}

describe('lookup refuses to start', () => {
  it('the fixture key id is HMAC-SHA-256(key, "cachewarden key id"), 8 hex', () => {
    assert.equal(identityKeyId(IDENTITY_KEY), 'de3d4a4d');
    assert.equal(fixtureReport().identity.keyId, 'de3d4a4d');
  });

  it('with an identity key other than the report was made with', async () => {
    await assert.rejects(
      start({ identityKey: 'another-identity-key-0123456789' }),
      refusal(
        'CW_CONFIG_INVALID_VALUE',
        "lookup: the report was made with another identity key (report key id de3d4a4d, this key's id f8b423a4); start lookup with the identity key scope used",
      ),
    );
  });

  it('with a report whose keyId is another key’s', async () => {
    const report = { ...fixtureReport(), identity: { kind: 'user' as const, keyId: '0badc0de' } };
    await assert.rejects(
      start({ report }),
      refusal('CW_CONFIG_INVALID_VALUE', "lookup: the report was made with another identity key (report key id 0badc0de, this key's id de3d4a4d); start lookup with the identity key scope used"),
    );
  });

  it('with a report that counts people per session', async () => {
    const report = { ...fixtureReport(), identity: { kind: 'session' as const, keyId: 'de3d4a4d' } };
    await assert.rejects(
      start({ report }),
      refusal(
        'CW_INPUT_UNREADABLE',
        'lookup: the report counts people by session credential, not by user id, so a user id cannot be found in it; run scope again with --sessions (or a user-id log field)',
      ),
    );
  });

  it('with a token key shorter than 32 characters', async () => {
    await assert.rejects(
      start({ tokenKey: 'short-key' }),
      refusal('CW_CONFIG_INVALID_VALUE', 'lookup: the token key must be at least 32 characters of secret material (respond.lookup.tokenKey or CACHEWARDEN_LOOKUP_KEY)'),
    );
  });
});

describe('loadReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-lookup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, value: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
    return p;
  };
  const fixture = () => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown> & { people: Array<Record<string, unknown>> };

  it('reads the fixture', () => {
    const r = loadReport(FIXTURE);
    assert.deepEqual([r.version, r.people.length, r.pairs.length, r.derivedPairs.length], [1, 4, 2, 1]);
  });

  it('names a missing file', () => {
    const p = join(dir, 'missing.json');
    assert.throws(() => loadReport(p), refusal('CW_INPUT_UNREADABLE', `${p}: report not found; pass the JSON file written by \`cachewarden scope -o\``));
  });

  it('names a file that is not JSON', () => {
    const p = write('bad.json', '{"version": 1,');
    assert.throws(() => loadReport(p), (e: unknown) => e instanceof CwError && e.code === 'CW_INPUT_UNREADABLE' && e.message.startsWith(`${p}: the report is not valid JSON (`));
  });

  it('names another version', () => {
    const p = write('v2.json', { ...fixture(), version: 2 });
    assert.throws(() => loadReport(p), refusal('CW_INPUT_UNREADABLE', `${p}: the report is version 2; this cachewarden reads scope report version 1; write it with \`cachewarden scope -o <file>\``));
    const q = write('v0.json', { people: [] });
    assert.throws(() => loadReport(q), refusal('CW_INPUT_UNREADABLE', `${q}: the report has no version; this cachewarden reads scope report version 1; write it with \`cachewarden scope -o <file>\``));
  });

  it('names the first wrong value by its path', () => {
    const f = fixture();
    f.people[1]!['status'] = 'leaked';
    const p = write('status.json', f);
    assert.throws(
      () => loadReport(p),
      refusal('CW_INPUT_UNREADABLE', `${p}: not a valid scope report: people[1].status: Invalid option: expected one of "shown"|"derived"|"possibly"|"not-affected"; write it with \`cachewarden scope -o <file>\``),
    );
  });

  it('refuses a raw id where a hash belongs', () => {
    const f = fixture();
    f.people[0]!['id'] = 'alice';
    const p = write('raw.json', f);
    assert.throws(
      () => loadReport(p),
      refusal('CW_INPUT_UNREADABLE', `${p}: not a valid scope report: people[0].id: expected an identity hash (h: and 22 base64url characters); write it with \`cachewarden scope -o <file>\``),
    );
  });

  it('names the first problem and counts the others', () => {
    const f = fixture();
    f.people[0]!['id'] = 'alice';
    delete (f as Record<string, unknown>)['summary'];
    const p = write('two.json', f);
    assert.throws(
      () => loadReport(p),
      refusal('CW_INPUT_UNREADABLE', `${p}: not a valid scope report: summary: Invalid input: expected object, received undefined (and 1 more problem); write it with \`cachewarden scope -o <file>\``),
    );
  });

  it('refuses a person listed twice', () => {
    const f = fixture();
    f.people[2]!['id'] = f.people[0]!['id'];
    const p = write('twice.json', f);
    assert.throws(() => loadReport(p), refusal('CW_INPUT_UNREADABLE', `${p}: not a valid scope report: people[2].id: h:G2R8nADfOLCOagmVjsKNIg is listed twice; write it with \`cachewarden scope -o <file>\``));
  });
});

describe('language', () => {
  const cases: Array<[string | undefined, 'en' | 'ja']> = [
    [undefined, 'en'],
    ['', 'en'],
    ['ja', 'ja'],
    ['ja-JP', 'ja'],
    ['en-US,en;q=0.9,ja;q=0.8', 'en'],
    ['en;q=0.5, ja;q=0.8', 'ja'],
    ['fr-FR, ja;q=0.3, en;q=0.2', 'ja'],
    ['fr, de', 'en'],
    ['ja;q=0, en;q=0.1', 'en'],
    ['*;q=0.9, ja;q=0.5', 'en'],
    ['ja;q=bogus, en;q=0.4', 'en'],
    ['JA-jp;Q=1', 'ja'],
  ];
  for (const [header, lang] of cases) {
    it(`Accept-Language ${JSON.stringify(header)} → ${lang}`, () => assert.equal(negotiateLang(header), lang));
  }
  it('?lang= overrides Accept-Language when it names a language we have', () => {
    assert.equal(pickLang('ja', 'en'), 'ja');
    assert.equal(pickLang('en', 'ja'), 'en');
    assert.equal(pickLang('fr', 'ja'), 'ja');
    assert.equal(pickLang(['ja', 'en'], 'en'), 'en');
  });
});
