/**
 * Alert sinks: build them from config and hand them to a Dispatcher.
 *
 *   const dispatcher = createDispatcher(config.alerts);
 *   for (const line of await dispatcher.healthcheck()) log(line);
 *   dispatcher.dispatch(alert);            // never waits
 *   await dispatcher.flush(30_000);        // --once runs and shutdown
 *   await dispatcher.close();
 */
import { ConsoleSink } from './console.ts';
import type { SinkDeps } from './deps.ts';
import { Dispatcher, type DispatcherOptions, type SinkRoute } from './dispatcher.ts';
import { EmailSink } from './email.ts';
import { NdjsonSink } from './ndjson.ts';
import { PagerDutySink } from './pagerduty.ts';
import { SinkConfigSchema, type SinkConfig, type SinkConfigInput } from './schema.ts';
import { SlackSink } from './slack.ts';
import { TeamsSink } from './teams.ts';
import type { Sink } from './types.ts';
import { WebhookSink } from './webhook.ts';

export { Dispatcher, DROP_REASONS } from './dispatcher.ts';
export type { BackoffOptions, DispatchEvent, DispatcherOptions, DropReason, SinkRoute } from './dispatcher.ts';
export type { SinkDeps, TextStream } from './deps.ts';
export { alertTitle, describeAlert, formatText, type AlertView, type FormatOptions } from './format.ts';
export { redactUrl } from './http.ts';
export * from './schema.ts';
export { SINK_TYPES, SinkError, type Sink, type SinkCounters, type SinkType } from './types.ts';
export { ConsoleSink, EmailSink, NdjsonSink, PagerDutySink, SlackSink, TeamsSink, WebhookSink };

/** Validate one sink config (input or already-parsed form) without echoing its values. */
function parseSinkConfig(config: SinkConfigInput | SinkConfig): SinkConfig {
  const result = SinkConfigSchema.safeParse(config);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(sink)'}: ${i.message}`);
  throw new Error(`invalid ${String((config as { type?: unknown }).type ?? 'sink')} sink config: ${lines.join('; ')}`);
}

/** Build one sink. `config.name` (default: the type) becomes the sink's name. */
export function createSink(config: SinkConfigInput | SinkConfig, deps: SinkDeps = {}): Sink {
  const c = parseSinkConfig(config);
  switch (c.type) {
    case 'console':
      return new ConsoleSink(c, deps);
    case 'ndjson':
      return new NdjsonSink(c);
    case 'webhook':
      return new WebhookSink(c, deps);
    case 'slack':
      return new SlackSink(c, deps);
    case 'pagerduty':
      return new PagerDutySink(c, deps);
    case 'email':
      return new EmailSink(c);
    case 'teams':
      return new TeamsSink(c, deps);
  }
}

/**
 * The unique names sinks get: a configured `name` as given (two equal names are an error), and
 * otherwise the type, then `<type>#2`, `<type>#3`, skipping names already taken.
 */
export function sinkNames(configs: ReadonlyArray<{ type: string; name?: string | undefined }>): string[] {
  const taken = new Set<string>();
  for (const c of configs) {
    if (c.name === undefined) continue;
    if (taken.has(c.name)) throw new Error(`two sinks are named "${c.name}"; give each sink a unique name`);
    taken.add(c.name);
  }
  return configs.map((c) => {
    if (c.name !== undefined) return c.name;
    let n = 1;
    let candidate = c.type;
    while (taken.has(candidate)) candidate = `${c.type}#${++n}`;
    taken.add(candidate);
    return candidate;
  });
}

/** Build every configured sink with a unique name, paired with its minSeverity. */
export function createSinks(configs: ReadonlyArray<SinkConfigInput | SinkConfig>, deps: SinkDeps = {}): SinkRoute[] {
  const names = sinkNames(configs);
  return configs.map((config, i) => {
    const sink = createSink({ ...config, name: names[i]! } as SinkConfigInput, deps);
    return config.minSeverity === undefined ? { sink } : { sink, minSeverity: config.minSeverity };
  });
}

/** Sinks from config, behind a Dispatcher. */
export function createDispatcher(
  configs: ReadonlyArray<SinkConfigInput | SinkConfig>,
  options: DispatcherOptions = {},
  deps: SinkDeps = {},
): Dispatcher {
  return new Dispatcher(createSinks(configs, deps), options);
}
