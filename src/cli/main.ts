#!/usr/bin/env node
/**
 * cachewarden CLI entry point: pick the command, parse its flags, load the config,
 * run it, map errors to one line and an exit code.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CwError, isCwError } from '../core/errors.ts';
import { nearest } from '../core/suggest.ts';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { GLOBAL_FLAGS, type Command, type CommandContext, type FlagSpecs, type Output } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { packageVersion } from './version.ts';
import { commandHelp, mainHelp } from './help.ts';

export { packageVersion } from './version.ts';

/**
 * stdout/stderr for a command. A reader that goes away (`cachewarden lab | head`) closes the pipe:
 * further output is dropped, and the command still finishes and cleans up (stops its engines).
 */
function processOutput(): Output {
  const closed = { stdout: false, stderr: false };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      closed[name] = true;
    });
  }
  return {
    stdout: (t) => void (closed.stdout || process.stdout.write(t)),
    stderr: (t) => void (closed.stderr || process.stderr.write(t)),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
}

function parseFlags(cmd: Command<FlagSpecs>, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  const options = { ...GLOBAL_FLAGS, ...cmd.flags } as FlagSpecs;
  const parseOptions: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }> = {};
  for (const [name, spec] of Object.entries(options)) {
    parseOptions[name] = { type: spec.type };
    if (spec.short) parseOptions[name].short = spec.short;
    if (spec.multiple) parseOptions[name].multiple = true;
    if (spec.default !== undefined) parseOptions[name].default = spec.default;
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: parseOptions,
      strict: true,
      allowPositionals: cmd.positionals !== undefined,
    });
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    throw usageError(cmd, e as Error & { code?: string }, Object.keys(options));
  }
}

function usageError(cmd: Command<FlagSpecs>, e: Error & { code?: string }, known: string[]): CwError {
  const hint = `run \`cachewarden ${cmd.name} --help\``;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'(-{1,2}[^' ]+)'/.exec(e.message)?.[1] ?? '?';
    const guess = nearest(flag.replace(/^-+/, ''), known);
    return new CwError('CW_USAGE_BAD_FLAG', `${cmd.name}: unknown option ${flag}${guess ? `; did you mean --${guess}?` : `; ${hint}`}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? 'an option';
    return new CwError('CW_USAGE_BAD_FLAG', `${cmd.name}: ${flag} needs a value; ${hint}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(e.message)?.[1] ?? '';
    return new CwError('CW_USAGE_BAD_FLAG', `${cmd.name}: unexpected argument "${arg}"; ${hint}`);
  }
  return new CwError('CW_USAGE_BAD_FLAG', `${cmd.name}: ${e.message.split('\n')[0]}`);
}

async function resolveConfig(cmd: Command<FlagSpecs>, file: string, explicit: boolean): Promise<LoadedConfig | undefined> {
  if (cmd.config === 'none') return undefined;
  if (cmd.config === 'optional' && !explicit && !existsSync(file)) return undefined;
  return loadConfig(file);
}

export async function run(argv: string[], out: Output = processOutput(), signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0]) return run([rest[0], '--help'], out, signal);
    out.stdout(mainHelp(COMMANDS, packageVersion()));
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    out.stdout(`${packageVersion()}\n`);
    return 0;
  }
  try {
    const cmd = COMMANDS.find((c) => c.name === first);
    if (!cmd) {
      const guess = nearest(first, COMMANDS.map((c) => c.name));
      throw new CwError(
        'CW_USAGE_UNKNOWN_COMMAND',
        `unknown command "${first}"; ${guess ? `did you mean "${guess}"?` : 'run `cachewarden --help` for the list'}`,
      );
    }
    const { values, positionals } = parseFlags(cmd, rest);
    if (values['help'] === true) {
      out.stdout(commandHelp(cmd));
      return 0;
    }
    const explicitConfig = rest.some((a) => a === '--config' || a.startsWith('--config='));
    const config = await resolveConfig(cmd, String(values['config']), explicitConfig);
    const ctx: CommandContext = {
      flags: values as CommandContext['flags'],
      positionals,
      config,
      out,
      signal,
    };
    return await cmd.run(ctx);
  } catch (e) {
    if (isCwError(e)) {
      out.stderr(`cachewarden: ${e.line().split('\n').join('\ncachewarden: ')}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    out.stderr(`cachewarden: internal error: ${err.message}\n`);
    if (process.env['CACHEWARDEN_DEBUG']) out.stderr(`${err.stack ?? ''}\n`);
    else out.stderr('cachewarden: set CACHEWARDEN_DEBUG=1 for the stack trace, and please report it\n');
    return 2;
  }
}

if (import.meta.main) {
  const controller = new AbortController();
  let interrupted = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await run(process.argv.slice(2), processOutput(), controller.signal);
  process.exitCode = code;
}
