/**
 * The rule catalogue, generated from the rule modules (verify rules, watch detectors, probe techniques):
 * docs/rules/README.md (index) and one page per rule. `npm run docs` writes them; a test fails when they are stale.
 */
import type { CacheEvent } from '../core/event.ts';
import { docsUrl, type DetectorDefinition, type DetectorExample } from '../watch/detectors/define.ts';
import { DETECTORS } from '../watch/detectors/index.ts';
import { TECHNIQUES } from '../probe/techniques/index.ts';
import { SCRUB_RULES, type ScrubExample, type ScrubRule } from '../scrub/rules.ts';
import { findInText } from '../scrub/engine.ts';
import type { TechniqueDefinition } from '../probe/types.ts';
import type { VerifyExample, VerifyRuleDefinition } from '../verify/rules/define.ts';
import { VERIFY_RULES } from '../verify/rules/index.ts';

const short = (h: string | undefined) => (h === undefined ? '—' : h.slice(0, 5));

function eventRow(e: CacheEvent, t0: number): string {
  const cells = [
    `+${e.time - t0} ms`,
    e.edge,
    `${e.method} ${e.url}`,
    String(e.status),
    e.outcome,
    short(e.viewer),
    short(e.owner),
    e.setCookie ? `yes${e.setCookieOwner ? ` (${short(e.setCookieOwner)})` : ''}` : '',
    e.durationMs === undefined ? '' : `${e.durationMs} ms`,
  ];
  return `| ${cells.join(' | ')} |`;
}

function exampleBlock(ex: DetectorExample, kind: 'bad' | 'good'): string {
  const t0 = Math.min(...ex.events.map((e) => e.time));
  const head = kind === 'bad' ? `**Reported** (${(ex.expect ?? []).join(', ')}): ${ex.name}` : `**Not reported:** ${ex.name}`;
  return [
    head,
    '',
    '| time | edge | request | status | outcome | viewer | owner | Set-Cookie | took |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...ex.events.map((e) => eventRow(e, t0)),
    '',
  ].join('\n');
}

export function ruleFile(id: string): string {
  return docsUrl(id);
}

export function renderRulePage(d: DetectorDefinition): string {
  return [
    `# ${d.id}: ${d.docs.title}`,
    '',
    '<!-- Generated from the rule module by `npm run docs`. Do not edit by hand. -->',
    '',
    `Severity: **${d.severity}** · Job: watch · Names owner and viewer: ${d.crossIdentity ? 'yes' : 'no (viewer only)'} · Needs log fields: ${d.needs.map((n) => `\`${n}\``).join(', ')}`,
    '',
    d.docs.description,
    '',
    '## Fix',
    '',
    d.docs.fix,
    '',
    '## Messages',
    '',
    ...Object.entries(d.messages).map(([id, text]) => `- \`${id}\`: ${String(text)}`),
    '',
    '## Examples',
    '',
    'Identities are shown as the first characters of their hashes. Each example is run by the test suite.',
    '',
    ...d.examples.bad.map((ex) => exampleBlock(ex, 'bad')),
    ...d.examples.good.map((ex) => exampleBlock(ex, 'good')),
    '## References',
    '',
    ...d.docs.references.map((r) => `- ${r}`),
    '',
  ].join('\n');
}

const FENCE: Record<string, string> = { nginx: 'nginx', varnish: 'vcl', fastly: 'vcl', cloudflare: 'json', cloudfront: 'json', akamai: 'json', origin: 'yaml' };

function verifyExampleBlock(ex: VerifyExample, kind: 'bad' | 'good'): string {
  const expected = (ex.expect ?? []).map((e) => `${e.messageId} at line ${e.line}`).join(', ');
  const head = kind === 'bad' ? `**Reported** (${expected}): ${ex.name}` : `**Not reported:** ${ex.name}`;
  const settings: string[] = [`personalized: [${(ex.personalized ?? ['/account*']).map((g) => JSON.stringify(g)).join(', ')}]`];
  if (ex.profile) settings.push(`profile: ${ex.profile.id}`);
  if (ex.origin) {
    settings.push('origin:', '  headers:');
    for (const [glob, headers] of Object.entries(ex.origin)) {
      settings.push(`    ${JSON.stringify(glob)}: { ${Object.entries(headers).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`);
    }
  }
  const files = Object.entries(ex.files).flatMap(([name, text]) => [`\`${name}\`:`, '', `\`\`\`${FENCE[ex.kind] ?? ''}`, text.trimEnd(), '```', '']);
  return [head, '', '`cachewarden.yaml`:', '', '```yaml', ...settings, '```', '', ...files].join('\n');
}

export function renderVerifyRulePage(r: VerifyRuleDefinition): string {
  return [
    `# ${r.id}: ${r.docs.title}`,
    '',
    '<!-- Generated from the rule module by `npm run docs`. Do not edit by hand. -->',
    '',
    `Severity: **${r.severity}** · Job: verify · Reads: ${r.kinds.map((k) => `\`${k}\``).join(', ')}${r.catalogue ? ` · Research catalogue: ${r.catalogue}` : ''}`,
    '',
    r.docs.description,
    '',
    '## Fix',
    '',
    r.docs.fix,
    '',
    '## Messages',
    '',
    ...Object.entries(r.messages).map(([id, text]) => `- \`${id}\`: ${String(text)}`),
    '',
    '## Examples',
    '',
    'Each example is run by the test suite: the bad ones must report exactly these findings, the good ones none.',
    '',
    ...r.examples.bad.map((ex) => verifyExampleBlock(ex, 'bad')),
    ...r.examples.good.map((ex) => verifyExampleBlock(ex, 'good')),
    '## References',
    '',
    ...r.docs.references.map((ref) => `- ${ref}`),
    '',
  ].join('\n');
}

export function renderTechniquePage(t: TechniqueDefinition): string {
  return [
    `# ${t.id}: ${t.title}`,
    '',
    '<!-- Generated from the technique module by `npm run docs`. Do not edit by hand. -->',
    '',
    `Job: probe · Runs on: ${t.appliesTo === 'personalized' ? 'each personalized path' : 'each public path'} · A leak is **critical**; a risk from this technique is **${t.riskSeverity}** unless the result says otherwise`,
    '',
    t.docs.description,
    '',
    'A leak needs evidence: another account\'s marker or owner tag, or a stranger\'s data (kept as a hash and field names), in a response. Anything else is a risk or ok.',
    '',
    '## Fix',
    '',
    t.docs.fix,
    '',
    '## References',
    '',
    ...t.docs.references.map((r) => `- ${r}`),
    '',
  ].join('\n');
}

function scrubExampleBlock(ex: ScrubExample): string {
  const found = findInText(ex.text);
  const what = found.length === 0 ? 'nothing' : found.map((f) => `${f.type} (${f.confidence}) → \`${f.masked}\``).join(', ');
  return ['```text', ex.text, '```', '', `Finds: ${what}.`, ''].join('\n');
}

export function renderScrubRulePage(r: ScrubRule): string {
  return [
    `# ${r.id}: ${r.docs.title}`,
    '',
    '<!-- Generated from the rule module by `npm run docs`. Do not edit by hand. -->',
    '',
    `Job: scrub (\`scan\`, \`redact\`, the library and the logger plug-ins) · Finding type: \`${r.type}\``,
    '',
    r.docs.description,
    '',
    '## Found',
    '',
    ...r.examples.bad.map(scrubExampleBlock),
    '## Not found',
    '',
    ...r.examples.good.map(scrubExampleBlock),
    '## Fix',
    '',
    r.docs.fix,
    '',
    '## References',
    '',
    ...r.docs.references.map((ref) => `- ${ref}`),
    '',
  ].join('\n');
}

export function renderRuleIndex(): string {
  return [
    '# Rule catalogue',
    '',
    '<!-- Generated from the rule modules by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every check cachewarden runs is a rule module with a stable id, a severity, docs and fix advice,',
    'and its tests. Verify and watch rules can be turned off or given another severity in the config',
    '(`verify.rules`, `watch.rules`); probe techniques can be chosen with `probe.techniques` or `--technique`.',
    'A verify finding can be silenced on one line with a comment naming the rule and why:',
    '`# cachewarden-disable-next-line verify/nginx/key-missing-host -- one server per zone here`.',
    '',
    '## verify (cache and CDN configuration)',
    '',
    '| Rule | Severity | Reads | What it catches |',
    '| --- | --- | --- | --- |',
    ...VERIFY_RULES.map((r) => `| [\`${r.id}\`](${ruleFile(r.id).replace(/^docs\/rules\//, '')}) | ${r.severity} | ${r.kinds.length > 3 ? 'every configuration' : r.kinds.join(', ')} | ${r.docs.title} |`),
    '',
    '## watch (live and replayed access logs)',
    '',
    '| Rule | Severity | What it catches |',
    '| --- | --- | --- |',
    ...DETECTORS.map((d) => `| [\`${d.id}\`](${ruleFile(d.id).replace(/^docs\/rules\//, '')}) | ${d.severity} | ${d.docs.title} |`),
    '',
    '## probe (canary accounts from outside)',
    '',
    'A leak is always critical; the severity below is that of a risk from the technique.',
    '',
    '| Technique | Risk severity | What it does |',
    '| --- | --- | --- |',
    ...TECHNIQUES.map((t) => `| [\`${t.id}\`](${ruleFile(t.id).replace(/^docs\/rules\//, '')}) | ${t.riskSeverity} | ${t.title} |`),
    '',
    '## scrub (card numbers and personal data in logs)',
    '',
    'Each finding has a confidence (low, medium, high); `scan --fail-on` and `redact --min-confidence` choose the threshold.',
    '',
    '| Rule | Finding type | What it finds |',
    '| --- | --- | --- |',
    ...SCRUB_RULES.map((r) => `| [\`${r.id}\`](${ruleFile(r.id).replace(/^docs\/rules\//, '')}) | ${r.type} | ${r.docs.title} |`),
    '',
  ].join('\n');
}

/** Generated pages: path → content. */
export function ruleDocs(): Record<string, string> {
  const out: Record<string, string> = { 'docs/rules/README.md': renderRuleIndex() };
  for (const r of VERIFY_RULES) out[ruleFile(r.id)] = renderVerifyRulePage(r);
  for (const d of DETECTORS) out[ruleFile(d.id)] = renderRulePage(d);
  for (const t of TECHNIQUES) out[ruleFile(t.id)] = renderTechniquePage(t);
  for (const r of SCRUB_RULES) out[ruleFile(r.id)] = renderScrubRulePage(r);
  return out;
}
