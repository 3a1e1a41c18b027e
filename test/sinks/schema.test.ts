import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { AlertsConfigSchema, SINK_CONFIG_SCHEMAS, SinkConfigSchema } from '../../src/sinks/schema.ts';
import { SINK_TYPES } from '../../src/sinks/types.ts';

const DOC = new URL('../../docs/sinks.md', import.meta.url);

function issues(input: unknown): Array<{ path: string; message: string; code: string }> {
  const r = AlertsConfigSchema.safeParse(input);
  assert.ok(!r.success, 'expected the config to be rejected');
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
}

describe('sink config schema', () => {
  it('has one schema per sink type', () => {
    assert.deepEqual(Object.keys(SINK_CONFIG_SCHEMAS).sort(), [...SINK_TYPES].sort());
  });

  it('accepts a minimal config of each type and fills defaults', () => {
    const parsed = AlertsConfigSchema.parse([
      { type: 'console' },
      { type: 'ndjson', path: '/var/log/cw.ndjson' },
      { type: 'webhook', url: 'https://alerts.example.com/cw' },
      { type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
      { type: 'pagerduty', routingKey: '0123456789abcdef0123456789abcdef' },
      { type: 'email', host: 'smtp.example.com', from: 'cw@example.com', to: ['oncall@example.com'] },
      { type: 'teams', url: 'https://prod-1.westus.logic.azure.com/workflows/x?sig=y' },
    ]);
    assert.deepEqual(parsed[0], { type: 'console', stream: 'stderr' });
    assert.equal((parsed[2] as { timeoutMs: number }).timeoutMs, 10_000);
    assert.equal((parsed[4] as { url: string }).url, 'https://events.pagerduty.com/v2/enqueue');
    assert.deepEqual(
      { ...(parsed[5] as object), to: undefined },
      { type: 'email', host: 'smtp.example.com', port: 587, secure: false, from: 'cw@example.com', to: undefined, subjectPrefix: '[cachewarden]', timeoutMs: 10_000 },
    );
  });

  it('rejects unknown keys (strict) and unknown types with a suggestion', () => {
    assert.deepEqual(issues([{ type: 'slack', url: 'https://h/x', channel: '#ops' }]), [{ path: '0', message: 'Unrecognized key: "channel"', code: 'unrecognized_keys' }]);
    const [t] = issues([{ type: 'slak', url: 'https://h/x' }]);
    assert.equal(t!.path, '0.type');
    assert.match(t!.message, /^unknown sink type "slak"; use one of console, ndjson, webhook, slack, pagerduty, email, teams \(did you mean "slack"\?\)$/);
    assert.match(issues([{ url: 'https://h/x' }])[0]!.message, /^each sink needs a type/);
  });

  it('explains bad values without echoing them (a URL may be a secret)', () => {
    const [u] = issues([{ type: 'slack', url: 'hooks.slack.com/services/T0/B0/SECRETPART' }]);
    assert.equal(u!.path, '0.url');
    assert.ok(!u!.message.includes('SECRETPART'));
    assert.match(u!.message, /expected an http\(s\) URL/);
    assert.deepEqual(issues([{ type: 'email', host: 'h', from: 'a@b.c', to: ['x@y.z'], user: 'u' }]).map((i) => i.path), ['0.pass']);
    assert.match(issues([{ type: 'webhook', url: 'https://h/x', headers: { 'Webhook-Signature': 'v1,x' } }])[0]!.message, /cannot be overridden/);
    assert.match(issues([{ type: 'webhook', url: 'https://h/x', secret: 'short' }])[0]!.message, /at least 16 characters/);
    assert.deepEqual(issues([{ type: 'email', host: 'h', from: 'nobody', to: [] }]).map((i) => i.path), ['0.from', '0.to']);
  });

  it('requires unique names', () => {
    assert.deepEqual(issues([{ type: 'console', name: 'ops' }, { type: 'slack', url: 'https://h/x' }, { type: 'ndjson', name: 'ops', path: '/x' }]), [
      { path: '2.name', message: '"ops" is already the name of alerts[0]; give each sink a unique name', code: 'custom' },
    ]);
  });

  it('every key has a description and an example (for the generated config reference)', () => {
    for (const [type, schema] of Object.entries(SINK_CONFIG_SCHEMAS)) {
      for (const [key, child] of Object.entries(schema.shape)) {
        let node: any = child;
        let meta: Record<string, unknown> | undefined;
        while (node && !(meta = node.meta?.())?.['description']) node = node._zod.def.innerType ?? node._zod.def.in;
        assert.ok(meta?.['description'], `${type}.${key} has a description`);
        assert.ok(meta?.['example'] !== undefined, `${type}.${key} has an example`);
      }
    }
  });

  it('docs/sinks.md documents every key of every sink, and its YAML examples are valid', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const [type, schema] of Object.entries(SINK_CONFIG_SCHEMAS)) {
      const start = doc.indexOf(`\n## ${type}\n`);
      assert.ok(start >= 0, `docs/sinks.md has a "## ${type}" section`);
      const end = doc.indexOf('\n## ', start + 1);
      const section = doc.slice(start, end < 0 ? undefined : end);
      for (const key of Object.keys(schema.shape)) assert.ok(section.includes(`\`${key}\``), `## ${type} documents \`${key}\``);
    }
    const env = (name: string) => (name.endsWith('_URL') ? `https://hooks.example.com/${name.toLowerCase()}/x` : `${name.toLowerCase()}-0123456789abcdef0123`);
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.startsWith('alerts:'));
    assert.ok(blocks.length >= 7);
    for (const block of blocks) {
      const expanded = block.replace(/\$\{([A-Z_]+)\}/g, (_m, n: string) => env(n));
      const r = AlertsConfigSchema.safeParse(parseYaml(expanded).alerts);
      assert.ok(r.success, `valid example:\n${block}\n${r.success ? '' : JSON.stringify(r.error.issues)}`);
    }
    // Single sinks parse on their own as well.
    assert.ok(SinkConfigSchema.safeParse({ type: 'console', stream: 'stdout' }).success);
  });
});
