/**
 * `cachewarden verify --prove`: static suspicion becomes a demonstrated fact. The given nginx.conf
 * or Varnish VCL is booted in the real engine on loopback, in front of the lab origin (every
 * upstream and backend rewritten to it; listen, TLS, logs and temp paths rewritten so it runs
 * unprivileged in a temp dir), the origin answers the personalized routes with the declared
 * headers, and two canary accounts run the probe's sequential replay and concurrent collapse race
 * through it. A leak needs evidence: one account's page in the other's response.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CwError } from '../core/errors.ts';
import { ProbeSchema } from '../config/schema.ts';
import { createProber } from '../probe/runner.ts';
import type { ProbeFinding } from '../probe/types.ts';
import type { ProfileId } from '../semantics/types.ts';
import { missingBinaries } from '../../lab/run.ts';
import { startNginx } from '../../lab/engines/nginx.ts';
import { startVarnish } from '../../lab/engines/varnish.ts';
import { EngineConfigError, EngineStartError, type EngineInstance } from '../../lab/engines/types.ts';
import { canaryAccounts, LAB_IDENTITY_KEY, startOrigin, type Origin } from '../../lab/origin/index.ts';
import { recognise } from './load.ts';
import { buildNginx, directiveHead, expandIncludes, readNginxConfig, type NginxDirective, type NginxWord } from './nginx/index.ts';
import { personalizedRoutes } from './routes.ts';
import type { VerifySettings } from './rules/define.ts';
import { ConfigParseError, type ConfigKind } from './types.ts';
import { backendSpans, detectDialect, loadVclSource } from './vcl/index.ts';

export const PROVE_TECHNIQUES = ['probe/cross-identity-replay', 'probe/concurrent-race'] as const;

export interface ProveOptions {
  settings: VerifySettings;
  varnishVersion?: 7 | 8;
  kind?: ConfigKind;
  /** Probe cycles at most (stops at the first leak). Default 3. */
  cycles?: number;
  /** Origin render time for personalized pages, ms (the collapsing window). Default 250. */
  originDelayMs?: number;
  signal?: AbortSignal;
}

export interface Proof {
  file: string;
  engine: 'nginx' | 'varnish';
  leak: boolean;
  verdict: 'leak demonstrated' | 'no leak under test';
  /** The origin's headers on personalized responses during the test. */
  originHeaders: Record<string, string>;
  originHeadersDeclared: boolean;
  routes: string[];
  cycles: number;
  /** What was changed to boot the configuration on loopback. */
  rewrites: string[];
  /** Leaks (with evidence) and, when there is none, what each technique saw. */
  results: Array<{ technique: string; route: string; verdict: ProbeFinding['verdict']; message: string }>;
}

/* ------------------------------------------------------------------ nginx */

function word(value: string, like: NginxWord): NginxWord {
  const quote = /[\s;{}"'#]/.test(value) || value === '' ? '"' : '';
  return { value, raw: quote ? value.replace(/["\\]/g, '\\$&') : value, quote, line: like.line, column: like.column };
}

function directive(name: string, args: readonly string[], like: NginxDirective, block?: NginxDirective[]): NginxDirective {
  const first = like.words[0]!;
  const d: NginxDirective = { type: 'directive', name, args: [...args], words: [word(name, first), ...args.map((a) => word(a, first))], at: like.at };
  if (block) d.block = block;
  return d;
}

const MAIN_DROP = new Set(['user', 'pid', 'daemon', 'master_process', 'error_log', 'load_module', 'worker_processes', 'lock_file', 'working_directory']);
const ANY_DROP = new Set(['access_log', 'error_log', 'ssl_certificate', 'ssl_certificate_key', 'ssl_trusted_certificate', 'ssl_client_certificate', 'ssl_dhparam', 'ssl_stapling', 'ssl_stapling_verify', 'ssl', 'http2', 'http3', 'quic_retry', 'ssl_password_file', 'ssl_crl']);
const TEMP_PATHS = new Set(['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path']);
const CACHE_PATHS = new Set(['proxy_cache_path', 'fastcgi_cache_path', 'uwsgi_cache_path', 'scgi_cache_path']);
const OTHER_PASS = new Set(['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass']);

/** Rewrites an expanded nginx tree to run on loopback in front of the lab origin; notes what changed. */
export function rewriteNginx(tree: readonly NginxDirective[], notes: string[]): NginxDirective[] {
  let caches = 0;
  const upstreams = new Set(tree.flatMap((d) => (d.name === 'http' ? (d.block ?? []) : [])).filter((d): d is NginxDirective => d.type === 'directive' && d.name === 'upstream').map((d) => d.args[0]!));
  const walk = (nodes: readonly NginxDirective[], depth: 'main' | 'http' | 'server' | 'upstream' | 'other'): NginxDirective[] => {
    const out: NginxDirective[] = [];
    let listened = false;
    let upstreamServer = false;
    for (const d of nodes) {
      const at = `${d.at.file}:${d.at.line}`;
      if ((depth === 'main' && MAIN_DROP.has(d.name)) || ANY_DROP.has(d.name) || d.name.startsWith('ssl_')) {
        if (!['access_log', 'error_log', 'worker_processes', 'pid', 'daemon'].includes(d.name)) notes.push(`dropped ${directiveHead(d)} (${at})`);
        continue;
      }
      if (depth === 'server' && d.name === 'listen') {
        if (!listened) out.push(directive('listen', ['{{LISTEN}}'], d));
        notes.push(`${directiveHead(d)} → listen on loopback (${at})`);
        listened = true;
        continue;
      }
      if (depth === 'upstream' && d.name === 'server') {
        if (!upstreamServer) out.push(directive('server', ['{{ORIGIN}}'], d));
        upstreamServer = true;
        notes.push(`upstream ${directiveHead(d)} → the lab origin (${at})`);
        continue;
      }
      if (depth === 'upstream' && ['zone', 'resolve', 'health_check', 'ntlm', 'sticky', 'queue'].includes(d.name)) continue;
      if (CACHE_PATHS.has(d.name)) {
        caches++;
        out.push(directive(d.name, [`{{TMP}}/cache-${caches}`, ...d.args.slice(1)], d));
        continue;
      }
      if (TEMP_PATHS.has(d.name)) {
        out.push(directive(d.name, [`{{TMP}}/${d.name}`], d));
        continue;
      }
      if (d.name === 'proxy_pass' && d.args[0]) {
        const m = /^(https?):\/\/([^/]+)(.*)$/i.exec(d.args[0]);
        if (m && !upstreams.has(m[2]!)) {
          out.push(directive('proxy_pass', [`http://{{ORIGIN}}${m[3]}`], d));
          notes.push(`${directiveHead(d)} → the lab origin (${at})`);
          continue;
        }
        if (m && m[1]!.toLowerCase() === 'https') {
          out.push(directive('proxy_pass', [`http://${m[2]}${m[3]}`], d));
          notes.push(`${directiveHead(d)} → plain HTTP to the lab origin (${at})`);
          continue;
        }
      }
      if (OTHER_PASS.has(d.name)) notes.push(`${directiveHead(d)} is not HTTP: that location cannot reach the lab origin (${at})`);
      if (d.name === 'resolver') continue;
      if (d.block) {
        const inner: typeof depth = d.name === 'http' ? 'http' : d.name === 'server' && depth === 'http' ? 'server' : d.name === 'upstream' ? 'upstream' : 'other';
        out.push({ ...d, block: walk(d.block.filter((n): n is NginxDirective => n.type === 'directive'), inner) });
        continue;
      }
      out.push(d);
    }
    if (depth === 'http') out.push(directive('access_log', ['{{ACCESS_LOG}}'], nodes[0] ?? tree[0]!));
    return out;
  };
  return walk(tree, 'main');
}

/* ------------------------------------------------------------------ VCL */

/** Inlines `include "…";` statements (textual, as VCL does), resolving against the including file's directory. */
function inlineVcl(file: string, seen: Set<string> = new Set()): string {
  const abs = resolve(file);
  if (seen.has(abs)) throw new CwError('CW_VERIFY_PROVE', `${file}: include cycle`);
  seen.add(abs);
  const text = readFileSync(abs, 'utf8');
  return text.replace(/^[ \t]*include\s+"([^"]+)"\s*;/gm, (_m, inc: string) => {
    const path = isAbsolute(inc) ? inc : join(dirname(abs), inc);
    return `# from ${inc}\n${inlineVcl(path, new Set(seen))}`;
  });
}

/** Rewrites every backend to the lab origin and drops health probes; notes what changed. */
export function rewriteVcl(text: string, file: string, notes: string[]): string {
  const model = loadVclSource(text, file, { dialect: 'varnish' });
  let out = text;
  for (const b of [...backendSpans(model)].sort((x, y) => y.start - x.start)) {
    out = `${out.slice(0, b.start)}backend ${b.name} {\n    .host = "{{ORIGIN_HOST}}";\n    .port = "{{ORIGIN_PORT}}";\n}${out.slice(b.end)}`;
    notes.push(`backend ${b.name}${b.host ? ` (${b.host.value}${b.port ? `:${b.port.value}` : ''})` : ''} → the lab origin`);
  }
  return out;
}

/* ------------------------------------------------------------------ run */

function bootError(e: unknown, engine: string): never {
  if (e instanceof EngineConfigError) throw new CwError('CW_VERIFY_PROVE', `${engine} refused the rewritten configuration: ${e.engineMessage.trim().split('\n').slice(0, 3).join(' | ')}`);
  if (e instanceof EngineStartError) throw new CwError('CW_VERIFY_PROVE', e.message.split('\n')[0]!);
  if (e instanceof ConfigParseError) throw new CwError('CW_VERIFY_PARSE', e.message);
  throw e;
}

export async function proveConfig(file: string, opts: ProveOptions): Promise<Proof> {
  const kind = opts.kind ?? recognise(file);
  let engine: 'nginx' | 'varnish';
  if (kind === 'nginx') engine = 'nginx';
  else if (kind === 'vcl' || kind === 'varnish' || kind === 'fastly') {
    engine = 'varnish';
    if (kind === 'fastly') throw new CwError('CW_VERIFY_PROVE', `${file}: Fastly VCL does not run in Varnish; --prove boots nginx and Varnish configurations`);
  } else throw new CwError('CW_VERIFY_PROVE', `${file}: --prove boots nginx .conf and Varnish .vcl files only`);
  const missing = missingBinaries(engine);
  if (missing.length > 0) throw new CwError('CW_VERIFY_PROVE', `${missing.join(', ')} is not installed; --prove runs the configuration in the real engine (apt-get install ${engine})`);

  const settings = opts.settings;
  const routes = personalizedRoutes(settings.personalized).map((r) => r.path);
  if (routes.length === 0) throw new CwError('CW_VERIFY_PROVE', '--prove needs personalized routes (personalized: in cachewarden.yaml, or --personalized)');
  const declared = settings.originHeaders.find((o) => routes.some((r) => new RegExp(`^${o.glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}`).test(r)));
  const originHeaders = { ...(declared?.headers ?? {}) };
  const notes: string[] = [];
  const stage = mkdtempSync(join(tmpdir(), 'cachewarden-prove-'));
  let origin: Origin | undefined;
  let edge: EngineInstance | undefined;
  try {
    let configFile: string;
    let text: string;
    try {
      if (engine === 'nginx') {
        const config = readNginxConfig(file);
        text = buildNginx(rewriteNginx(expandIncludes(config), notes));
      } else {
        const inlined = inlineVcl(file);
        const model = loadVclSource(inlined, file, {});
        if (detectDialect(model.program.decls) === 'fastly') throw new CwError('CW_VERIFY_PROVE', `${file}: Fastly VCL does not run in Varnish; --prove boots nginx and Varnish configurations`);
        text = rewriteVcl(inlined, file, notes);
      }
    } catch (e) {
      return bootError(e, engine);
    }
    configFile = join(stage, engine === 'nginx' ? 'nginx.conf' : 'main.vcl');
    writeFileSync(configFile, text);

    origin = await startOrigin({
      delayMs: opts.originDelayMs ?? 250,
      personalizedHeaderSet: originHeaders,
      sessionCookie: settings.sessionCookie,
      extraPersonalized: settings.personalized,
    });
    try {
      edge = engine === 'nginx' ? await startNginx({ origin: origin.url, configFile }) : await startVarnish({ origin: origin.url, configFile });
    } catch (e) {
      return bootError(e, engine);
    }
    const host = settings.host ?? edge.address;
    const prober = await createProber({
      settings: ProbeSchema.parse({
        target: `http://${host.replace(/:\d+$/, '')}:${edge.port}`,
        edges: [edge.address],
        accounts: canaryAccounts(origin),
        paths: routes,
        publicPaths: [],
        state: ':memory:',
        techniques: [...PROVE_TECHNIQUES],
      }),
      personalized: settings.personalized,
      profile: (engine === 'nginx' ? 'nginx' : opts.varnishVersion === 8 ? 'varnish8' : 'varnish7') as ProfileId,
      identity: { key: LAB_IDENTITY_KEY, cookies: [settings.sessionCookie] },
      techniques: [...PROVE_TECHNIQUES],
    });
    const results: Proof['results'] = [];
    let cycles = 0;
    try {
      const max = opts.cycles ?? 3;
      while (cycles < max && !opts.signal?.aborted) {
        cycles++;
        const c = await prober.cycle(opts.signal);
        results.splice(0, results.length, ...c.findings.map((f) => ({ technique: f.technique, route: f.target, verdict: f.verdict, message: f.message })));
        if (c.findings.some((f) => f.verdict === 'leak')) break;
      }
    } finally {
      await prober.close();
    }
    const leak = results.some((r) => r.verdict === 'leak');
    return {
      file,
      engine,
      leak,
      verdict: leak ? 'leak demonstrated' : 'no leak under test',
      originHeaders,
      originHeadersDeclared: declared !== undefined,
      routes,
      cycles,
      rewrites: notes,
      results: leak ? results.filter((r) => r.verdict === 'leak') : results,
    };
  } finally {
    await edge?.stop();
    await origin?.close();
    rmSync(stage, { recursive: true, force: true });
  }
}

export function renderProof(p: Proof): string {
  const headers = Object.entries(p.originHeaders).map(([k, v]) => `${k}: ${v}`).join(', ') || 'no cache headers';
  const lines = [
    `${p.file}: ${p.verdict.toUpperCase()} (real ${p.engine}, ${p.cycles} cycle(s) of ${PROVE_TECHNIQUES.join(' and ')} on ${p.routes.join(', ')})`,
    `  origin sent on personalized routes: ${headers}${p.originHeadersDeclared ? ' (declared in origin.headers)' : ' (nothing declared: the worst realistic origin)'}`,
  ];
  for (const r of p.results) {
    if (p.leak || r.verdict !== 'ok') lines.push(`  ${r.verdict.toUpperCase().padEnd(4)} ${r.technique} ${r.route}: ${r.message}`);
  }
  if (!p.leak) lines.push(`  every request got its own page (${p.results.length} technique × route results, all ok or risk)`);
  if (p.rewrites.length > 0) lines.push(`  booted with ${p.rewrites.length} rewrite(s) so it runs on loopback: ${p.rewrites.slice(0, 4).join('; ')}${p.rewrites.length > 4 ? '; …' : ''}`);
  return `${lines.join('\n')}\n`;
}
