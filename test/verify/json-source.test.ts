/** JSON sources (src/verify/json-source.ts, shared by the three CDN readers): values, positions, errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, ftruncateSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fromText, MAX_JSON_BYTES, readJsonFile, renderInline, scanJson } from '../../src/verify/json-source.ts';
import { ConfigParseError } from '../../src/verify/types.ts';

const DOC = '{\n  "rules": [\n    {"id": "a", "expression": "http.host eq \\"x\\""},\n    {"id": "b"}\n  ],\n  "phase": "p",\n  "phase": "q"\n}\n';

const parseError = (text: string): string => {
  try {
    fromText(text, 'doc.json');
  } catch (err) {
    assert.ok(err instanceof ConfigParseError);
    return err.message;
  }
  assert.fail('expected a ConfigParseError');
};

describe('json-source: value and positions', () => {
  const src = fromText(DOC, 'cache_rules.json');
  it('parses with JSON semantics (the last duplicate key wins)', () => {
    assert.deepEqual(src.value, { rules: [{ id: 'a', expression: 'http.host eq "x"' }, { id: 'b' }], phase: 'q' });
  });
  it('locates members at their key and elements at their start, with the end line', () => {
    assert.deepEqual(src.locate(['rules']), { file: 'cache_rules.json', line: 2, column: 3, endLine: 5 });
    assert.deepEqual(src.locate(['rules', 1]), { file: 'cache_rules.json', line: 4, column: 5, endLine: 4 });
    assert.deepEqual(src.locate(['rules', 0, 'expression']), { file: 'cache_rules.json', line: 3, column: 17, endLine: 3 });
    assert.deepEqual(src.locate(['phase']), { file: 'cache_rules.json', line: 7, column: 3, endLine: 7 });
  });
  it('a missing path resolves to its nearest existing ancestor; the root is 1:1', () => {
    assert.deepEqual(src.locate(['rules', 1, 'nope', 3]), { file: 'cache_rules.json', line: 4, column: 5, endLine: 4 });
    assert.deepEqual(src.locate([]), { file: 'cache_rules.json', line: 1, column: 1, endLine: 8 });
  });
  it('locates a character inside a string, counting escapes', () => {
    // The string opens at column 31; decoded index 14 is the x after the escaped quote (raw `\"` takes two columns).
    assert.deepEqual(src.locateInString(['rules', 0, 'expression'], 0), { file: 'cache_rules.json', line: 3, column: 32 });
    assert.deepEqual(src.locateInString(['rules', 0, 'expression'], 14), { file: 'cache_rules.json', line: 3, column: 47 });
    const u = fromText('{"s": "\\u00e9abc"}', 'u.json');
    assert.deepEqual(u.locateInString(['s'], 1), { file: 'u.json', line: 1, column: 14 });
  });
  it('accepts a byte order mark and tabs', () => {
    assert.deepEqual(fromText('\uFEFF{\t"a":\t[1]}', 'b.json').value, { a: [1] });
  });
});

describe('json-source: malformed JSON is one line with file:line:column', () => {
  it('names the offending character and what was expected', () => {
    assert.equal(parseError('{"a": 1,\n "b": }'), 'doc.json:2:7: invalid JSON: unexpected "}" (expected a value (object, array, string, number, true, false or null))');
    assert.equal(parseError('[1, 2,]'), 'doc.json:1:7: invalid JSON: unexpected "]" (expected a value (object, array, string, number, true, false or null))');
    assert.equal(parseError("{'a': 1}"), 'doc.json:1:2: invalid JSON: unexpected single quote (JSON strings use double quotes) (expected a member name in double quotes)');
    assert.equal(parseError('{"a" 1}'), 'doc.json:1:6: invalid JSON: unexpected "1" (expected ":")');
    assert.equal(parseError('{"a": 1 "b": 2}'), 'doc.json:1:9: invalid JSON: unexpected """ (expected "," or "}")');
    assert.equal(parseError('{"a": tru}'), 'doc.json:1:10: invalid JSON: unexpected "}" (expected "true")');
    assert.equal(parseError('{"a": "x\\q"}'), 'doc.json:1:10: invalid JSON: unexpected "q" (expected an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)');
    assert.equal(parseError('{"a": "x\ny"}'), 'doc.json:1:9: invalid JSON: unexpected end of line (expected a closing \'"\' (control characters must be escaped))');
    assert.equal(parseError('[1] [2]'), 'doc.json:1:5: invalid JSON: unexpected "[" (expected end of file after the JSON value)');
    assert.equal(parseError(''), 'doc.json:1:1: invalid JSON: unexpected end of file (expected a value (object, array, string, number, true, false or null))');
    assert.equal(parseError('{\n  "a": [1, 2\n'), 'doc.json:3:1: invalid JSON: unexpected end of file (expected "," or "]")');
  });
  it('the scanner accepts every JSON form', () => {
    assert.equal(scanJson('{"a": [true, false, null, -1.5e3, 0, "\\u0041\\n"], "b": {}}'), undefined);
  });
});

describe('json-source: files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-json-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('reads a file and names it as given', () => {
    const p = join(dir, 'settings.json');
    writeFileSync(p, '[{"id": "cache_level", "value": "aggressive"}]');
    const src = readJsonFile(p, 'snap/settings.json');
    assert.equal(src.file, 'snap/settings.json');
    assert.deepEqual(src.value, [{ id: 'cache_level', value: 'aggressive' }]);
  });
  it('refuses binary files, non-UTF-8 files, files over 16 MiB and missing files', () => {
    const bin = join(dir, 'bin.json');
    writeFileSync(bin, Buffer.from([0x7b, 0x00, 0x7d]));
    assert.throws(() => readJsonFile(bin, 'bin.json'), { message: 'bin.json:1:1: binary file (contains NUL bytes), not JSON' });
    const latin = join(dir, 'latin.json');
    writeFileSync(latin, Buffer.from([0x22, 0xe9, 0x22]));
    assert.throws(() => readJsonFile(latin, 'latin.json'), { message: 'latin.json:1:1: binary file (not UTF-8), not JSON' });
    const big = join(dir, 'big.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_JSON_BYTES + 1);
    closeSync(fd);
    assert.throws(() => readJsonFile(big, 'big.json'), { message: `big.json:1:1: file is ${MAX_JSON_BYTES + 1} bytes, larger than the 16 MiB a JSON snapshot may be` });
    assert.throws(() => readJsonFile(join(dir, 'none.json'), 'none.json'), { message: 'none.json:1:1: cannot read file: ENOENT' });
  });
});

describe('json-source: renderInline', () => {
  it('renders JSON on one line, compactly, and cuts long values', () => {
    assert.equal(renderInline({ mode: 'override_origin', default: 3600 }), '{mode: override_origin, default: 3600}');
    assert.equal(renderInline({ include: ['a b', 'c'], on: true, n: null }), '{include: ["a b", c], on: true, n: null}');
    assert.equal(renderInline('x'.repeat(200), 10), `${'x'.repeat(9)}…`);
  });
});
