/** nginx lexer and parser: words, quoting, escapes, comments, blocks, `if` arguments, key-value blocks, every error form. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lexNginx, parseNginx, unescapeNginx, type NginxDirective, type NginxNode } from '../../../src/verify/nginx/index.ts';
import { ConfigParseError } from '../../../src/verify/types.ts';

const words = (text: string): string[] =>
  lexNginx(text, 't.conf')
    .filter((t) => t.t === 'word')
    .map((t) => t.word!.value);

const shape = (nodes: readonly NginxNode[]): unknown[] =>
  nodes.map((n) => (n.type === 'comment' ? { comment: n.text, line: n.at.line } : { name: n.name, args: n.args, line: n.at.line, ...(n.block ? { block: shape(n.block) } : {}) }));

/** The one-line message a parse error gives. */
function parseError(text: string, file = 'test.conf'): string {
  try {
    parseNginx(text, file);
  } catch (e) {
    assert.ok(e instanceof ConfigParseError);
    return e.message;
  }
  assert.fail('expected a ConfigParseError');
}

describe('nginx lexer', () => {
  it('splits words at whitespace, ";" and "{", and gives every token its line and column', () => {
    const toks = lexNginx('server {\n  listen 80;\n}\n', 't.conf');
    assert.deepEqual(
      toks.map((t) => [t.t, t.word?.value ?? '', t.line, t.column]),
      [
        ['word', 'server', 1, 1],
        ['{', '', 1, 8],
        ['word', 'listen', 2, 3],
        ['word', '80', 2, 10],
        [';', '', 2, 12],
        ['}', '', 3, 1],
        ['eof', '', 3, 2],
      ],
    );
  });

  it('keeps ${var} and $var verbatim, and a "}" inside a word', () => {
    assert.deepEqual(words('set $a "${host}x"; return 200 ${uri}a}b;'), ['set', '$a', '${host}x', 'return', '200', '${uri}a}b']);
  });

  it('unescapes words the way nginx does: \\" \\\' \\\\ \\t \\r \\n; other escapes stay', () => {
    assert.deepEqual(words(String.raw`a "x\"y" 'it\'s' "back\\slash" "t\tn\n" \.css$ a\ b;`), ['a', 'x"y', "it's", 'back\\slash', 't\tn\n', '\\.css$', 'a\\ b']);
    assert.equal(unescapeNginx(String.raw`^\d+\z`), String.raw`^\d+\z`);
  });

  it('keeps the raw text and the quote of each word', () => {
    const w = lexNginx(String.raw`x "a\"b" 'c';`, 't.conf')
      .filter((t) => t.t === 'word')
      .map((t) => [t.word!.raw, t.word!.quote]);
    assert.deepEqual(w, [
      ['x', ''],
      ['a\\"b', '"'],
      ['c', "'"],
    ]);
  });

  it('treats # as a comment only at the start of a word', () => {
    const toks = lexNginx('a b#c; # tail\n', 't.conf');
    assert.deepEqual(
      toks.map((t) => [t.t, t.word?.value ?? t.text]),
      [
        ['word', 'a'],
        ['word', 'b#c'],
        [';', ''],
        ['comment', ' tail'],
        ['eof', ''],
      ],
    );
  });

  it('reads {{PLACEHOLDER}} template tokens as plain words', () => {
    assert.deepEqual(words('listen {{LISTEN}}; proxy_cache_path {{TMP}}/cache levels=1:2; server {{ORIGIN}};'), ['listen', '{{LISTEN}}', 'proxy_cache_path', '{{TMP}}/cache', 'levels=1:2', 'server', '{{ORIGIN}}']);
  });

  it('counts lines inside multi-line quoted strings', () => {
    const toks = lexNginx("log_format x 'a\nb'\n  'c';", 't.conf').filter((t) => t.t === 'word');
    assert.deepEqual(
      toks.map((t) => [t.word!.value, t.line, t.column]),
      [
        ['log_format', 1, 1],
        ['x', 1, 12],
        ['a\nb', 1, 14],
        ['c', 3, 3],
      ],
    );
  });

  it('skips a UTF-8 byte order mark', () => {
    assert.deepEqual(words('\ufeffworker_processes 1;'), ['worker_processes', '1']);
  });
});

describe('nginx parser', () => {
  it('builds directives, blocks and comments with locations (endLine on blocks)', () => {
    const nodes = parseNginx('# top\nhttp {\n    server {\n        listen 80; # inline\n    }\n}\n', 'main.conf');
    assert.deepEqual(shape(nodes), [
      { comment: ' top', line: 1 },
      { name: 'http', args: [], line: 2, block: [{ name: 'server', args: [], line: 3, block: [{ name: 'listen', args: ['80'], line: 4 }, { comment: ' inline', line: 4 }] }] },
    ]);
    const http = nodes[1] as NginxDirective;
    assert.deepEqual(http.at, { file: 'main.conf', line: 2, column: 1, endLine: 6 });
    assert.deepEqual((http.block![0] as NginxDirective).at, { file: 'main.conf', line: 3, column: 5, endLine: 5 });
  });

  it('removes the outer parentheses of if arguments the way crossplane does', () => {
    const ifArgs = (src: string): string[] => (parseNginx(src, 't.conf')[0] as NginxDirective).args;
    assert.deepEqual(ifArgs('if ($request_method = POST) { return 405; }'), ['$request_method', '=', 'POST']);
    assert.deepEqual(ifArgs('if ( $http_x_debug ) { }'), ['$http_x_debug']);
    assert.deepEqual(ifArgs('if ($uri ~ "^/a b") { }'), ['$uri', '~', '^/a b']);
    assert.deepEqual(ifArgs('if (-f $request_filename) { }'), ['-f', '$request_filename']);
    assert.deepEqual(ifArgs('if ($a) { }'), ['$a']);
  });

  it('parses map, geo, types and split_clients bodies as key-value entries', () => {
    const nodes = parseNginx(
      [
        'map $http_authorization $bearer {',
        '    hostnames;',
        '    "~*^Bearer\\s+(?<t>\\S+)$"  $t;',
        '    default "";',
        '}',
        'types { text/html html htm; }',
        'geo $remote_addr $internal { default 0; 10.0.0.0/8 1; }',
        'split_clients "${remote_addr}x" $variant { 50% a; * ""; }',
        'charset_map koi8-r utf-8 { C0 D0B0; }',
        'match ok { status 200; header Content-Type = text/html; }',
      ].join('\n'),
      't.conf',
    );
    assert.deepEqual(shape(nodes), [
      {
        name: 'map',
        args: ['$http_authorization', '$bearer'],
        line: 1,
        block: [
          { name: 'hostnames', args: [], line: 2 },
          { name: '~*^Bearer\\s+(?<t>\\S+)$', args: ['$t'], line: 3 },
          { name: 'default', args: [''], line: 4 },
        ],
      },
      { name: 'types', args: [], line: 6, block: [{ name: 'text/html', args: ['html', 'htm'], line: 6 }] },
      { name: 'geo', args: ['$remote_addr', '$internal'], line: 7, block: [{ name: 'default', args: ['0'], line: 7 }, { name: '10.0.0.0/8', args: ['1'], line: 7 }] },
      { name: 'split_clients', args: ['${remote_addr}x', '$variant'], line: 8, block: [{ name: '50%', args: ['a'], line: 8 }, { name: '*', args: [''], line: 8 }] },
      { name: 'charset_map', args: ['koi8-r', 'utf-8'], line: 9, block: [{ name: 'C0', args: ['D0B0'], line: 9 }] },
      { name: 'match', args: ['ok'], line: 10, block: [{ name: 'status', args: ['200'], line: 10 }, { name: 'header', args: ['Content-Type', '=', 'text/html'], line: 10 }] },
    ]);
  });

  it('places a comment found inside a directive after it, or at the start of its block', () => {
    const nodes = parseNginx('log_format x # why\n  "a";\nserver # main\n{ listen 80; }\n', 't.conf');
    assert.deepEqual(shape(nodes), [
      { name: 'log_format', args: ['x', 'a'], line: 1 },
      { comment: ' why', line: 1 },
      { name: 'server', args: [], line: 3, block: [{ comment: ' main', line: 3 }, { name: 'listen', args: ['80'], line: 4 }] },
    ]);
  });

  it('drops comments with comments: false', () => {
    assert.deepEqual(shape(parseNginx('# a\nx 1; # b\n', 't.conf', { comments: false })), [{ name: 'x', args: ['1'], line: 2 }]);
  });

  it('accepts empty blocks and an empty file', () => {
    assert.deepEqual(shape(parseNginx('events {}', 't.conf')), [{ name: 'events', args: [], line: 1, block: [] }]);
    assert.deepEqual(parseNginx('', 't.conf'), []);
    assert.deepEqual(parseNginx('\n\n# only a comment\n', 't.conf').length, 1);
  });

  describe('errors carry file:line:column and what was expected', () => {
    it('an unexpected "}" at the top level', () => {
      assert.equal(parseError('events {\n}\n}\n'), 'test.conf:3:1: unexpected "}" (expected a directive or the end of the file)');
    });
    it('a "}" in the middle of a directive', () => {
      assert.equal(parseError('http {\n    listen 80 }\n'), 'test.conf:2:15: unexpected "}" (expected ";" or "{")');
    });
    it('a ";" or "{" without a directive name', () => {
      assert.equal(parseError('http {\n  ;\n}'), 'test.conf:2:3: unexpected ";" (expected a directive name)');
      assert.equal(parseError('{ listen 80; }'), 'test.conf:1:1: unexpected "{" (expected a directive name)');
    });
    it('end of file inside a directive', () => {
      assert.equal(parseError('worker_processes 1'), 'test.conf:1:19: unexpected end of file (expected ";" or "}")');
      assert.equal(parseError('http {\n    sendfile on\n'), 'test.conf:2:16: unexpected end of file (expected ";" or "}")');
    });
    it('end of file inside a block', () => {
      assert.equal(parseError('http {\n    server {\n        listen 80;\n    }\n'), 'test.conf:4:6: unexpected end of file; "http" block opened at line 1 is not closed (expected "}")');
    });
    it('an unterminated quoted string, at its opening quote', () => {
      assert.equal(parseError('http {\n    add_header X "abc;\n}\n'), `test.conf:2:18: unterminated quoted string (expected a closing '"')`);
      assert.equal(parseError("return 200 'x;"), `test.conf:1:12: unterminated quoted string (expected a closing "'")`);
    });
    it('a character glued to a closing quote', () => {
      assert.equal(parseError('add_header X "a"b;'), 'test.conf:1:17: unexpected "b" after a quoted string (expected a space, ";" or "{")');
    });
    it('the error has structured fields', () => {
      try {
        parseNginx('a {', 'conf/x.conf');
        assert.fail('no error');
      } catch (e) {
        assert.ok(e instanceof ConfigParseError);
        assert.deepEqual([e.file, e.line, e.column, e.expected], ['conf/x.conf', 1, 4, '"}"']);
      }
    });
  });
});
