/** Console sink: the title line and the text body of each alert, on stderr (default) or stdout. */
import type { Alert } from '../core/incident.ts';
import type { SinkDeps, TextStream } from './deps.ts';
import { formatText } from './format.ts';
import type { ConsoleSinkConfig } from './schema.ts';
import { SinkError, type Sink } from './types.ts';

export class ConsoleSink implements Sink {
  readonly type = 'console' as const;
  readonly name: string;
  readonly #out: TextStream;

  constructor(config: ConsoleSinkConfig, deps: SinkDeps = {}) {
    this.name = config.name ?? 'console';
    this.#out = config.stream === 'stdout' ? (deps.stdout ?? process.stdout) : (deps.stderr ?? process.stderr);
  }

  async send(alert: Alert): Promise<void> {
    const { title, body } = formatText(alert);
    const indented = body
      .split('\n')
      .map((l) => (l === '' ? '' : `  ${l}`))
      .join('\n');
    try {
      this.#out.write(`cachewarden alert ${title}\n${indented}\n\n`);
    } catch (e) {
      throw new SinkError(`cannot write to ${this.name}: ${(e as Error).message}`, { retryable: false });
    }
  }

  async healthcheck(): Promise<void> {}

  async close(): Promise<void> {}
}
