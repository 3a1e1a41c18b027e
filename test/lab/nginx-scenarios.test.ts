/** Every lab scenario through the real nginx, and behind the emulator translated from its config (see defineScenarioTests). */
import { defineScenarioTests } from './helpers.ts';

defineScenarioTests('nginx');
