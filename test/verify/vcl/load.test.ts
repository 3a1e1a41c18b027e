/** Loading VCL programs: includes, sub concatenation, dialect detection, builtin, macros, helpers. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigParseError } from '../../../src/verify/types.ts';
import { BUILTIN_FILE, backendSpans, loadVcl, loadVclSource, type Stmt } from '../../../src/verify/vcl/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-vcl-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (rel: string, text: string): string => {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};

describe('vcl load: includes', () => {
  write('site/main.vcl', 'vcl 4.1;\ninclude "parts/recv.vcl";\nsub vcl_recv {\n    include "inline.vcl";\n    return (hash);\n}\n');
  write('site/parts/recv.vcl', '# first definition\nsub vcl_recv {\n    set req.http.A = "1";\n}\ninclude "more.vcl";\n');
  write('site/parts/more.vcl', 'sub vcl_recv {\n    set req.http.B = "2";\n}\n');
  write('shared/inline.vcl', 'set req.http.C = "3";\nunset req.http.Cookie;\n');

  it('resolves against the including file, then include paths, and inlines where they appear', () => {
    const m = loadVcl(join(dir, 'site/main.vcl'), { includePaths: [join(dir, 'shared')] });
    assert.deepEqual(m.files, [
      join(dir, 'site/main.vcl'), join(dir, 'site/parts/recv.vcl'), join(dir, 'site/parts/more.vcl'), join(dir, 'shared/inline.vcl'),
    ]);
    const defs = m.subs('vcl_recv');
    assert.deepEqual(defs.map((d) => [d.at.file.slice(dir.length + 1), d.at.line]), [['site/parts/recv.vcl', 2], ['site/parts/more.vcl', 1], ['site/main.vcl', 3]]);
    assert.deepEqual(defs[2]!.body.map((s) => s.type), ['include', 'set', 'unset', 'return']);
    assert.deepEqual(defs[2]!.body.map((s) => s.at.line), [4, 1, 2, 5]);
  });

  it('keeps relative names relative in locations', () => {
    const rel = relative(process.cwd(), join(dir, 'site/main.vcl'));
    const m = loadVcl(rel, { includePaths: [join(dir, 'shared')] });
    assert.deepEqual(m.files.slice(0, 2), [rel, join(rel, '../parts/recv.vcl')]);
    assert.equal(m.subs('vcl_recv')[0]!.at.file, join(rel, '../parts/recv.vcl'));
  });

  it('refuses a main file over 16 MiB before reading it', () => {
    const big = write('big.vcl', '');
    writeFileSync(big, Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    assert.throws(() => loadVcl(big), (e: unknown) => e instanceof ConfigParseError && e.message === `${big}:1:1: file too large (16777217 bytes; the limit is 16 MiB)`);
  });

  it('reports a missing main file as a parse error at 1:1', () => {
    assert.throws(() => loadVcl(join(dir, 'nope.vcl')), (e: unknown) => e instanceof ConfigParseError && e.message === `${join(dir, 'nope.vcl')}:1:1: file not found`);
  });
});

describe('vcl load: dialect and builtin', () => {
  it('detects Fastly by vcl_fetch, vcl_error, #FASTLY macros or return(lookup) in vcl_recv', () => {
    assert.equal(loadVclSource('sub vcl_fetch { return(deliver); }', 'f.vcl').dialect, 'fastly');
    assert.equal(loadVclSource('sub vcl_error { return(deliver); }', 'f.vcl').dialect, 'fastly');
    assert.equal(loadVclSource('sub vcl_deliver {\n#FASTLY deliver\n}', 'f.vcl').dialect, 'fastly');
    assert.equal(loadVclSource('sub vcl_recv { return(lookup); }', 'f.vcl').dialect, 'fastly');
    assert.equal(loadVclSource('sub vcl_hash { hash_data(req.url); return (lookup); }', 'v.vcl').dialect, 'varnish');
    assert.equal(loadVclSource('vcl 4.0;\nsub vcl_recv { return(lookup); }', 'v.vcl').dialect, 'varnish');
    assert.equal(loadVclSource('sub vcl_recv { }', 'v.vcl', { dialect: 'fastly' }).dialect, 'fastly');
  });

  it('appends the split builtin of 7.x / 8.0 and the monolithic one of 4.x–6.x, marked builtin', () => {
    const v7 = loadVclSource('vcl 4.1;\nsub vcl_recv { }', 'v.vcl');
    assert.equal(v7.varnishVersion, 7);
    assert.deepEqual(v7.subs('vcl_recv', { builtin: true }).map((d) => [d.at.file, d.builtin]), [['v.vcl', false], [BUILTIN_FILE[7], true]]);
    assert.deepEqual(v7.subs('vcl_req_cookie', { builtin: true }).map((d) => d.at.file), ['<builtin varnish 7>']);
    assert.deepEqual(v7.subs('vcl_req_cookie'), []);
    assert.ok(v7.subNames({ builtin: true }).includes('vcl_beresp_hitmiss'));
    assert.ok(v7.source(BUILTIN_FILE[7])!.includes('set beresp.ttl = 120s;'));

    const v8 = loadVclSource('vcl 4.1;', 'v.vcl', { varnishVersion: 8 });
    const method = v8.statements('vcl_req_method', { builtin: true }).map((s) => v8.text(s.stmt));
    assert.ok(method.includes('return (synth(501));'));
    assert.ok(v8.source(BUILTIN_FILE[8])!.includes('set beresp.ttl = param.uncacheable_ttl;'));
    assert.ok(v8.subNames({ builtin: true }).includes('vcl_beresp_range'));

    const v6 = loadVclSource('vcl 4.0;', 'v.vcl', { varnishVersion: 6 });
    assert.deepEqual(v6.subs('vcl_req_cookie', { builtin: true }), []);
    assert.equal(v6.subs('vcl_backend_response', { builtin: true })[0]!.at.file, '<builtin varnish 6>');

    assert.deepEqual(loadVclSource('sub vcl_fetch { }', 'f.vcl').program.builtin, []);
  });

  it('records where Fastly macros sit', () => {
    const m = loadVclSource('sub vcl_recv {\n#FASTLY recv\n  return(lookup);\n}\nsub vcl_fetch {\n  set beresp.ttl = 1s;\n#FASTLY fetch\n}\n', 'f.vcl');
    assert.deepEqual(m.macros.map((x) => [x.name, x.sub, x.at.line]), [['recv', 'vcl_recv', 2], ['fetch', 'vcl_fetch', 7]]);
  });
});

describe('vcl load: helpers for rules and booting', () => {
  const src = 'vcl 4.1;\nbackend a {\n    .host = "app.internal";\n    .port = "8080";\n}\nbackend b none;\nsub vcl_recv {\n    if (req.url ~ "^/a") {\n        return (pass);\n    } elsif (req.url ~ "^/b") {\n        if (req.http.X) { unset req.http.X; }\n    } else {\n        return (hash);\n    }\n}\n';

  it('walks statements depth first with the enclosing branches', () => {
    const m = loadVclSource(src, 'w.vcl');
    const visits = m.statements('vcl_recv').map((v) => `${v.stmt.type}@${v.stmt.at.line}[${v.guards.map((g) => `${g.stmt.at.line}:${g.branch}`).join(',')}]`);
    assert.deepEqual(visits, ['if@8[]', 'return@9[8:0]', 'if@11[8:1]', 'unset@11[8:1,11:0]', 'return@13[8:-1]']);
  });

  it('gives backend spans to rewrite host and port', () => {
    const m = loadVclSource(src, 'w.vcl');
    const spans = backendSpans(m);
    assert.deepEqual(spans.map((s) => [s.name, s.file, src.slice(s.start, s.end).split('\n')[0], s.host?.value, s.port?.value]), [
      ['a', 'w.vcl', 'backend a {', 'app.internal', '8080'],
      ['b', 'w.vcl', 'backend b none;', undefined, undefined],
    ]);
    const a = spans[0]!;
    const both = src.slice(0, a.host!.start) + '"127.0.0.1"' + src.slice(a.host!.end, a.port!.start) + '"9000"' + src.slice(a.port!.end);
    assert.ok(both.includes('.host = "127.0.0.1";\n    .port = "9000";'));
    assert.deepEqual(backendSpans(loadVclSource(both, 'w.vcl')).map((s) => [s.host?.value, s.port?.value]), [['127.0.0.1', '9000'], [undefined, undefined]]);
  });

  it('quotes any node on one line', () => {
    const m = loadVclSource(src, 'w.vcl');
    const ifStmt = m.subs('vcl_recv')[0]!.body[0] as Extract<Stmt, { type: 'if' }>;
    assert.equal(m.text(ifStmt.branches[0]!.cond), 'req.url ~ "^/a"');
    assert.ok(m.text(ifStmt).startsWith('if (req.url ~ "^/a") { return (pass); } elsif (req.url ~ "^/b") {'));
  });
});
