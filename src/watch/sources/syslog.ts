/**
 * The syslog sources: `syslog+udp://host:port` (one message per datagram, as nginx sends) and
 * `syslog+tcp://host:port` (RFC 6587 octet counting or newline-delimited framing, detected per
 * frame). Each message's header (RFC 5424 or RFC 3164) is parsed and its MSG part delivered as
 * the line. A frame that is not syslog is counted in `rejected` and not delivered.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { BatchSink, deferred, describeSystemError, emptyStats, inputError, resolveMaxLineBytes } from './common.ts';
import { formatHostPort, parseInput } from './input.ts';
import { parseSyslog, SyslogTcpFramer } from './syslog-parse.ts';
import type { LineSource, SourceBatch, SourceSpec, SourceStats } from './types.ts';

/** Room for the syslog header on top of maxLineBytes when capping a frame. */
const HEADER_ALLOWANCE = 2048;

export function createSyslogSource(spec: SourceSpec): LineSource {
  const p = parseInput(spec.input);
  if (p.kind !== 'syslog-udp' && p.kind !== 'syslog-tcp') throw inputError(spec.input, 'not a syslog address', 'use syslog+udp://host:port or syslog+tcp://host:port');
  return new SyslogSource(spec, p.kind, p.host, p.port);
}

class SyslogSource implements LineSource {
  readonly name: string;
  readonly kind: 'syslog-udp' | 'syslog-tcp';
  readonly done: Promise<void>;

  readonly #input: string;
  readonly #host: string;
  readonly #port: number;
  readonly #max: number;
  readonly #stats: SourceStats = emptyStats();
  readonly #sink: BatchSink;
  readonly #finished = deferred();
  #address: string | undefined;
  #started = false;
  #stopped = false;
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  readonly #conns = new Set<Socket>();
  /** UDP lines waiting for the next turn of the event loop (one batch per burst, not per datagram). */
  #pending: string[] = [];
  #flushScheduled: NodeJS.Immediate | undefined;

  constructor(spec: SourceSpec, kind: 'syslog-udp' | 'syslog-tcp', host: string, port: number) {
    this.name = spec.name ?? spec.input;
    this.kind = kind;
    this.#input = spec.input;
    this.#host = host;
    this.#port = port;
    this.#max = resolveMaxLineBytes(spec.maxLineBytes);
    this.#sink = new BatchSink(this.name, this.#stats);
    this.done = this.#finished.promise;
  }

  get address(): string | undefined {
    return this.#address;
  }

  stats(): Readonly<SourceStats> {
    return { ...this.#stats };
  }

  async start(onBatch: (batch: SourceBatch) => void): Promise<void> {
    if (this.#started) throw new Error(`source ${this.name} was already started`);
    this.#started = true;
    this.#sink.attach(onBatch);
    if (this.kind === 'syslog-udp') await this.#startUdp();
    else await this.#startTcp();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return this.done;
    this.#stopped = true;
    if (this.#flushScheduled) clearImmediate(this.#flushScheduled);
    this.#flush();
    const closing: Promise<void>[] = [];
    if (this.#udp) {
      const udp = this.#udp;
      closing.push(new Promise((resolve) => udp.close(() => resolve())));
      this.#udp = undefined;
    }
    if (this.#tcp) {
      const tcp = this.#tcp;
      for (const c of this.#conns) c.destroy();
      this.#conns.clear();
      closing.push(new Promise((resolve) => tcp.close(() => resolve())));
      this.#tcp = undefined;
    }
    await Promise.all(closing);
    // Let libuv finish closing the handles, so a caller that checks for open handles sees none.
    // (An immediate runs before this loop turn's close callbacks; the second one runs after them.)
    await new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
    this.#sink.detach();
    this.#finished.resolve();
  }

  // ---- one message → one line ---------------------------------------------------------------

  /** Parses a frame and returns its MSG (cut to maxLineBytes), or undefined (rejected or empty). */
  #lineOf(frame: Buffer, cut: boolean): string | undefined {
    const parsed = parseSyslog(frame.toString('utf8'));
    if (!parsed.ok) {
      this.#stats.rejected += 1;
      return undefined;
    }
    let msg = parsed.msg;
    if (msg === '') return undefined;
    if (cut || (msg.length * 3 > this.#max && Buffer.byteLength(msg, 'utf8') > this.#max)) {
      this.#stats.oversized += 1;
      const bytes = Buffer.from(msg, 'utf8');
      if (bytes.length > this.#max) msg = bytes.toString('utf8', 0, this.#max);
    }
    return msg;
  }

  // ---- UDP -------------------------------------------------------------------------------------

  async #startUdp(): Promise<void> {
    const sock = createSocket({ type: isIPv6(this.#host) ? 'udp6' : 'udp4' });
    sock.on('message', (msg) => {
      this.#stats.bytes += msg.length;
      const line = this.#lineOf(msg, false);
      if (line === undefined) return;
      this.#pending.push(line);
      this.#flushScheduled ??= setImmediate(() => {
        this.#flushScheduled = undefined;
        this.#flush();
      });
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        sock.close();
        reject(this.#bindError(e));
      };
      sock.once('error', onError);
      sock.bind(this.#port, this.#host, () => {
        sock.off('error', onError);
        resolve();
      });
    });
    // Receive errors after binding are counted, never fatal.
    sock.on('error', () => {
      this.#stats.errors += 1;
    });
    try {
      sock.setRecvBufferSize(4 * 1024 * 1024); // absorb bursts; the kernel may cap it (net.core.rmem_max)
    } catch {
      // keep the default
    }
    this.#udp = sock;
    const a = sock.address();
    this.#address = `syslog+udp://${formatHostPort(a.address, a.port)}`;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    this.#sink.deliver(lines);
  }

  // ---- TCP -------------------------------------------------------------------------------------

  async #startTcp(): Promise<void> {
    const server = createServer((conn) => this.#accept(conn));
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        server.close();
        reject(this.#bindError(e));
      };
      server.once('error', onError);
      server.listen(this.#port, this.#host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', () => {
      this.#stats.errors += 1;
    });
    this.#tcp = server;
    const a = server.address();
    if (a && typeof a === 'object') this.#address = `syslog+tcp://${formatHostPort(a.address, a.port)}`;
  }

  #accept(conn: Socket): void {
    if (this.#stopped) {
      conn.destroy();
      return;
    }
    this.#conns.add(conn);
    let batch: string[] = [];
    const framer = new SyslogTcpFramer(this.#max + HEADER_ALLOWANCE, (frame, cut) => {
      const line = this.#lineOf(frame, cut);
      if (line !== undefined) batch.push(line);
    });
    conn.on('data', (chunk: Buffer) => {
      this.#stats.bytes += chunk.length;
      framer.push(chunk);
      if (batch.length > 0) {
        const lines = batch;
        batch = [];
        this.#sink.deliver(lines);
      }
    });
    const finish = (): void => {
      if (!this.#conns.delete(conn)) return;
      if (!framer.end()) this.#stats.errors += 1; // an octet-counted frame cut short
      if (batch.length > 0) {
        const lines = batch;
        batch = [];
        this.#sink.deliver(lines);
      }
    };
    conn.on('end', () => {
      finish();
      conn.end();
    });
    conn.on('close', finish);
    conn.on('error', () => {
      this.#stats.errors += 1;
    });
  }

  #bindError(e: Error): Error {
    const code = (e as NodeJS.ErrnoException).code;
    const fix =
      code === 'EADDRINUSE'
        ? 'pick another port or stop what is listening there'
        : code === 'EACCES'
          ? 'ports below 1024 need privileges; use a higher port'
          : 'check the host and port';
    return inputError(this.#input, `cannot listen on ${formatHostPort(this.#host, this.#port)}: ${describeSystemError(e)}`, fix, e);
  }
}
