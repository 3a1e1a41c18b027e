/** Child process for the emulator benchmark: origin + emulator, prints their URLs as JSON, runs until killed. */
import { startOrigin } from '../lab/origin/index.ts';
import { startEmulator } from '../lab/emulator/proxy.ts';

const origin = await startOrigin({ publicDelayMs: 0 });
const emulator = await startEmulator({ origin: origin.url, routes: [{ match: '/*', profile: { id: 'nginx', options: { lock: true } } }] });
process.stdout.write(`${JSON.stringify({ origin: origin.url, emulator: emulator.url })}\n`);
process.on('SIGTERM', () => void Promise.all([emulator.stop(), origin.close()]).then(() => process.exit(0)));
