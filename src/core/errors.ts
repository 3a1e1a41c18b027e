/**
 * Stable error codes. Every code is documented in docs/errors.md (a test checks
 * both directions). Codes are never reused; a retired code stays listed as retired.
 */
export const ERROR_CODES = {
  CW_USAGE_UNKNOWN_COMMAND: {
    exit: 2,
    meaning: 'The first argument is not a cachewarden command.',
    fix: 'Run `cachewarden --help` for the list of commands.',
  },
  CW_USAGE_BAD_FLAG: {
    exit: 2,
    meaning: 'A flag is unknown, lacks its value, or has a value of the wrong form.',
    fix: 'Run `cachewarden <command> --help` for the flags it takes.',
  },
  CW_CONFIG_NOT_FOUND: {
    exit: 2,
    meaning: 'The config file named by --config (default ./cachewarden.yaml) does not exist or cannot be read.',
    fix: 'Create it (see docs/config.md) or point --config at it. Commands that can run without one say so in --help.',
  },
  CW_CONFIG_YAML: {
    exit: 2,
    meaning: 'The config file is not valid YAML.',
    fix: 'Fix the syntax at the line and column given.',
  },
  CW_CONFIG_UNKNOWN_KEY: {
    exit: 2,
    meaning: 'The config file has a key the schema does not know (often a typo).',
    fix: 'Use the suggested key, or remove it. docs/config.md lists every key.',
  },
  CW_CONFIG_INVALID_VALUE: {
    exit: 2,
    meaning: 'A config value has the wrong type or is outside its allowed values.',
    fix: 'Use a value of the form the message names. docs/config.md lists every key with its type.',
  },
  CW_CONFIG_MISSING_KEY: {
    exit: 2,
    meaning: 'A key the schema requires is absent.',
    fix: 'Add the key. docs/config.md shows an example.',
  },
  CW_CONFIG_ENV_MISSING: {
    exit: 2,
    meaning: 'A `${NAME}` reference in the config names an environment variable that is not set.',
    fix: 'Export the variable before running, or write `${NAME:-default}` to give a default.',
  },
  CW_INPUT_UNREADABLE: {
    exit: 2,
    meaning: 'An input file or value given on the command line cannot be read or parsed.',
    fix: 'Check the path and its format.',
  },
  CW_PROBE_UNREACHABLE: {
    exit: 2,
    meaning: 'The probe cannot connect to the target: its host name does not resolve, an edge address refuses or does not answer, or the TLS certificate there is not valid for the target name.',
    fix: 'Check probe.target (the URL users reach) and probe.edges (edge IP addresses), and that the site is up; the edge must serve a certificate for the target name.',
  },
  CW_PROBE_LOGIN_FAILED: {
    exit: 2,
    meaning: 'A probe canary account could not log in: the login URL answered with an error or a redirect back to the login page, or gave no session (no cookie, no token at the configured path).',
    fix: 'Check the account\'s login recipe in probe.accounts (url, form or json fields, session) and that its credentials (usually ${ENV} references) are current.',
  },
  CW_LAB_ENGINE_MISSING: {
    exit: 2,
    meaning: 'A lab scenario needs nginx or Varnish, and the binary is not installed.',
    fix: 'Install it (`apt-get install nginx varnish`), or use `--engine emulator`.',
  },
  CW_LAB_ENGINE_FAILED: {
    exit: 2,
    meaning: 'nginx or Varnish refused the scenario config or did not start listening in time.',
    fix: 'The message carries the engine\'s own error output; check the scenario file it names.',
  },
  CW_VERIFY_PARSE: {
    exit: 2,
    meaning: 'verify cannot read or parse a configuration: a syntax error, a missing include, an unknown JSON shape, or a file that is too large or binary. The message gives file:line:column and what was expected there.',
    fix: 'Fix the configuration at the place named (the engine itself would reject it too), or point verify at the right file; `--kind` names the format when it cannot be recognised.',
  },
  CW_VERIFY_FETCH: {
    exit: 2,
    meaning: 'verify --fetch cannot download the live configuration: credentials missing from the environment, the provider API refused them or answered with an error, or it could not be reached.',
    fix: 'Set the provider\'s credential variables (docs/verify.md lists them), check the service/zone/distribution/property id in verify.fetch, and that the token may read it.',
  },
  CW_VERIFY_PROVE: {
    exit: 2,
    meaning: 'verify --prove cannot boot the configuration in a real engine: nginx or Varnish is not installed, rejected the rewritten configuration, or the configuration uses something the lab cannot stand in for.',
    fix: 'Install nginx/varnish, or read the engine\'s message included in the error; docs/verify.md says what --prove rewrites and what it cannot.',
  },
} as const satisfies Record<string, { exit: number; meaning: string; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An expected, user-facing error: printed as one line (`message (CODE)`), never with a
 * stack trace, and mapped to its exit code.
 */
export class CwError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CwError';
    this.code = code;
    this.exitCode = ERROR_CODES[code].exit;
  }

  /** The one line a user sees. */
  line(): string {
    return `${this.message} (${this.code})`;
  }
}

export function isCwError(e: unknown): e is CwError {
  return e instanceof CwError;
}

/** Renders docs/errors.md from ERROR_CODES (a test checks the committed page matches). */
export function renderErrorsReference(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, e]) => `| \`${code}\` | ${e.exit} | ${e.meaning.replace(/\|/g, '\\|')} | ${e.fix.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/errors.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every expected error is printed as one line ending in its code, e.g.',
    '`cachewarden: cachewarden.yaml:1:1 personalised: unknown key; did you mean "personalized"? (CW_CONFIG_UNKNOWN_KEY)`.',
    'Codes are stable and never reused.',
    '',
    '| Code | Exit | Meaning | How to fix |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
