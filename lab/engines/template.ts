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
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './process.ts';
import type { EngineStartOptions } from './types.ts';
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

export interface RenderedRun {
  address: string;
  port: number;
  edge: string;
  accessLog: string;
  vars: TemplateVars;
  /** The rendered main config inside the run's temp dir. */
  configPath: string;
}

/**
 * What both launchers do before starting their engine: resolve the listen address, port and edge
 * id, fill the placeholders, and render the template plus the shared `lab-*<ext>` files (from the
 * engine's scenario dir, overridden by any next to a custom template) into the run's temp dir.
 */
export async function renderRun(opts: {
  engine: 'nginx' | 'varnish';
  start: EngineStartOptions;
  template: string;
  tmp: string;
  sharedDir: string;
  ext: '.conf' | '.vcl';
  configName: string;
}): Promise<RenderedRun> {
  const { start, template, tmp } = opts;
  const address = start.address ?? '127.0.0.1';
  const port = start.port ?? (await freePort(address));
  const edge = start.edge ?? `${opts.engine}-${address}-${port}`;
  assertEdgeId(edge);
  const origin = splitHostPort(start.origin);
  const accessLog = start.accessLog ?? join(tmp, 'access.log');
  const vars: TemplateVars = {
    ...start.vars,
    LISTEN: `${address}:${port}`,
    LISTEN_ADDR: address,
    LISTEN_PORT: String(port),
    ORIGIN: `${origin.host}:${origin.port}`,
    ORIGIN_HOST: origin.host,
    ORIGIN_PORT: String(origin.port),
    ACCESS_LOG: accessLog,
    EDGE: edge,
    TMP: tmp,
  };
  const shared = new Map<string, string>();
  for (const dir of [opts.sharedDir, dirname(template)]) {
    for (const f of readdirSync(dir)) if (f.startsWith('lab-') && f.endsWith(opts.ext)) shared.set(f, join(dir, f));
  }
  for (const [name, file] of shared) writeFileSync(join(tmp, name), renderTemplate(readFileSync(file, 'utf8'), vars, file));
  const configPath = join(tmp, opts.configName);
  writeFileSync(configPath, renderTemplate(readFileSync(template, 'utf8'), vars, template));
  writeFileSync(accessLog, '', { flag: 'a' });
  return { address, port, edge, accessLog, vars, configPath };
}
