/** nginx variables for a concrete request: map/set/capture values and identity taint. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadNginx, memoryFs, type NginxModel } from '../../../src/verify/nginx/index.ts';
import type { HttpRequestInfo } from '../../../src/semantics/types.ts';

const CONF = `events {}
http {
    map $cookie_sid $logged_in {
        ""      0;
        default 1;
    }
    map $http_authorization $bearer {
        "~*^Bearer\\s+(?<token>\\S+)$"  $token;
        default                          "";
    }
    map $cookie_sid$bearer $who {
        ""      anonymous;
        default "$cookie_sid$bearer";
    }
    map $who $who_kind {
        anonymous anon;
        default   user;
    }
    map $uri $section {
        ~^/(?<first>[a-z]+)/   $first;
        ~*^/X(\\d+)$           x$1;
        /Exact                 exact;
        default                other;
    }
    map $host $tenant {
        hostnames;
        .acme.test   acme;
        *.shop.test  shop;
        media.*      media;
    }
    map $remote_addr $office {
        10.0.0.1 1;
        default  0;
    }
    map $loop_a $loop_b { default $loop_a; }
    map $loop_b $loop_a { default $loop_b; }
    geo $internal { default 0; 10.0.0.0/8 1; }
    map $arg_k $keyed { \\default literal-default; default other; }
    server {
        listen 80;
        server_name a.test;
        set $from_server "s:$request_method";
        location / {
            set $copy $cookie_sid;
            set $flag 0;
            if ($cookie_sid) {
                set $flag 1;
            }
            if ($http_x_mode = debug) {
                set $mode_seen yes;
            }
            proxy_pass http://app;
        }
        location ~ ^/users/(?<user_id>\\d+)/(.*)$ {
            set $rest $2;
            proxy_pass http://app;
        }
    }
}
`;

const m: NginxModel = loadNginx('nginx.conf', memoryFs({ 'nginx.conf': CONF }));
const req = (url: string, headers: Record<string, string> = {}): HttpRequestInfo => ({ method: 'GET', url, headers: { host: 'a.test', ...headers } });
const v = (name: string, r: HttpRequestInfo) => m.variable(name, r);

describe('built-in variables', () => {
  it('cookie, Authorization and Cookie header carry identity; other headers and args do not', () => {
    const r = req('/x?page=2', { cookie: 'sid=s1; theme=dark', authorization: 'Bearer t1', 'x-mode': 'debug' });
    assert.deepEqual(v('cookie_sid', r), { value: 's1', identity: true, derived: true });
    assert.deepEqual(v('http_cookie', r), { value: 'sid=s1; theme=dark', identity: true, derived: true });
    assert.deepEqual(v('http_authorization', r), { value: 'Bearer t1', identity: true, derived: true });
    assert.deepEqual(v('http_x_mode', r), { value: 'debug', identity: false, derived: false });
    assert.deepEqual(v('arg_page', r), { value: '2', identity: false, derived: false });
    assert.deepEqual(v('cookie_missing', r), { value: '', identity: false, derived: false });
  });

  it('$remote_user comes from Basic credentials and carries identity', () => {
    const basic = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
    assert.deepEqual(v('remote_user', req('/', { authorization: basic })), { value: 'alice', identity: true, derived: true });
  });

  it('identity hints decide which cookies count', () => {
    const hinted = loadNginx('nginx.conf', { ...memoryFs({ 'nginx.conf': CONF }), identity: { cookies: ['sid'] } });
    const r = req('/', { cookie: 'sid=s1; theme=dark' });
    assert.equal(hinted.variable('cookie_theme', r).identity, false);
    assert.equal(hinted.variable('cookie_sid', r).identity, true);
  });

  it('values a static reader cannot know are undefined', () => {
    assert.deepEqual(v('remote_addr', req('/')), { value: undefined, identity: false, derived: false });
    assert.deepEqual(v('request_id', req('/')), { value: undefined, identity: false, derived: false });
  });

  it('$uri is normalized, $request_uri is as sent, $host has no port', () => {
    const r = { method: 'GET', url: '/a//b/../c%20d?q=1', headers: { host: 'A.test:8080' } };
    assert.deepEqual(['uri', 'request_uri', 'args', 'is_args', 'host', 'http_host', 'server_port'].map((n) => m.variable(n, r).value), ['/a/c d', '/a//b/../c%20d?q=1', 'q=1', '?', 'a.test', 'A.test:8080', '8080']);
  });
});

describe('map', () => {
  it('a map of a session cookie is derived from identity but does not carry it', () => {
    assert.deepEqual(v('logged_in', req('/', { cookie: 'sid=s1' })), { value: '1', identity: false, derived: true });
    assert.deepEqual(v('logged_in', req('/')), { value: '0', identity: false, derived: false });
  });

  it('a regex capture of an identity source carries identity, and named captures become variables', () => {
    const r = req('/', { authorization: 'Bearer tok-1' });
    assert.deepEqual(v('bearer', r), { value: 'tok-1', identity: true, derived: true });
    const env = m.routes(r)[0]!.env;
    env.get('bearer');
    assert.deepEqual(env.get('token'), { value: 'tok-1', identity: true, derived: true });
  });

  it('map chains keep the taint: a value built from identity carries it, a label chosen by it only derives', () => {
    const r = req('/', { cookie: 'sid=s1' });
    assert.deepEqual(v('who', r), { value: 's1', identity: true, derived: true });
    assert.deepEqual(v('who_kind', r), { value: 'user', identity: false, derived: true });
    assert.deepEqual(v('who', req('/')), { value: 'anonymous', identity: false, derived: false });
    assert.deepEqual(v('who_kind', req('/')), { value: 'anon', identity: false, derived: false });
  });

  it('exact strings (ignoring case) first, then regexes in order with captures, then default; "\\" escapes a special key', () => {
    assert.equal(v('section', req('/exact')).value, 'exact');
    assert.equal(v('section', req('/docs/intro')).value, 'docs');
    assert.equal(v('section', req('/x42')).value, 'x42');
    assert.equal(v('keyed', req('/?k=default')).value, 'literal-default');
    assert.equal(v('keyed', req('/?k=x')).value, 'other');
    assert.equal(v('section', req('/')).value, 'other');
  });

  it('hostnames: leading masks (".acme.test" also matches "acme.test"), then trailing masks', () => {
    const tenant = (host: string) => m.variable('tenant', { method: 'GET', url: '/', headers: { host } }).value;
    assert.deepEqual(['acme.test', 'www.acme.test', 'a.shop.test', 'shop.test', 'media.example', 'other.test'].map(tenant), ['acme', 'acme', 'shop', '', 'media', '']);
  });

  it('a map whose source is unknown takes its default, with an assumption', () => {
    const env = m.routes(req('/'))[0]!.env;
    assert.deepEqual(env.get('office'), { value: '0', identity: false, derived: false });
    assert.deepEqual(
      env.assumptions.map((a) => [a.at.line, a.text]),
      [[31, 'map $remote_addr $office { … }: $remote_addr is unknown to a static reader; the default value assumed']],
    );
  });

  it('geo results are unknown: the default is assumed', () => {
    const env = m.routes(req('/'))[0]!.env;
    assert.deepEqual(env.get('internal'), { value: '0', identity: false, derived: false });
    assert.deepEqual(env.assumptions.map((a) => a.text), ['geo $internal { … }: result unknown to a static reader; default "0" assumed']);
  });

  it('a map cycle evaluates as unknown instead of looping', () => {
    assert.deepEqual(v('loop_a', req('/')), { value: undefined, identity: false, derived: false });
  });
});

describe('set and captures', () => {
  it('set copies taint: a copied cookie carries identity; a flag set inside if ($cookie_sid) only derives', () => {
    const r = req('/', { cookie: 'sid=s1' });
    assert.deepEqual(v('copy', r), { value: 's1', identity: true, derived: true });
    assert.deepEqual(v('flag', r), { value: '1', identity: false, derived: true });
    assert.deepEqual(v('flag', req('/')), { value: '0', identity: false, derived: false });
  });

  it('server-level set runs for every request; a variable set nowhere on the path is empty', () => {
    assert.deepEqual(v('from_server', req('/')), { value: 's:GET', identity: false, derived: false });
    assert.deepEqual(v('mode_seen', req('/')), { value: '', identity: false, derived: false });
    assert.deepEqual(v('mode_seen', req('/', { 'x-mode': 'debug' })), { value: 'yes', identity: false, derived: false });
  });

  it('location regex captures: named ones become variables, positional ones feed $1..$9', () => {
    const r = req('/users/42/orders/7');
    assert.deepEqual(v('user_id', r), { value: '42', identity: false, derived: false });
    assert.deepEqual(v('rest', r), { value: 'orders/7', identity: false, derived: false });
  });

  it('knows where each configuration-defined variable comes from', () => {
    const env = m.routes(req('/users/1/x', { cookie: 'sid=s1' }))[0]!.env;
    assert.deepEqual(
      ['logged_in', 'rest', 'user_id', 'internal', 'from_server', 'uri'].map((n) => {
        const s = env.sourceOf(n);
        return s ? `${s.kind}@${s.directive.at.line}` : 'builtin';
      }),
      ['map@3', 'set@55', 'capture@54', 'geo@37', 'set@42', 'builtin'],
    );
  });
});
