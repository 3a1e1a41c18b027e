/** The Cloudflare Rules language: parser (every operator, precedence, errors with offsets) and evaluator (fields, functions, unknowns). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpressionSyntaxError, parseExpression, requestFields, textOf, truth, value, type Expr } from '../../../src/verify/cloudflare/index.ts';
import type { HttpRequestInfo } from '../../../src/semantics/types.ts';

const REQ: HttpRequestInfo = {
  method: 'GET',
  url: '/Account/Orders.HTML?page=2&tag=a&tag=b',
  host: 'shop.example',
  headers: {
    cookie: 'session=abc123; theme=dark',
    'User-Agent': 'Mozilla/5.0',
    accept: ['text/html', 'application/json'],
    referer: 'https://shop.example/',
  },
};
const fields = requestFields(REQ);
const holds = (e: string, req: HttpRequestInfo = REQ): boolean | string => {
  const t = truth(parseExpression(e), req === REQ ? fields : requestFields(req));
  return typeof t === 'boolean' ? t : `unknown ${t.unknown.start}-${t.unknown.end}: ${t.unknown.reason}`;
};
const syntaxError = (e: string): [number, string, string | undefined] => {
  try {
    parseExpression(e);
  } catch (err) {
    assert.ok(err instanceof ExpressionSyntaxError);
    return [err.offset, err.message, err.expected];
  }
  assert.fail(`expected a syntax error for ${e}`);
};
/** A compact rendering of the tree, to check precedence. */
const shape = (e: Expr): string => {
  switch (e.type) {
    case 'logical':
      return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case 'not':
      return `(not ${shape(e.operand)})`;
    case 'group':
      return shape(e.inner);
    case 'compare':
      return `[${shape(e.left)} ${e.op}]`;
    case 'field':
      return e.name;
    case 'call':
      return `${e.name}(${e.args.map(shape).join(', ')})`;
    case 'index':
      return `${shape(e.target)}[${String(e.key)}]`;
    case 'literal':
      return JSON.stringify(e.value);
  }
};

describe('cloudflare rules language: comparison operators', () => {
  it('eq/== and ne/!= on strings (case-sensitive) and numbers', () => {
    assert.equal(holds('http.host eq "shop.example"'), true);
    assert.equal(holds('http.host == "SHOP.example"'), false);
    assert.equal(holds('http.request.method ne "POST"'), true);
    assert.equal(holds('http.request.method != "GET"'), false);
    assert.equal(holds('len(http.host) == 12'), true);
  });
  it('lt/<, le/<=, gt/>, ge/>= on numbers and strings', () => {
    assert.equal(holds('len(http.host) lt 13'), true);
    assert.equal(holds('len(http.host) < 12'), false);
    assert.equal(holds('len(http.host) le 12'), true);
    assert.equal(holds('len(http.host) <= 11'), false);
    assert.equal(holds('len(http.host) gt 11'), true);
    assert.equal(holds('len(http.host) > 12'), false);
    assert.equal(holds('len(http.host) ge 12'), true);
    assert.equal(holds('len(http.host) >= 13'), false);
    assert.equal(holds('http.request.method lt "H"'), true);
  });
  it('contains, matches/~ (a Rust regex), wildcard (case-insensitive) and strict wildcard', () => {
    assert.equal(holds('http.cookie contains "session="'), true);
    assert.equal(holds('http.request.uri.path matches "^/[A-Z][a-z]+/"'), true);
    assert.equal(holds('http.request.uri.path ~ r"\\.html$"'), false);
    assert.equal(holds('http.request.uri.path matches "(?i)\\.html$"'), true);
    assert.equal(holds('http.request.uri.path wildcard "/account/*"'), true);
    assert.equal(holds('http.request.uri.path strict wildcard "/account/*"'), false);
    assert.equal(holds('http.request.uri.path strict wildcard "/Account/*.HTML"'), true);
    assert.equal(holds('http.request.full_uri wildcard "https://shop.example/*"'), true);
    assert.equal(holds('http.request.uri.path wildcard "/account"'), false, 'a wildcard must match the whole value');
    assert.equal(holds('http.user_agent wildcard r"Mozilla/5.0"'), true);
    assert.equal(holds('http.user_agent wildcard "Mozilla\\*"'), false, 'an escaped star is literal');
  });
  it('in {…} with strings, integers and integer ranges; IP sets parse', () => {
    assert.equal(holds('http.request.uri.path.extension in {"css" "html"}'), true);
    assert.equal(holds('http.request.method in {"POST" "PUT"}'), false);
    assert.equal(holds('len(http.host) in {1 2 10..15}'), true);
    assert.equal(holds('len(http.host) in {13..20}'), false);
    assert.equal(holds('not http.host in {"a.example" "b.example"}'), true);
    assert.equal(holds('ip.src in {203.0.113.0/24 198.51.100.3..198.51.100.7 2001:db8::/32}'), 'unknown 0-67: ip.src is not known from the request alone');
  });
  it('a comparison with a missing map key or index is false', () => {
    assert.equal(holds('http.request.cookies["nope"][0] eq "x"'), false);
    assert.equal(holds('http.request.cookies["nope"][0] ne "x"'), false);
    assert.equal(holds('http.request.headers["accept"][5] eq "x"'), false);
  });
});

describe('cloudflare rules language: logic and precedence', () => {
  it('not > and > xor > or; parentheses override', () => {
    assert.equal(shape(parseExpression('ssl or ssl and not ssl xor ssl')), '(ssl or ((ssl and (not ssl)) xor ssl))');
    assert.equal(shape(parseExpression('(ssl or ssl) and ssl')), '((ssl or ssl) and ssl)');
    assert.equal(shape(parseExpression('!ssl && ssl || ssl ^^ ssl')), '(((not ssl) and ssl) or (ssl xor ssl))');
    assert.equal(shape(parseExpression('not http.host eq "a"')), '(not [http.host eq])');
  });
  it('and/&&, or/||, xor/^^, not/! evaluate', () => {
    assert.equal(holds('ssl and http.host eq "shop.example"'), true);
    assert.equal(holds('ssl && not ssl'), false);
    assert.equal(holds('not ssl or ssl'), true);
    assert.equal(holds('!ssl || !ssl'), false);
    assert.equal(holds('ssl xor ssl'), false);
    assert.equal(holds('ssl ^^ not ssl'), true);
    assert.equal(holds('ssl', { ...REQ, scheme: 'http' }), false);
  });
  it('undecidable parts: false and ?, true or ? are decided; otherwise the atom is named', () => {
    assert.equal(holds('not ssl and ip.src eq 1.2.3.4'), false);
    assert.equal(holds('ssl or cf.bot_management.score lt 30'), true);
    assert.equal(holds('ssl and cf.bot_management.score lt 30'), 'unknown 8-37: cf.bot_management.score is not known from the request alone');
    assert.equal(holds('not (ip.src in {1.2.3.4})'), 'unknown 5-24: ip.src is not known from the request alone');
    assert.equal(holds('ssl xor http.nope eq "a"'), 'unknown 8-24: http.nope is not a field this checker evaluates');
  });
  it('assumed atoms decide the answer', () => {
    const e = parseExpression('ssl and ip.src in {1.2.3.4}');
    assert.equal(truth(e, fields, (s, end) => (s === 8 && end === 27 ? true : undefined)), true);
    assert.equal(truth(e, fields, (s, end) => (s === 8 && end === 27 ? false : undefined)), false);
  });
});

describe('cloudflare rules language: fields', () => {
  it('URI fields, the lower-cased extension, host, method, ssl', () => {
    const get = (f: string) => value(parseExpression(f), fields);
    assert.equal(get('http.request.uri'), '/Account/Orders.HTML?page=2&tag=a&tag=b');
    assert.equal(get('http.request.uri.path'), '/Account/Orders.HTML');
    assert.equal(get('http.request.uri.path.extension'), 'html');
    assert.equal(get('http.request.uri.query'), 'page=2&tag=a&tag=b');
    assert.equal(get('http.request.full_uri'), 'https://shop.example/Account/Orders.HTML?page=2&tag=a&tag=b');
    assert.equal(get('raw.http.request.uri.path'), '/Account/Orders.HTML');
    assert.equal(get('http.host'), 'shop.example');
    assert.equal(get('http.request.method'), 'GET');
    assert.equal(get('ssl'), true);
    assert.deepEqual(get('http.request.uri.args["tag"]'), ['a', 'b']);
    assert.deepEqual(get('http.request.uri.args.names'), ['page', 'tag', 'tag']);
  });
  it('extension edge cases follow the fields reference', () => {
    const ext = (path: string) => value(parseExpression('http.request.uri.path.extension'), requestFields({ method: 'GET', url: path, headers: {} }));
    assert.deepEqual(['/foo', '/foo.mp3', '/.mp3', '/.foo.mp3', '/foo.tar.bz2', '/foo.', '/foo.MP3'].map(ext), ['', 'mp3', '', 'mp3', 'bz2', '', 'mp3']);
  });
  it('headers (lower-case names, one value per line), cookies, user agent, referer', () => {
    const get = (f: string) => value(parseExpression(f), fields);
    assert.deepEqual(get('http.request.headers["accept"]'), ['text/html', 'application/json']);
    assert.deepEqual(get('http.request.headers.names'), ['cookie', 'user-agent', 'accept', 'accept', 'referer']);
    assert.equal(get('http.cookie'), 'session=abc123; theme=dark');
    assert.deepEqual(get('http.request.cookies["theme"]'), ['dark']);
    assert.equal(get('http.user_agent'), 'Mozilla/5.0');
    assert.equal(get('http.referer'), 'https://shop.example/');
    assert.equal(get('http.x_forwarded_for'), '');
  });
});

describe('cloudflare rules language: functions and [*]', () => {
  it('any() and all() over [*] comparisons', () => {
    assert.equal(holds('any(http.request.headers["accept"][*] == "application/json")'), true);
    assert.equal(holds('all(http.request.headers["accept"][*] == "application/json")'), false);
    assert.equal(holds('all(http.request.uri.args["tag"][*] in {"a" "b"})'), true);
    assert.equal(holds('any(http.request.headers["authorization"][*] ne "")'), false, 'a missing key: any() is false');
  });
  it('lower() and upper(), also element-wise', () => {
    assert.equal(holds('lower(http.request.uri.path) eq "/account/orders.html"'), true);
    assert.equal(holds('upper(http.request.method) eq "GET"'), true);
    assert.equal(holds('any(upper(http.request.headers["accept"][*])[*] == "TEXT/HTML")'), true);
  });
  it('starts_with(), ends_with(), len() (bytes, elements), concat(), url_decode()', () => {
    assert.equal(holds('starts_with(http.request.uri.path, "/Account")'), true);
    assert.equal(holds('ends_with(http.request.uri.path, ".html")'), false);
    assert.equal(holds('len(http.request.uri.args["tag"]) == 2'), true);
    assert.equal(value(parseExpression('len("é")'), fields), 2);
    assert.equal(holds('concat("/a", "/b") eq "/a/b"'), true);
    assert.equal(holds('url_decode("a%20b") eq "a b"'), true);
  });
  it('functions this checker does not run are unknown', () => {
    assert.equal(holds('lookup_json_string(http.request.body.raw, "a") eq "b"'), 'unknown 0-53: function lookup_json_string() is not evaluated by this checker');
    assert.equal(holds('http.request.body.raw contains "a"'), 'unknown 0-34: http.request.body.raw is not known from the request alone');
    assert.equal(holds('regex_replace(http.host, "a", "b") eq "x"'), 'unknown 0-41: function regex_replace() is not evaluated by this checker');
  });
});

describe('cloudflare rules language: syntax errors carry the offset and what was expected', () => {
  it('reports each error at its position', () => {
    assert.deepEqual(syntaxError('http.host eq'), [12, 'unexpected end of expression', 'a string, raw string or number']);
    assert.deepEqual(syntaxError('http.host eq "a" and'), [20, 'unexpected end of expression', 'a field, a function call, a literal or "("']);
    assert.deepEqual(syntaxError('(ssl'), [4, 'unexpected end of expression', '")"']);
    assert.deepEqual(syntaxError('http.host AND ssl'), [10, 'unexpected "AND"', '"and", "or", "xor" or the end of the expression']);
    assert.deepEqual(syntaxError('http.host in {"a" "b"'), [21, 'unexpected end of expression', '"}"']);
    assert.deepEqual(syntaxError('http.host in ("a")'), [13, 'unexpected "("', '"{" or a list reference "$name"']);
    assert.deepEqual(syntaxError('http.host strict "x"'), [10, 'unexpected "strict"', '"strict wildcard"']);
    assert.deepEqual(syntaxError('http.host wildcard "a**"'), [19, 'wildcard pattern contains "**"', 'at most one "*" in a row (write \\* for a literal star)']);
    assert.deepEqual(syntaxError('http.host matches 3'), [18, 'unexpected "3"', 'a string after "matches"']);
    assert.deepEqual(syntaxError('http.request.headers["a"'), [24, 'unexpected end of expression', '"]"']);
    assert.deepEqual(syntaxError('lower(http.host'), [15, 'unexpected end of expression', '"," or ")"']);
    assert.deepEqual(syntaxError('http.host eq "abc'), [13, 'string never closed', 'a closing \'"\'']);
    assert.deepEqual(syntaxError('http.host eq r#"abc"'), [13, 'raw string never closed', '""#" to close it']);
    assert.deepEqual(syntaxError('http.host in {"a" x}'), [18, 'unexpected "x"', 'a string, an integer, an integer range (1..5) or an IP address/range']);
  });
  it('textOf gives back the source of a node', () => {
    const e = parseExpression('ssl and (http.host eq "a")');
    assert.equal(e.type === 'logical' ? textOf('ssl and (http.host eq "a")', e.right) : '', '(http.host eq "a")');
  });
});
