/** Every lab scenario through the real varnish, and behind the emulator translated from its config (see defineScenarioTests). */
import { defineScenarioTests } from './helpers.ts';

defineScenarioTests('varnish');
