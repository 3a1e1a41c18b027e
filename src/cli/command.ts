/**
 * The command contract. A command is thin: it parses flags, gets the loaded config,
 * calls the library, prints, and returns the exit code (0 nothing found, 1 findings,
 * 2 usage, config or input error). No detection logic lives here.
 */
import type { LoadedConfig } from '../config/load.ts';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `<file>`. */
  value?: string;
  default?: string | boolean;
  description: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean | undefined
  : S['multiple'] extends true
    ? string[] | undefined
    : string | undefined;

export type FlagValues<F extends FlagSpecs> = { [K in keyof F]: FlagValue<F[K]> } & {
  config: string;
  json: boolean;
  help: boolean;
};

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout / stderr are terminals (status lines, colour). */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

export interface CommandContext<F extends FlagSpecs = FlagSpecs> {
  flags: FlagValues<F>;
  positionals: string[];
  /** Present when the command's `config` is `required`, or `optional` and the file exists. */
  config: LoadedConfig | undefined;
  out: Output;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal: AbortSignal;
}

export interface Command<F extends FlagSpecs = FlagSpecs> {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line after `cachewarden `. */
  usage: string;
  /** Paragraphs for `--help`. */
  description: string;
  flags: F;
  examples: string[];
  /** Exit codes this command uses, for --help. */
  exitCodes?: Record<number, string>;
  /** `required`: fail without a config file; `optional`: use it when present; `none`: never read it. */
  config: 'required' | 'optional' | 'none';
  /** Whether positionals are accepted (otherwise one is a usage error). */
  positionals?: string;
  run(ctx: CommandContext<F>): Promise<number>;
}

/** Identity helper that keeps the flag types of each command. */
export function defineCommand<F extends FlagSpecs>(c: Command<F>): Command<F> {
  return c;
}

export const GLOBAL_FLAGS = {
  config: {
    type: 'string',
    value: '<file>',
    default: './cachewarden.yaml',
    description: 'config file',
  },
  json: { type: 'boolean', description: 'machine-readable JSON output' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies FlagSpecs;
