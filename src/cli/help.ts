/** Help text for the command list and for each command. */
import { GLOBAL_FLAGS, type Command, type FlagSpec, type FlagSpecs } from './command.ts';

function flagLine(name: string, spec: FlagSpec): [string, string] {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : '';
  const repeat = spec.multiple ? ' (repeatable)' : '';
  const dflt = spec.default !== undefined && spec.default !== false ? ` (default ${String(spec.default)})` : '';
  return [`  ${short}--${name}${value}`, `${spec.description}${repeat}${dflt}`];
}

function table(rows: Array<[string, string]>): string {
  const width = Math.min(34, Math.max(...rows.map(([a]) => a.length)) + 2);
  return rows.map(([a, b]) => (a.length + 2 > width ? `${a}\n${' '.repeat(width)}${b}` : a.padEnd(width) + b)).join('\n');
}

export function commandHelp(cmd: Command<FlagSpecs>): string {
  const parts = [`Usage: cachewarden ${cmd.usage}`, '', cmd.description.trim()];
  const own = Object.entries(cmd.flags).map(([n, s]) => flagLine(n, s));
  if (own.length > 0) parts.push('', 'Options:', table(own));
  const globals = Object.entries(GLOBAL_FLAGS)
    .filter(([n]) => cmd.config !== 'none' || n !== 'config')
    .map(([n, s]) => flagLine(n, s));
  parts.push('', 'Common options:', table(globals));
  const codes = cmd.exitCodes ?? { 0: 'nothing found', 1: 'findings', 2: 'usage, config or input error' };
  parts.push('', 'Exit codes:', table(Object.entries(codes).map(([c, t]) => [`  ${c}`, t])));
  if (cmd.examples.length > 0) parts.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  return `${parts.join('\n')}\n`;
}

export function mainHelp(commands: ReadonlyArray<Command<FlagSpecs>>, version: string): string {
  return [
    `cachewarden ${version}: keeps personal data out of shared web caches and CDNs.`,
    '',
    'Usage: cachewarden <command> [options]',
    '',
    'Commands:',
    table(commands.map((c) => [`  ${c.name}`, c.summary])),
    '',
    'Every command takes --config <file> (default ./cachewarden.yaml), --json and --help.',
    'Exit codes: 0 nothing found, 1 findings, 2 usage, config or input error.',
    'Run `cachewarden <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}
