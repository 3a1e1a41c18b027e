/**
 * NDJSON sink: appends each alert as one line of JSON (the Alert object, identities hashed) to a
 * file. The file is opened for each alert, so log rotation needs no signal.
 */
import { constants } from 'node:fs';
import { access, appendFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Alert } from '../core/incident.ts';
import { safeAlert } from './format.ts';
import type { NdjsonSinkConfig } from './schema.ts';
import { SinkError, type Sink } from './types.ts';

/** File-system errors that will not go away by retrying a few seconds later. */
const PERMANENT = new Set(['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'ENOENT', 'ENAMETOOLONG', 'ELOOP']);

export class NdjsonSink implements Sink {
  readonly type = 'ndjson' as const;
  readonly name: string;
  readonly #path: string;

  constructor(config: NdjsonSinkConfig) {
    this.name = config.name ?? 'ndjson';
    this.#path = config.path;
  }

  async send(alert: Alert): Promise<void> {
    const line = `${JSON.stringify(safeAlert(alert))}\n`;
    try {
      await appendFile(this.#path, line, { encoding: 'utf8', flag: 'a', mode: 0o640 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new SinkError(`cannot append to ${this.#path}: ${code}`, { retryable: !PERMANENT.has(code) });
    }
  }

  async healthcheck(): Promise<void> {
    try {
      const st = await stat(this.#path);
      if (!st.isFile()) throw new SinkError(`${this.#path} is not a regular file`, { retryable: false });
      await access(this.#path, constants.W_OK);
    } catch (e) {
      if (e instanceof SinkError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new SinkError(`${this.#path} is not writable (${code ?? 'error'})`, { retryable: false });
      try {
        await access(dirname(this.#path), constants.W_OK);
      } catch (e2) {
        const code2 = (e2 as NodeJS.ErrnoException).code ?? 'error';
        throw new SinkError(`cannot create ${this.#path}: directory ${dirname(this.#path)} is missing or not writable (${code2})`, {
          retryable: false,
        });
      }
    }
  }

  async close(): Promise<void> {}
}
