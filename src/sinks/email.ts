/**
 * E-mail sink (SMTP through nodemailer). Plain text only: what happened, where, when, how many
 * identities (keyed hashes), what to do, and sample evidence.
 *
 * Threading: the `opened` message has Message-ID `<cw.<incident id>@<sender domain>>`; updates
 * and the resolution get their own Message-ID and point at it with In-Reply-To and References,
 * and repeat the subject with `Re: `, so mail clients (including ones that thread by subject)
 * keep one conversation per incident. A retry of the same alert reuses its Message-ID.
 */
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { Alert } from '../core/incident.ts';
import { formatText } from './format.ts';
import { Scrubber } from './http.ts';
import type { EmailSinkConfig } from './schema.ts';
import { SinkError, type Sink } from './types.ts';

type Transporter = ReturnType<typeof createTransport>;

/** The incident id as a Message-ID local part (dot-atom), or its SHA-256 when it has other characters. */
function idPart(incidentId: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}$/.test(incidentId) && !incidentId.endsWith('.') && !incidentId.includes('..')
    ? incidentId
    : createHash('sha256').update(incidentId).digest('hex').slice(0, 32);
}

export function senderDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)\s*>?\s*$/.exec(from);
  return m?.[1] ?? 'cachewarden.invalid';
}

export interface EmailThreading {
  messageId: string;
  inReplyTo?: string;
  references?: string;
}

export function emailThreading(alert: Alert, domain: string): EmailThreading {
  const root = `<cw.${idPart(alert.incident.id)}@${domain}>`;
  if (alert.kind === 'opened') return { messageId: root };
  return {
    messageId: `<cw.${idPart(alert.incident.id)}.${alert.kind}.${alert.at}@${domain}>`,
    inReplyTo: root,
    references: root,
  };
}

export function emailSubject(alert: Alert, prefix: string): string {
  const base = `${prefix ? `${prefix} ` : ''}[${alert.incident.severity}] ${alert.incident.title}`.replace(/[\r\n]+/g, ' ');
  return alert.kind === 'opened' ? base : `Re: ${base}`;
}

export function emailText(alert: Alert): string {
  const { title, body } = formatText(alert);
  return [
    title,
    '',
    body,
    '',
    '-- ',
    'Sent by cachewarden. Identities are keyed hashes (HMAC); raw cookies, user ids and page content are never sent.',
    '',
  ].join('\n');
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET']);

export class EmailSink implements Sink {
  readonly type = 'email' as const;
  readonly name: string;
  readonly #config: EmailSinkConfig;
  readonly #transport: Transporter;
  readonly #scrubber: Scrubber;
  readonly #domain: string;

  constructor(config: EmailSinkConfig) {
    this.name = config.name ?? 'email';
    this.#config = config;
    this.#domain = senderDomain(config.from);
    this.#scrubber = new Scrubber([config.pass]);
    this.#transport = createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(config.user !== undefined && config.pass !== undefined ? { auth: { user: config.user, pass: config.pass } } : {}),
      connectionTimeout: config.timeoutMs,
      greetingTimeout: config.timeoutMs,
      socketTimeout: config.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  #where(): string {
    return `SMTP ${this.#config.host}:${this.#config.port}`;
  }

  #error(e: unknown, doing: string): SinkError {
    const err = e as { code?: string; responseCode?: number; message?: string };
    const code = typeof err?.code === 'string' ? err.code : undefined;
    const smtp = typeof err?.responseCode === 'number' ? err.responseCode : undefined;
    let retryable: boolean;
    if (smtp !== undefined) retryable = smtp >= 400 && smtp < 500;
    else if (code === 'EAUTH' || code === 'EMESSAGE' || code === 'EENVELOPE') retryable = false;
    else retryable = code === undefined || RETRYABLE_CODES.has(code) || !code.startsWith('E');
    const detail = (err?.message ?? String(e)).replace(/\s+/g, ' ').trim().slice(0, 200);
    const msg = `${this.#where()} ${doing} failed${code ? ` (${code}${smtp ? ` ${smtp}` : ''})` : ''}: ${detail}`;
    return new SinkError(this.#scrubber.scrub(msg), { retryable });
  }

  async send(alert: Alert): Promise<void> {
    const thread = emailThreading(alert, this.#domain);
    try {
      await this.#transport.sendMail({
        from: this.#config.from,
        to: this.#config.to,
        subject: emailSubject(alert, this.#config.subjectPrefix),
        text: emailText(alert),
        textEncoding: 'quoted-printable',
        date: new Date(alert.at),
        messageId: thread.messageId,
        ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
        ...(thread.references ? { references: thread.references } : {}),
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Cachewarden-Incident': alert.incident.id,
          'X-Cachewarden-Alert': alert.kind,
        },
      });
    } catch (e) {
      throw this.#error(e, 'delivery');
    }
  }

  /** Connects and (when configured) logs in; sends nothing. */
  async healthcheck(): Promise<void> {
    try {
      await this.#transport.verify();
    } catch (e) {
      throw this.#error(e, 'check');
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }

  toJSON(): Record<string, string> {
    return { type: this.type, name: this.name, server: `${this.#config.host}:${this.#config.port}` };
  }
}
