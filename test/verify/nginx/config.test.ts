/** Reading a configuration with includes: prefix-relative resolution, globs, parse-once, cycles, missing files, binary and oversized input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expandIncludes, MAX_FILE_BYTES, memoryFs, readNginxConfig, type NginxDirective } from '../../../src/verify/nginx/index.ts';
import { ConfigParseError } from '../../../src/verify/types.ts';

const REALISTIC = fileURLToPath(new URL('../fixtures/nginx/realistic/nginx.conf', import.meta.url));

function loadError(files: Record<string, string>, main = 'etc/nginx.conf'): string {
  try {
    readNginxConfig(main, memoryFs(files));
  } catch (e) {
    assert.ok(e instanceof ConfigParseError, String(e));
    return e.message;
  }
  assert.fail('expected a ConfigParseError');
}

describe('nginx includes', () => {
  it('resolves relative includes against the main file directory, not the including file', () => {
    const cfg = readNginxConfig(
      'etc/nginx.conf',
      memoryFs({
        'etc/nginx.conf': 'http {\n    include conf.d/site.conf;\n}\n',
        'etc/conf.d/site.conf': 'server {\n    include snippets/common.conf;\n}\n',
        'etc/snippets/common.conf': 'listen 80;\n',
        'etc/conf.d/snippets/common.conf': 'listen 8080;\n',
      }),
    );
    assert.deepEqual(
      cfg.files.map((f) => f.file),
      ['etc/nginx.conf', 'etc/conf.d/site.conf', 'etc/snippets/common.conf'],
    );
    assert.equal(cfg.prefix, 'etc');
    const http = cfg.files[0]!.nodes[0] as NginxDirective;
    assert.deepEqual((http.block![0] as NginxDirective).includes, [1]);
  });

  it('expands globs in sorted order, skips hidden files, and accepts a glob with no match', () => {
    const cfg = readNginxConfig(
      'nginx.conf',
      memoryFs({
        'nginx.conf': 'http { include conf.d/*.conf; include extra/*.conf; include sites-*/[ab]?.conf; }',
        'conf.d/b.conf': 'b 1;',
        'conf.d/a.conf': 'a 1;',
        'conf.d/.hidden.conf': 'h 1;',
        'conf.d/c.txt': 'c 1;',
        'sites-x/a1.conf': 'x 1;',
        'sites-y/b2.conf': 'y 1;',
        'sites-y/c3.conf': 'z 1;',
      }),
    );
    assert.deepEqual(
      cfg.files.map((f) => f.file),
      ['nginx.conf', 'conf.d/a.conf', 'conf.d/b.conf', 'sites-x/a1.conf', 'sites-y/b2.conf'],
    );
    const includes = (cfg.files[0]!.nodes[0] as NginxDirective).block!.map((d) => (d as NginxDirective).includes);
    assert.deepEqual(includes, [[1, 2], [], [3, 4]]);
  });

  it('reads a file included twice once, and inlines it at both places in the expanded tree', () => {
    const cfg = readNginxConfig(
      'n.conf',
      memoryFs({
        'n.conf': 'http { include h.conf; server { include h.conf; } }',
        'h.conf': 'add_header X-A 1;',
      }),
    );
    assert.equal(cfg.files.length, 2);
    const tree = expandIncludes(cfg);
    const http = tree[0]!;
    assert.deepEqual(
      http.block!.map((d) => (d as NginxDirective).name),
      ['add_header', 'server'],
    );
    const server = http.block![1] as NginxDirective;
    assert.deepEqual(server.block!.map((d) => [(d as NginxDirective).name, d.at.file]), [['add_header', 'h.conf']]);
  });

  it('refuses a missing include, pointing at its argument', () => {
    assert.equal(
      loadError({ 'etc/nginx.conf': 'http {\n    include conf.d/x.conf;\n}\n' }),
      'etc/nginx.conf:2:13: include file not found: conf.d/x.conf',
    );
  });

  it('refuses a missing main file', () => {
    assert.equal(loadError({}, 'nope.conf'), 'nope.conf:1:1: file not found');
    assert.throws(() => readNginxConfig('/nonexistent/cachewarden/nginx.conf'), { message: '/nonexistent/cachewarden/nginx.conf:1:1: file not found' });
  });

  it('refuses include cycles, naming the chain', () => {
    assert.equal(
      loadError({
        'etc/nginx.conf': 'http { include a.conf; }',
        'etc/a.conf': 'include b.conf;',
        'etc/b.conf': '\n  include a.conf;',
      }),
      'etc/b.conf:2:3: include cycle: etc/a.conf → etc/b.conf → etc/a.conf',
    );
    assert.equal(loadError({ 'etc/nginx.conf': 'include nginx.conf;' }), 'etc/nginx.conf:1:1: include cycle: etc/nginx.conf → etc/nginx.conf');
  });

  it('refuses an include with the wrong number of arguments', () => {
    assert.equal(loadError({ 'etc/nginx.conf': 'include a.conf b.conf;' }), 'etc/nginx.conf:1:1: invalid number of arguments in "include" directive (expected one file name or pattern)');
  });

  it('reports a syntax error in an included file with that file name', () => {
    assert.equal(
      loadError({ 'etc/nginx.conf': 'http { include site.conf; }', 'etc/site.conf': 'server {\n  listen 80\n}' }),
      'etc/site.conf:3:1: unexpected "}" (expected ";" or "{")',
    );
  });

  it('refuses binary input (a NUL byte), pointing at it', () => {
    assert.equal(loadError({ 'etc/nginx.conf': 'http {\n  ab\u0000c;\n}' }), 'etc/nginx.conf:2:5: binary data (a NUL byte) in a configuration file (expected text)');
  });

  it('refuses a file over 16 MiB', () => {
    const big = `# ${'x'.repeat(MAX_FILE_BYTES)}\n`;
    assert.equal(loadError({ 'etc/nginx.conf': 'include big.conf;', 'etc/big.conf': big }), `etc/big.conf:1:1: file too large (${MAX_FILE_BYTES + 3} bytes; the limit is 16 MiB)`);
  });

  it('reads the realistic fixture from disk in include order', () => {
    const cfg = readNginxConfig(REALISTIC);
    const rel = cfg.files.map((f) => f.file.slice(cfg.prefix.length + 1));
    assert.deepEqual(rel, [
      'nginx.conf',
      'snippets/mime-types.conf',
      'conf.d/00-default.conf',
      'conf.d/api.conf',
      'conf.d/blog.conf',
      'conf.d/media.conf',
      'conf.d/shop.conf',
      'snippets/tls.conf',
      'snippets/proxy-common.conf',
      'snippets/fastcgi-params.conf',
      'snippets/security-headers.conf',
    ]);
  });
});
