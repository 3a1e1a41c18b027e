/**
 * `cachewarden/scrub`: keep card numbers and personal data out of logs, as a library.
 *
 *   import { redact, scan } from 'cachewarden/scrub';
 *
 *   redact('paid with 4111 1111 1111 1111');
 *   // → 'paid with 411111******1111' (BIN + last four, PCI DSS 3.4.1; other modes: last4, full, hash)
 *   scan('{"card_number":"5555555555554444"}');
 *   // → [{ rule: 'scrub/card-number', type: 'card-number', confidence: 'high', start: 16, end: 32,
 *   //      masked: '555555******4444', brand: 'mastercard', reason: '…' }]
 *
 *   // Streams, pino, Fastify, Express:
 *   process.stdin.pipe(createRedactStream()).pipe(process.stdout);
 *   const log = pino({ ...scrubPinoOptions() });
 *   const app = Fastify({ logger: scrubFastifyLogger() });
 *   expressApp.use(scrubRequestLog({ logger: log }));
 *
 * A Finding never holds the raw value, only `masked`. See docs/scrub.md.
 */
import { findInText, redactText } from './engine.ts';
import type { Finding, RedactOptions, ScanOptions } from './types.ts';

export * from './types.ts';
export { findInText, redactText } from './engine.ts';
export { createRedactStream } from './stream.ts';
export {
  CREDENTIAL_MASK,
  SENSITIVE_KEYS,
  maskCredential,
  maskSensitiveJson,
  scrubJsonLine,
  scrubValue,
  type ScrubOptions,
} from './integrations/line.ts';
export { scrubbedRequest, scrubHeaders, scrubUrl, type RequestLike, type ScrubbedRequest } from './integrations/http.ts';
export { scrubDestination, scrubPinoOptions, scrubStreamWrite } from './integrations/pino.ts';
export {
  scrubFastify,
  scrubFastifyLogger,
  scrubRequestSerializers,
  type FastifyLoggerConfig,
  type ScrubFastifyLoggerOptions,
  type ScrubFastifyPluginOptions,
} from './integrations/fastify.ts';
export {
  scrubRequestLog,
  type RequestLogRecord,
  type RequestLogTarget,
  type ScrubbedExpressRequest,
  type ScrubRequestLogOptions,
} from './integrations/express.ts';

/** `text` with card numbers and personal data masked (findings at or above `redactFrom`, default `medium`). */
export function redact(text: string, opts?: RedactOptions): string {
  return redactText(text, opts).text;
}

/** What `text` holds, masked: one Finding per value, sorted by offset. */
export function scan(text: string, opts?: ScanOptions): Finding[] {
  return findInText(text, opts);
}
