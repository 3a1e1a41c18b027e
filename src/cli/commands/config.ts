/** `cachewarden config`: validate the config file and print it as the jobs will see it. */
import { stringify } from 'yaml';
import { defineCommand } from '../command.ts';
import { maskedConfig } from '../../config/print.ts';

export default defineCommand({
  name: 'config',
  summary: 'validate cachewarden.yaml and print it with defaults filled in (secrets masked)',
  usage: 'config [--config <file>] [--json]',
  description: `
Loads the config file, checks it against the schema (every problem is one line naming
file:line:column, the key and the fix), and prints the resolved config with defaults
filled in. Values that came from the environment and secrets are masked.`,
  flags: {},
  config: 'required',
  exitCodes: { 0: 'the config is valid', 2: 'the config is missing or invalid (one line per problem)' },
  examples: ['cachewarden config', 'cachewarden config --config prod.yaml --json'],
  async run({ config, flags, out }) {
    const shown = maskedConfig(config!);
    if (flags.json) out.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    else out.stdout(`# ${config!.file}: valid\n${stringify(shown)}`);
    return 0;
  },
});
