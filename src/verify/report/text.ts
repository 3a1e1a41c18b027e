/**
 * Human output of `cachewarden verify`: findings grouped by severity (critical, high, medium,
 * low), each with file:line:column, the rule id, the message, the routes it was found on, the
 * lines that take part, and the fix; then one summary line.
 */
import { SEVERITIES, type Severity } from '../../core/severity.ts';
import type { VerifyFinding, VerifyResult } from '../engine.ts';

const ORDER = [...SEVERITIES].reverse() as Severity[];

export interface TextOptions {
  /** Show the related lines and the fix under each finding (default true). */
  details?: boolean;
}

function findingBlock(f: VerifyFinding, details: boolean): string[] {
  const out = [`  ${f.file}:${f.line}:${f.column}  ${f.rule}`, `    ${f.message}`];
  if (f.routes.length > 0) out.push(`    routes: ${f.routes.join(', ')}`);
  if (details) {
    const seen = new Set<string>();
    for (const r of f.related) {
      const line = `${r.at.file}:${r.at.line}  ${r.text}`;
      if (seen.has(line)) continue;
      seen.add(line);
      out.push(`    · ${line}`);
    }
    out.push(`    fix: ${f.fix}`);
  }
  return out;
}

export function renderText(result: VerifyResult, opts: TextOptions = {}): string {
  const details = opts.details ?? true;
  const lines: string[] = [];
  for (const sev of ORDER) {
    const group = result.findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    lines.push(`${sev} (${group.length})`);
    for (const f of group) lines.push(...findingBlock(f, details));
    lines.push('');
  }
  lines.push(summaryLine(result));
  return `${lines.join('\n')}\n`;
}

export function countsBySeverity(findings: readonly VerifyFinding[]): string {
  const parts = ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function summaryLine(result: VerifyResult): string {
  const targets = result.targets.map((t) => `${t.kind} ${t.name}`).join('; ');
  const suppressed = result.suppressed > 0 ? `, ${result.suppressed} suppressed inline` : '';
  return `cachewarden verify: ${result.findings.length} finding(s) (${countsBySeverity(result.findings)})${suppressed} in ${targets || 'nothing'}; ${result.exchanges} route exchange(s) checked`;
}
