/**
 * `cachewarden lookup`: serve the "am I affected?" page and JSON API from a scope report. People
 * arrive with a signed token from the operator's own login (HS256 JWT, `sub` = user id) and learn
 * their own status, never anyone else's.
 */
import { CwError } from '../../core/errors.ts';
import { RespondSchema } from '../../config/schema.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'lookup',
  summary: 'serve the "am I affected?" page and API from a scope report',
  usage: 'lookup --report <report.json> [--listen host:port]',
  description: `
Serves a small page (GET /) and JSON API (GET /api/status) on which a person learns whether their
data was shown to someone else, possibly exposed, or not affected, with the data items and
times, in Japanese or English (Accept-Language). Your service authenticates the person and sends
them here with a signed token: an HS256 JWT made with respond.lookup.tokenKey (or
CACHEWARDEN_LOOKUP_KEY), \`sub\` = the user id, \`iat\` and \`exp\` set (on the page as ?token=, on
the API as Authorization: Bearer). Forged, expired or too old tokens get 401; every client
address is rate-limited. The identity key must be the one the report was made with.`,
  flags: {
    report: { type: 'string', short: 'r', value: '<file>', description: 'the JSON report written by `scope -o`' },
    listen: { type: 'string', short: 'l', value: '<host:port>', description: 'address to listen on (default respond.lookup.listen, 127.0.0.1:8080)' },
  },
  config: 'optional',
  exitCodes: { 0: 'stopped cleanly', 2: 'usage, config, or unreadable report' },
  examples: ['CACHEWARDEN_LOOKUP_KEY=... cachewarden lookup --report report.json --listen 0.0.0.0:8080'],
  async run({ flags, config, out, signal }) {
    const cfg = config?.config;
    if (!flags.report) throw new CwError('CW_USAGE_BAD_FLAG', 'lookup: pass --report <report.json> (written by `cachewarden scope -o`)');
    const lookup = (cfg?.respond ?? RespondSchema.parse({})).lookup;
    const listen = flags.listen ?? lookup.listen;
    const m = /^(.+):(\d{1,5})$/.exec(listen);
    if (!m || Number(m[2]) > 65535) throw new CwError('CW_USAGE_BAD_FLAG', `lookup: --listen "${listen}" is not host:port, e.g. 127.0.0.1:8080`);
    const identityKey = cfg?.identity.key ?? process.env['CACHEWARDEN_IDENTITY_KEY'];
    if (!identityKey) throw new CwError('CW_CONFIG_MISSING_KEY', 'lookup: no identity key; set identity.key or CACHEWARDEN_IDENTITY_KEY to the key the report was made with');
    const tokenKey = lookup.tokenKey ?? process.env['CACHEWARDEN_LOOKUP_KEY'];
    if (!tokenKey) throw new CwError('CW_CONFIG_MISSING_KEY', 'lookup: no token key; set respond.lookup.tokenKey or CACHEWARDEN_LOOKUP_KEY (the HS256 key your login service signs tokens with)');
    if (tokenKey.length < 32) throw new CwError('CW_CONFIG_INVALID_VALUE', 'lookup: the token key must be at least 32 characters of secret material');
    const { loadReport, startLookup } = await import('../../respond/lookup/index.ts');
    const report = loadReport(flags.report);
    const server = await startLookup({
      report,
      identityKey,
      tokenKey,
      maxAgeMs: lookup.maxAge,
      rateLimit: { max: lookup.rateLimit.max, windowMs: lookup.rateLimit.window },
      host: m[1]!.replace(/^\[(.*)\]$/, '$1'),
      port: Number(m[2]),
      trustProxy: lookup.trustProxy,
      requireAudience: lookup.requireAudience,
    });
    out.stderr(`cachewarden: lookup: serving ${report.people.length} people from ${flags.report} on ${server.url} (Ctrl-C stops)\n`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },
});
