/**
 * `cachewarden scan`: read logs (files and directories, plain or gzip) and report card numbers and
 * personal data, each with file, line, column, type, confidence and the value masked; a summary per
 * type and per file; exit 1 when a finding at or above `--fail-on` exists.
 */
import { CwError } from '../../core/errors.ts';
import { CONFIDENCES, FINDING_TYPES, type Confidence, type FindingType } from '../../scrub/types.ts';
import { defineCommand } from '../command.ts';

/** `--type` values (repeatable, or comma-separated) checked against the finding types. */
export function parseTypes(command: string, values: readonly string[] | undefined): FindingType[] | undefined {
  if (!values || values.length === 0) return undefined;
  const out: FindingType[] = [];
  for (const v of values.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (!(FINDING_TYPES as readonly string[]).includes(v)) throw new CwError('CW_USAGE_BAD_FLAG', `${command}: --type "${v}" is not one of ${FINDING_TYPES.join(', ')}`);
    if (!out.includes(v as FindingType)) out.push(v as FindingType);
  }
  return out;
}

/** A confidence flag value (low, medium or high). */
export function parseConfidence(command: string, flag: string, value: string | undefined, fallback: Confidence): Confidence {
  if (value === undefined) return fallback;
  if (!(CONFIDENCES as readonly string[]).includes(value)) throw new CwError('CW_USAGE_BAD_FLAG', `${command}: --${flag} "${value}" must be low, medium or high`);
  return value as Confidence;
}

export default defineCommand({
  name: 'scan',
  summary: 'find card numbers and personal data in log files (plain or gzip), masked, with file:line:col',
  usage: 'scan <file|dir|->... [--fail-on low|medium|high] [--type <type>]... [--max-findings <n>] [--json]',
  description: `
Reads log files and directories (walked recursively; gzip is recognised by its content; - reads
stdin) and reports every card number and piece of personal data the scrub detectors find: file,
line, column (in characters), type, confidence, the value masked (card numbers at most BIN + last
four, PCI DSS 3.4.1) and the rule, then a summary per type and per file. Raw values are never
printed. Binary files are skipped and counted; invalid UTF-8 is decoded with U+FFFD and still
scanned; a line longer than 1 MiB is scanned in overlapping windows, so memory stays bounded.

Types: ${FINDING_TYPES.join(', ')}. To mask what scan finds, pipe the log through
\`cachewarden redact\`. docs/scrub.md has the detectors and their confidence.`,
  flags: {
    'fail-on': { type: 'string', value: '<low|medium|high>', default: 'medium', description: 'exit 1 when a finding at or above this confidence exists' },
    type: { type: 'string', short: 't', multiple: true, value: '<type>', description: 'only these finding types (comma-separated or repeated)' },
    'min-confidence': { type: 'string', value: '<low|medium|high>', default: 'low', description: 'leave out findings below this confidence' },
    'max-findings': { type: 'string', value: '<n>', description: 'list at most n findings (the summary still counts all)' },
  },
  positionals: '<file|dir|->...',
  config: 'none',
  exitCodes: { 0: 'no finding at or above --fail-on', 1: 'a finding at or above --fail-on', 2: 'usage error, a named path that cannot be read, or (nothing reaching --fail-on and) a file in a directory that could not be read' },
  examples: [
    'cachewarden scan /var/log/app/',
    'cachewarden scan --fail-on high --type card-number,track-data payments.log.gz',
    'cachewarden scan --json logs/ > findings.json',
    'kubectl logs deploy/checkout | cachewarden scan -',
  ],
  async run({ flags, positionals, out }) {
    const failOn = parseConfidence('scan', 'fail-on', flags['fail-on'], 'medium');
    const minConfidence = parseConfidence('scan', 'min-confidence', flags['min-confidence'], 'low');
    const types = parseTypes('scan', flags.type);
    let max = Infinity;
    if (flags['max-findings'] !== undefined) {
      if (!/^\d+$/.test(flags['max-findings'])) throw new CwError('CW_USAGE_BAD_FLAG', `scan: --max-findings "${flags['max-findings']}" must be a whole number`);
      max = Number(flags['max-findings']);
    }
    if (positionals.length === 0) throw new CwError('CW_USAGE_BAD_FLAG', 'scan: no input; name files or directories to scan (or - for stdin)');

    const { scanFiles } = await import('../../scrub/scan.ts');
    const { countAtLeast, findingLine, notes, scanJson, summaryText } = await import('../../scrub/report.ts');
    let printed = 0;
    const result = await scanFiles(positionals, {
      ...(types ? { types } : {}),
      minConfidence,
      keep: flags.json ? max : 0,
      ...(flags.json
        ? {}
        : {
            onFinding: (f) => {
              if (printed >= max) return;
              printed++;
              out.stdout(findingLine(f));
            },
          }),
    });
    const s = result.summary;
    for (const line of notes(s)) out.stderr(`cachewarden: scan: ${line}\n`);
    if (flags.json) out.stdout(`${JSON.stringify(scanJson(result, failOn), null, 2)}\n`);
    else out.stdout(summaryText(s, failOn, printed));
    if (countAtLeast(s, failOn) > 0) return 1;
    return s.unreadable > 0 ? 2 : 0;
  },
});
