/**
 * `cachewarden verify --format sarif`: SARIF 2.1.0 for code-scanning UIs. `rules[]` is the whole
 * verify catalogue in registry order, so each result's `ruleIndex` is the rule's position there;
 * severity maps to `level` (critical/high → error, medium → warning, low/info → note) and to the
 * `security-severity` score code-scanning UIs sort by. Paths are relative to the working directory
 * (`%SRCROOT%`), so results land on the right file in a repository.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Severity } from '../../core/severity.ts';
import type { VerifyResult } from '../engine.ts';
import type { VerifyRuleDefinition } from '../rules/define.ts';

const LEVEL: Record<Severity, Result.level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const SCORE: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
const HOME = 'https://github.com/cachewarden/cachewarden';

function uri(file: string, cwd: string): string {
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  return rel.split('\\').join('/');
}

export function renderSarif(result: VerifyResult, catalogue: readonly VerifyRuleDefinition[], opts: { version: string; cwd?: string }): string {
  const cwd = opts.cwd ?? process.cwd();
  const index = new Map<string, number>(catalogue.map((r, i) => [r.id, i]));
  const rules: ReportingDescriptor[] = catalogue.map((r) => ({
    id: r.id,
    name: r.id.split('/').pop()!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    shortDescription: { text: r.docs.title },
    fullDescription: { text: r.docs.description },
    help: { text: `${r.docs.fix}\n\nSee ${HOME}/blob/main/docs/rules/${r.id.replace(/\//g, '-')}.md`, markdown: `${r.docs.fix}\n\n[Rule documentation](${HOME}/blob/main/docs/rules/${r.id.replace(/\//g, '-')}.md)` },
    helpUri: `${HOME}/blob/main/docs/rules/${r.id.replace(/\//g, '-')}.md`,
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['security', 'cache', ...r.kinds], 'security-severity': SCORE[r.severity], precision: 'high', ...(r.catalogue ? { catalogue: r.catalogue } : {}) },
  }));
  const results: Result[] = result.findings.map((f) => {
    const res: Result = {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: { text: f.routes.length > 0 ? `${f.message} (routes: ${f.routes.join(', ')})` : f.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.file, cwd), uriBaseId: '%SRCROOT%' }, region: { startLine: f.line, startColumn: f.column } } }],
      partialFingerprints: { 'cachewarden/v1': createHash('sha256').update(`${f.rule}\u0000${uri(f.file, cwd)}\u0000${f.messageId}\u0000${f.line}`).digest('hex').slice(0, 32) },
      properties: { severity: f.severity, 'security-severity': SCORE[f.severity], routes: f.routes },
    };
    const ruleIndex = index.get(f.rule);
    if (ruleIndex !== undefined) res.ruleIndex = ruleIndex;
    const related = f.related.filter((r, i, all) => all.findIndex((x) => x.at.file === r.at.file && x.at.line === r.at.line) === i);
    if (related.length > 0) {
      res.relatedLocations = related.map((r, i) => ({
        id: i + 1,
        message: { text: r.text },
        physicalLocation: { artifactLocation: { uri: uri(r.at.file, cwd), uriBaseId: '%SRCROOT%' }, region: { startLine: r.at.line, startColumn: r.at.column } },
      }));
    }
    return res;
  });
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'cachewarden', version: opts.version, semanticVersion: opts.version, informationUri: HOME, rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${cwd.split('\\').join('/').replace(/\/?$/, '/')}` } },
        results,
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
