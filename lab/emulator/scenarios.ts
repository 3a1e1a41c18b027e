/**
 * The lab scenarios as the CDN emulator expresses them: each real-engine config file
 * (`lab/scenarios/nginx/<id>.conf`, `lab/scenarios/varnish/<id>.vcl`) translated by hand into
 * per-route semantics profiles. Routes are listed in the order the engine would pick them
 * (nginx: regex locations in file order before the prefix fallbacks; Varnish: the VCL's
 * `if` order). A test runs each translation beside the real engine under the same traffic
 * and checks both give the same verdict.
 */
import type { ScenarioId } from '../scenarios/registry.ts';
import type { NginxOptions, ProfileSpec, VarnishOptions } from '../../src/semantics/types.ts';
import type { EmulatorRoute } from './proxy.ts';

export type EmulatedEngine = 'nginx' | 'varnish';

const nginx = (options: NginxOptions = {}): ProfileSpec => ({ id: 'nginx', options });
const varnish = (options: VarnishOptions = {}): ProfileSpec => ({ id: 'varnish7', options });
const NO_CACHE = nginx({ cache: false });

/** nginx `location ~ ^/($|about$|items/)` and Varnish `req.url ~ "^/($|about$|items/)"`. */
const PUBLIC_PAGES = /^\/($|about$|items\/)/;
const PUBLIC_AND_STATIC = /^\/(static\/|items\/|about$|$)/;
const STATIC_EXT = /\.(css|js|png|jpe?g|gif|svg|ico|woff2?)(\?.*)?$/i;
const WHOLE_SITE = '/*';
/** `if (req.method != "GET" && req.method != "HEAD") { return (pass); }` at the top of custom vcl_recv. */
const VCL_PASS_WRITES: EmulatorRoute = { match: WHOLE_SITE, methods: ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], profile: { id: 'varnish7', options: { recv: 'pass' } } };

export const EMULATED_SCENARIOS: Readonly<Record<ScenarioId, Readonly<Record<EmulatedEngine, readonly EmulatorRoute[]>>>> = {
  S1: {
    nginx: [
      { match: '/static/*', profile: nginx() },
      {
        match: WHOLE_SITE,
        profile: nginx({ ignoreHeaders: ['Cache-Control', 'Expires'], valid: [{ codes: [200], seconds: 1 }], lock: true }),
      },
    ],
    varnish: [
      VCL_PASS_WRITES,
      // vcl_recv returns hash for every GET; vcl_backend_response gives TTL-0 responses 1 s before builtin runs.
      { match: /^\/(mypage|orders|transactions\/|api\/)/, profile: varnish({ recv: 'hash', backendResponse: { ttl: 1, grace: 0, skipBuiltin: true } }) },
      { match: WHOLE_SITE, profile: varnish({ recv: 'hash' }) },
    ],
  },
  S2a: {
    nginx: [
      { match: /^\/(mypage|orders|transactions\/)/, profile: nginx({ ignoreHeaders: ['Cache-Control', 'Expires'], valid: [{ codes: [200], seconds: 600 }] }) },
      { match: '/api/*', profile: NO_CACHE },
      { match: WHOLE_SITE, profile: nginx() },
    ],
    varnish: [
      VCL_PASS_WRITES,
      { match: /^\/(mypage|orders|transactions\/)/, profile: varnish({ recv: 'hash', backendResponse: { ttl: 600, skipBuiltin: true } }) },
      { match: PUBLIC_AND_STATIC, profile: varnish(), stripRequestHeaders: ['cookie'] },
      { match: WHOLE_SITE, profile: varnish() },
    ],
  },
  S2b: {
    nginx: [
      { match: PUBLIC_PAGES, profile: nginx({ ignoreHeaders: ['Set-Cookie'], valid: [{ codes: [200], seconds: 60 }] }) },
      { match: '/static/*', profile: nginx() },
      { match: WHOLE_SITE, profile: NO_CACHE },
    ],
    varnish: [
      VCL_PASS_WRITES,
      { match: '/static/*', profile: varnish(), stripRequestHeaders: ['cookie'] },
      { match: PUBLIC_PAGES, profile: varnish({ recv: 'hash', backendResponse: { skipBuiltin: true } }) },
      { match: WHOLE_SITE, profile: varnish() },
    ],
  },
  S3: {
    nginx: [
      { match: '/api/*', profile: nginx({ valid: [{ codes: [200], seconds: 60 }] }) },
      { match: WHOLE_SITE, profile: nginx() },
    ],
    varnish: [
      VCL_PASS_WRITES,
      { match: '/api/*', profile: varnish({ recv: 'hash' }) },
      { match: PUBLIC_AND_STATIC, profile: varnish(), stripRequestHeaders: ['cookie'] },
      { match: WHOLE_SITE, profile: varnish() },
    ],
  },
  S4: {
    nginx: [{ match: WHOLE_SITE, profile: nginx({ ignoreHeaders: ['Vary'] }) }],
    varnish: [VCL_PASS_WRITES, { match: WHOLE_SITE, profile: varnish({ recv: 'hash', backendResponse: { unsetVary: true } }) }],
  },
  S5: {
    nginx: [
      {
        match: STATIC_EXT,
        profile: nginx({ ignoreHeaders: ['Cache-Control', 'Expires', 'Set-Cookie'], hideHeaders: ['Set-Cookie'], valid: [{ codes: [200], seconds: 86_400 }] }),
      },
      { match: WHOLE_SITE, profile: NO_CACHE },
    ],
    varnish: [
      VCL_PASS_WRITES,
      { match: STATIC_EXT, profile: varnish({ recv: 'hash', backendResponse: { ttl: 86_400, unsetSetCookie: true, skipBuiltin: true } }) },
      { match: WHOLE_SITE, profile: varnish() },
    ],
  },
  S6: {
    nginx: [
      {
        match: /^\/(mypage|orders)/,
        profile: nginx({
          ignoreHeaders: ['Cache-Control', 'Expires'],
          valid: [{ codes: [200], seconds: 1 }],
          useStale: ['updating', 'error', 'timeout', 'http_500', 'http_502', 'http_503', 'http_504'],
          backgroundUpdate: true,
        }),
      },
      { match: '/api/*', profile: NO_CACHE },
      { match: WHOLE_SITE, profile: nginx({ useStale: ['updating', 'error', 'timeout'], backgroundUpdate: true }) },
    ],
    varnish: [
      VCL_PASS_WRITES,
      { match: /^\/(mypage|orders)/, profile: varnish({ recv: 'hash', backendResponse: { ttl: 1, grace: 60, skipBuiltin: true } }) },
      { match: PUBLIC_AND_STATIC, profile: varnish(), stripRequestHeaders: ['cookie'] },
      { match: WHOLE_SITE, profile: varnish() },
    ],
  },
  SAFE: {
    nginx: [
      { match: '/static/*', profile: nginx({ lock: true, hideHeaders: ['Set-Cookie'] }), stripRequestHeaders: ['cookie', 'authorization'] },
      {
        match: PUBLIC_PAGES,
        profile: nginx({ lock: true, hideHeaders: ['Set-Cookie'], useStale: ['updating'], backgroundUpdate: true }),
        stripRequestHeaders: ['cookie', 'authorization'],
      },
      { match: WHOLE_SITE, profile: nginx({ bypass: ['$cookie_sid', '$http_authorization'], noCache: ['$cookie_sid', '$http_authorization'] }) },
    ],
    varnish: [
      VCL_PASS_WRITES,
      { match: PUBLIC_AND_STATIC, profile: varnish(), stripRequestHeaders: ['cookie', 'authorization'] },
      { match: WHOLE_SITE, profile: varnish() },
    ],
  },
};

/** The demo's edge: the whole site behind Fastly's default VCL boilerplate semantics. */
export const FASTLY_DEFAULT: readonly EmulatorRoute[] = [{ match: WHOLE_SITE, profile: { id: 'fastly' } }];
