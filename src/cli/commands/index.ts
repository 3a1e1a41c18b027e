/** The command registry, in the order `--help` lists them. */
import type { Command, FlagSpecs } from '../command.ts';
import config from './config.ts';

export const COMMANDS: ReadonlyArray<Command<FlagSpecs>> = [config as unknown as Command<FlagSpecs>];
