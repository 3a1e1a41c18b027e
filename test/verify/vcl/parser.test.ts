/** VCL parser: statements, expressions, declarations, and every error form with file:line:column. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigParseError } from '../../../src/verify/types.ts';
import { loadVclSource, type Decl, type Expr, type Stmt, type SubDecl } from '../../../src/verify/vcl/index.ts';

/** In-memory files for includes. */
const files = (map: Record<string, string>) => (p: string): string => {
  const f = map[p];
  if (f === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  return f;
};

const decls = (src: string): Decl[] => loadVclSource(src, 't.vcl', { readFile: files({}) }).program.decls;
const body = (src: string): Stmt[] => (decls(`sub s {\n${src}\n}`).find((d) => d.type === 'sub') as SubDecl).body;
const expr = (src: string): Expr => {
  const s = body(`set req.http.x = ${src};`)[0]!;
  assert.equal(s.type, 'set');
  return (s as Extract<Stmt, { type: 'set' }>).value;
};

/** A compact rendering of an expression tree. */
function show(e: Expr): string {
  switch (e.type) {
    case 'string':
      return JSON.stringify(e.value);
    case 'number':
      return `${e.value}`;
    case 'duration':
      return `${e.seconds}s`;
    case 'bool':
      return `${e.value}`;
    case 'ident':
      return e.name;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'unary':
      return `(${e.op}${show(e.arg)})`;
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'concat':
      return `concat(${e.parts.map(show).join(', ')})`;
  }
}

function parseError(src: string, readFile = files({})): string {
  try {
    loadVclSource(src, 'conf/t.vcl', { readFile });
  } catch (e) {
    assert.ok(e instanceof ConfigParseError, String(e));
    return e.message;
  }
  assert.fail('no error');
}

describe('vcl parser: statements', () => {
  it('parses every statement form', () => {
    const stmts = body(`
      set req.http.X = "1";
      set req.hash += req.url;
      unset req.http.Cookie;
      remove req.http.Y;
      add resp.http.Set-Cookie = "a=b";
      call normalize;
      return;
      return (hash);
      return (synth(404, "Not here"));
      return (pass(10s));
      hash_data(req.url);
      synthetic {"body"};
      synthetic.base64 "eA==";
      error 404 "Not found";
      error;
      restart;
      esi;
      log "line " req.url;
      declare local var.n INTEGER;
      goto done;
      done:
      new vdir = directors.round_robin();
      std.log("x");
      #FASTLY recv
      C{ /* c */ }C
    `);
    assert.deepEqual(stmts.map((s) => s.type), [
      'set', 'set', 'unset', 'unset', 'add', 'call', 'return', 'return', 'return', 'return', 'hash_data', 'synthetic', 'synthetic',
      'error', 'error', 'restart', 'esi', 'log', 'declare', 'goto', 'label', 'new', 'expr', 'macro', 'inline_c',
    ]);
    const r = stmts.filter((s): s is Extract<Stmt, { type: 'return' }> => s.type === 'return');
    assert.deepEqual(r.map((s) => [s.action, s.args.map(show)]), [[undefined, []], ['hash', []], ['synth', ['404', '"Not here"']], ['pass', ['10s']]]);
    assert.equal((stmts[1] as Extract<Stmt, { type: 'set' }>).op, '+=');
    assert.equal((stmts[3] as Extract<Stmt, { type: 'unset' }>).keyword, 'remove');
    assert.equal((stmts[12] as Extract<Stmt, { type: 'synthetic' }>).base64, true);
    const err = stmts[13] as Extract<Stmt, { type: 'error' }>;
    assert.deepEqual([show(err.status!), show(err.message!)], ['404', '"Not found"']);
    assert.deepEqual(stmts[18], { ...stmts[18], name: 'var.n', varType: 'INTEGER' });
  });

  it('parses if / elsif / elseif / else if / else chains into branches', () => {
    const [s] = body('if (a) { x(); } elsif (b) { y(); } elseif (c) { } else if (d) { } else { z(); }');
    assert.equal(s!.type, 'if');
    const i = s as Extract<Stmt, { type: 'if' }>;
    assert.deepEqual(i.branches.map((b) => show(b.cond)), ['a', 'b', 'c', 'd']);
    assert.equal(i.else!.length, 1);
    assert.deepEqual(i.branches.map((b) => b.at.column), [1, 17, 36, 51]);
  });

  it('keeps locations with end lines and exact spans', () => {
    const src = 'sub vcl_recv {\n    if (req.url ~ "^/a") {\n        return (pass);\n    }\n}\n';
    const m = loadVclSource(src, 'x.vcl');
    const sub = m.subs('vcl_recv')[0]!;
    assert.deepEqual(sub.at, { file: 'x.vcl', line: 1, column: 1, endLine: 5 });
    const ifs = sub.body[0]!;
    assert.deepEqual(ifs.at, { file: 'x.vcl', line: 2, column: 5, endLine: 4 });
    const ret = (ifs as Extract<Stmt, { type: 'if' }>).branches[0]!.body[0]!;
    assert.equal(m.text(ret), 'return (pass);');
    assert.equal(src.slice(ret.span.start, ret.span.end), 'return (pass);');
  });
});

describe('vcl parser: expressions', () => {
  it('binds ! looser than comparisons, && tighter than ||', () => {
    assert.equal(show(expr('!beresp.http.A ~ "max-age" && b || c')), '(((!(beresp.http.A ~ "max-age")) && b) || c)');
    assert.equal(show(expr('a == "x" || !b')), '((a == "x") || (!b))');
  });

  it('reads + as concatenation or arithmetic and Fastly juxtaposition as concat', () => {
    assert.equal(show(expr('"a" + req.url + "b"')), '(("a" + req.url) + "b")');
    assert.equal(show(expr('"https://" req.http.host req.url')), 'concat("https://", req.http.host, req.url)');
    assert.equal(show(expr('beresp.ttl + 1h * 2')), '(beresp.ttl + (3600s * 2))');
    assert.equal(show(expr('-1s')), '(-1s)');
  });

  it('reads durations, byte sizes, booleans, calls, named VMOD arguments and method calls', () => {
    assert.equal(show(expr('500ms')), '0.5s');
    assert.equal(show(expr('1w')), '604800s');
    assert.equal(show(expr('1y')), '31536000s');
    assert.equal(show(expr('2KB')), '2048');
    assert.equal(show(expr('true')), 'true');
    assert.equal(show(expr('std.duration(req.http.X-TTL, fallback = 60s)')), 'std.duration(req.http.X-TTL, 60s)');
    assert.equal(show(expr('req.http.host.lower()')), 'req.http.host.lower()');
    assert.equal(show(expr('if(req.is_ssl, "https", "http")')), 'if(req.is_ssl, "https", "http")');
    assert.equal(show(expr('(a)')), 'a');
  });
});

describe('vcl parser: declarations', () => {
  it('parses vcl, import, backend (nested probe, none), probe, acl, director, table, objects', () => {
    const d = decls(`vcl 4.1;
import std;
import foo from "/usr/lib/foo.so";
backend app { .host = "127.0.0.1"; .port = "8080"; .probe = { .url = "/h"; .interval = 5s; } }
backend gone none;
probe p { .request = "GET / HTTP/1.1" "Host: x"; .window = 5; }
acl purge +log -pedantic { "localhost"; "10.0.0.0"/8; ! "10.1.0.0"/16; ("optional.test"); }
director d random { .quorum = 50%; { .backend = F_a; .weight = 1; } { .backend = F_b; .weight = 2; } }
table t STRING { "a": "1", "b": "2", }
penaltybox pb {}
`);
    assert.deepEqual(d.map((x) => x.type), ['vcl', 'import', 'import', 'backend', 'backend', 'probe', 'acl', 'director', 'table', 'object']);
    const be = d[3] as Extract<Decl, { type: 'backend' }>;
    assert.deepEqual(be.fields.map((f) => [f.name, f.value.type]), [['host', 'expr'], ['port', 'expr'], ['probe', 'object']]);
    assert.equal((d[4] as Extract<Decl, { type: 'backend' }>).none, true);
    const probe = d[5] as Extract<Decl, { type: 'probe' }>;
    assert.deepEqual(probe.fields[0]!.value, { type: 'raw', text: '"GET / HTTP/1.1" "Host: x"', span: probe.fields[0]!.value.span });
    const acl = d[6] as Extract<Decl, { type: 'acl' }>;
    assert.deepEqual(acl.flags, ['+log', '-pedantic']);
    assert.deepEqual(acl.entries.map((e) => [e.negated, e.address, e.mask]), [
      [false, 'localhost', undefined], [false, '10.0.0.0', 8], [true, '10.1.0.0', 16], [false, 'optional.test', undefined],
    ]);
    const dir = d[7] as Extract<Decl, { type: 'director' }>;
    assert.equal(dir.policy, 'random');
    assert.deepEqual(dir.fields.map((f) => [f.name, f.value.type === 'raw' ? f.value.text : '']), [['quorum', '50 %']]);
    assert.deepEqual(dir.members.map((m) => m.map((f) => f.name)), [['backend', 'weight'], ['backend', 'weight']]);
    const table = d[8] as Extract<Decl, { type: 'table' }>;
    assert.deepEqual([table.valueType, table.entries.map((e) => [e.key, show(e.value)])], ['STRING', [['a', '"1"'], ['b', '"2"']]]);
  });
});

describe('vcl parser: errors', () => {
  it('says what was expected where, as file:line:column', () => {
    assert.equal(parseError('vcl 4.1;\nsub vcl_recv {\n    set req.http.X = "a"\n}\n'), 'conf/t.vcl:4:1: unexpected "}" (expected ";")');
    assert.equal(
      parseError('vcl 4.1;\nsub vcl_backend_response {\n    return (deliverr);\n}\n'),
      'conf/t.vcl:3:13: unknown return action "deliverr" (expected one of abandon, deliver, deliver_stale, error, fail, fetch, hash, lookup, merge, miss, ok, pass, pipe, purge, restart, retry, synth, upgrade, vcl)',
    );
    assert.equal(parseError('vcl 4.1;\nsub vcl_recv {\n    set req.http.X = "abc;\n}\n'), `conf/t.vcl:3:22: unterminated string (expected a closing '"' on the same line)`);
    assert.equal(parseError('vcl 4.1;\nsub vcl_recv {\n    if (req.url ~ "x") {\n'), 'conf/t.vcl:4:1: unexpected end of file (expected "}")');
    assert.equal(
      parseError('vcl 4.1;\nsub vcl_recv {\n    sett req.http.X = "1";\n}\n'),
      'conf/t.vcl:3:5: unknown statement "sett" (expected a statement (set, unset, call, return, if, …) or a function call)',
    );
    assert.equal(
      parseError('vcl 4.1;\nsub vcl_backend_response {\n    set beresp.ttl = 10q;\n}\n'),
      'conf/t.vcl:3:22: unknown unit "q" in 10q (expected a unit such as ms, s, m, h, d, w, y or KB, MB)',
    );
    assert.equal(parseError('vcl four;\n'), 'conf/t.vcl:1:5: unexpected "four" (expected a VCL version such as 4.1)');
    assert.equal(
      parseError('vcl 4.1;\nbackends x {}\n'),
      'conf/t.vcl:2:1: unexpected "backends" (expected a declaration (vcl, import, include, backend, probe, acl, director, table, sub))',
    );
    assert.equal(parseError('vcl 4.1;\nsub vcl_recv {\n    if (req.url ~ ) {}\n}\n'), 'conf/t.vcl:3:19: unexpected ")" (expected an expression)');
    assert.equal(parseError('vcl 4.1;\nbackend b {\n    .host = "x"\n}\n'), 'conf/t.vcl:4:1: unexpected "}" (expected ";")');
    assert.equal(parseError('vcl 4.1;\nsub vcl_recv {\n    return pass;\n}\n'), 'conf/t.vcl:3:12: unexpected "pass" (expected "(")');
    assert.equal(parseError('vcl 4.1;\nsub vcl_recv {\n    set req.http.X "a";\n}\n'), 'conf/t.vcl:3:20: unexpected a string (expected "=" or an assignment operator)');
    assert.equal(parseError('acl a {\n  10.0.0.1;\n}\n'), 'conf/t.vcl:2:3: unexpected "10.0" (expected an address in quotes)');
    assert.equal(parseError('table t {\n  "a" "b"\n}\n'), 'conf/t.vcl:2:7: unexpected a string (expected ":")');
    assert.equal(parseError('vcl 4.1;\n/* open\nsub vcl_recv {}\n'), 'conf/t.vcl:2:1: unterminated comment (expected "*/")');
    assert.equal(parseError('vcl 4.1;\ninclude +glob "*.vcl";\n'), 'conf/t.vcl:2:9: include +glob is not supported (expected a quoted file name)');
  });

  it('include file not found, at the include line', () => {
    assert.equal(
      parseError('vcl 4.1;\n\ninclude "missing.vcl";\n'),
      'conf/t.vcl:3:1: include file not found: "missing.vcl" (expected a readable file at conf/missing.vcl)',
    );
    const m = (src: string, paths: string[]) => {
      try {
        loadVclSource(src, 'conf/t.vcl', { readFile: files({}), includePaths: paths });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    assert.equal(
      m('sub vcl_recv {\n  include "sub.vcl";\n}', ['/etc/varnish']),
      'conf/t.vcl:2:3: include file not found: "sub.vcl" (expected a readable file at conf/sub.vcl or /etc/varnish/sub.vcl)',
    );
  });

  it('finds Fastly-style includes named without an extension', () => {
    const m = loadVclSource('include "snippet_recv";\nsub vcl_fetch { }\n', 'svc/main.vcl', { readFile: files({ 'svc/snippet_recv.vcl': 'sub vcl_recv { return(lookup); }' }) });
    assert.deepEqual([m.files, m.dialect], [['svc/main.vcl', 'svc/snippet_recv.vcl'], 'fastly']);
  });

  it('errors inside an included file name that file', () => {
    const read = files({ 'conf/inc/b.vcl': 'sub x {\n  set a = ;\n}\n' });
    assert.equal(parseError('vcl 4.1;\ninclude "inc/b.vcl";\n', read), 'conf/inc/b.vcl:2:11: unexpected ";" (expected an expression)');
  });

  it('refuses include cycles', () => {
    const read = files({ 'conf/a.vcl': 'include "b.vcl";\n', 'conf/b.vcl': '\ninclude "a.vcl";\n' });
    assert.equal(parseError('vcl 4.1;\ninclude "a.vcl";\n', read), 'conf/b.vcl:2:1: include cycle: conf/a.vcl → conf/b.vcl → conf/a.vcl');
    assert.equal(parseError('vcl 4.1;\ninclude "t.vcl";\n', files({ 'conf/t.vcl': 'x' })), 'conf/t.vcl:2:1: include cycle: conf/t.vcl → conf/t.vcl');
  });

  it('refuses binary and huge input', () => {
    assert.equal(parseError('vcl 4.1;\u0000junk'), 'conf/t.vcl:1:1: binary file (NUL byte at offset 8), not VCL');
    const read = files({ 'conf/big.vcl': ' '.repeat(16 * 1024 * 1024 + 1) });
    assert.equal(parseError('vcl 4.1;\ninclude "big.vcl";\n', read), 'conf/big.vcl:1:1: file too large (16777217 characters; the limit is 16 MiB)');
  });
});
