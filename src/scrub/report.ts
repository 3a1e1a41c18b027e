/**
 * How `cachewarden scan` prints: one line per finding (`file:line:col  type  confidence  masked
 * rule`), then a table per type and per file and a closing line; the JSON document for `--json`;
 * and the one-line notes about skipped, unreadable and invalid-UTF-8 files. Only masked values
 * ever appear.
 */
import type { FileFinding, FileSummary, ScanResult, ScanSummary } from './scan.ts';
import { CONFIDENCES, type Confidence, type FindingType } from './types.ts';

const n = (v: number) => v.toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** One finding as a text line. */
export function findingLine(f: FileFinding): string {
  return `${f.file}:${f.line}:${f.column}  ${f.type}  ${f.confidence}  ${f.masked}  ${f.rule}\n`;
}

function byTypeText(byType: Partial<Record<FindingType, number>>): string {
  return Object.entries(byType)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0) || a[0].localeCompare(b[0]))
    .map(([t, c]) => `${t} ${n(c ?? 0)}`)
    .join(', ');
}

/** Findings at or above `threshold`. */
export function countAtLeast(s: ScanSummary, threshold: Confidence): number {
  return CONFIDENCES.slice(CONFIDENCES.indexOf(threshold)).reduce((a, c) => a + s.byConfidence[c], 0);
}

/** The tables after the findings: per type (by confidence) and per file, and a closing line. */
export function summaryText(s: ScanSummary, failOn: Confidence, shown: number): string {
  let out = '';
  if (shown < s.findings) out += `(${n(s.findings - shown)} more finding(s) not listed; the summary counts all)\n`;
  const types = Object.entries(s.byType).sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]));
  if (types.length > 0) {
    const w = Math.max(16, ...types.map(([t]) => t.length)) + 2;
    out += `\n${'findings by type'.padEnd(w)}${'high'.padStart(8)}${'medium'.padStart(8)}${'low'.padStart(8)}${'total'.padStart(8)}\n`;
    for (const [t, c] of types) out += `  ${t.padEnd(w - 2)}${n(c.high).padStart(8)}${n(c.medium).padStart(8)}${n(c.low).padStart(8)}${n(c.total).padStart(8)}\n`;
    const withFindings = s.files.filter((f) => f.findings > 0);
    const fw = Math.max(16, ...withFindings.map((f) => f.file.length)) + 2;
    out += `\n${'findings by file'.padEnd(fw)}${'total'.padStart(8)}\n`;
    for (const f of withFindings) out += `  ${f.file.padEnd(fw - 2)}${n(f.findings).padStart(8)}   ${byTypeText(f.byType)}\n`;
  }
  const extra = [
    s.binary ? `${n(s.binary)} binary file(s) skipped` : '',
    s.invalidUtf8 ? `${n(s.invalidUtf8)} with invalid UTF-8 (replaced, still scanned)` : '',
    s.unreadable ? `${n(s.unreadable)} unreadable` : '',
  ].filter(Boolean);
  out +=
    `\n${n(s.scanned)} file(s) scanned (${n(s.lines)} lines, ${size(s.bytes)})${extra.length ? `, ${extra.join(', ')}` : ''}; ` +
    `${n(s.findings)} finding(s), ${n(countAtLeast(s, failOn))} at or above ${failOn}\n`;
  return out;
}

function list(files: readonly FileSummary[], why = false): string {
  const names = files.slice(0, 5).map((f) => (why && f.why ? `${f.file} (${f.why})` : f.file));
  return names.join(', ') + (files.length > 5 ? ` and ${n(files.length - 5)} more` : '');
}

/** One line each about binary files skipped, files with invalid UTF-8, unreadable files and link loops. */
export function notes(s: ScanSummary): string[] {
  const out: string[] = [];
  const binary = s.files.filter((f) => f.status === 'binary');
  if (binary.length) out.push(`skipped ${n(binary.length)} binary file(s): ${list(binary)}`);
  const invalid = s.files.filter((f) => f.invalidUtf8);
  if (invalid.length) out.push(`${n(invalid.length)} file(s) have invalid UTF-8 (decoded with U+FFFD and scanned): ${list(invalid)}`);
  const unreadable = s.files.filter((f) => f.status === 'unreadable');
  if (unreadable.length) out.push(`could not read ${n(unreadable.length)} file(s): ${list(unreadable, true)}`);
  if (s.loops) out.push(`skipped ${n(s.loops)} directory link(s) that loop back`);
  return out;
}

/** The `--json` document: findings (at most the ones kept), the complete summary and the verdict. */
export function scanJson(r: ScanResult, failOn: Confidence): Record<string, unknown> {
  const atOrAbove = countAtLeast(r.summary, failOn);
  return {
    failOn,
    failed: atOrAbove > 0,
    findings: r.findings,
    notListed: r.dropped,
    summary: { ...r.summary, atOrAboveFailOn: atOrAbove },
  };
}
