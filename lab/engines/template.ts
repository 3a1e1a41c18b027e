/**
 * Scenario files are templates: `{{NAME}}` placeholders are replaced when an engine starts.
 *
 * | placeholder        | value                                                          |
 * |--------------------|----------------------------------------------------------------|
 * | `{{LISTEN}}`       | listen address and port, `127.0.0.1:41234`                      |
 * | `{{LISTEN_ADDR}}`  | listen address, `127.0.0.1`                                     |
 * | `{{LISTEN_PORT}}`  | listen port                                                     |
 * | `{{ORIGIN}}`       | origin address and port, `127.0.0.1:40001`                      |
 * | `{{ORIGIN_HOST}}`  | origin address                                                  |
 * | `{{ORIGIN_PORT}}`  | origin port                                                     |
 * | `{{ACCESS_LOG}}`   | absolute path of the access log                                 |
 * | `{{EDGE}}`         | edge id (sent as `X-Served-By`, logged as `edge`)               |
 * | `{{TMP}}`          | the run's private temp dir (cache, temp paths, pid, error log) |
 *
 * Unknown placeholders are an error, so a typo cannot silently produce a broken config.
 */
export const TEMPLATE_PLACEHOLDERS = [
  'LISTEN',
  'LISTEN_ADDR',
  'LISTEN_PORT',
  'ORIGIN',
  'ORIGIN_HOST',
  'ORIGIN_PORT',
  'ACCESS_LOG',
  'EDGE',
  'TMP',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

export type TemplateVars = Record<TemplatePlaceholder, string> & Record<string, string>;

export function renderTemplate(text: string, vars: Readonly<Record<string, string>>, source = 'template'): string {
  return text.replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`${source}: unknown placeholder {{${name}}}`);
    return v;
  });
}

/** Edge ids end up in headers, log formats and config strings: keep them boring. */
export function assertEdgeId(edge: string): void {
  if (!/^[A-Za-z0-9._:@-]{1,64}$/.test(edge)) {
    throw new RangeError(`edge id must match [A-Za-z0-9._:@-]{1,64}, got ${JSON.stringify(edge)}`);
  }
}

export function splitHostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { host: u.hostname, port };
}
