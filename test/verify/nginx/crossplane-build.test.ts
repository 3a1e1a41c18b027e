/** crossplane's payload shape, rendering back to text (round trip), flattening includes, and `nginx -t` on a flattened copy. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findBinary } from '../../../lab/engines/binaries.ts';
import { bigNginxConfig } from '../../../bench/fixtures/nginx.ts';
import {
  buildNginx,
  crossplaneFailure,
  expandIncludes,
  flattenNginx,
  memoryFs,
  parseNginx,
  readNginxConfig,
  toCrossplane,
  type NginxNode,
} from '../../../src/verify/nginx/index.ts';
import { ConfigParseError } from '../../../src/verify/types.ts';

const REALISTIC = fileURLToPath(new URL('../fixtures/nginx/realistic/nginx.conf', import.meta.url));
const LAB = fileURLToPath(new URL('../../../lab/scenarios/nginx/', import.meta.url));

const SMALL = {
  'nginx.conf': [
    '# main',
    'events { }',
    'http {',
    '    include conf.d/*.conf;',
    '    map $http_authorization $bearer {',
    '        "~*^Bearer\\s+(?<t>\\S+)$" $t;',
    '        default "";',
    '    }',
    '}',
    '',
  ].join('\n'),
  'conf.d/a.conf': [
    'server {',
    '    listen 80; # plain',
    "    add_header X-Q 'it\\'s' always;",
    '    if ($request_method = POST) { return 405; }',
    '}',
    '',
  ].join('\n'),
};

/** A tree without locations, for round-trip comparison. */
function strip(nodes: readonly NginxNode[]): unknown[] {
  return nodes.map((n) =>
    n.type === 'comment'
      ? { c: n.text }
      : { name: n.name, args: n.args, words: n.words.map((w) => [w.value, w.raw, w.quote]), ...(n.block ? { block: strip(n.block) } : {}) },
  );
}

describe('crossplane payload', () => {
  const cfg = readNginxConfig('nginx.conf', memoryFs(SMALL));

  it('has crossplane parse shape: status, errors, config[file, status, errors, parsed], includes as indices', () => {
    assert.deepEqual(toCrossplane(cfg), {
      status: 'ok',
      errors: [],
      config: [
        {
          file: 'nginx.conf',
          status: 'ok',
          errors: [],
          parsed: [
            { directive: 'events', line: 2, args: [], block: [] },
            {
              directive: 'http',
              line: 3,
              args: [],
              block: [
                { directive: 'include', line: 4, args: ['conf.d/*.conf'], includes: [1] },
                {
                  directive: 'map',
                  line: 5,
                  args: ['$http_authorization', '$bearer'],
                  block: [
                    { directive: '~*^Bearer\\s+(?<t>\\S+)$', line: 6, args: ['$t'] },
                    { directive: 'default', line: 7, args: [''] },
                  ],
                },
              ],
            },
          ],
        },
        {
          file: 'conf.d/a.conf',
          status: 'ok',
          errors: [],
          parsed: [
            {
              directive: 'server',
              line: 1,
              args: [],
              block: [
                { directive: 'listen', line: 2, args: ['80'] },
                { directive: 'add_header', line: 3, args: ['X-Q', "it's", 'always'] },
                { directive: 'if', line: 4, args: ['$request_method', '=', 'POST'], block: [{ directive: 'return', line: 4, args: ['405'] }] },
              ],
            },
          ],
        },
      ],
    });
  });

  it('keeps key order directive, line, args, includes, block (as crossplane serializes)', () => {
    const json = JSON.stringify(toCrossplane(cfg).config[0]!.parsed[1]);
    assert.ok(json.startsWith('{"directive":"http","line":3,"args":[],"block":[{"directive":"include","line":4,"args":["conf.d/*.conf"],"includes":[1]}'));
  });

  it('adds comments with comments: true (crossplane --include-comments)', () => {
    const payload = toCrossplane(cfg, { comments: true });
    assert.deepEqual(payload.config[0]!.parsed[0], { directive: '#', line: 1, args: [], comment: ' main' });
    assert.deepEqual(payload.config[1]!.parsed[0]!.block![1], { directive: '#', line: 2, args: [], comment: ' plain' });
  });

  it('unescapes only the enclosing quote in arguments, as crossplane does', () => {
    const p = toCrossplane(readNginxConfig('n.conf', memoryFs({ 'n.conf': String.raw`x "a\"b\\c\n" 'd\'e' f\;g;` })));
    assert.deepEqual(p.config[0]!.parsed[0]!.args, ['a"b\\\\c\\n', "d'e", 'f\\;g']);
  });

  it('describes a failed load the way crossplane reports errors', () => {
    let err: ConfigParseError | undefined;
    try {
      readNginxConfig('n.conf', memoryFs({ 'n.conf': 'http {\n' }));
    } catch (e) {
      err = e as ConfigParseError;
    }
    assert.deepEqual(crossplaneFailure(err!), {
      status: 'failed',
      errors: [{ file: 'n.conf', error: 'unexpected end of file; "http" block opened at line 1 is not closed (expected "}")', line: 1 }],
      config: [{ file: 'n.conf', status: 'failed', errors: [{ error: 'unexpected end of file; "http" block opened at line 1 is not closed (expected "}")', line: 1 }], parsed: [] }],
    });
  });
});

describe('build and flatten', () => {
  it('renders a tree as nginx text, keeping quotes, escapes and same-line comments', () => {
    const nodes = parseNginx("http {\n  add_header X-A 'a b'   always;   # why\n  if ($a ~ \"^x\") { return 403; }\n  log_format j escape=json\n     '{\"a\":\"$a\"}';\n}\n", 't.conf');
    assert.equal(
      buildNginx(nodes),
      ['http {', "    add_header X-A 'a b' always; # why", '    if ($a ~ "^x") {', '        return 403;', '    }', '    log_format j escape=json \'{"a":"$a"}\';', '}', ''].join('\n'),
    );
  });

  it('parse → build → parse gives the same tree for every lab scenario, the realistic fixture and the benchmark config', () => {
    const sources: Array<[string, string]> = [];
    for (const f of readdirSync(LAB).filter((n) => n.endsWith('.conf'))) sources.push([f, readFileSync(join(LAB, f), 'utf8')]);
    for (const f of readNginxConfig(REALISTIC).files) sources.push([f.file, readFileSync(f.file, 'utf8')]);
    const big = bigNginxConfig(2000);
    for (const [name, text] of Object.entries(big.files)) sources.push([name, text]);
    assert.equal(sources.length > 30, true);
    for (const [name, text] of sources) {
      const first = parseNginx(text, name);
      const again = parseNginx(buildNginx(first), name);
      assert.deepEqual(strip(again), strip(first), name);
    }
  });

  it('flattens includes into one file with a "# from" line before each inlined file', () => {
    const cfg = readNginxConfig('nginx.conf', memoryFs({ ...SMALL, 'nginx.conf': SMALL['nginx.conf'].replace('include conf.d/*.conf;', 'include conf.d/*.conf;\n    include none/*.conf;') }));
    assert.equal(
      flattenNginx(cfg),
      [
        '# main',
        'events {',
        '}',
        'http {',
        '    # from conf.d/a.conf',
        '    server {',
        '        listen 80; # plain',
        "        add_header X-Q 'it\\'s' always;",
        '        if ($request_method = POST) {',
        '            return 405;',
        '        }',
        '    }',
        '    # include none/*.conf: no file matched',
        '    map $http_authorization $bearer {',
        '        "~*^Bearer\\s+(?<t>\\S+)$" $t;',
        '        default "";',
        '    }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('a flattened configuration parses to the expanded tree of the original', () => {
    const cfg = readNginxConfig(REALISTIC);
    const dropComments = (nodes: readonly NginxNode[]): NginxNode[] =>
      nodes.filter((n) => n.type === 'directive').map((n) => (n.type === 'directive' && n.block ? { ...n, block: dropComments(n.block) } : n));
    const flat = dropComments(parseNginx(flattenNginx(cfg), 'flat.conf'));
    assert.deepEqual(strip(flat), strip(expandIncludes(cfg)));
    const count = (nodes: readonly NginxNode[]): number => nodes.reduce((n, d) => n + (d.type === 'directive' ? 1 + (d.block ? count(d.block) : 0) : 0), 0);
    assert.equal(count(flat), 281);
  });

  it('nginx -t accepts a flattened copy of the realistic fixture', (t) => {
    const nginx = findBinary('nginx');
    if (!nginx) {
      if (process.env.CI) assert.fail('nginx is not installed, and CI is set: install nginx to run this test');
      t.skip('nginx is not installed');
      return;
    }
    const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
    if (openssl.status !== 0) {
      if (process.env.CI) assert.fail('openssl is needed to make the test certificate');
      t.skip('openssl is not installed (needed for a test certificate)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'cw-nginx-flat-'));
    try {
      for (const sub of ['certs', 'logs', 'temp', 'cache']) mkdirSync(join(dir, sub));
      writeFileSync(join(dir, 'nginx.conf'), flattenNginx(readNginxConfig(REALISTIC)));
      const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=example.test', '-keyout', join(dir, 'certs/example.test.key'), '-out', join(dir, 'certs/example.test.pem')], { encoding: 'utf8' });
      assert.equal(cert.status, 0, cert.stderr);
      const check = spawnSync(nginx, ['-t', '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { encoding: 'utf8', timeout: 15_000 });
      assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
      assert.match(check.stderr, /test is successful/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
