/**
 * `cachewarden verify --json`: one JSON document with the configurations checked, every finding
 * (rule, severity, file, line, column, message, routes, related lines, semantics reasons, fix,
 * docs) and a summary. Stable field names; consumers use `.findings[]`.
 */
import type { VerifyResult } from '../engine.ts';

export function renderJson(result: VerifyResult): string {
  const bySeverity: Record<string, number> = {};
  for (const f of result.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const doc = {
    version: 1,
    targets: result.targets,
    summary: { findings: result.findings.length, bySeverity, exchanges: result.exchanges, suppressed: result.suppressed },
    findings: result.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      message: f.message,
      messageId: f.messageId,
      kind: f.kind,
      target: f.target,
      routes: f.routes,
      related: f.related.map((r) => ({ file: r.at.file, line: r.at.line, column: r.at.column, option: r.option, text: r.text })),
      reasons: f.reasons.map((r) => ({ rule: r.rule, source: r.source, text: r.text, ...(r.url ? { url: r.url } : {}) })),
      fix: f.fix,
      docs: f.docs,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
