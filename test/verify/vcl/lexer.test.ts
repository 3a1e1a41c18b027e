/** VCL tokenizer: token kinds, positions, strings, comments, Fastly macros and lexical errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigParseError } from '../../../src/verify/types.ts';
import { tokenize } from '../../../src/verify/vcl/index.ts';

const kinds = (src: string) => tokenize(src, 't.vcl').map((t) => `${t.kind}:${t.value}`);

function lexError(src: string): string {
  try {
    tokenize(src, 'dir/t.vcl');
  } catch (e) {
    assert.ok(e instanceof ConfigParseError);
    return e.message;
  }
  assert.fail('no error');
}

describe('vcl lexer', () => {
  it('reads identifiers with dots, dashes and Fastly subfields as one token', () => {
    assert.deepEqual(kinds('set beresp.http.Set-Cookie = req.http.Cookie:sid;'), [
      'ident:set', 'ident:beresp.http.Set-Cookie', 'punct:=', 'ident:req.http.Cookie:sid', 'punct:;', 'eof:',
    ]);
  });

  it('keeps a label colon apart from the identifier', () => {
    assert.deepEqual(kinds('done:\n'), ['ident:done', 'punct::', 'eof:']);
  });

  it('reads numbers with units as written and longest operators first', () => {
    assert.deepEqual(kinds('1.5h 500ms 10m 4.1 a != b !~ c <= d && e || f += 1'), [
      'number:1.5h', 'number:500ms', 'number:10m', 'number:4.1', 'ident:a', 'punct:!=', 'ident:b', 'punct:!~', 'ident:c',
      'punct:<=', 'ident:d', 'punct:&&', 'ident:e', 'punct:||', 'ident:f', 'punct:+=', 'number:1', 'eof:',
    ]);
  });

  it('reads plain, long, triple-quoted and Fastly heredoc strings (content only, backslashes kept)', () => {
    const toks = tokenize('"a\\sb" {"multi\nline"} """x"y""" {EOF"q"EOF}', 't.vcl');
    assert.deepEqual(toks.map((t) => [t.kind, t.value, t.line, t.column]), [
      ['string', 'a\\sb', 1, 1],
      ['string', 'multi\nline', 1, 8],
      ['string', 'x"y', 2, 8],
      ['string', 'q', 2, 18],
      ['eof', '', 2, 29],
    ]);
  });

  it('drops #, // and /* */ comments but turns #FASTLY lines into macro tokens', () => {
    const toks = tokenize('# c\nsub vcl_recv { // x\n#FASTLY recv\n /* y\n z */ return(lookup); }', 'f.vcl');
    assert.deepEqual(toks.map((t) => `${t.kind}:${t.value}@${t.line}:${t.column}`), [
      'ident:sub@2:1', 'ident:vcl_recv@2:5', 'punct:{@2:14', 'macro:recv@3:1', 'ident:return@5:7', 'punct:(@5:13',
      'ident:lookup@5:14', 'punct:)@5:20', 'punct:;@5:21', 'punct:}@5:23', 'eof:@5:24',
    ]);
  });

  it('keeps offsets so the source can be sliced', () => {
    const src = 'set req.url = "/x";';
    const t = tokenize(src, 't.vcl')[3]!;
    assert.equal(src.slice(t.start, t.end), '"/x"');
  });

  it('skips a byte order mark', () => {
    assert.deepEqual(tokenize('\uFEFFvcl 4.1;', 't.vcl').map((t) => [t.value, t.column]), [['vcl', 1], ['4.1', 5], [';', 8], ['', 9]]);
  });

  it('reads inline C blocks as one token', () => {
    assert.deepEqual(kinds('C{ int x; }C sub a {}').slice(0, 3), ['ccode: int x; ', 'ident:sub', 'ident:a']);
  });

  it('reports lexical errors at file:line:column', () => {
    assert.equal(lexError('sub a {\n  set x = "abc;\n}'), `dir/t.vcl:2:11: unterminated string (expected a closing '"' on the same line)`);
    assert.equal(lexError('x\n  {"abc'), `dir/t.vcl:2:3: unterminated long string (expected '"}')`);
    assert.equal(lexError('"""abc'), `dir/t.vcl:1:1: unterminated long string (expected '"""')`);
    assert.equal(lexError('a /* b'), 'dir/t.vcl:1:3: unterminated comment (expected "*/")');
    assert.equal(lexError('a = @;'), 'dir/t.vcl:1:5: unexpected character "@"');
    assert.equal(lexError('C{ x'), 'dir/t.vcl:1:1: unterminated inline C block (expected "}C")');
  });
});
