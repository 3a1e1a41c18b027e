/**
 * `cachewarden verify`: check cache and CDN configuration (nginx, VCL, Cloudflare, CloudFront,
 * Akamai; files, snapshot folders, or live with --fetch) for ways a personalized response can be
 * stored, collapsed or served to someone else, with file:line and the fix. `--prove` boots an nginx
 * or Varnish configuration in front of the lab origin and races canary accounts through it.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CwError } from '../../core/errors.ts';
import { atLeast, SEVERITIES, type Severity } from '../../core/severity.ts';
import { nearest } from '../../core/suggest.ts';
import { parseDuration } from '../../config/schema.ts';
import { runVerify, type VerifyResult } from '../../verify/engine.ts';
import { PROVIDERS, type Provider } from '../../verify/fetch/types.ts';
import type { LiveCheck } from '../../verify/live.ts';
import { loadTarget } from '../../verify/load.ts';
import { originModel } from '../../verify/origin.ts';
import { renderJson } from '../../verify/report/json.ts';
import { renderSarif } from '../../verify/report/sarif.ts';
import { renderText, summaryLine } from '../../verify/report/text.ts';
import type { VerifyRuleDefinition, VerifySettings } from '../../verify/rules/define.ts';
import { VERIFY_RULES } from '../../verify/rules/index.ts';
import { makeSettings, settingsFromConfig } from '../../verify/settings.ts';
import { CONFIG_KINDS, ConfigParseError, type ConfigKind, type ConfigModelBase } from '../../verify/types.ts';
import { defineCommand, type Output } from '../command.ts';
import { alertJson, alertText } from './watch.ts';
import { VERSION } from '../version.ts';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const guess = nearest(value, allowed);
  throw new CwError('CW_USAGE_BAD_FLAG', `--${flag}: "${value}" is not one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`);
}

function selectRules(ids: readonly string[] | undefined): VerifyRuleDefinition[] {
  if (!ids || ids.length === 0) return [...VERIFY_RULES];
  return ids.map((id) => {
    const r = VERIFY_RULES.find((x) => x.id === id);
    if (!r) {
      const guess = nearest(id, VERIFY_RULES.map((x) => x.id));
      throw new CwError('CW_USAGE_BAD_FLAG', `--rule: unknown rule "${id}"; ${guess ? `did you mean "${guess}"?` : 'see docs/rules/README.md'}`);
    }
    return r;
  });
}

function render(result: VerifyResult, format: Format, rules: readonly VerifyRuleDefinition[]): string {
  if (format === 'json') return renderJson(result);
  if (format === 'sarif') return renderSarif(result, VERIFY_RULES.filter((r) => rules.includes(r)), { version: VERSION });
  return renderText(result);
}

function emit(out: Output, text: string, file: string | undefined): void {
  if (file) writeFileSync(file, text);
  else out.stdout(text);
}

export default defineCommand({
  name: 'verify',
  summary: 'check cache and CDN configuration for ways personal pages get stored, collapsed or shared',
  usage: 'verify [<file|folder>...] [--fetch <provider>]... [--every <duration>] [--prove] [--format text|json|sarif] [--fail-on <severity>]',
  description: `
Reads nginx configuration (with includes), Varnish or Fastly VCL, Cloudflare cache rules / page
rules / zone settings, CloudFront distribution config and policies, or an Akamai rule tree (files,
or snapshot folders written by --fetch), and asks, for every route in \`personalized:\` with a session
cookie and with a bearer token: what does this configuration do with the response the origin sends
(\`origin.headers\`, or, undeclared, no cache headers at all), and can another user then receive it?
The answer comes from the cache-semantics core with the RFC 9111 section or vendor rule, and each
finding names the file:line of the settings that cause it. Rules also check the configuration's
structure (directives that are wrong wherever they appear). Without files, the declared origin
headers are checked against the CDN in \`profile:\`.

--fetch downloads the live configuration (credentials from environment variables only; see
docs/verify.md), keeps a snapshot, verifies it and prints what changed since the last one; with
--every it repeats and alerts (same sinks as watch) when a change introduces a finding.
--prove boots the given nginx.conf or .vcl in real nginx or Varnish on loopback in front of the lab
origin, races canary accounts through it and reports "leak demonstrated" or "no leak under test".
A finding can be silenced on its line with \`# cachewarden-disable-next-line <rule-id> -- why\`.`,
  flags: {
    kind: { type: 'string', value: '<kind>', description: `what the files are, when it cannot be recognised (${CONFIG_KINDS.join(', ')})` },
    format: { type: 'string', short: 'f', value: '<format>', description: 'text (default), json or sarif' },
    output: { type: 'string', short: 'o', value: '<file>', description: 'write the report to a file instead of stdout (e.g. verify.sarif)' },
    'fail-on': { type: 'string', value: '<severity>', description: 'exit 1 when a finding is at or above this severity (default verify.failOn, high)' },
    rule: { type: 'string', multiple: true, value: '<id>', description: 'run only this rule (repeatable)' },
    personalized: { type: 'string', multiple: true, value: '<glob>', description: 'a personalized route glob, in addition to (or without) cachewarden.yaml' },
    fetch: { type: 'string', multiple: true, value: '<provider>', description: `download and verify the live configuration (${PROVIDERS.join(', ')}), as set in verify.fetch` },
    every: { type: 'string', value: '<duration>', description: 'with --fetch: repeat on this schedule (e.g. 15m) and alert on new findings' },
    prove: { type: 'boolean', description: 'boot each nginx/VCL file in the real engine and race canary accounts through it' },
    crossplane: { type: 'boolean', description: 'print an nginx configuration as crossplane-compatible JSON (includes followed) instead of verifying it' },
    'varnish-version': { type: 'string', value: '<7|8>', description: 'Varnish major version the VCL runs on (default verify.varnishVersion, 7)' },
  },
  config: 'optional',
  positionals: '[<file|folder>...]',
  exitCodes: { 0: 'no finding at or above --fail-on (or no leak demonstrated)', 1: 'findings at or above --fail-on (or a leak demonstrated)', 2: 'unreadable configuration, bad flags, fetch or boot failure' },
  examples: [
    'cachewarden verify deploy/nginx.conf',
    'cachewarden verify default.vcl --varnish-version 8 --format sarif -o verify.sarif',
    'cachewarden verify --fetch cloudflare --fetch cloudfront',
    'cachewarden verify --fetch fastly --every 15m',
    'cachewarden verify --prove deploy/nginx.conf',
    'cachewarden verify --crossplane deploy/nginx.conf > nginx.json',
    'cachewarden verify --personalized "/account*" nginx.conf   # without cachewarden.yaml',
  ],
  async run({ flags, positionals, config, out, signal }) {
    const format: Format = flags.json ? 'json' : oneOf('format', flags.format ?? 'text', FORMATS);
    const failOn: Severity = oneOf('fail-on', flags['fail-on'] ?? config?.config.verify.failOn ?? 'high', SEVERITIES);
    const kind = flags.kind === undefined ? undefined : oneOf('kind', flags.kind, CONFIG_KINDS as readonly ConfigKind[]);
    const varnishRaw = flags['varnish-version'] ?? String(config?.config.verify.varnishVersion ?? 7);
    const varnishVersion = Number(oneOf('varnish-version', varnishRaw, ['7', '8'])) as 7 | 8;
    const rules = selectRules(flags.rule);
    const extra = flags.personalized ?? [];
    const settings: VerifySettings = config ? settingsFromConfig(config, extra) : makeSettings({ personalized: extra });
    const overrides = config?.config.verify.rules ?? {};
    if (settings.personalized.length === 0) {
      out.stderr('cachewarden: verify: no personalized routes (personalized: in cachewarden.yaml, or --personalized): only structural rules run\n');
    }
    const load = { ...(kind ? { kind } : {}), varnishVersion, identity: settings.identity };
    const files = positionals.length > 0 ? positionals : [...(config?.config.verify.files ?? [])];
    const providers = (flags.fetch ?? []).map((p) => oneOf('fetch', p, PROVIDERS));

    if (flags.crossplane) {
      const { readNginxConfig, toCrossplane } = await import('../../verify/nginx/index.ts');
      if (files.length !== 1) throw new CwError('CW_USAGE_BAD_FLAG', '--crossplane: name one nginx.conf');
      try {
        emit(out, `${JSON.stringify(toCrossplane(readNginxConfig(files[0]!), { comments: true }), null, 2)}\n`, flags.output);
      } catch (e) {
        if (e instanceof ConfigParseError) throw new CwError('CW_VERIFY_PARSE', e.message);
        throw e;
      }
      return 0;
    }

    if (flags.prove) {
      if (files.length === 0) throw new CwError('CW_USAGE_BAD_FLAG', '--prove: name the nginx.conf or .vcl file to boot');
      // Loaded on demand: --prove brings in the lab (origin, engines) and the probe.
      const { proveConfig, renderProof } = await import('../../verify/prove.ts');
      let leaked = false;
      for (const file of files) {
        const proof = await proveConfig(file, { settings, varnishVersion, ...(kind ? { kind } : {}), signal });
        leaked ||= proof.leak;
        emit(out, format === 'text' ? renderProof(proof) : `${JSON.stringify(proof, null, 2)}\n`, flags.output);
      }
      return leaked ? 1 : 0;
    }

    if (providers.length > 0) {
      // Loaded on demand: the fetchers, snapshot store and sinks.
      const { alertsFor, checkLive } = await import('../../verify/live.ts');
      const { createSinks, Dispatcher } = await import('../../sinks/index.ts');
      const cfg = config?.config;
      const snapshots = cfg?.verify.snapshots ?? '.cachewarden/verify';
      const every = flags.every === undefined ? undefined : parseDuration(flags.every);
      if (flags.every !== undefined && !(every! > 0)) throw new CwError('CW_USAGE_BAD_FLAG', `--every: "${flags.every}" is not a duration such as 15m`);
      const round = async (): Promise<LiveCheck[]> => {
        const checks: LiveCheck[] = [];
        for (const provider of providers) {
          const opts = cfg?.verify.fetch[provider];
          if (!opts) throw new CwError('CW_CONFIG_MISSING_KEY', `verify.fetch.${provider}: not set in ${config?.file ?? 'cachewarden.yaml'}; add the ${provider} id to fetch (see docs/verify.md)`);
          checks.push(await checkLive({ provider: provider as Provider, fetch: opts as never, root: snapshots, settings, verify: { rules, overrides }, load }));
        }
        return checks;
      };
      const worst = (checks: LiveCheck[]) => checks.some((c) => c.result.findings.some((f) => atLeast(f.severity, failOn)));
      if (every === undefined) {
        const checks = await round();
        for (const c of checks) {
          if (format === 'text') {
            out.stdout(`${c.provider} ${c.snapshot.target}${c.snapshot.version ? ` version ${c.snapshot.version}` : ''}: snapshot ${c.dir}\n`);
            if (c.diff) out.stdout(c.diff.files.length === 0 ? 'unchanged since the previous snapshot\n' : `${c.diff.text()}\n`);
          }
          emit(out, render(c.result, format, rules), flags.output);
        }
        return worst(checks) ? 1 : 0;
      }
      const dispatcher = new Dispatcher(createSinks(cfg?.alerts ?? []));
      const known = new Map();
      let failed = false;
      try {
        while (!signal.aborted) {
          for (const c of await round()) {
            for (const a of alertsFor(c, known, (s) => atLeast(s, failOn), Date.now())) {
              out.stdout(format === 'json' ? `${JSON.stringify(alertJson(a))}\n` : alertText(a));
              dispatcher.dispatch(a);
            }
            if (format === 'text') out.stdout(`${summaryLine(c.result)}\n`);
            failed ||= worst([c]);
          }
          await sleep(every, undefined, { signal }).catch(() => undefined);
        }
      } finally {
        await dispatcher.flush(10_000);
        await dispatcher.close();
      }
      return failed ? 1 : 0;
    }

    const models: ConfigModelBase[] = files.map((f) => loadTarget(f, load));
    if (settings.originHeaders.length > 0) models.push(originModel(settings, config?.file));
    if (models.length === 0) {
      throw new CwError('CW_USAGE_BAD_FLAG', 'verify: nothing to check; name a configuration file or folder, list verify.files, use --fetch, or declare origin.headers');
    }
    const result = runVerify(models, settings, { rules, overrides });
    emit(out, render(result, format, rules), flags.output);
    if (flags.output && format !== 'text') out.stderr(`cachewarden: ${summaryLine(result)}\n`);
    return result.findings.some((f) => atLeast(f.severity, failOn)) ? 1 : 0;
  },
});
