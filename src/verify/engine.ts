/**
 * The verify engine: runs every rule over every loaded configuration. Structural handlers see each
 * model once; route handlers see each personalized route × request variant with the reader's
 * evaluations and the semantics verdicts. Findings are stamped with id, severity (after config
 * overrides) and docs, merged when several routes hit the same line, filtered by inline
 * `cachewarden-disable` comments, and sorted most severe first.
 */
import { readFileSync } from 'node:fs';
import { severityRank, type Severity } from '../core/severity.ts';
import { explain } from '../semantics/index.ts';
import type { Reason, Verdict } from '../semantics/types.ts';
import { docsUrl, formatMessage } from '../core/rule-text.ts';
import { type ExchangeOptions, type FindingInput, type RouteView, type VerifyRuleDefinition, type VerifySettings, REQUEST_VARIANTS, type RequestVariant } from './rules/define.ts';
import { originResponseFor, personalizedRoutes, requestFor } from './routes.ts';
import type { ConfigModelBase, Provenance, RouteEvaluation, TargetKind } from './types.ts';

export interface VerifyFinding {
  rule: string;
  severity: Severity;
  messageId: string;
  message: string;
  kind: TargetKind;
  /** The configuration's display name (main file, or provider target). */
  target: string;
  file: string;
  line: number;
  column: number;
  /** Personalized routes this was found on (route rules), in discovery order. */
  routes: string[];
  related: Provenance[];
  reasons: Reason[];
  fix: string;
  docs: string;
}

export interface VerifyResult {
  findings: VerifyFinding[];
  targets: Array<{ kind: TargetKind; name: string; files: readonly string[] }>;
  /** Exchanges evaluated (route × variant × configuration). */
  exchanges: number;
  /** Findings hidden by inline `cachewarden-disable-…` comments. */
  suppressed: number;
}

export type RuleOverrides = Readonly<Partial<Record<string, 'off' | Severity>>>;

export interface VerifyOptions {
  rules: readonly VerifyRuleDefinition[];
  overrides?: RuleOverrides;
  /** Clock for the origin's Date header (tests). */
  now?: number;
}

const SHARE_RANK: Record<Verdict['sharedAcrossIdentities']['value'], number> = { no: 0, 'collapsing-only': 1, yes: 2 };

/** A RouteView over one model for one URL and variant. */
function makeView(model: ConfigModelBase, settings: VerifySettings, url: string, glob: string, variant: RequestVariant, now: number, opts: ExchangeOptions = {}): RouteView {
  const request = requestFor(url, variant, settings);
  const origin = originResponseFor(url, settings, now);
  if (opts.responseHeaders) {
    const headers = { ...(origin.response.headers as Record<string, string>) };
    for (const [k, v] of Object.entries(opts.responseHeaders)) headers[k.toLowerCase()] = v;
    origin.response = { ...origin.response, headers };
  }
  const evaluations = model.evaluate(request, origin.response);
  const verdicts = new Map<RouteEvaluation, Verdict>();
  const verdict = (e: RouteEvaluation): Verdict => {
    let v = verdicts.get(e);
    if (!v) {
      v = explain(e.request, e.response, { ...e.profile, identity: settings.identity } as typeof e.profile, now);
      verdicts.set(e, v);
    }
    return v;
  };
  const view: RouteView = {
    path: url,
    glob,
    variant,
    request,
    response: origin.response,
    declared: origin.declared,
    declaredAt: origin.at,
    evaluations,
    verdict,
    worst() {
      let best = evaluations[0]!;
      let bestVerdict = verdict(best);
      for (const e of evaluations.slice(1)) {
        const v = verdict(e);
        if (SHARE_RANK[v.sharedAcrossIdentities.value] > SHARE_RANK[bestVerdict.sharedAcrossIdentities.value]) {
          best = e;
          bestVerdict = v;
        }
      }
      return { evaluation: best, verdict: bestVerdict };
    },
    evaluateUrl: (other: string) => makeView(model, settings, other, glob, variant, now, opts),
  };
  return view;
}

/** Inline suppression: `cachewarden-disable-line <id>` on the line, or `cachewarden-disable-next-line <id>` on the line above. */
function suppressionChecker(): (f: VerifyFinding) => boolean {
  const cache = new Map<string, string[] | undefined>();
  const linesOf = (file: string): string[] | undefined => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, 'utf8').split('\n'));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
  const names = (text: string | undefined, marker: string): string[] | undefined => {
    if (!text) return undefined;
    const i = text.indexOf(marker);
    if (i === -1) return undefined;
    const rest = text.slice(i + marker.length).split(' -- ')[0] ?? '';
    return rest.split(/[\s,]+/).filter(Boolean);
  };
  return (f) => {
    const lines = linesOf(f.file);
    if (!lines) return false;
    for (const [text, marker] of [
      [lines[f.line - 1], 'cachewarden-disable-line'],
      [lines[f.line - 2], 'cachewarden-disable-next-line'],
    ] as const) {
      const ids = names(text, marker);
      if (ids && (ids.length === 0 || ids.includes(f.rule))) return true;
    }
    return false;
  };
}

/** Applies a rule to a target kind? */
function applies(rule: VerifyRuleDefinition, kind: TargetKind): boolean {
  return rule.kinds.includes(kind);
}

export function runVerify(models: readonly ConfigModelBase[], settings: VerifySettings, opts: VerifyOptions): VerifyResult {
  const now = opts.now ?? Date.now();
  const overrides = opts.overrides ?? {};
  const byKey = new Map<string, VerifyFinding>();
  let exchanges = 0;

  const routes = personalizedRoutes(settings.personalized);
  for (const model of models) {
    const active = opts.rules.filter((r) => applies(r, model.kind) && overrides[r.id] !== 'off');
    if (active.length === 0) continue;
    const handlers = active.map((rule) => {
      const report = (input: FindingInput) => {
        const severity = (overrides[rule.id] as Severity | undefined) ?? input.severity ?? rule.severity;
        const key = `${rule.id}\u0000${input.at.file}\u0000${input.at.line}\u0000${input.at.column}\u0000${input.messageId}`;
        const existing = byKey.get(key);
        if (existing) {
          if (input.route && !existing.routes.includes(input.route)) existing.routes.push(input.route);
          return;
        }
        const template = (rule.messages as Record<string, string>)[input.messageId];
        if (template === undefined) throw new Error(`${rule.id} reported unknown messageId "${input.messageId}"`);
        byKey.set(key, {
          rule: rule.id,
          severity,
          messageId: input.messageId,
          message: formatMessage(template, input.data),
          kind: model.kind,
          target: model.name,
          file: input.at.file,
          line: input.at.line,
          column: input.at.column,
          routes: input.route ? [input.route] : [],
          related: [...(input.related ?? [])],
          reasons: [...(input.reasons ?? [])],
          fix: rule.docs.fix,
          docs: docsUrl(rule.id),
        });
      };
      return rule.create({ settings, report, exchange: (m, url, variant, opts) => makeView(m, settings, url, url, variant, now, opts) });
    });

    for (const h of handlers) h.config?.(model);

    const routeHandlers = handlers.filter((h) => h.route);
    if (routeHandlers.length === 0) continue;
    // Only the credentials this site uses: no cookie variant without identity cookies, no bearer variant unless Authorization identifies.
    const variants = REQUEST_VARIANTS.filter(
      (v) => (v !== 'cookie' || (settings.identity.cookies ?? []).length > 0) && (v !== 'authorization' || (settings.identity.headers ?? []).some((h) => h.toLowerCase() === 'authorization')),
    );
    for (const { path, glob } of routes) {
      for (const variant of variants) {
        const view = makeView(model, settings, path, glob, variant, now);
        exchanges++;
        for (const h of routeHandlers) h.route!(view, model);
      }
    }
  }

  const suppressed = suppressionChecker();
  const all = [...byKey.values()];
  const findings = all.filter((f) => !suppressed(f));
  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.rule.localeCompare(b.rule),
  );
  return {
    findings,
    targets: models.map((m) => ({ kind: m.kind, name: m.name, files: m.files })),
    exchanges,
    suppressed: all.length - findings.length,
  };
}
