/**
 * `cachewarden redact`: a log filter that masks card numbers and personal data and keeps each
 * line's structure (JSON stays JSON). stdin → stdout by default, line by line, so it can sit in a
 * pipeline (`tail -F app.log | cachewarden redact > clean.log`); named files go to stdout; with
 * `--in-place` each file is rewritten atomically with a backup. A one-line summary (counts by type,
 * never a value) goes to stderr.
 */
import { pipeline } from 'node:stream/promises';
import { CwError } from '../../core/errors.ts';
import type { RedactStats } from '../../scrub/stream.ts';
import { MASK_MODES, type MaskMode, type RedactOptions } from '../../scrub/types.ts';
import { defineCommand } from '../command.ts';
import { parseConfidence, parseTypes } from './scan.ts';

const n = (v: number) => v.toLocaleString('en-US');

/** `1,234 line(s), masked 5: card-number 3, email 2` */
export function statsText(s: RedactStats): string {
  const types = Object.entries(s.byType)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0) || a[0].localeCompare(b[0]))
    .map(([t, c]) => `${t} ${n(c ?? 0)}`)
    .join(', ');
  return `${n(s.lines)} line(s), masked ${n(s.masked)}${types ? `: ${types}` : ''}${s.longLines ? `; ${n(s.longLines)} line(s) over 1 MiB redacted in windows` : ''}`;
}

function addStats(a: RedactStats, b: RedactStats): void {
  a.lines += b.lines;
  a.masked += b.masked;
  a.longLines += b.longLines;
  for (const [t, c] of Object.entries(b.byType) as Array<[keyof RedactStats['byType'], number]>) a.byType[t] = (a.byType[t] ?? 0) + c;
}

/** The HMAC key for `--mask hash`: `--key-env NAME`, else CACHEWARDEN_SCRUB_KEY, else identity.key from the config. */
export function resolveKey(keyEnv: string | undefined, configKey: string | undefined, needed: boolean): string | undefined {
  let key: string | undefined;
  let from: string;
  if (keyEnv !== undefined) {
    key = process.env[keyEnv];
    from = `the variable ${keyEnv} (--key-env)`;
    if (key === undefined || key === '') throw new CwError('CW_USAGE_BAD_FLAG', `redact: --key-env ${keyEnv}: the variable is not set; export it with at least 16 characters of secret material`);
  } else if (process.env['CACHEWARDEN_SCRUB_KEY']) {
    key = process.env['CACHEWARDEN_SCRUB_KEY'];
    from = 'CACHEWARDEN_SCRUB_KEY';
  } else {
    key = configKey;
    from = 'identity.key in the config';
  }
  if (key === undefined) {
    if (needed) throw new CwError('CW_CONFIG_MISSING_KEY', 'redact: --mask hash needs a key; set CACHEWARDEN_SCRUB_KEY, pass --key-env <NAME>, or set identity.key in the config (at least 16 characters)');
    return undefined;
  }
  if (key.length < 16) throw new CwError('CW_USAGE_BAD_FLAG', `redact: the key from ${from} is shorter than 16 characters; use at least 16 characters of secret material`);
  return key;
}

function isEpipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'EPIPE' || (e as NodeJS.ErrnoException)?.code === 'ERR_STREAM_DESTROYED';
}

function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

export default defineCommand({
  name: 'redact',
  summary: 'mask card numbers and personal data in logs: stdin → stdout, or files in place',
  usage: 'redact [file...] [--in-place [--backup-suffix .bak | --no-backup]] [--mask bin-last4|last4|full|hash] [--min-confidence <c>] [--type <type>]...',
  description: `
Reads log lines and writes them back with what the scrub detectors find masked, keeping each
line's structure: a JSON line stays valid JSON, a key=value stays parseable, line endings and
everything else stay as they were. Without files it filters stdin to stdout line by line, so it
can sit in a live pipeline; named files (gzip is recognised by its content) are written to stdout
one after another. With --in-place each file is rewritten atomically (a temporary copy, fsync,
rename), a gzip file stays gzip, and the original is kept as <file>.bak (--backup-suffix); that
backup still holds the raw values, so check the result and delete it, or pass --no-backup.

Masks: bin-last4 (card numbers keep BIN + last four, PCI DSS 3.4.1; the default), last4, full,
hash (an HMAC, so equal values stay joinable; the key comes from --key-env <NAME>, else
CACHEWARDEN_SCRUB_KEY, else identity.key in the config). A summary with counts by type goes to
stderr; a raw value is never printed.`,
  flags: {
    'in-place': { type: 'boolean', short: 'i', description: 'rewrite the named files (atomic, keeps a backup)' },
    'backup-suffix': { type: 'string', value: '<suffix>', default: '.bak', description: 'with --in-place: the original is kept as <file><suffix>' },
    'no-backup': { type: 'boolean', description: 'with --in-place: keep no backup of the original' },
    mask: { type: 'string', short: 'm', value: '<mode>', default: 'bin-last4', description: `how values are masked: ${MASK_MODES.join(', ')}` },
    'key-env': { type: 'string', value: '<NAME>', description: 'environment variable holding the HMAC key for --mask hash' },
    'min-confidence': { type: 'string', value: '<low|medium|high>', default: 'medium', description: 'mask findings at or above this confidence' },
    type: { type: 'string', short: 't', multiple: true, value: '<type>', description: 'only these finding types (comma-separated or repeated)' },
  },
  positionals: '[file...]',
  config: 'optional',
  exitCodes: { 0: 'done (whatever was masked)', 2: 'usage or config error, or a file that cannot be read or rewritten' },
  examples: [
    'tail -F /var/log/app/app.log | cachewarden redact > clean.log',
    'cachewarden redact --in-place /var/log/app/payments.log.1.gz',
    'CACHEWARDEN_SCRUB_KEY=... cachewarden redact --mask hash < gateway.log > gateway.hashed.log',
  ],
  async run({ flags, positionals, config, out, signal }) {
    const mask = (flags.mask ?? 'bin-last4') as MaskMode;
    if (!(MASK_MODES as readonly string[]).includes(mask)) throw new CwError('CW_USAGE_BAD_FLAG', `redact: --mask "${flags.mask}" is not one of ${MASK_MODES.join(', ')}`);
    const redactFrom = parseConfidence('redact', 'min-confidence', flags['min-confidence'], 'medium');
    const types = parseTypes('redact', flags.type);
    const key = resolveKey(flags['key-env'], config?.config.identity.key, mask === 'hash');
    const opts: RedactOptions = { mask, redactFrom, ...(types ? { types } : {}), ...(key !== undefined ? { key } : {}) };
    const inPlace = flags['in-place'] === true;
    if (!inPlace && (flags['no-backup'] === true || (flags['backup-suffix'] !== undefined && flags['backup-suffix'] !== '.bak'))) {
      throw new CwError('CW_USAGE_BAD_FLAG', 'redact: --backup-suffix and --no-backup only apply with --in-place');
    }

    if (inPlace) {
      if (positionals.length === 0) throw new CwError('CW_USAGE_BAD_FLAG', 'redact: --in-place needs files to rewrite; name them, or drop --in-place to filter stdin');
      if (positionals.includes('-')) throw new CwError('CW_USAGE_BAD_FLAG', 'redact: --in-place cannot rewrite stdin; drop the -');
      const suffix = flags['no-backup'] === true ? '' : (flags['backup-suffix'] ?? '.bak');
      if (flags['no-backup'] !== true && suffix === '') throw new CwError('CW_USAGE_BAD_FLAG', 'redact: --backup-suffix is empty; give a suffix such as .bak, or pass --no-backup');
      const { redactFileInPlace } = await import('../../scrub/redact-file.ts');
      for (const file of positionals) {
        const r = await redactFileInPlace(file, { ...opts, backupSuffix: suffix });
        out.stderr(`cachewarden: redact: ${file}${r.gzip ? ' (gzip)' : ''}: ${statsText(r.stats)}${r.backup ? `; original kept as ${r.backup}` : ''}\n`);
        if (signal.aborted) break;
      }
      return 0;
    }

    const { createRedactStream } = await import('../../scrub/stream.ts');
    const { openFile, whyNot } = await import('../../scrub/files.ts');
    const total: RedactStats = { lines: 0, masked: 0, byType: {}, longLines: 0 };
    const sources = positionals.length === 0 ? ['-'] : positionals;
    for (const source of sources) {
      const redactor = createRedactStream(opts);
      let input: NodeJS.ReadableStream;
      if (source === '-') input = process.stdin;
      else {
        try {
          input = openFile(source).stream;
        } catch (e) {
          throw new CwError('CW_INPUT_UNREADABLE', `redact: cannot read ${source}: ${whyNot(e)}; check the path`);
        }
      }
      try {
        await pipeline(input, redactor, process.stdout, { end: false, signal });
      } catch (e) {
        addStats(total, redactor.stats);
        if (isEpipe(e) || isAbort(e)) {
          // The reader went away (`| head`) or we were interrupted: stop quietly.
          out.stderr(`cachewarden: redact: ${statsText(total)}\n`);
          return 0;
        }
        throw new CwError('CW_INPUT_UNREADABLE', `redact: cannot read ${source === '-' ? 'stdin' : source}: ${whyNot(e)}; check the input`);
      }
      addStats(total, redactor.stats);
    }
    out.stderr(`cachewarden: redact: ${statsText(total)}\n`);
    return 0;
  },
});
