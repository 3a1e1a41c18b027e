/** The command registry, in the order `--help` lists them. */
import type { Command, FlagSpecs } from '../command.ts';
import config from './config.ts';
import explain from './explain.ts';
import lab from './lab.ts';
import lookup from './lookup.ts';
import notices from './notices.ts';
import probe from './probe.ts';
import redact from './redact.ts';
import scan from './scan.ts';
import scope from './scope.ts';
import verify from './verify.ts';
import watch from './watch.ts';

// Each command keeps its own flag types; the registry only needs the common shape.
const asAny = <F extends FlagSpecs>(c: Command<F>) => c as unknown as Command<FlagSpecs>;

export const COMMANDS: ReadonlyArray<Command<FlagSpecs>> = [asAny(verify), asAny(watch), asAny(probe), asAny(scope), asAny(lookup), asAny(notices), asAny(scan), asAny(redact), asAny(explain), asAny(lab), asAny(config)];
